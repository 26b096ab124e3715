"""Trackers as the action server receives them, built by hand, and what a dispatcher collected.

An action test runs a real Rasa SDK action with ``await Action().run(dispatcher, tracker(...),
{})`` and asserts on :func:`responses` — the response names (and their parameters) the customer
would read — and on the slots it sets. No model, no Rasa server.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(
    slots: Optional[dict[str, Any]] = None,
    *,
    sender: str = "conv-1",
    text: str = "",
    intent: str = "inform",
    entities: tuple[tuple[str, str], ...] = (),
    form: Optional[str] = None,
    metadata: Optional[dict[str, Any]] = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` with ``intent`` and ``entities``; ``form``
    is the active loop (``None``: no form running)."""
    message = {
        "text": text,
        "intent": {"name": intent},
        "entities": [{"entity": name, "value": value} for name, value in entities],
        "metadata": metadata or {},
    }
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": message, "metadata": metadata or {}}
    ]
    return Tracker(
        sender,
        dict(slots or {}),
        message,
        events,
        False,
        None,
        {"name": form} if form else {},
        "action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The response names the customer would be shown, in order."""
    return [str(m.get("response")) for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots a list of events sets (the last value wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
