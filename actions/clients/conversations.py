"""Read-only access to Rasa's tracker store: a customer's recent conversations.

The tracker store is the transcript of record for every channel; the Rasa server owns it and the
action server only reads it (docs/architecture.md, "Data: who owns which database"). The context
packet shows the agent the customer's other recent conversations — on WhatsApp, Slack or an earlier
web chat — including what agents said there. A conversation belongs to a customer when
``action_session_start`` set the ``customer_id`` slot in it (only connectors that proved the
identity pass one).
"""

from __future__ import annotations

import os
from typing import Any, Optional

from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store.db import create_engine_for
from infra import tracker_events

_engines: dict[str, AsyncEngine] = {}


def tracker_database_url() -> Optional[str]:
    return os.environ.get("TRACKER_DATABASE_URL") or None


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
    async with engine.connect() as conn:
        try:
            if not await tracker_events.exists(conn):
                return []
        except Exception:
            return []
        owned = await tracker_events.customer_conversations(
            conn, str(customer_id), exclude, limit, events_each=messages_each * 2
        )
    found: list[dict[str, Any]] = []
    for sender_id, datas in owned:
        channel = next((d.get("input_channel") for d in datas if d.get("event") == "user"), None)
        messages = [m for m in (_message(d) for d in datas) if m][-messages_each:]
        if messages:
            found.append(
                {
                    "conversation_id": sender_id,
                    "channel": channel or "unknown",
                    "last_at": messages[-1]["at"],
                    "messages": messages,
                }
            )
    return found
