"""Baton's record of the replacement orders sent for claims (table ``claim_replacements``).

The order itself is the shop backend's
(:meth:`actions.shop.backend.ShopBackend.send_replacement`); this record is what makes it happen
once. One row per claim number (unique), as :mod:`actions.store.claim_refunds` does for money:

* the built-in shop writes the row sent, in the same transaction that makes the order;
* a platform backend first *starts* the row (no ``sent_at``) in a short transaction of its
  own — a second sender, another tap or another replica, finds it started and sends nothing —
  then searches the platform for an order naming the claim, makes one only if there is none,
  and writes the row sent. A row left started by a crash is taken over after a lease
  (:mod:`actions.store.claim_lease`).

Sending a claim's replacement settles it (``claims.state``: open → settled).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import claim_lease
from actions.store import tables as t
from actions.store.claims import claim_id

Start = Literal["mine", "busy", "sent"]


async def sent(conn: AsyncConnection, claim: str, number: str) -> Optional[str]:
    """The replacement order's number if the claim's replacement was sent (for order
    ``number``: a claim of another order has none here)."""
    c = t.claim_replacements
    found = c.c.claim == claim, c.c.order_number == number, c.c.sent_at.is_not(None)
    return await conn.scalar(select(c.c.replacement_number).where(*found))


async def start(conn: AsyncConnection, claim: str, number: str, now: datetime) -> Start:
    """Take the claim's replacement: "mine" (go ahead), "busy" (another sender started it less
    than :data:`~actions.store.claim_lease.LEASE` ago) or "sent" (done before)."""
    values = {"order_number": number}
    taken = await claim_lease.take(conn, t.claim_replacements, "sent_at", claim, now, values)
    return "sent" if taken == "done" else taken


async def abandon(conn: AsyncConnection, claim: str) -> None:
    """Give up a started replacement that made no order (refused, or the platform unreachable)."""
    c = t.claim_replacements
    await conn.execute(delete(c).where(c.c.claim == claim, c.c.sent_at.is_(None)))


async def record_sent(
    conn: AsyncConnection,
    claim: str,
    number: str,
    replacement: str,
    now: datetime,
    external_ref: Optional[str] = None,
) -> None:
    """Write the claim's replacement as sent (over a started row, or a new one) and settle the
    claim."""
    c = t.claim_replacements
    values = {"replacement_number": replacement, "sent_at": now, "external_ref": external_ref}
    mine = (c.c.claim == claim) & (c.c.order_number == number)
    done = await conn.execute(update(c).where(mine).values(**values))
    if done.rowcount == 0:
        await conn.execute(
            insert(c).values(claim=claim, order_number=number, started_at=now, **values)
        )
    found = claim_id(claim)
    if found is not None:
        await conn.execute(
            update(t.claims)
            .where(
                t.claims.c.id == found,
                t.claims.c.order_number == number,
                t.claims.c.state == "open",
            )
            .values(state="settled")
        )
