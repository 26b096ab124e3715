"""WhatsApp after 24 hours, end to end on real servers: the customer's window is aged past
24 hours at the fake Twilio, the agent's free-form reply is refused by WhatsApp (63016) and
the agent is told so, the case then offers the re-opening template, which reaches the
customer as a Content template (``ContentSid`` + ``ContentVariables``), and the customer's
answer lands in the same case and brings the reply box back."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import aiohttp
import pytest

from fakes.clients import WhatsAppCustomer
from fakes.twilio import DEMO_TEMPLATE_SID
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

pytestmark = pytest.mark.e2e


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


async def test_after_24_hours_the_agent_reopens_whatsapp_with_the_template(
    baton: Baton, agent: AgentClient, http: aiohttp.ClientSession
) -> None:
    phone = f"+1555010{secrets.randbelow(10_000):04d}"  # fiction's range: a stranger, each run
    kim = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, phone, "Kim")
    mark = len(agent.events)
    asked = await kim.say("I want to talk to a person")
    assert "colleague" in asked.text, asked.text
    opened = await agent.wait_for_event(
        lambda e: e["type"] == "ticket_opened" and e["ticket"]["channel"] == "whatsapp",
        after=mark,
    )
    ticket_id = opened["ticket"]["id"]
    assert (await agent.ticket(ticket_id))["whatsapp_window"]["open"] is True

    # A day and more goes by for WhatsApp (our servers' clocks have not noticed).
    await kim.age_window(25)
    before = len(await kim.sent_to_me())
    reply = await agent.reply(ticket_id, "Hi Kim, sorry for the wait!")
    assert reply["delivered"] is False
    case = await agent.ticket(ticket_id)
    refusal = [m["text"] for m in case["messages"] if "24-hour window" in m["text"]]
    assert refusal and "63016" in refusal[0], case["messages"]
    window = case["whatsapp_window"]
    assert window["open"] is False and window["refused_by_whatsapp"] is True
    assert window["template_configured"] is True
    assert window["template_preview"].startswith("Hi Kim, this is ")

    # The free-form box is gone: another free-form reply is refused, with the reason.
    status, refused = await agent.request(
        "POST", f"/api/tickets/{ticket_id}/messages", {"text": "Hello?"}
    )
    assert status == 409 and refused["window_closed"] is True, refused
    assert "template" in refused["error"]

    sent = await agent.ok("POST", f"/api/tickets/{ticket_id}/template", {})
    assert sent["text"].startswith("Re-opening template sent by") and sent["delivered"] is True
    heard = await kim.replies_after(before)
    [template] = heard.messages
    assert template["content_sid"] == DEMO_TEMPLATE_SID
    assert template["content_variables"]["1"] == "Kim"
    assert set(template["content_variables"]) == {"1", "2", "3"}
    assert template["body"] == window["template_preview"]

    # Kim answers from her phone: the same case, and the window is open again.
    ack = await kim.send_through_fake("Yes, I'm here")
    assert ack.status == 200
    answer = await agent.wait_for_event(
        lambda e: e["type"] == "message" and e["message"]["text"] == "Yes, I'm here"
    )
    assert answer["message"]["ticket_id"] == ticket_id
    assert (await agent.ticket(ticket_id))["whatsapp_window"]["open"] is True
    before = len(await kim.sent_to_me())
    again = await agent.reply(ticket_id, "Great, your refund is on its way.")
    assert again["delivered"] is True
    heard = await kim.replies_after(before)
    assert heard.bodies == ["*Sam*: Great, your refund is on its way."]
