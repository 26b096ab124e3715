"""Finding whom to erase (:mod:`infra.erasure`): the store's customer, and their conversations
in the tracker store (tagged with their id, or containing their e-mail or phone verbatim), the
store (returns, claims on their orders, handoff cases, ownership checks), the handoff database
and WhatsApp."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Optional

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from infra import tracker_events
from infra.erasure_common import Subject, _table


async def find_customer(conn: AsyncConnection, subject: Subject) -> Optional[dict[str, Any]]:
    table = await _table(conn, "customers")
    if table is None:
        return None
    conditions = []
    if subject.customer_id is not None:
        conditions.append(table.c.id == subject.customer_id)
    if subject.email:
        conditions.append(table.c.email == subject.email.strip().lower())
        conditions.append(table.c.email == subject.email.strip())
    if subject.phone:
        conditions.append(table.c.phone == subject.phone)
    if not conditions:
        return None
    row = (await conn.execute(select(table).where(or_(*conditions)).limit(1))).mappings().first()
    return dict(row) if row is not None else None


def _mentions_customer(data: str, customer_id: str) -> bool:
    try:
        event = json.loads(data)
    except ValueError:
        return False
    metadata = event.get("metadata") or {}
    if isinstance(metadata, dict) and str(metadata.get("customer_id") or "") == customer_id:
        return True
    return (
        event.get("event") == "slot"
        and event.get("name") == "customer_id"
        and str(event.get("value") or "") == customer_id
    )


async def tracker_conversations(
    conn: AsyncConnection, customer_id: Optional[int], literals: Iterable[str]
) -> set[str]:
    if not await tracker_events.exists(conn):
        return set()
    found: set[str] = set()
    if customer_id is not None:
        found |= {
            sender
            for sender, data in await tracker_events.slot_mentions(conn)
            if data and _mentions_customer(data, str(customer_id))
        }
    return found | await tracker_events.senders_containing(conn, literals)


async def store_conversations(conn: AsyncConnection, customer_id: Optional[int]) -> set[str]:
    if customer_id is None:
        return set()
    found: set[str] = set()
    for name in ("returns", "handoff_requests"):
        table = await _table(conn, name)
        if table is not None:
            rows = await conn.execute(
                select(table.c.conversation_id).where(
                    table.c.customer_id == customer_id, table.c.conversation_id.isnot(None)
                )
            )
            found |= {conversation for (conversation,) in rows}
    claims, orders = await _table(conn, "claims"), await _table(conn, "orders")
    if claims is not None and orders is not None:
        theirs = select(orders.c.number).where(orders.c.customer_id == customer_id)
        rows = await conn.execute(
            select(claims.c.conversation_id).where(
                claims.c.order_number.in_(theirs), claims.c.conversation_id.isnot(None)
            )
        )
        found |= {conversation for (conversation,) in rows}
    return found


async def proof_conversations(conn: AsyncConnection, customer_id: Optional[int]) -> set[str]:
    """Conversations that proved one of the customer's orders, by e-mail *or postcode*: the
    store's verification attempts link them, whatever the customer typed."""
    attempts = await _table(conn, "verification_attempts")
    orders = await _table(conn, "orders")
    if attempts is None or orders is None or customer_id is None:
        return set()
    numbers = select(orders.c.number).where(orders.c.customer_id == customer_id)
    rows = await conn.execute(
        select(attempts.c.conversation_id)
        .where(attempts.c.succeeded.is_(True), attempts.c.order_number.in_(numbers))
        .distinct()
    )
    return {conversation for (conversation,) in rows}


async def handoff_conversations(conn: AsyncConnection, customer_id: Optional[int]) -> set[str]:
    tickets = await _table(conn, "tickets")
    if tickets is None or customer_id is None:
        return set()
    rows = await conn.execute(
        select(tickets.c.conversation_id).where(tickets.c.customer_id == str(customer_id))
    )
    return {conversation for (conversation,) in rows}


def whatsapp_conversation(phone: Optional[str], secret: Optional[str]) -> set[str]:
    if not phone or not secret:
        return set()
    from connectors.whatsapp import conversation_id_for

    return {conversation_id_for(f"whatsapp:{phone}", secret)}
