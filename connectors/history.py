"""A conversation's transcript, as a widget shows it, read from the tracker store.

The tracker store is the transcript of record (docs/architecture.md, "Data: who owns which
database"); the browser keeps nothing, so a reload, a second tab or a new device shows the same
conversation.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

logger = logging.getLogger(__name__)

MAX_MESSAGES = 200


def _button_title(payload: str, buttons: list[dict[str, Any]]) -> Optional[str]:
    for button in buttons:
        if button.get("payload") == payload:
            return str(button.get("title"))
    return None


def events_to_messages(events: list[Any]) -> list[dict[str, Any]]:
    """User and bot (or agent) messages, with button clicks shown by their titles."""
    messages: list[dict[str, Any]] = []
    last_buttons: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text or ""
            if text.startswith("/"):
                title = _button_title(text, last_buttons)
                if title is None:
                    continue  # an internal payload the customer never typed
                text = title
            messages.append({"sender": "user", "text": text})
            last_buttons = []
        elif isinstance(event, BotUttered):
            data = event.data or {}
            buttons = data.get("buttons") or data.get("quick_replies") or []
            meta = event.metadata or {}
            agent = meta.get("agent_name") if isinstance(meta, dict) else None
            message: dict[str, Any] = {"sender": "agent" if agent else "bot", "text": event.text}
            if agent:
                message["agent_name"] = agent
            if buttons:
                message["buttons"] = [
                    {"title": b.get("title"), "payload": b.get("payload")} for b in buttons
                ]
            if data.get("image"):
                message["image"] = data["image"]
            messages.append(message)
            last_buttons = buttons
    return messages[-MAX_MESSAGES:]


async def transcript(app: Sanic, conversation_id: str) -> list[dict[str, Any]]:
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return []
    try:
        tracker = await agent.tracker_store.retrieve(conversation_id)
    except Exception:
        logger.exception("could not read the transcript", extra={"conversation": conversation_id})
        return []
    if tracker is None:
        return []
    return events_to_messages(list(tracker.events))
