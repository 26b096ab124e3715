"""Slack through the real servers: signed Events API and interactivity requests in, slack-sdk
out to the fake Slack Web API. Signatures are made by slack-sdk's own SignatureVerifier."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlencode

import aiohttp
import pytest

from fakes import slack as fake
from fakes.clients import SlackCustomer
from tests.support.servers import Baton

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., SlackCustomer]


@pytest.fixture
def slack(baton: Baton, http: aiohttp.ClientSession) -> NewCustomer:
    def make(user: str | None = None) -> SlackCustomer:
        # Unknown ids are members users.info doesn't find: anonymous customers.
        return SlackCustomer(
            http, baton.rasa_url, baton.slack_url, user or f"U9{secrets.token_hex(4).upper()}"
        )

    return make


async def calls(http: aiohttp.ClientSession, baton: Baton, method: str) -> list[dict]:
    async with http.get(f"{baton.slack_url}/_fake/calls", params={"method": method}) as resp:
        return list((await resp.json())["calls"])


async def test_url_verification_is_answered_with_the_challenge(slack: NewCustomer) -> None:
    customer = slack()
    body = json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY", "type": "url_verification"}
    ).encode()
    async with customer.session.post(
        f"{customer.baton_url}/webhooks/slack/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            **fake.signed_headers(fake.DEMO_SIGNING_SECRET, body),
        },
    ) as resp:
        assert resp.status == 200
        assert await resp.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY"}


async def test_a_stale_forged_or_unsigned_request_gets_403_and_is_never_processed(
    slack: NewCustomer,
) -> None:
    customer = slack()
    payload = customer.dm_event("where is order 10003?")
    body = json.dumps(payload).encode()
    secret = fake.DEMO_SIGNING_SECRET
    cases = {
        "six minutes old": fake.signed_headers(secret, body, int(time.time()) - 360),
        "from the future": fake.signed_headers(secret, body, int(time.time()) + 360),
        "wrong secret": fake.signed_headers("guessed-secret", body),
        "no signature": {},
        "not a timestamp": {
            **fake.signed_headers(secret, body),
            "X-Slack-Request-Timestamp": "yesterday",
        },
        "body changed after signing": fake.signed_headers(secret, body.replace(b"10003", b"10001")),
    }
    for name, headers in cases.items():
        ack = await customer.post_event(payload, headers=headers)
        assert ack.status == 403, name
    click = urlencode({"payload": json.dumps({"type": "block_actions"})}).encode()
    forged_click = await customer.post_raw(
        fake.ACTIONS_PATH,
        click,
        "application/x-www-form-urlencoded",
        fake.signed_headers("guessed-secret", click),
    )
    assert forged_click.status == 403
    assert (await customer.replies_after(customer.dm, 0, timeout=2)).posts == []
    # Within the window and properly signed, the same event (same event_id) is answered.
    assert (await customer.post_event(payload)).status == 200
    assert (
        "e-mail address or the delivery postcode"
        in (await customer.replies_after(customer.dm, 0)).text
    )


async def test_a_direct_message_is_answered_in_the_dm_and_the_email_identifies_the_customer(
    slack: NewCustomer,
) -> None:
    priya = slack("U03PRIYA")
    turn = await priya.say("hi")
    [post] = turn.posts
    assert post.channel == "D03PRIYA" and post.thread_ts is None
    assert turn.text.startswith("Hi Priya!")


async def test_a_mention_in_a_channel_is_answered_in_a_dm_and_the_thread_is_followed(
    slack: NewCustomer,
) -> None:
    """Order details only in a DM: the channel thread gets one line saying so."""
    customer = slack()
    dm_before = len(await customer.posts_in(customer.dm))
    turn = await customer.say("where is order 10003?", where="channel", quiet=1.5)
    [post] = turn.posts  # app_mention + message for the same post: one line in the thread
    assert post.channel == fake.SUPPORT_CHANNEL and post.thread_ts
    assert "direct message" in turn.text and "10003" not in turn.text
    asked = await customer.replies_after(customer.dm, dm_before)
    assert "e-mail address or the delivery postcode" in asked.text

    # In the thread, without mentioning the bot again: still answered in the DM.
    in_channel = len(await customer.posts_in(fake.SUPPORT_CHANNEL))
    in_dm = len(await customer.posts_in(customer.dm))
    event = fake.message_event(
        customer.user, "liam.murphy@example.ie", fake.SUPPORT_CHANNEL, thread_ts=post.thread_ts
    )
    assert (await customer.post_event(fake.event_callback(event))).status == 200
    answer = await customer.replies_after(customer.dm, in_dm)
    assert "order 10003 is running late" in answer.text
    assert len(await customer.posts_in(fake.SUPPORT_CHANNEL, wait=1)) == in_channel


async def test_slack_retries_and_a_repeated_event_id_give_exactly_one_reply(
    slack: NewCustomer,
) -> None:
    customer = slack()
    payload = customer.dm_event("hello")
    first = await customer.post_event(payload)
    retries = await asyncio.gather(
        *(
            customer.post_event(
                payload,
                extra_headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"},
            )
            for n in (1, 2, 3)
        )
    )
    assert [first.status, *(r.status for r in retries)] == [200, 200, 200, 200]
    turn = await customer.replies_after(customer.dm, 0, quiet=1.5)
    assert len(turn.posts) == 1
    assert turn.text.startswith("Hi!")


async def test_the_bots_own_messages_other_bots_and_edits_are_ignored(
    slack: NewCustomer, http: aiohttp.ClientSession, baton: Baton
) -> None:
    customer = slack()
    channel = customer.dm
    ignored = [
        fake.message_event(fake.BOT_USER, "Hi! I'm Baton", channel, bot_id=fake.BOT_ID),
        fake.message_event("U06OTHERBOT", "beep", channel, bot_id="B06OTHER"),
        fake.message_event(customer.user, "x", channel, subtype="bot_message", bot_id="B1"),
        fake.message_event(
            customer.user,
            "",
            channel,
            subtype="message_changed",
            message={"text": "where is order 10001?", "user": customer.user},
        ),
        fake.message_event(customer.user, "", channel, subtype="message_deleted"),
    ]
    for event in ignored:
        assert (await customer.post_event(fake.event_callback(event))).status == 200
    assert (await customer.replies_after(channel, 0, timeout=2)).posts == []
    # The fake echoes every DM the bot posts back as a bot message event, as Slack does: a
    # conversation is one reply per message, not a loop.
    turn = await customer.say("hi", quiet=1.5)
    assert len(turn.posts) == 1


async def test_buttons_are_block_kit_and_a_click_is_answered_once(
    slack: NewCustomer, http: aiohttp.ClientSession, baton: Baton
) -> None:
    ewan = slack("U04EWAN")
    asked = await ewan.say("where is my order?")
    [question] = asked.posts
    assert question.buttons and all(b["type"] == "button" for b in question.buttons)
    assert all(b["value"].startswith('/inform{"order_number":') for b in question.buttons)
    chosen = question.buttons[1]
    number = json.loads(chosen["value"].removeprefix("/inform"))["order_number"]

    answer = await ewan.click(question, chosen["text"]["text"])
    assert f"Order {number}" in answer.text
    updates = [c for c in await calls(http, baton, "chat.update") if c["args"]["ts"] == question.ts]
    [update] = updates
    assert not any(b["type"] == "actions" for b in update["args"]["blocks"])
    assert chosen["text"]["text"][:20] in json.dumps(update["args"]["blocks"], ensure_ascii=False)

    # A second click on the same question (a double click, a stale client) is not answered.
    count = len(await ewan.posts_in(ewan.dm))
    payload = fake.block_actions(ewan.user, ewan.dm, {**question.call["result"]["message"]}, 1)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    again = await ewan.post_raw(fake.ACTIONS_PATH, body, "application/x-www-form-urlencoded")
    assert again.status == 200
    assert (await ewan.replies_after(ewan.dm, count, timeout=2)).posts == []
