"""The NLU inbox in the agent console: what the bot did not understand, labelled in one click."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
# Made-up words the model cannot place (bot/nlu/unknown_words.py sends a message with no known
# word to the fallback); the test checks the fallback reply below, so it cannot pass vacuously.
GIBBERISH = "qzx vlorp"


async def test_a_message_the_bot_did_not_understand_is_labelled_from_the_console(
    baton: Baton, new_customer: Callable[..., Awaitable[WebChatCustomer]]
) -> None:
    customer = await new_customer()
    turn = await customer.say(GIBBERISH)
    assert "didn't quite catch that" in turn.text

    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        inbox = await agent.ok("GET", "/api/inbox/")
        row = next(r for r in inbox["rows"] if r["text"] == GIBBERISH)
        assert int(row["count"]) >= 1 and row["reasons"]
        assert "order_status" in inbox["intents"]

        saved = await agent.ok(
            "POST", "/api/inbox/label", {"text": GIBBERISH, "label": "out_of_scope"}
        )
        assert saved["row"]["label"] == "out_of_scope"
        again = await agent.ok("GET", "/api/inbox/")
        assert next(r for r in again["rows"] if r["text"] == GIBBERISH)["label"] == "out_of_scope"

        status, body = await agent.request(
            "POST", "/api/inbox/label", {"text": GIBBERISH, "label": "no_such_intent"}
        )
        assert status == 400 and "unknown intent" in body["error"]
        status, _ = await agent.request(
            "POST", "/api/inbox/label", {"text": "never said", "label": "greet"}
        )
        assert status == 404
    finally:
        await agent.logout()


async def test_the_inbox_needs_a_login(baton: Baton) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{baton.handoff_url}/api/inbox/") as resp:
            assert resp.status == 401
        async with http.get(f"{baton.handoff_url}/inbox") as resp:
            assert resp.status == 200  # the page itself holds no data


KOREAN_GIBBERISH = "뿌뿌 쀍쀍 꽁꽁"


async def test_the_inbox_says_each_messages_language_and_filters_by_it(
    baton: Baton, new_customer: Callable[..., Awaitable[WebChatCustomer]]
) -> None:
    customer = await new_customer()
    await customer.say(KOREAN_GIBBERISH)

    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        everything = await agent.ok("GET", "/api/inbox/")
        row = next(r for r in everything["rows"] if r["text"] == KOREAN_GIBBERISH)
        assert row["language"] == "ko"
        korean = next(lang for lang in everything["languages"] if lang["code"] == "ko")
        assert korean["name"] == "Korean" and korean["rows"] >= 1

        only_korean = await agent.ok("GET", "/api/inbox/?lang=ko")
        assert {r["language"] for r in only_korean["rows"]} == {"ko"}
        only_chinese = await agent.ok("GET", "/api/inbox/?lang=zh")
        assert KOREAN_GIBBERISH not in {r["text"] for r in only_chinese["rows"]}

        status, body = await agent.request("GET", "/api/inbox/?lang=fr")
        assert status == 400 and "unknown language fr" in body["error"]
    finally:
        await agent.logout()
