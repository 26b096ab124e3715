"""Baton's record of the delivery addresses changed in the chat (table ``address_changes``).

The change itself is the shop backend's (:meth:`actions.shop.backend.ShopBackend.change_address`);
this record says that it happened, by whom and when, under the change's idempotency key
(:func:`actions.services.address.idempotency_key`). It is written *before* the backend is
asked — a second confirmation with the same key then finds it and changes nothing — and
removed again if the backend refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import tables as t

#: Who made a change through the chat, as the order and the person taking over see it.
BY_CUSTOMER_IN_CHAT = "customer via chat"


async def claim(
    conn: AsyncConnection,
    key: str,
    number: str,
    conversation_id: str,
    now: datetime,
    changed_by: str = BY_CUSTOMER_IN_CHAT,
) -> bool:
    """Record the change under ``key``; False when the key is already recorded (done before)."""
    a = t.address_changes
    found = (await conn.execute(select(a.c.id).where(a.c.idempotency_key == key))).first()
    if found is not None:
        return False
    try:
        async with conn.begin_nested():
            await conn.execute(
                insert(a).values(
                    idempotency_key=key,
                    order_number=number,
                    conversation_id=conversation_id[:120],
                    changed_by=changed_by,
                    changed_at=now,
                )
            )
    except IntegrityError:
        return False  # a parallel confirmation with the same key got there first
    return True


async def release(conn: AsyncConnection, key: str) -> None:
    """Forget a claimed change the shop refused: it did not happen."""
    a = t.address_changes
    await conn.execute(delete(a).where(a.c.idempotency_key == key))


async def count(conn: AsyncConnection, number: str) -> int:
    a = t.address_changes
    rows = (await conn.execute(select(a.c.id).where(a.c.order_number == number))).all()
    return len(rows)


async def latest_address_change(
    conn: AsyncConnection, number: str
) -> Optional[tuple[datetime, str]]:
    """When the order's address was last changed through Baton, and by whom."""
    a = t.address_changes
    row = (
        await conn.execute(
            select(a.c.changed_at, a.c.changed_by)
            .where(a.c.order_number == number)
            .order_by(a.c.changed_at.desc(), a.c.id.desc())
            .limit(1)
        )
    ).first()
    return (row.changed_at, row.changed_by) if row is not None else None
