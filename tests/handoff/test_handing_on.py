"""Handing cases on in the service (handoff/handing_on.py) on a temp SQLite database: every
open console hears of a transfer at once, and the queue flags a customer left waiting."""

from __future__ import annotations

import json
from typing import Any

from handoff.services import HandoffService
from handoff.store.repository import HandoffRepository
from tests.handoff.conftest import Clock, FakeSocket, packet


async def agents(service: HandoffService) -> tuple[Any, Any]:
    ann_id = await service.create_agent("ann", "Ann", "agent-password", "agent")
    bo_id = await service.create_agent("bo", "Bo", "agent-password", "agent")
    async with service.engine.connect() as conn:
        repo = HandoffRepository(conn)
        return await repo.agent_by_id(ann_id), await repo.agent_by_id(bo_id)


async def test_a_transfer_is_pushed_to_every_open_console(service: HandoffService) -> None:
    ann, bo = await agents(service)
    opened = await service.open_ticket(packet("conv-live"))
    await service.claim(opened["ticket_id"], ann)
    bos_console = FakeSocket()
    service.hub.add(bos_console, bo.id)

    await service.transfer(opened["ticket_id"], ann, to_agent=bo.id, reason="she writes in Korean")

    events = [json.loads(e) for e in bos_console.sent]
    updates = [e for e in events if e["type"] == "ticket_updated"]
    assert updates and updates[-1]["ticket"]["claimed_by"] == bo.id
    assert (
        updates[-1]["handed_on"]["text"] == "Ann transferred this case to Bo: she writes in Korean"
    )
    added = [e["message"]["text"] for e in events if e["type"] == "message"]
    assert "Ann transferred this case to Bo: she writes in Korean" in added


async def test_a_team_change_is_pushed_to_every_open_console(service: HandoffService) -> None:
    ann, _ = await agents(service)
    console = FakeSocket()
    service.hub.add(console, ann.id)
    logged_in = await service.login("demo", "demo-password")
    assert logged_in is not None
    lead = logged_in[1]

    await service.create_team(lead, "returns")

    assert {"type": "teams_changed"} in [json.loads(e) for e in console.sent]


async def test_the_queue_flags_a_case_nobody_claimed_for_five_minutes(
    service: HandoffService, clock: Clock
) -> None:
    ann, _ = await agents(service)
    opened = await service.open_ticket(packet("conv-slow"))

    clock.advance(seconds=299)
    early = (await service.queue("open", ann))[0]
    clock.advance(seconds=2)
    late = (await service.queue("open", ann))[0]

    assert (early["id"], early["waiting_too_long"]) == (opened["ticket_id"], False)
    assert late["waiting_too_long"] is True


async def test_the_queue_flags_a_claimed_case_whose_customer_is_not_answered(
    service: HandoffService, clock: Clock
) -> None:
    ann, _ = await agents(service)
    ticket_id = (await service.open_ticket(packet("conv-unanswered")))["ticket_id"]
    await service.claim(ticket_id, ann)
    await service.reply(ticket_id, ann, "Hello, I'm Ann.")
    clock.advance(minutes=1)
    await service.customer_message("conv-unanswered", "key-1", "Are you there?")

    clock.advance(minutes=6)
    flagged = (await service.queue("active", ann))[0]
    await service.reply(ticket_id, ann, "Yes, checking now.")
    answered = (await service.queue("active", ann))[0]

    assert flagged["waiting_too_long"] is True
    assert flagged["waiting_since"] == "2026-11-23T10:01:00Z"
    assert answered["waiting_too_long"] is False and answered["waiting_since"] is None


async def test_the_alert_threshold_comes_from_the_settings(make_service: Any, clock: Clock) -> None:
    service = await make_service(waiting_alert_seconds=60)
    ann, _ = await agents(service)
    await service.open_ticket(packet("conv-quick"))

    clock.advance(seconds=61)

    assert (await service.queue("waiting", ann))[0]["waiting_too_long"] is True
