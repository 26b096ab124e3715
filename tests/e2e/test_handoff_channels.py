"""The same loop on WhatsApp and on Slack: the agent's reply reaches the customer's own
channel, the customer's answer reaches the agent, and the rating is asked in the channel's
native form (numbered options on WhatsApp, buttons on Slack)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from fakes.clients import SlackCustomer, SlackPost, WhatsAppCustomer
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

pytestmark = pytest.mark.e2e


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


async def opened_ticket(agent: AgentClient, mark: int, channel: str) -> dict[str, Any]:
    event = await agent.wait_for_event(
        lambda e: e["type"] == "ticket_opened" and e["ticket"]["channel"] == channel, after=mark
    )
    return await agent.ticket(event["ticket"]["id"])


async def test_the_whole_loop_on_whatsapp(
    baton: Baton, agent: AgentClient, http: aiohttp.ClientSession
) -> None:
    priya = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, "+447700900003", "Priya")
    mark = len(agent.events)
    asked = await priya.say("I want to talk to a person")
    assert "passing you to a colleague" in asked.text
    ticket = await opened_ticket(agent, mark, "whatsapp")
    ctx = ticket["context"]
    assert ctx["customer"]["name"] == "Priya Shah"  # the verified number identified her
    assert ctx["conversation"]["channel"] == "whatsapp"
    assert ctx["orders"], "her orders come with the handoff"

    before = len(await priya.sent_to_me())
    await agent.reply(ticket["id"], "Hi Priya, Sam here. Checking your order now.")
    heard = await priya.replies_after(before)
    assert heard.bodies == ["*Sam*: Hi Priya, Sam here. Checking your order now."]  # WhatsApp bold

    await priya.send("It's order 10004, thanks")
    answer = await agent.wait_for_event(
        lambda e: e["type"] == "message" and e["message"]["text"] == "It's order 10004, thanks"
    )
    assert answer["message"]["ticket_id"] == ticket["id"]

    before = len(await priya.sent_to_me())
    await agent.close(ticket["id"])
    question = await priya.replies_after(before)
    assert "rate the help" in question.text
    assert "1" in question.text and "5" in question.text  # numbered options
    comment_prompt = await priya.say("4")
    assert "anything you'd like to tell us" in comment_prompt.text
    await priya.say("Very patient, thank you")
    rated = await agent.ticket(ticket["id"])
    assert (rated["csat_rating"], rated["csat_comment"]) == (4, "Very patient, thank you")

    normal = await priya.say("where is my order 10004?")
    assert "10004" in normal.text and "colleague" not in normal.text


async def test_the_whole_loop_on_slack(
    baton: Baton, agent: AgentClient, http: aiohttp.ClientSession, new_customer: Any
) -> None:
    # Earlier, on the web chat: a handoff, the agent's answer, a rating.
    web = await new_customer(customer_id=1)
    mark = len(agent.events)
    await web.say("I want to talk to a person")
    earlier = await opened_ticket(agent, mark, "webchat")
    await agent.reply(earlier["id"], "Your replacement lamp ships today.")
    await agent.close(earlier["id"])
    await web.listen(timeout=5)
    await web.say('/rate{"rating": "2"}')
    await web.say("/deny")

    jane = SlackCustomer(http, baton.rasa_url, baton.slack_url, "U01JANE")
    mark = len(agent.events)
    asked = await jane.say("I want to talk to a person")
    assert "passing you to a colleague" in asked.text
    ticket = await opened_ticket(agent, mark, "slack")
    ctx = ticket["context"]
    assert ctx["customer"]["email"] == "jane.doe@example.com"  # matched by her Slack e-mail
    assert ctx["conversation"]["channel"] == "slack"
    # ...the web chat handoff, the agent's words and the rating are part of her context now
    before = {h["id"]: h for h in ticket["earlier_handoffs"]}
    assert before[earlier["id"]]["csat_rating"] == 2
    assert before[earlier["id"]]["channel"] == "webchat"
    assert [m["text"] for m in before[earlier["id"]]["messages"]] == [
        "Your replacement lamp ships today."
    ]
    web_conversation = next(
        c for c in ctx["recent_conversations"] if c["conversation_id"] == earlier["conversation_id"]
    )
    assert {"sender": "agent", "agent_name": "Sam"}.items() <= next(
        m for m in web_conversation["messages"] if m["sender"] == "agent"
    ).items()

    before = len(await jane.posts_in(jane.dm))
    text = f"Hi Jane, Sam here ({secrets.token_hex(3)})."
    await agent.reply(ticket["id"], text)
    heard = await jane.replies_after(jane.dm, before)
    assert any(text in str(p.args) for p in heard.posts)

    await jane.post_event(jane.dm_event("The lamp, please hurry"))
    await agent.wait_for_event(
        lambda e: e["type"] == "message" and e["message"]["text"] == "The lamp, please hurry"
    )

    before = len(await jane.posts_in(jane.dm))
    await agent.close(ticket["id"])
    question = await jane.replies_after(jane.dm, before)
    assert "rate the help" in question.text
    post: SlackPost = next(p for p in question.posts if p.buttons)
    assert [b["text"]["text"] for b in post.buttons] == ["1", "2", "3", "4", "5"]
    comment_prompt = await jane.click(post, "5")
    assert "anything you'd like to tell us" in comment_prompt.text
    rated = await agent.ticket(ticket["id"])
    assert rated["csat_rating"] == 5

    normal = await jane.say("where is my order 10001?")
    assert "10001" in normal.text and "colleague" not in normal.text
