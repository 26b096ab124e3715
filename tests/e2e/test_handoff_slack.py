"""Agents on Slack: the card, Claim and Close buttons, replies and notes in the thread.

The handoff service talks to the local fake Slack (``fakes/slack.py``) through the real
``slack_sdk`` client; Slack's side — an agent clicking or writing in the thread — is played
here by signed requests exactly as Slack sends them to ``POST /slack/events``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.e2e.test_handoff_webchat import conversation_of, slack_posts, wait_for_slack
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, SLACK_AGENT_CHANNEL, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
Opener = Callable[..., Awaitable[WebChatCustomer]]

SLACK_AGENT = "U05GUEST"  # in the fake workspace: "Sam Guest", display name "Sam"


@pytest.fixture
async def console(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


def signed(
    baton: Baton, body: bytes, content_type: str, stamp: float | None = None
) -> dict[str, str]:
    timestamp = str(int(stamp or time.time()))
    base = f"v0:{timestamp}:{body.decode()}".encode()
    secret = baton.env["SLACK_SIGNING_SECRET"].encode()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest(),
    }


async def post_event(baton: Baton, event: dict[str, Any], event_id: str, retry: int = 0) -> int:
    body = json.dumps(
        {"type": "event_callback", "team_id": "T0BATON", "event_id": event_id, "event": event}
    ).encode()
    headers = signed(baton, body, "application/json")
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{baton.handoff_url}/slack/events", data=body, headers=headers) as r,
    ):
        return r.status


async def click(baton: Baton, action_id: str, ticket_id: int, ts: str) -> int:
    payload = {
        "type": "block_actions",
        "trigger_id": uuid.uuid4().hex,
        "user": {"id": SLACK_AGENT},
        "channel": {"id": SLACK_AGENT_CHANNEL},
        "message": {"ts": ts},
        "actions": [
            {"action_id": action_id, "value": str(ticket_id), "action_ts": str(time.time())}
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{baton.handoff_url}/slack/events",
            data=body,
            headers=signed(baton, body, "application/x-www-form-urlencoded"),
        ) as r,
    ):
        return r.status


def thread_message(text: str, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": SLACK_AGENT_CHANNEL,
        "user": SLACK_AGENT,
        "text": text,
        "ts": f"{time.time():.6f}",
        "thread_ts": ts,
    }


async def test_an_agent_works_a_handoff_entirely_from_slack(
    baton: Baton, console: AgentClient, new_customer: Opener
) -> None:
    customer = await new_customer(customer_id=1)
    await customer.say("I want to talk to a person")
    detail = await console.ticket_for(conversation_of(customer))
    ticket_id = detail["id"]
    card = await wait_for_slack(
        baton, lambda c: f"Handoff #{ticket_id}:" in c["args"].get("text", "")
    )
    ts = card["result"]["ts"]

    # Claim from Slack
    assert await click(baton, "baton_claim", ticket_id, ts) == 200
    for _ in range(50):
        detail = await console.ticket(ticket_id)
        if detail["status"] == "active":
            break
        await asyncio.sleep(0.1)
    assert detail["claimed_by_name"] == "Sam"

    # A reply in the thread reaches the customer; Slack's retry of the same event does not.
    event_id = "Ev" + uuid.uuid4().hex[:10]
    reply = thread_message("Hi Jane, Sam from the team here (on Slack) &amp; on it.", ts)
    assert await post_event(baton, reply, event_id) == 200
    heard = await customer.listen(timeout=5)
    assert heard == [
        {
            "text": "Hi Jane, Sam from the team here (on Slack) & on it.",
            "metadata": {"agent_name": "Sam"},
        }
    ]
    assert await post_event(baton, reply, event_id, retry=1) == 200
    assert await customer.listen(timeout=1.5) == []
    agents = [m for m in (await console.ticket(ticket_id))["messages"] if m["kind"] == "agent"]
    assert len(agents) == 1

    # "note:" stays internal
    assert (
        await post_event(
            baton,
            thread_message("note: she ordered twice, check", ts),
            "Ev" + uuid.uuid4().hex[:10],
        )
        == 200
    )
    assert await customer.listen(timeout=1.5) == []
    notes = [m for m in (await console.ticket(ticket_id))["messages"] if m["kind"] == "note"]
    assert [n["text"] for n in notes] == ["she ordered twice, check"]

    # The customer's answer goes into the card's thread.
    await customer.say("Thank you Sam!")
    posted = await wait_for_slack(
        baton, lambda c: c["args"].get("thread_ts") == ts and "Thank you Sam!" in c["args"]["text"]
    )
    assert posted["args"]["channel"] == SLACK_AGENT_CHANNEL

    # Close from Slack: the bot takes over and asks for the rating on the customer's channel.
    assert await click(baton, "baton_close", ticket_id, ts) == 200
    question = await customer.listen(timeout=5)
    assert "rate the help" in question[0]["text"]
    assert (await console.ticket(ticket_id))["status"] == "closed"


async def test_unsigned_or_stale_slack_requests_are_refused(baton: Baton) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{baton.handoff_url}/slack/events",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Signature": "v0=00",
                "X-Slack-Request-Timestamp": str(int(time.time())),
            },
        ) as r:
            assert r.status == 401
        stale = signed(baton, body, "application/json", stamp=time.time() - 600)
        async with session.post(f"{baton.handoff_url}/slack/events", data=body, headers=stale) as r:
            assert r.status == 401
        fresh = signed(baton, body, "application/json")
        async with session.post(f"{baton.handoff_url}/slack/events", data=body, headers=fresh) as r:
            assert r.status == 200 and (await r.json()) == {"challenge": "abc"}


async def test_the_bots_own_posts_and_other_threads_are_ignored(
    baton: Baton, console: AgentClient
) -> None:
    before = len(await slack_posts(baton))
    bot_echo = {**thread_message("echo", "1.0"), "bot_id": "B0BATONBOT"}
    assert await post_event(baton, bot_echo, "Ev" + uuid.uuid4().hex[:10]) == 200
    stranger = thread_message("hello?", "999.999")
    assert await post_event(baton, stranger, "Ev" + uuid.uuid4().hex[:10]) == 200
    await asyncio.sleep(0.5)
    assert len(await slack_posts(baton)) == before
