"""A web chat upload after the handoff, end to end on real servers: the customer asks for a
person, then sends files with the widget's upload endpoint. The channel's limits still hold
(too big: 413, not a photo or PDF: 415, and neither reaches the agent); the photo that is
accepted reaches the open case with its reference, live, and opens for the agent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from connectors.webchat_common import UPLOAD_MAX_BYTES
from fakes.common import tiny_png
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


async def upload(baton: Baton, session_id: str, body: bytes, name: str) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("session_id", session_id)
    form.add_field("file", body, filename=name, content_type="image/png")
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{baton.rasa_url}/webhooks/webchat/upload", data=form) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def test_a_web_chat_photo_after_the_handoff_reaches_the_case_within_the_limits(
    baton: Baton,
    agent: AgentClient,
    new_customer: Callable[..., Awaitable[WebChatCustomer]],
) -> None:
    customer = await new_customer()
    asked = await customer.say("I want to talk to a person")
    assert "passing you to a colleague" in asked.text, asked.text
    assert customer.session_id
    conversation = customer.session_id.split(".")[0]
    ticket_id = (await agent.ticket_for(conversation))["id"]
    mark = len(agent.events)

    png = tiny_png((10, 160, 90))
    too_big = png + b"\x00" * UPLOAD_MAX_BYTES
    assert (await upload(baton, customer.session_id, too_big, "big.png"))[0] == 413
    program = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    assert (await upload(baton, customer.session_id, program, "parcel.png"))[0] == 415
    status, answer = await upload(baton, customer.session_id, png, "parcel.png")
    assert status == 200, answer

    live = await agent.wait_for_event(
        lambda e: e["type"] == "message" and e["message"]["ticket_id"] == ticket_id, after=mark
    )
    [reference] = live["message"]["attachments"]
    assert reference["content_type"] == "image/png" and reference["bytes"] == len(png)
    assert reference["path"].startswith(f"uploads/{conversation}/")
    case = await agent.ticket(ticket_id)
    sent = [m for m in case["messages"] if m["kind"] == "customer"]
    assert [(m["text"], m["attachments"]) for m in sent] == [("[photo]", [reference])]
    url = f"{baton.handoff_url}/api/attachments/{reference['path'].removeprefix('uploads/')}"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=agent.headers) as seen:
            assert seen.status == 200 and await seen.read() == png
        async with http.get(url) as stranger:
            assert stranger.status == 401
