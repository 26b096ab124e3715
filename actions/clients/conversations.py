"""Read-only access to Rasa's tracker store: a customer's recent conversations.

The tracker store is the transcript of record for every channel; the Rasa server owns it and the
action server only reads it (docs/architecture.md, "Data: who owns which database"). The context
packet shows the agent the customer's other recent conversations — on WhatsApp, Slack or an earlier
web chat — including what agents said there. A conversation belongs to a customer when
``action_session_start`` set the ``customer_id`` slot in it (only connectors that proved the
identity pass one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any, Optional

from sqlalchemy import MetaData, Table, and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store.db import create_engine_for

_engines: dict[str, AsyncEngine] = {}
_tables: dict[str, Table] = {}


def tracker_database_url() -> Optional[str]:
    return os.environ.get("TRACKER_DATABASE_URL") or None


async def _events_table(engine: AsyncEngine, url: str) -> Optional[Table]:
    if url not in _tables:
        meta = MetaData()

        def reflect(sync_conn: Any) -> None:
            meta.reflect(bind=sync_conn, only=["events"])

        async with engine.connect() as conn:
            try:
                await conn.run_sync(reflect)
            except Exception:
                return None
        _tables[url] = meta.tables["events"]
    return _tables[url]


def _message(data: dict[str, Any]) -> Optional[dict[str, Any]]:
    kind = data.get("event")
    text = data.get("text")
    if not text or (kind == "user" and str(text).startswith("/")):
        return None
    if kind == "user":
        return {"sender": "user", "text": text, "at": data.get("timestamp")}
    meta = data.get("metadata") or {}
    agent = meta.get("agent_name") if isinstance(meta, dict) else None
    message = {"sender": "agent" if agent else "bot", "text": text, "at": data.get("timestamp")}
    if agent:
        message["agent_name"] = agent
    return message


async def recent_conversations(
    customer_id: str,
    exclude: str,
    limit: int = 3,
    messages_each: int = 12,
    url: Optional[str] = None,
) -> list[dict[str, Any]]:
    """The customer's latest other conversations, newest first, with their last messages."""
    url = url or tracker_database_url()
    if not url:
        return []
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_engine_for(url)
    events = await _events_table(engine, url)
    if events is None:
        return []
    value = json.dumps(str(customer_id))
    async with engine.connect() as conn:
        owned = (
            await conn.execute(
                select(events.c.sender_id, func.max(events.c.id).label("last"))
                .where(
                    and_(
                        events.c.type_name == "slot",
                        events.c.action_name == "customer_id",
                        events.c.data.like(f'%"value": {value}%'),
                        events.c.sender_id != exclude,
                    )
                )
                .group_by(events.c.sender_id)
                .order_by(func.max(events.c.id).desc())
                .limit(limit)
            )
        ).all()
        found: list[dict[str, Any]] = []
        for row in owned:
            rows: Sequence[Any] = (
                await conn.execute(
                    select(events.c.data)
                    .where(
                        events.c.sender_id == row.sender_id,
                        events.c.type_name.in_(("user", "bot")),
                    )
                    .order_by(events.c.id.desc())
                    .limit(messages_each * 2)
                )
            ).all()
            datas = [json.loads(r.data) for r in reversed(rows)]
            channel = next(
                (d.get("input_channel") for d in datas if d.get("event") == "user"), None
            )
            messages = [m for m in (_message(d) for d in datas) if m][-messages_each:]
            if messages:
                found.append(
                    {
                        "conversation_id": row.sender_id,
                        "channel": channel or "unknown",
                        "last_at": messages[-1]["at"],
                        "messages": messages,
                    }
                )
    return found
