"""The handoff service's rules over a real SQLite database, with a fake relay."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from handoff.hours import BusinessHours
from handoff.services import Conflict, HandoffService
from handoff.slack import ticket_card
from handoff.store.repository import HandoffRepository
from infra.sql import begin
from tests.contracts.test_packet import LEGACY
from tests.handoff.conftest import Clock, FakeRelay, FakeSocket, packet


async def login(service: HandoffService) -> Any:
    result = await service.login("demo", "demo-password")
    assert result is not None
    return result


async def test_a_ticket_opens_with_its_context_and_a_place_in_the_queue(
    service: HandoffService,
) -> None:
    await login(service)
    first = await service.open_ticket(packet("a"))
    second = await service.open_ticket(packet("b"))
    assert first["position"] == 1 and second["position"] == 2
    assert first["agents_online"] == 1 and not first["leave_a_message"]
    assert second["estimate_minutes"] == 8  # two customers, one agent, 4 min each
    detail = await service.ticket_detail(first["ticket_id"])
    assert detail["context"]["customer"]["email"] == "jane.doe@example.com"
    assert detail["status"] == "waiting"


async def test_asking_again_returns_the_open_ticket(service: HandoffService) -> None:
    first = await service.open_ticket(packet("a"))
    again = await service.open_ticket(packet("a"))
    assert again["ticket_id"] == first["ticket_id"] and again["existing"]


async def test_nobody_online_means_leave_a_message(service: HandoffService) -> None:
    opened = await service.open_ticket(packet())
    assert opened["agents_online"] == 0 and opened["leave_a_message"]
    assert opened["estimate_minutes"] is None
    detail = await service.ticket_detail(opened["ticket_id"])
    assert detail["after_hours"]


async def test_outside_business_hours_the_customer_hears_when_the_team_is_back(
    make_service: Any, clock: Clock
) -> None:
    service = await make_service(
        business_hours=BusinessHours.parse("mon-fri 09:00-18:00", "Europe/London")
    )
    clock.now = clock.now.replace(hour=20)  # Monday 20:00
    await login(service)
    opened = await service.open_ticket(packet())
    assert not opened["open_now"] and opened["leave_a_message"]
    assert opened["next_opening"] == "tomorrow at 09:00"


async def test_presence_expires_and_logout_ends_it(service: HandoffService, clock: Clock) -> None:
    token, agent = await login(service)
    assert await service.agents_online() == 1
    clock.advance(seconds=121)
    assert await service.agents_online() == 0
    socket = FakeSocket()
    service.hub.add(socket, agent.id)  # an open console counts
    assert await service.agents_online() == 1
    service.hub.remove(socket)
    await service.agent_for_token(token)
    assert await service.agents_online() == 1
    await service.logout(token, agent)
    assert await service.agents_online() == 0
    assert await service.agent_for_token(token) is None


async def test_wrong_passwords_do_not_log_in(service: HandoffService) -> None:
    assert await service.login("demo", "nope") is None
    assert await service.login("nobody", "demo-password") is None


async def test_forwarded_messages_are_stored_once_and_in_order(service: HandoffService) -> None:
    ticket = await service.open_ticket(packet())
    for i, key in enumerate(["k1", "k2", "k2", "k3", "k1"]):
        result = await service.customer_message("conv-1", key, f"message {key}")
        assert result["accepted"]
        assert result["duplicate"] == (i in (2, 4))
    detail = await service.ticket_detail(ticket["ticket_id"])
    texts = [m["text"] for m in detail["messages"] if m["kind"] == "customer"]
    assert texts == ["message k1", "message k2", "message k3"]


async def test_a_message_for_a_conversation_without_a_handoff_is_refused(
    service: HandoffService,
) -> None:
    assert not (await service.customer_message("stranger", "k", "hi"))["accepted"]


async def test_a_message_arriving_after_close_still_reaches_the_ticket(
    service: HandoffService,
) -> None:
    _, agent = await login(service)
    ticket = await service.open_ticket(packet())
    await service.close(ticket["ticket_id"], agent)
    await service.customer_message("conv-1", "late", "one more thing!")
    detail = await service.ticket_detail(ticket["ticket_id"])
    assert detail["messages"][-1]["text"] == "one more thing!"


async def test_reply_claims_relays_and_the_live_feed_sees_it(
    service: HandoffService, relay: FakeRelay
) -> None:
    _, agent = await login(service)
    socket = FakeSocket()
    service.hub.add(socket, agent.id)
    ticket = await service.open_ticket(packet())
    message = await service.reply(ticket["ticket_id"], agent, "  Hi Jane, Sam here.  ")
    assert message["delivered"] and message["text"] == "Hi Jane, Sam here."
    assert relay.calls == [
        (
            "message",
            {
                "conversation_id": "conv-1",
                "ticket_id": ticket["ticket_id"],
                "message_id": relay.calls[0][1]["message_id"],
                "text": "Hi Jane, Sam here.",
                "agent_name": "Sam",
            },
        )
    ]
    detail = await service.ticket_detail(ticket["ticket_id"])
    assert re.fullmatch(r"handoff-message-[0-9a-f]{32}", relay.calls[0][1]["message_id"])
    assert detail["status"] == "active" and detail["claimed_by_name"] == "Sam"
    kinds = [json.loads(s)["type"] for s in socket.sent]
    assert kinds == ["ticket_opened", "ticket_updated", "message"]


async def test_replies_wait_while_the_relay_is_down_and_go_in_order(
    service: HandoffService, relay: FakeRelay, clock: Clock
) -> None:
    _, agent = await login(service)
    ticket = await service.open_ticket(packet())
    relay.down = True
    first = await service.reply(ticket["ticket_id"], agent, "one")
    second = await service.reply(ticket["ticket_id"], agent, "two")
    await service.close(ticket["ticket_id"], agent)
    assert not first["delivered"] and not second["delivered"] and relay.calls == []
    relay.down = False
    clock.advance(seconds=30)
    await service.drain("conv-1")
    assert [(kind, p.get("text")) for kind, p in relay.calls] == [
        ("message", "one"),
        ("message", "two"),
        ("close", None),
    ]
    await service.drain("conv-1")
    assert len(relay.calls) == 3  # delivered once


async def test_notes_are_never_relayed(service: HandoffService, relay: FakeRelay) -> None:
    _, agent = await login(service)
    ticket = await service.open_ticket(packet())
    await service.note(ticket["ticket_id"], agent, "customer sounds upset; offer a refund")
    assert relay.calls == []
    detail = await service.ticket_detail(ticket["ticket_id"])
    assert detail["messages"][-1]["kind"] == "note"


async def test_a_closed_ticket_takes_no_replies_and_cannot_be_closed_twice(
    service: HandoffService,
) -> None:
    _, agent = await login(service)
    ticket = await service.open_ticket(packet())
    await service.close(ticket["ticket_id"], agent)
    with pytest.raises(Conflict):
        await service.reply(ticket["ticket_id"], agent, "hello?")
    with pytest.raises(Conflict):
        await service.close(ticket["ticket_id"], agent)


async def test_another_agents_claim_is_respected(service: HandoffService) -> None:
    _, sam = await login(service)
    await service.create_agent("alex", "Alex", "alex-password")
    _, alex = await service.login("alex", "alex-password")  # type: ignore[misc]
    ticket = await service.open_ticket(packet())
    await service.claim(ticket["ticket_id"], sam)
    with pytest.raises(Conflict):
        await service.claim(ticket["ticket_id"], alex)


async def test_the_rating_and_comment_are_stored_on_the_ticket(service: HandoffService) -> None:
    ticket = await service.open_ticket(packet())
    await service.record_csat(ticket["ticket_id"], 4, None)
    await service.record_csat(ticket["ticket_id"], None, "Sam was quick")
    detail = await service.ticket_detail(ticket["ticket_id"])
    assert (detail["csat_rating"], detail["csat_comment"]) == (4, "Sam was quick")
    with pytest.raises(ValueError):
        await service.record_csat(ticket["ticket_id"], 6, None)


async def test_earlier_handoffs_of_the_customer_come_with_a_new_one(
    service: HandoffService,
) -> None:
    _, agent = await login(service)
    first = await service.open_ticket(packet("webchat-conv"))
    await service.reply(first["ticket_id"], agent, "Your refund is on its way.")
    await service.close(first["ticket_id"], agent)
    await service.record_csat(first["ticket_id"], 5, "great")
    second = await service.open_ticket(
        packet("whatsapp-conv", conversation={"id": "whatsapp-conv", "channel": "whatsapp"})
    )
    detail = await service.ticket_detail(second["ticket_id"])
    earlier = detail["earlier_handoffs"]
    assert [e["id"] for e in earlier] == [first["ticket_id"]]
    assert earlier[0]["csat_rating"] == 5 and earlier[0]["channel"] == "webchat"
    assert [m["text"] for m in earlier[0]["messages"]] == ["Your refund is on its way."]


async def test_the_queue_is_oldest_first(service: HandoffService) -> None:
    for conversation in ("a", "b", "c"):
        await service.open_ticket(packet(conversation))
    waiting = await service.list_tickets("waiting")
    assert [t["conversation_id"] for t in waiting] == ["a", "b", "c"]


@pytest.mark.parametrize("stored", [LEGACY, {}], ids=["before-version", "seeded-empty"])
async def test_a_stored_packet_of_any_age_still_renders(
    service: HandoffService, clock: Clock, stored: dict[str, Any]
) -> None:
    """Tickets stored before the packet had a version (or seeded without one) open in the
    console and on Slack: the packet is read leniently from the database."""
    async with begin(service.engine) as conn:
        ticket_id = await HandoffRepository(conn).insert_ticket(
            conversation_id="conv-stored",
            channel="webchat",
            customer_id="1",
            customer_name="Jane Doe",
            reason="policy",
            after_hours=False,
            context=stored,
            now=clock.now,
        )
    detail = await service.ticket_detail(ticket_id)
    assert detail["context"]["version"] == 1
    for key, value in stored.items():
        if key not in ("orders", "transcript", "customer", "refunds"):
            assert detail["context"][key] == value
    async with service.engine.connect() as conn:
        ticket = await HandoffRepository(conn).get_ticket(ticket_id)
    assert ticket is not None
    card = json.dumps(ticket_card(ticket))
    assert "Jane Doe" in card
    if stored:
        assert "LL-10001" in card and "where is it" in card
