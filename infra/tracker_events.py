"""Reading (and deleting) conversations in Rasa's tracker store: the one module that does.

The ``events`` table (:mod:`infra.events_table`) belongs to Rasa's ``SQLTrackerStore``, the
transcript of record for every channel. Everyone else who needs a transcript goes through
these functions — the trainers' inbox (:mod:`bot.inbox`), the handoff packet's other
conversations (:mod:`actions.clients.conversations`), erasure and retention
(:mod:`infra.erasure`, :mod:`infra.retention`) — so a change of Rasa's schema, or of how a
customer's conversations are recognised, is made here once. The analytics reader
(``analytics/``) is the one other reader: its queries are shaped by its covering indexes.
``lint-imports`` (pyproject.toml, ``[tool.importlinter]``) keeps anyone else from importing
the table's declaration; ``tests/test_import_contracts.py`` from declaring or reflecting it.

The same queries work on the embedded SQLite file and on PostgreSQL. The functions taking a
connection leave transactions and locks to the caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.events_table import events

# Events the inbox rules look at; the rest (action rejections, loop events...) are skipped.
EVENT_TYPES = ("user", "bot", "action", "slot", "pause", "resume", "session_started", "restart")

Event = dict[str, Any]


def conversations(url: str, since: float | None = None) -> Iterator[tuple[str, list[Event]]]:
    """(sender_id, events in order) for every conversation in the store at ``url``, read-only.

    ``since`` (a UNIX timestamp) keeps only events from then on.
    """
    engine = sa.create_engine(url, future=True)
    c = events.c
    statement = (
        sa.select(c.sender_id, c.type_name, c.timestamp, c.data)
        .where(c.type_name.in_(EVENT_TYPES))
        .order_by(c.sender_id, c.id)
    )
    if since is not None:
        statement = statement.where(c.timestamp >= since)
    try:
        with engine.connect() as conn:
            current: str | None = None
            found: list[Event] = []
            for sender_id, type_name, timestamp, data in conn.execute(statement):
                if sender_id != current:
                    if current is not None:
                        yield current, found
                    current, found = sender_id, []
                event = _decode(data)
                event.setdefault("event", type_name)
                event.setdefault("timestamp", timestamp)
                found.append(event)
            if current is not None:
                yield current, found
    finally:
        engine.dispose()


def _decode(data: str | None) -> Event:
    try:
        decoded = json.loads(data or "{}")
    except json.JSONDecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


async def exists(conn: AsyncConnection) -> bool:
    """Whether this database has the table (Rasa creates it on its first start)."""

    def check(sync_conn: Any) -> bool:
        return bool(sa.inspect(sync_conn).has_table(events.name))

    return await conn.run_sync(check)


# --- the handoff packet: a customer's other conversations -------------------------------------


async def customer_conversations(
    conn: AsyncConnection, customer_id: str, exclude: str, limit: int, events_each: int
) -> list[tuple[str, list[Event]]]:
    """The latest ``limit`` conversations, newest first, in which ``action_session_start`` set
    the ``customer_id`` slot to ``customer_id`` (other than ``exclude``), each with its last
    ``events_each`` customer and bot messages (as decoded events, oldest first)."""
    c = events.c
    value = json.dumps(str(customer_id))
    owned = (
        await conn.execute(
            sa.select(c.sender_id, sa.func.max(c.id).label("last"))
            .where(
                sa.and_(
                    c.type_name == "slot",
                    c.action_name == "customer_id",
                    c.data.like(f'%"value": {value}%'),
                    c.sender_id != exclude,
                )
            )
            .group_by(c.sender_id)
            .order_by(sa.func.max(c.id).desc())
            .limit(limit)
        )
    ).all()
    found: list[tuple[str, list[Event]]] = []
    for row in owned:
        rows = (
            await conn.execute(
                sa.select(c.data)
                .where(c.sender_id == row.sender_id, c.type_name.in_(("user", "bot")))
                .order_by(c.id.desc())
                .limit(events_each)
            )
        ).all()
        found.append((row.sender_id, [_decode(r.data) for r in reversed(rows)]))
    return found


# --- erasure and retention ---------------------------------------------------------------------


async def slot_mentions(conn: AsyncConnection) -> list[tuple[str, Optional[str]]]:
    """(sender_id, data) of every event whose JSON mentions ``customer_id``: the caller decides
    which of them tag a given customer."""
    c = events.c
    rows = await conn.execute(sa.select(c.sender_id, c.data).where(c.data.like("%customer_id%")))
    return [(sender, data) for sender, data in rows]


async def senders_containing(conn: AsyncConnection, literals: Iterable[str]) -> set[str]:
    """Conversations any of whose events contain one of ``literals`` verbatim, ignoring case
    everywhere (SQLite's LIKE folds ASCII only, PostgreSQL's nothing: "Jane.Doe@Example.com"
    typed as a proof was missed there)."""
    c = events.c
    found: set[str] = set()
    for literal in literals:
        if literal:
            rows = await conn.execute(
                sa.select(c.sender_id)
                .where(sa.func.lower(c.data).contains(literal.lower(), autoescape=True))
                .distinct()
            )
            found |= {sender for (sender,) in rows}
    return found


async def delete_conversation(conn: AsyncConnection, sender_id: str) -> tuple[int, list[str]]:
    """Delete one conversation's events: how many, and what the customer wrote in it."""
    c = events.c
    texts: list[str] = []
    rows = await conn.execute(
        sa.select(c.data).where(c.sender_id == sender_id, c.type_name == "user")
    )
    for (data,) in rows:
        text = _decode(data).get("text")
        if isinstance(text, str) and text.strip():
            texts.append(text)
    result = await conn.execute(sa.delete(events).where(c.sender_id == sender_id))
    return result.rowcount or 0, texts


async def idle_since(conn: AsyncConnection, cutoff: float) -> list[str]:
    """Conversations whose last event is older than ``cutoff`` (a UNIX timestamp)."""
    c = events.c
    rows = await conn.execute(
        sa.select(c.sender_id).group_by(c.sender_id).having(sa.func.max(c.timestamp) < cutoff)
    )
    return [sender for (sender,) in rows]


async def delete_idle(conn: AsyncConnection, senders: list[str], cutoff: float) -> int:
    """Delete the events of those of ``senders`` that are still idle since ``cutoff`` (a
    customer may have written since they were listed); how many events went."""
    c = events.c
    recent = sa.select(c.sender_id).where(c.sender_id.in_(senders), c.timestamp >= cutoff)
    result = await conn.execute(
        sa.delete(events).where(sa.and_(c.sender_id.in_(senders), c.sender_id.not_in(recent)))
    )
    return result.rowcount or 0
