"""Baton's record of the money paid back for claims (table ``claim_refunds``).

The payment itself is the shop backend's (:meth:`actions.shop.backend.ShopBackend.refund_claim`);
this record is what makes it happen once. One row per claim number (unique), so:

* the built-in shop writes the row paid, in the same transaction that takes the order;
* a platform backend first *starts* the row (no ``refunded_at``) in a short transaction of its
  own — a second payer, another tap or another replica, finds it started and pays nothing —
  then asks the platform, then writes the row paid. A row left started by a crash is taken
  over after a lease (:mod:`actions.store.claim_lease`), and the platform is read for a refund
  naming the claim before anything is paid again (the claim's number is in the refund's note);
* a platform refund whose note names a claim, read with the order (:mod:`actions.shop.mirror_sql`),
  writes the row paid too: one the shop's staff paid by hand counts as paid.

Paying a claim settles it (``claims.state``: open or awaiting_return → settled).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import claim_lease
from actions.store import tables as t
from actions.store.claims import claim_id
from actions.store.models import ClaimRefundPaid

_CENT = Decimal("0.01")

Start = Literal["mine", "busy", "paid"]


def _paid(row: Any) -> ClaimRefundPaid:
    return ClaimRefundPaid(
        claim=row.claim,
        amount=Decimal(row.amount).quantize(_CENT),  # SQLite keeps no decimals
        currency=row.currency,
        destination=row.destination or "",
        refunded_at=row.refunded_at,
        external_ref=row.external_ref,
    )


async def paid(conn: AsyncConnection, claim: str) -> Optional[ClaimRefundPaid]:
    """The claim's refund if it has been paid."""
    c = t.claim_refunds
    row = (
        await conn.execute(select(c).where(c.c.claim == claim, c.c.refunded_at.is_not(None)))
    ).first()
    return _paid(row) if row is not None else None


async def for_order(conn: AsyncConnection, number: str) -> tuple[ClaimRefundPaid, ...]:
    """The claims' refunds paid on an order, oldest first."""
    c = t.claim_refunds
    rows = await conn.execute(
        select(c)
        .where(c.c.order_number == number, c.c.refunded_at.is_not(None))
        .order_by(c.c.refunded_at, c.c.id)
    )
    return tuple(_paid(row) for row in rows.all())


async def refunded_on_order(conn: AsyncConnection, order_id: int, number: str) -> Decimal:
    """All that went back on a built-in order: items cancelled on their own, returns' refunds
    and claims' refunds (what is left to refund is the total less this)."""
    i, r, f, c = t.order_items, t.returns, t.refunds, t.claim_refunds
    parts = (
        select(func.sum(i.c.refunded_amount)).where(i.c.order_id == order_id),
        select(func.sum(f.c.amount))
        .join(r, r.c.id == f.c.return_id)
        .where(r.c.order_id == order_id),
        select(func.sum(c.c.amount)).where(
            c.c.order_number == number, c.c.refunded_at.is_not(None)
        ),
    )
    total = Decimal("0.00")
    for query in parts:
        total += Decimal(str(await conn.scalar(query) or 0))
    return total.quantize(_CENT)


async def start(
    conn: AsyncConnection, claim: str, number: str, amount: Decimal, currency: str, now: datetime
) -> Start:
    """Take the claim's payment: "mine" (go ahead), "busy" (another payer started it less than
    :data:`~actions.store.claim_lease.LEASE` ago) or "paid" (done before)."""
    values = {"order_number": number, "amount": amount.quantize(_CENT), "currency": currency}
    taken = await claim_lease.take(conn, t.claim_refunds, "refunded_at", claim, now, values)
    return "paid" if taken == "done" else taken


async def abandon(conn: AsyncConnection, claim: str) -> None:
    """Give up a started payment that paid nothing (refused, or the platform unreachable)."""
    c = t.claim_refunds
    await conn.execute(delete(c).where(c.c.claim == claim, c.c.refunded_at.is_(None)))


async def record_paid(conn: AsyncConnection, number: str, refund: ClaimRefundPaid) -> None:
    """Write the claim's refund as paid (over a started row, or a new one) and settle the claim."""
    c = t.claim_refunds
    values = {
        "order_number": number,
        "amount": refund.amount.quantize(_CENT),
        "currency": refund.currency,
        "destination": refund.destination[:60],
        "refunded_at": refund.refunded_at,
        "external_ref": refund.external_ref,
    }
    mine = (c.c.claim == refund.claim) & (c.c.order_number == number)
    done = await conn.execute(update(c).where(mine).values(**values))
    if done.rowcount == 0:
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(c).values(claim=refund.claim, started_at=refund.refunded_at, **values)
                )
        except IntegrityError:
            # written at the same moment by another reader of the order, or the claim is
            # another order's (a refund note with a mistyped number): that record stands
            return
    found = claim_id(refund.claim)
    if found is not None:
        await conn.execute(
            update(t.claims)
            .where(
                t.claims.c.id == found,
                t.claims.c.order_number == number,
                t.claims.c.state.in_(("open", "awaiting_return")),
            )
            .values(state="settled")
        )
