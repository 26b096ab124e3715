"""Writes to an order in Baton's own tables: cancel it, send it elsewhere, mark money refunded.

Used by the built-in shop (:class:`actions.shop.backend.BuiltInShop`); on a platform backend the
platform makes the change and the mirror copies the result. The caller has already checked
that the order allows it (not left the warehouse; for a refund, something left to refund).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.common import utc_now
from actions.store import tables as t
from actions.store.models import Address


async def lock_order(conn: AsyncConnection, number: str) -> None:
    """Take the order for this transaction before reading it: a no-op write, so a second
    cancellation of the same order (a double tap, two replicas) waits for the first to commit
    and then reads what it did — PostgreSQL locks the row, SQLite takes its write lock."""
    o = t.orders
    await conn.execute(update(o).where(o.c.number == number).values(status=o.c.status))


async def cancel_items(
    conn: AsyncConnection, order_id: int, refunds: dict[int, Decimal]
) -> tuple[int, ...]:
    """Cancel each item of ``refunds`` (item id -> what it refunds) that is not cancelled yet;
    the ids this call cancelled. Items of another order are never touched."""
    i = t.order_items
    now = utc_now()
    done = []
    for item_id, amount in refunds.items():
        result = await conn.execute(
            update(i)
            .where(i.c.id == item_id, i.c.order_id == order_id, i.c.cancelled_at.is_(None))
            .values(cancelled_at=now, refunded_amount=amount)
        )
        if result.rowcount == 1:
            done.append(item_id)
    return tuple(done)


async def cancel_order(conn: AsyncConnection, number: str, reason: str) -> None:
    """Cancelled now; what was paid is refunded, an authorisation never charged is voided."""
    o = t.orders
    paid = (await conn.execute(select(o.c.payment_status).where(o.c.number == number))).scalar_one()
    now = utc_now()
    refunded = paid == "paid"
    await conn.execute(
        update(o)
        .where(o.c.number == number)
        .values(
            status="cancelled",
            cancelled_at=now,
            cancellation_reason=reason[:200],
            payment_status="refunded" if refunded else "voided",
            refunded_at=now if refunded else None,
            expected_dispatch=None,
        )
    )


async def change_address(conn: AsyncConnection, number: str, address: Address) -> None:
    """A new address row (the old one may be another order's), and the order points at it."""
    o = t.orders
    customer_id = (
        await conn.execute(select(o.c.customer_id).where(o.c.number == number))
    ).scalar_one()
    result = await conn.execute(
        insert(t.addresses).values(
            customer_id=customer_id,
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            postal_code=address.postal_code,
            country=address.country,
        )
    )
    await conn.execute(
        update(o)
        .where(o.c.number == number)
        .values(shipping_address_id=int(result.inserted_primary_key[0]))
    )


async def mark_refunded(conn: AsyncConnection, number: str, whole: bool, now: datetime) -> None:
    """Money went back on an order that goes ahead (a claim's refund): ``refunded`` when it was
    all that was left, else ``partially_refunded``; ``refunded_at`` is the latest refund."""
    o = t.orders
    status = "refunded" if whole else "partially_refunded"
    await conn.execute(
        update(o).where(o.c.number == number).values(payment_status=status, refunded_at=now)
    )
