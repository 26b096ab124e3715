"""Handoffs when a server is down or restarts: nothing lost, nothing twice, never silence.

These stop and restart the session's real servers (always restarting them, even when a test
fails), so they run one at a time like every end-to-end test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
Opener = Callable[..., Awaitable[WebChatCustomer]]


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()  # an open console: the agent counts as online however long a test takes
    yield client
    await client.logout()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("did not happen in time")
        await asyncio.sleep(0.25)


async def test_messages_written_while_the_handoff_service_is_down_arrive_in_order_once(
    baton: Baton, agent: AgentClient, new_customer: Opener
) -> None:
    customer = await new_customer()
    await customer.say("I want to talk to a person")
    ticket = await agent.ticket_for(conversation_of(customer))
    written = [f"message {i} while you were away" for i in range(1, 6)]
    baton.stop_server("handoff")
    try:
        for text in written:
            turn = await customer.say(text)
            assert turn.messages == []  # the bot stays quiet: the agent has the conversation
    finally:
        baton.start_server("handoff")

    async def all_arrived() -> bool:
        return len(await agent.customer_messages(ticket["id"])) >= len(written)

    await eventually(all_arrived)
    await asyncio.sleep(2)  # any retry still in flight would show up as a duplicate now
    assert await agent.customer_messages(ticket["id"]) == written


async def test_the_action_server_down_gives_an_apology_and_a_real_offer_of_a_person(
    baton: Baton, agent: AgentClient, new_customer: Opener
) -> None:
    baton.stop_server("action")
    try:
        customer = await new_customer()
        turn = await customer.say("where is my order 10001?")
        assert "I'm sorry, something went wrong on our side" in turn.text
        assert [b["title"] for b in turn.buttons] == ["Yes, a person please", "No, I'll try later"]
        accepted = await customer.say(turn.buttons[0]["payload"])
        assert "passing you to a colleague" in accepted.text
        detail = await agent.ticket_for(conversation_of(customer))
        assert detail["reason"] == "action_server_down"
        said = [m["text"] for m in detail["context"]["transcript"] if m["sender"] == "user"]
        assert said == ["where is my order 10001?", "Yes, a person please"]
        assert "action server could not be reached" in " ".join(detail["context"]["notes"])
        # the conversation is with the agent now: the bot stays quiet
        assert (await customer.say("hello?")).messages == []
        await agent.reply(detail["id"], "Hi, I can see your order. It's on its way.")
        heard = await customer.listen(timeout=5)
        assert heard[0]["metadata"] == {"agent_name": "Sam"}
    finally:
        baton.start_server("action")


async def test_a_rasa_restart_in_the_middle_of_a_handoff_loses_nothing(
    baton: Baton, agent: AgentClient, new_customer: Opener
) -> None:
    customer = await new_customer(customer_id=1)
    await customer.say("I want to talk to a person")
    ticket = await agent.ticket_for(conversation_of(customer))
    await agent.reply(ticket["id"], "Hi Jane, Sam here.")
    assert (await customer.listen(timeout=5))[0]["text"] == "Hi Jane, Sam here."
    await customer.say("My parcel is late")
    session = customer.session_id
    await customer.close()

    baton.stop_server("rasa")
    try:
        queued = await agent.reply(ticket["id"], "Written while the bot was restarting.")
        assert queued["delivered"] is False  # kept, not lost
    finally:
        baton.start_server("rasa")

    async def delivered() -> bool:
        messages = (await agent.ticket(ticket["id"]))["messages"]
        return all(m["delivered"] for m in messages if m["kind"] == "agent")

    await eventually(delivered, timeout=40)
    again = await new_customer(customer_id=1, resume=session)
    history = [(m["sender"], m["text"]) for m in await again.wait_for_history()]
    assert history.count(("agent", "Hi Jane, Sam here.")) == 1
    assert history.count(("agent", "Written while the bot was restarting.")) == 1
    assert ("user", "My parcel is late") in history
    # still with the agent after the restart: the bot stays quiet, the agent hears it
    assert (await again.say("Thank you, I'll wait")).messages == []

    async def heard() -> bool:
        return "Thank you, I'll wait" in await agent.customer_messages(ticket["id"])

    await eventually(heard, timeout=15)
    assert await agent.customer_messages(ticket["id"]) == [
        "My parcel is late",
        "Thank you, I'll wait",
    ]
    await agent.close(ticket["id"])
    question = await again.listen(timeout=5)
    assert "rate the help" in question[0]["text"]
