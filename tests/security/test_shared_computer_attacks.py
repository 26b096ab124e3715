"""Item 5: the next person at a shared computer.

Web chat session ids never expired, and a logged-in shopper's identity stayed on the
conversation after logout: the next person on that browser got the transcript and the previous
shopper's orders without proof. Now identity comes with each message, a conversation is
resumed only for the person it belongs to, and session ids expire.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import pytest

from connectors.identity import new_session, owner_tag, session_from_token
from tests.security.conftest import ACTION_TOKEN, ActionServer
from tests.security.test_action_server_attacks import forged_call, post
from tests.support.webchat_client import WebChatCustomer

Opener = Callable[..., Awaitable[WebChatCustomer]]
JANE, PRIYA = 1, 3
SECRET = "test-session-secret"


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


# --- session ids ------------------------------------------------------------------------------


def test_a_session_id_expires() -> None:
    token, conversation = new_session(SECRET, now=time.time() - 25 * 3600)
    assert session_from_token(token, SECRET) is None
    fresh, conversation = new_session(SECRET, conversation_id=conversation)
    assert session_from_token(fresh, SECRET) == (conversation, "-")


def test_a_session_id_says_whose_conversation_it_is_and_cannot_be_reassigned() -> None:
    token, conversation = new_session(SECRET, customer_id="1")
    assert session_from_token(token, SECRET) == (conversation, owner_tag(SECRET, "1"))
    cid, issued, _owner, signature = token.split(".")
    forged = f"{cid}.{issued}.-.{signature}"  # claim it is an anonymous chat
    assert session_from_token(forged, SECRET) is None
    old_format = f"{cid}.{signature}"  # ids issued before expiry existed
    assert session_from_token(old_format, SECRET) is None


# --- the web chat ---------------------------------------------------------------------------


@pytest.mark.e2e
async def test_the_next_visitor_on_a_logged_out_browser_gets_an_empty_conversation(
    new_customer: Opener,
) -> None:
    jane = await new_customer(customer_id=JANE)
    answer = await jane.say("where is my order 10001?")
    assert "on its way with DPD" in answer.text
    left_behind = jane.session_id
    await jane.close()

    stranger = await new_customer(resume=left_behind)  # same browser, nobody logged in
    assert conversation_of(stranger) != left_behind.split(".")[0]  # type: ignore[union-attr]
    with pytest.raises(asyncio.TimeoutError):
        await stranger.wait_for_history(timeout=1)
    asked = await stranger.say("where is my order 10001?")
    assert "DPD" not in asked.text
    assert "e-mail address or the delivery postcode" in asked.text


@pytest.mark.e2e
async def test_another_shopper_logging_in_on_the_same_browser_does_not_get_the_chat(
    new_customer: Opener,
) -> None:
    jane = await new_customer(customer_id=JANE)
    await jane.say("where is my order 10001?")
    left_behind = jane.session_id
    await jane.close()
    priya = await new_customer(customer_id=PRIYA, resume=left_behind)
    assert conversation_of(priya) != left_behind.split(".")[0]  # type: ignore[union-attr]
    with pytest.raises(asyncio.TimeoutError):
        await priya.wait_for_history(timeout=1)


@pytest.mark.e2e
async def test_the_same_shopper_coming_back_keeps_the_conversation(new_customer: Opener) -> None:
    jane = await new_customer(customer_id=JANE)
    await jane.say("where is my order 10001?")
    left_behind = jane.session_id
    await jane.close()
    again = await new_customer(customer_id=JANE, resume=left_behind)
    assert conversation_of(again) == left_behind.split(".")[0]  # type: ignore[union-attr]
    history = await again.wait_for_history()
    assert any("10001" in m.get("text", "") for m in history)


@pytest.mark.e2e
async def test_a_message_sent_after_logout_on_an_open_chat_is_not_the_shoppers(
    new_customer: Opener,
) -> None:
    jane = await new_customer(customer_id=JANE)
    choose = await jane.say("where is my order?")
    assert any("10001" in b["payload"] for b in choose.buttons)  # her orders, as buttons
    before = conversation_of(jane)
    jane.customer_token = None  # the shop page logged her out; the socket stayed open
    after_logout = await jane.say("where is my order?")
    assert not any("10001" in b.get("payload", "") for b in after_logout.buttons)
    assert conversation_of(jane) != before


# --- the action server ----------------------------------------------------------------------


def test_a_customer_id_slot_without_the_current_messages_token_shows_nothing(
    action_server: ActionServer,
) -> None:
    call = forged_call("action_order_status", "after-logout", order_number="10001", customer_id="1")
    call["tracker"]["events"] = [{"event": "user", "text": "where is 10001", "metadata": {}}]
    status, body = post(action_server.url, call, token=ACTION_TOKEN)
    assert status == 200, body
    assert [r["response"] for r in json.loads(body)["responses"]] == ["utter_order_locked"]


def test_the_logged_in_shoppers_own_message_still_shows_her_order(
    action_server: ActionServer,
) -> None:
    call = forged_call("action_order_status", "logged-in", order_number="10001", customer_id="1")
    metadata = {"channel": "webchat", "customer_id": "1"}
    call["tracker"]["events"] = [{"event": "user", "text": "where is 10001", "metadata": metadata}]
    status, body = post(action_server.url, call, token=ACTION_TOKEN)
    assert status == 200, body
    assert "utter_order_locked" not in body
