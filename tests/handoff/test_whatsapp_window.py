"""WhatsApp after 24 hours, in the handoff service: the case says the window is closed, a
free-form reply is refused with the reason, the re-opening template goes through the relay
and is recorded, WhatsApp's own refusal (63016) closes the window, and the customer's reply
re-opens it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handoff.app import create_app
from handoff.live import Hub
from handoff.relay import RelayRejected
from handoff.services import HandoffService, WindowClosed
from handoff.settings import ReopenTemplate
from handoff.store.db import create_engine, create_schema
from tests.handoff.conftest import Clock, FakeRelay, make_settings, packet
from tests.support.asgi import SanicClient

SERVICE = {"Authorization": "Bearer service-token"}  # make_settings' service token

SID = "HX" + "ab" * 16
TEMPLATE = ReopenTemplate(SID, "Hi {{1}}, {{3}} here about order {{2}}. Reply to carry on.")


def whatsapp_packet(conversation_id: str = "wa-1") -> dict[str, Any]:
    return packet(
        conversation_id,
        conversation={"id": conversation_id, "channel": "whatsapp"},
        customer={"id": "1", "name": "Jane Doe", "first_name": "Jane"},
        orders=[{"number": "10001"}],
    )


async def agent_of(service: HandoffService) -> Any:
    result = await service.login("demo", "demo-password")
    assert result is not None
    return result[1]


async def test_within_24_hours_the_window_is_open_and_replies_go(
    make_service: Any, relay: FakeRelay, clock: Clock
) -> None:
    service = await make_service(reopen_template=TEMPLATE)
    agent = await agent_of(service)
    ticket = (await service.open_ticket(whatsapp_packet()))["ticket_id"]
    clock.advance(hours=23, minutes=59)
    window = (await service.ticket_detail(ticket))["whatsapp_window"]
    assert window["open"] and window["hours_since_last"] == 23
    await service.reply(ticket, agent, "Still here")
    assert [kind for kind, _ in relay.calls] == ["message"]


async def test_other_channels_have_no_window(service: HandoffService, clock: Clock) -> None:
    ticket = (await service.open_ticket(packet()))["ticket_id"]
    clock.advance(hours=48)
    assert (await service.ticket_detail(ticket))["whatsapp_window"] is None


async def test_after_24_hours_free_form_is_refused_with_the_reason_and_nothing_is_sent(
    make_service: Any, relay: FakeRelay, clock: Clock
) -> None:
    service = await make_service(reopen_template=TEMPLATE)
    agent = await agent_of(service)
    ticket = (await service.open_ticket(whatsapp_packet()))["ticket_id"]
    clock.advance(hours=26)
    detail = await service.ticket_detail(ticket, "Sam")
    window = detail["whatsapp_window"]
    assert not window["open"] and window["hours_since_last"] == 26
    assert window["template_configured"]
    assert (
        window["template_preview"]
        == "Hi Jane, Lumen & Loom here about order 10001. Reply to carry on."
    )
    with pytest.raises(WindowClosed) as refused:
        await service.reply(ticket, agent, "Are you there?")
    assert "26 hours ago" in str(refused.value) and "template" in str(refused.value)
    assert relay.calls == []
    assert not [
        m for m in (await service.ticket_detail(ticket))["messages"] if m["kind"] == "agent"
    ]


async def test_the_template_goes_through_the_relay_and_the_timeline_says_so(
    make_service: Any, relay: FakeRelay, clock: Clock
) -> None:
    service = await make_service(reopen_template=TEMPLATE)
    agent = await agent_of(service)
    ticket = (await service.open_ticket(whatsapp_packet()))["ticket_id"]
    clock.advance(hours=30)
    sent = await service.send_reopen_template(ticket, agent)
    assert sent["kind"] == "system" and sent["text"].startswith("Re-opening template sent by Sam")
    assert sent["delivered"] is True
    [(kind, payload)] = relay.calls
    assert kind == "template"
    assert payload["content_sid"] == SID
    assert payload["variables"] == {"1": "Jane", "2": "10001", "3": "Lumen & Loom"}
    assert payload["text"].startswith("Hi Jane, Lumen & Loom here")
    window = (await service.ticket_detail(ticket))["whatsapp_window"]
    assert not window["open"] and window["template_sent_at"] is not None
    # The customer answers: the message lands in this case and the box returns.
    clock.advance(hours=2)
    forwarded = await service.customer_message("wa-1", "outbox-1", "Hi, yes?")
    assert forwarded["ticket_id"] == ticket
    window = (await service.ticket_detail(ticket))["whatsapp_window"]
    assert window["open"] and window["hours_since_last"] == 0
    await service.reply(ticket, agent, "Thanks for getting back to us")
    assert [kind for kind, _ in relay.calls] == ["template", "message"]


async def test_without_a_template_the_agent_is_told_to_use_another_channel(
    service: HandoffService, relay: FakeRelay, clock: Clock
) -> None:
    agent = await agent_of(service)
    ticket = (await service.open_ticket(whatsapp_packet()))["ticket_id"]
    clock.advance(hours=25)
    window = (await service.ticket_detail(ticket))["whatsapp_window"]
    assert not window["open"] and not window["template_configured"]
    with pytest.raises(WindowClosed, match="e-mail"):
        await service.reply(ticket, agent, "Hello?")
    with pytest.raises(Exception, match="WHATSAPP_REOPEN_TEMPLATE_SID"):
        await service.send_reopen_template(ticket, agent)
    assert relay.calls == []


class RefusingRelay(FakeRelay):
    """The Rasa server's answer when Twilio says 63016 (our clock thought it was open)."""

    async def send(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "message":
            raise RelayRejected(
                "relay refused the message: HTTP 422",
                "not sent: WhatsApp refused a free-form message (Twilio error 63016)",
                window_closed=True,
            )
        return await super().send(kind, payload)


async def test_whatsapps_own_refusal_is_shown_to_the_agent_and_closes_the_window(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(tmp_path, reopen_template=TEMPLATE)
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    relay = RefusingRelay()
    service = HandoffService(engine, settings, Hub(), relay, None, clock=clock)  # type: ignore[arg-type]
    try:
        await service.ensure_demo_agent()
        agent = await agent_of(service)
        ticket = (await service.open_ticket(whatsapp_packet()))["ticket_id"]
        clock.advance(hours=1)
        reply = await service.reply(ticket, agent, "Hello again")
        assert reply["delivered"] is False
        detail = await service.ticket_detail(ticket)
        [refusal] = [m for m in detail["messages"] if "24-hour window" in m["text"]]
        assert "63016" in refusal["text"]
        window = detail["whatsapp_window"]
        assert not window["open"] and window["refused_by_whatsapp"]
        with pytest.raises(WindowClosed, match="WhatsApp refused"):
            await service.reply(ticket, agent, "Hello?")
        await service.send_reopen_template(ticket, agent)
        assert [kind for kind, _ in relay.calls] == ["template"]
    finally:
        await engine.dispose()


async def test_the_console_api_exposes_the_window_and_refuses_free_form(
    tmp_path: Path,
) -> None:
    app = create_app(make_settings(tmp_path, reopen_template=TEMPLATE), name="handoff_window")
    async with SanicClient(app) as client:
        opened = await client.post("/api/bot/tickets", json=whatsapp_packet(), headers=SERVICE)
        ticket = opened.json()["ticket_id"]
        service = app.ctx.service
        later = service.now() + timedelta(hours=25)
        service.now = lambda: later
        login = await client.post(
            "/api/login", json={"username": "demo", "password": "demo-password", "bearer": True}
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        detail = (await client.get(f"/api/tickets/{ticket}", headers=headers)).json()
        assert detail["whatsapp_window"]["open"] is False
        assert detail["whatsapp_window"]["template_preview"].startswith("Hi Jane, Lumen & Loom")
        refused = await client.post(
            f"/api/tickets/{ticket}/messages", json={"text": "Hello?"}, headers=headers
        )
        assert refused.status_code == 409
        assert refused.json()["window_closed"] is True
        assert "25 hours ago" in refused.json()["error"]
        sent = await client.post(f"/api/tickets/{ticket}/template", json={}, headers=headers)
        assert sent.status_code == 200
        assert sent.json()["text"].startswith("Re-opening template sent by")
