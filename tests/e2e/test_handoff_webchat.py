"""Bot → person → bot over the real web chat, with all three servers running.

A customer asks for a person; the ticket appears in the console's API (and live feed) and
in the agents' Slack channel with the whole context packet; the agent's reply reaches the
customer's chat; the customer's answer reaches the agent; closing gives the conversation
back to the bot, which asks for a rating and stores it; the next order question gets a
normal answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from actions.store.models import Order
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, SLACK_AGENT_CHANNEL, Baton
from tests.support.shop_backends import baton_on_every_shop_backend  # noqa: F401
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
Opener = Callable[..., Awaitable[WebChatCustomer]]
OrderLoader = Callable[[str], Awaitable[Order]]

JANE = 1


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


async def slack_posts(baton: Baton, **match: Any) -> list[dict[str, Any]]:
    """What the handoff service posted to the agents' Slack channel (from the fake Slack)."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{baton.slack_url}/_fake/calls",
            params={"method": "chat.postMessage", "channel": SLACK_AGENT_CHANNEL},
        ) as resp,
    ):
        calls = (await resp.json())["calls"]
    return [c for c in calls if all(c["args"].get(k) == v for k, v in match.items())]


async def wait_for_slack(
    baton: Baton, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> dict[str, Any]:
    for _ in range(int(timeout * 10)):
        for call in await slack_posts(baton):
            if predicate(call):
                return call
        await asyncio.sleep(0.1)
    raise AssertionError("not posted to Slack")


async def test_the_whole_loop_on_web_chat(
    baton: Baton, agent: AgentClient, new_customer: Opener, load_order: OrderLoader
) -> None:
    # An earlier conversation of Jane's: the agent should see it as context.
    earlier = await new_customer(customer_id=JANE)
    await earlier.say("where is my order 10007?")
    earlier_id = conversation_of(earlier)
    await earlier.close()

    jane = await new_customer(customer_id=JANE)
    answer = await jane.say("where is my order 10001?")
    assert "on its way with DPD" in answer.text
    asked = await jane.say("I want to talk to a person")
    assert "passing you to a colleague" in asked.text
    assert "next in line" in asked.text or "in the queue" in asked.text
    assert "the wait is about" in asked.text
    conversation = conversation_of(jane)

    # The ticket appears live in the console, then in its API with the full context.
    opened = await agent.wait_for_event(
        lambda e: e["type"] == "ticket_opened" and e["ticket"]["conversation_id"] == conversation
    )
    ticket_id = opened["ticket"]["id"]
    assert opened["ticket"]["customer_name"] == "Jane Doe"
    waiting = [t["id"] for t in await agent.tickets("waiting")]
    assert ticket_id in waiting
    detail = await agent.ticket(ticket_id)
    ctx = detail["context"]

    assert ctx["reason"] == {"code": "customer_asked", "text": "The customer asked for a person"}
    assert detail["reason"] == "customer_asked" and detail["channel"] == "webchat"
    conv = ctx["conversation"]
    assert conv["id"] == conversation and conv["channel"] == "webchat"
    assert conv["first_message_at"] and conv["requested_at"]
    assert conv["in_conversation_seconds"] >= 0 and detail["waited_seconds"] >= 0
    # profile and every linked channel identity
    customer = ctx["customer"]
    assert (customer["id"], customer["name"]) == ("1", "Jane Doe")
    assert customer["email"] == "jane.doe@example.com" and customer["phone"] == "+447700900001"
    assert customer["postal_code"]
    identities = {(i["channel"], i["id"]) for i in customer["identities"]}
    assert ("whatsapp", "whatsapp:+447700900001") in identities
    assert ("slack", "jane.doe@example.com") in identities
    assert ("webchat", conversation) in identities
    # orders with items, totals, state and tracking — checked against the shop's data
    orders = {o["number"]: o for o in ctx["orders"]}
    order = await load_order("10001")
    shown = orders["10001"]
    assert shown["status"] == order.status and shown["verified"]
    assert shown["total"] == f"£{order.total}"
    assert [i["name"] for i in shown["items"]] == [i.product_name for i in order.items]
    parcel = order.shipments[0]
    assert shown["shipments"][0]["tracking_url"] == parcel.tracking_url
    assert shown["shipments"][0]["carrier"] == parcel.carrier
    assert shown["shipments"][0]["events"][-1]["description"] == parcel.events[-1].description
    assert "10007" in orders  # all of her recent orders, not only the one asked about
    assert isinstance(ctx["returns"], list) and isinstance(ctx["refunds"], list)
    # this conversation, both sides, with the intents and their confidence
    said = [(m["sender"], m["text"]) for m in ctx["transcript"]]
    assert ("user", "where is my order 10001?") in said
    assert any(s == "bot" and "on its way with DPD" in t for s, t in said)
    assert said[-1] == ("user", "I want to talk to a person")
    intents = {i["text"]: i for i in ctx["intents"]}
    assert intents["where is my order 10001?"]["intent"] == "order_status"
    assert intents["I want to talk to a person"]["intent"] == "human_handoff"
    assert 0 < intents["I want to talk to a person"]["confidence"] <= 1
    # what the bot already knew
    assert ctx["bot_knows"]["last_order_number"] == "10001"
    assert ctx["bot_knows"]["order_verified"] is True
    # her other recent conversations
    recent = {c["conversation_id"]: c for c in ctx["recent_conversations"]}
    assert earlier_id in recent and recent[earlier_id]["channel"] == "webchat"
    assert any("10007" in m["text"] for m in recent[earlier_id]["messages"])

    # ...and the same handoff as a card in the agents' Slack channel
    card = await wait_for_slack(baton, lambda c: f"Handoff #{ticket_id}" in str(c["args"]))
    blocks = str(card["args"].get("blocks"))
    assert "Jane Doe" in blocks and "10001" in blocks and parcel.tracking_url in blocks
    assert "baton_claim" in blocks and "baton_close" in blocks

    # The agent replies: the customer gets it live, tagged with the agent.
    sent = await agent.reply(ticket_id, "Hi Jane, Sam here. I'm looking at order 10001 now.")
    assert sent["delivered"]
    heard = await jane.listen(timeout=5)
    assert heard == [
        {
            "text": "Hi Jane, Sam here. I'm looking at order 10001 now.",
            "metadata": {"agent_name": "Sam"},
        }
    ]

    # The customer answers: the bot stays quiet and the agent sees it, live.
    marker = len(agent.events)
    quiet = await jane.say("Thanks! It's the lamp, I need it by Friday.")
    assert quiet.messages == []
    live = await agent.wait_for_event(
        lambda e: e["type"] == "message" and e["message"]["ticket_id"] == ticket_id, after=marker
    )
    assert live["message"]["text"] == "Thanks! It's the lamp, I need it by Friday."
    assert live["message"]["kind"] == "customer"
    assert await agent.customer_messages(ticket_id) == [
        "Thanks! It's the lamp, I need it by Friday."
    ]
    await wait_for_slack(
        baton,
        lambda c: (
            c["args"].get("thread_ts") is not None and "need it by Friday" in c["args"]["text"]
        ),
    )

    # Close: the bot takes over again and asks for a rating, with buttons.
    closed = await agent.close(ticket_id)
    assert closed["status"] == "closed"
    question = await jane.listen(timeout=5)
    assert len(question) == 1 and "rate the help" in question[0]["text"]
    assert "Sam" in question[0]["text"]
    buttons = question[0]["quick_replies"]
    assert [b["title"] for b in buttons] == ["1", "2", "3", "4", "5"]
    rated = await jane.say(buttons[3]["payload"])
    assert "anything you'd like to tell us" in rated.text
    commented = await jane.say("Sam sorted it out quickly")
    assert "passed that on" in commented.text
    detail = await agent.ticket(ticket_id)
    assert (detail["csat_rating"], detail["csat_comment"]) == (4, "Sam sorted it out quickly")

    # ...and the bot answers normally again.
    normal = await jane.say("where is my order 10002?")
    assert "was delivered" in normal.text

    # The agent's message is part of the transcript of record (a reload shows it).
    again = await new_customer(customer_id=JANE, resume=jane.session_id)
    history = await again.wait_for_history()
    agent_lines = [m for m in history if m["sender"] == "agent"]
    assert agent_lines and agent_lines[0]["agent_name"] == "Sam"


async def test_a_complaint_goes_to_a_person(agent: AgentClient, new_customer: Opener) -> None:
    customer = await new_customer()
    turn = await customer.say("this is absolutely unacceptable, worst service I've ever had")
    assert "passing you to a colleague" in turn.text
    detail = await agent.ticket_for(conversation_of(customer))
    assert detail["reason"] == "complaint"
    assert detail["context"]["customer"] is None  # anonymous: nothing invented


async def test_two_misunderstandings_in_a_row_go_to_a_person(
    agent: AgentClient, new_customer: Opener
) -> None:
    customer = await new_customer()
    # (words the NLU cannot place: nlu_fallback, not out_of_scope)
    first = await customer.say("flimwhistle gorbleflex")
    assert "didn't quite catch" in first.text
    second = await customer.say("snerk plovver")
    assert "passing you to a colleague" in second.text
    detail = await agent.ticket_for(conversation_of(customer))
    assert detail["reason"] == "misunderstood"
    assert [m["text"] for m in detail["context"]["transcript"] if m["sender"] == "user"] == [
        "flimwhistle gorbleflex",
        "snerk plovver",
    ]


async def test_asking_for_a_person_in_the_middle_of_the_order_question(
    agent: AgentClient, new_customer: Opener
) -> None:
    customer = await new_customer()
    asked = await customer.say("where is my order 10003?")
    assert "e-mail address or the delivery postcode" in asked.text
    turn = await customer.say("can I speak to a human please")
    assert "passing you to a colleague" in turn.text
    detail = await agent.ticket_for(conversation_of(customer))
    knows = detail["context"]["bot_knows"]
    assert knows["order_number"] == "10003" and knows["order_verified"] is False
    shown = detail["context"]["orders"][0]
    assert shown["number"] == "10003" and shown["verified"] is False


async def test_a_note_stays_with_the_agents(agent: AgentClient, new_customer: Opener) -> None:
    customer = await new_customer()
    await customer.say("I want to talk to a person")
    detail = await agent.ticket_for(conversation_of(customer))
    await agent.note(detail["id"], "Probably the DPD depot again")
    assert await customer.listen(timeout=1.5) == []
    await agent.close(detail["id"])


async def test_with_nobody_online_the_customer_is_told_and_leaves_a_message(
    baton: Baton, new_customer: Opener
) -> None:
    # No console open and nobody active for longer than the presence window (10 s in tests).
    await asyncio.sleep(11)
    customer = await new_customer()
    turn = await customer.say("I'd like to speak to someone please")
    assert "nobody is online right now" in turn.text
    assert "Leave a message here" in turn.text
    assert (await customer.say("Please call me back about order 10001")).messages == []

    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        detail = await agent.ticket_for(conversation_of(customer))
        assert detail["after_hours"] and detail["status"] == "waiting"
        assert await agent.customer_messages(detail["id"]) == [
            "Please call me back about order 10001"
        ]
        await agent.reply(detail["id"], "Sorry for the wait! Looking at 10001 now.")
        heard = await customer.listen(timeout=5)
        assert heard[0]["text"] == "Sorry for the wait! Looking at 10001 now."
    finally:
        await agent.logout()
