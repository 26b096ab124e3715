"""Read conversations back from Rasa's SQL tracker store, read-only.

The ``events`` table is the schema of Rasa's ``SQLTrackerStore`` (one row per event: sender_id,
type_name, timestamp, intent_name, action_name and the event as JSON in ``data``); the same query
works on the embedded SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

# Events the inbox rules look at; the rest (action rejections, loop events...) are skipped.
EVENT_TYPES = ("user", "bot", "action", "slot", "pause", "resume", "session_started", "restart")

Event = dict[str, Any]


def conversations(url: str, since: float | None = None) -> Iterator[tuple[str, list[Event]]]:
    """(sender_id, events in order) for every conversation in the store at ``url``.

    ``since`` (a UNIX timestamp) keeps only events from then on.
    """
    engine = sa.create_engine(url, future=True)
    events_table = sa.table(
        "events",
        sa.column("id"),
        sa.column("sender_id"),
        sa.column("type_name"),
        sa.column("timestamp"),
        sa.column("data"),
    )
    c = events_table.c
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
            events: list[Event] = []
            for sender_id, type_name, timestamp, data in conn.execute(statement):
                if sender_id != current:
                    if current is not None:
                        yield current, events
                    current, events = sender_id, []
                event = _decode(data)
                event.setdefault("event", type_name)
                event.setdefault("timestamp", timestamp)
                events.append(event)
            if current is not None:
                yield current, events
    finally:
        engine.dispose()


def _decode(data: str | None) -> Event:
    try:
        decoded = json.loads(data or "{}")
    except json.JSONDecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}
