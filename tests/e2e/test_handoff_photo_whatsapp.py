"""A photo sent on WhatsApp after the case was handed to a person, end to end on real servers:
the customer asks for a person, the case opens, then the customer sends a photo through the
fake Twilio. The case's messages in the console API carry the photo's reference (not the
text "[photo]" alone, and never Twilio's media URL), and the console's attachment route
answers the very bytes to the agent's session — and nothing without one."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator

import aiohttp
import pytest

from fakes.clients import WhatsAppCustomer
from fakes.common import tiny_png
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

pytestmark = pytest.mark.e2e


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


async def test_a_photo_sent_after_the_handoff_opens_in_the_case_for_the_agent_only(
    baton: Baton, agent: AgentClient, http: aiohttp.ClientSession
) -> None:
    phone = f"+1555011{secrets.randbelow(10_000):04d}"  # fiction's range: a stranger, each run
    ines = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, phone, "Ines")
    mark = len(agent.events)
    asked = await ines.say("I want to talk to a person")
    assert "colleague" in asked.text, asked.text
    opened = await agent.wait_for_event(
        lambda e: e["type"] == "ticket_opened" and e["ticket"]["channel"] == "whatsapp",
        after=mark,
    )
    ticket_id = opened["ticket"]["id"]

    mark = len(agent.events)
    ack = await ines.send_photo()
    assert ack.status == 200
    live = await agent.wait_for_event(
        lambda e: e["type"] == "message" and e["message"]["ticket_id"] == ticket_id, after=mark
    )
    [reference] = live["message"]["attachments"]

    case = await agent.ticket(ticket_id)
    [photo] = [m for m in case["messages"] if m["kind"] == "customer"]
    assert photo["text"] == "[photo]"
    assert photo["attachments"] == [reference]
    png = tiny_png()
    assert reference["kind"] == "image" and reference["content_type"] == "image/png"
    assert reference["bytes"] == len(png)
    assert reference["sha256"] == hashlib.sha256(png).hexdigest()
    assert "media_url" not in reference and "twilio" not in str(reference).lower()
    assert reference["path"].startswith("uploads/") and reference["path"].endswith(".png")

    url = f"{baton.handoff_url}/api/attachments/{reference['path'].removeprefix('uploads/')}"
    async with http.get(url, headers=agent.headers) as seen:
        assert seen.status == 200
        assert seen.headers["Content-Type"] == "image/png"
        assert await seen.read() == png
    async with http.get(url) as stranger:
        assert stranger.status == 401
        assert await stranger.read() != png
    async with http.get(url, headers={"Authorization": "Bearer not-a-session"}) as forged:
        assert forged.status == 401
