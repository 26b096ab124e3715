"""Item 6: relay idempotency keys made from row ids.

The Rasa server remembers every relay key it carried out. Keys were ``handoff-message-<row
id>`` and ``handoff-close-<ticket id>``, so after the newest ticket was erased, or handoff.db
was recreated, the ids came round again: the agent's replies were dropped as duplicates and
"Close & hand back" left the customer paused for good.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.outbox import Outbox
from handoff.services import HandoffService
from tests.handoff.conftest import FakeRelay, make_settings, packet


async def keys_of_a_fresh_handoff_database(
    tmp_path: Path, relay: FakeRelay, clock: Any, name: str
) -> list[str]:
    from handoff.live import Hub
    from handoff.store.db import create_engine, create_schema

    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / name}")
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    service = HandoffService(engine, settings, Hub(), relay, None, clock=clock)  # type: ignore[arg-type]
    await service.ensure_demo_agent()
    login = await service.login("demo", "demo-password")
    assert login is not None
    _, agent = login
    before = len(relay.calls)
    ticket = await service.open_ticket(packet())
    await service.reply(ticket["ticket_id"], agent, "Hi, Sam here.")
    await service.close(ticket["ticket_id"], agent)
    await engine.dispose()
    return [payload["message_id"] for _, payload in relay.calls[before:]]


async def test_a_recreated_handoff_database_does_not_reuse_relay_keys(
    tmp_path: Path, relay: FakeRelay, clock: Any
) -> None:
    first = await keys_of_a_fresh_handoff_database(tmp_path, relay, clock, "handoff-1.db")
    second = await keys_of_a_fresh_handoff_database(tmp_path, relay, clock, "handoff-2.db")
    assert len(first) == 2 and len(second) == 2
    assert not set(first) & set(second), (first, second)


async def test_the_agents_reply_after_a_recreated_database_is_not_dropped_as_a_duplicate(
    tmp_path: Path, relay: FakeRelay, clock: Any
) -> None:
    """The Rasa side of it: the relay's memory of keys already carried out."""
    box = Outbox(f"sqlite:///{tmp_path / 'tracker.db'}", relay.send)  # type: ignore[arg-type]
    await box.start()
    try:
        first = await keys_of_a_fresh_handoff_database(tmp_path, relay, clock, "a.db")
        for key in first:
            await box.remember_delivery(key)
        second = await keys_of_a_fresh_handoff_database(tmp_path, relay, clock, "b.db")
        assert [await box.already_delivered(key) for key in second] == [False, False]
    finally:
        await box.stop()
