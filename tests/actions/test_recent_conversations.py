"""The handoff packet's "other recent conversations", read from the tracker store through
infra/tracker_events.py: the customer's own (tagged by the ``customer_id`` slot), newest first,
the current one left out, commands and other events skipped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from actions.clients import conversations
from actions.clients.conversations import recent_conversations
from infra.events_table import events, metadata


@pytest.fixture(autouse=True)
async def _engines_disposed() -> AsyncIterator[None]:
    yield
    while conversations._engines:
        await conversations._engines.popitem()[1].dispose()


def _event(sender: str, at: float, kind: str, **data: Any) -> dict[str, Any]:
    body = {"event": kind, "timestamp": at, **data}
    return {
        "sender_id": sender,
        "type_name": kind,
        "timestamp": at,
        "intent_name": None,
        "action_name": data.get("name") if kind == "slot" else None,
        "data": json.dumps(body),
    }


def _tracker(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url, future=True)
    metadata.create_all(engine)
    rows = [
        # an older web chat of customer 7, where an agent answered
        _event("web-1", 1.0, "slot", name="customer_id", value="7"),
        _event("web-1", 2.0, "user", text="where is my parcel?", input_channel="webchat"),
        _event("web-1", 3.0, "bot", text="It left today.", metadata={"agent_name": "Ann"}),
        # a newer WhatsApp conversation of customer 7, with a button command
        _event("wa-1", 4.0, "slot", name="customer_id", value="7"),
        _event("wa-1", 5.0, "user", text="/affirm", input_channel="whatsapp"),
        _event("wa-1", 6.0, "user", text="refund please", input_channel="whatsapp"),
        _event("wa-1", 6.5, "action", name="action_listen"),
        # someone else's, and the conversation the handoff is for
        _event("web-2", 7.0, "slot", name="customer_id", value="8"),
        _event("web-2", 8.0, "user", text="hello", input_channel="webchat"),
        _event("now", 9.0, "slot", name="customer_id", value="7"),
        _event("now", 10.0, "user", text="a person please", input_channel="webchat"),
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(events), rows)
    engine.dispose()
    return url


async def test_the_customers_other_conversations_newest_first(tmp_path: Path) -> None:
    found = await recent_conversations("7", exclude="now", url=_tracker(tmp_path))
    assert [c["conversation_id"] for c in found] == ["wa-1", "web-1"]
    whatsapp, web = found
    assert whatsapp["channel"] == "whatsapp"
    assert [m["text"] for m in whatsapp["messages"]] == ["refund please"]
    assert web["messages"] == [
        {"sender": "user", "text": "where is my parcel?", "at": 2.0},
        {"sender": "agent", "text": "It left today.", "at": 3.0, "agent_name": "Ann"},
    ]


async def test_no_tracker_table_yet_means_no_conversations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert await recent_conversations("7", exclude="now", url=url) == []
