"""What must work across replicas, on the real production profile (infra/prod.py: PostgreSQL,
Redis, two replicas of each server behind nginx, the local Twilio fake):

* an agent's message reaches a web chat customer whichever Rasa replica the relay call lands
  on, not only the one holding the customer's socket;
* a customer's message reaches the live console of every agent, whichever handoff replica
  each console is connected to;
* a WhatsApp webhook that Twilio delivers twice, once to each replica, is answered once.

Replicas are addressed directly on their own ports where a test needs a particular one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.production import programs
from fakes.clients import WhatsAppCustomer
from infra.prod import Ports, Profile, start_profile
from tests.support.handoff_agent import AgentClient
from tests.support.services import require, service_dir
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def prod(model: Path) -> Iterator[Profile]:
    require("initdb", "postgres", "redis-server", "nginx")
    with service_dir("baton-replicas-") as directory:
        (directory / "logs").mkdir()
        running = start_profile(
            directory,
            model,
            programs=programs(),
            ports=Ports.free(),
            durable=False,
            fake_channels=True,
        )
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
async def agents(prod: Profile) -> AsyncIterator[tuple[AgentClient, AgentClient]]:
    """The demo agent with one console open on each handoff replica."""
    password = prod.env["HANDOFF_DEMO_PASSWORD"]
    first = await AgentClient(prod.replicas["handoff-1"].url, "demo", password).login()
    second = await AgentClient(prod.replicas["handoff-2"].url, "demo", password).login()
    await first.live()
    await second.live()
    yield first, second
    await first.logout()
    await second.logout()


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


async def test_an_agent_message_reaches_the_customer_through_the_other_rasa_replica(
    prod: Profile, agents: tuple[AgentClient, AgentClient]
) -> None:
    agent, _ = agents
    customer = WebChatCustomer(prod.replicas["rasa-1"].url)  # the socket lives on rasa-1
    await customer.connect()
    try:
        await customer.say("I want to talk to a person")
        conversation = conversation_of(customer)
        ticket = await agent.ticket_for(conversation, timeout=30)

        # The relay call lands on rasa-2, which holds no socket of this customer.
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{prod.replicas['rasa-2'].url}/webhooks/relay/message",
                json={
                    "conversation_id": conversation,
                    "ticket_id": ticket["id"],
                    "message_id": f"test-cross-replica-{conversation}",
                    "text": "Hello from rasa-2's side",
                    "agent_name": "Sam",
                },
                headers={"Authorization": f"Bearer {prod.env['HANDOFF_RELAY_TOKEN']}"},
            ) as resp,
        ):
            assert resp.status == 200, await resp.text()
            assert (await resp.json())["delivered"] is True
        heard = await customer.listen(timeout=10)
        assert [m["text"] for m in heard] == ["Hello from rasa-2's side"]
        assert heard[0]["metadata"] == {"agent_name": "Sam"}

        # And the agent's own replies from the console (relayed through nginx to either
        # replica) all arrive, in order.
        replies = [f"reply {n} from the console" for n in range(1, 7)]
        for text in replies:
            await agent.reply(ticket["id"], text)
        heard = await customer.listen(timeout=15)
        assert [m["text"] for m in heard] == replies
    finally:
        await customer.close()


async def test_a_customer_message_reaches_consoles_on_both_handoff_replicas(
    prod: Profile, agents: tuple[AgentClient, AgentClient]
) -> None:
    on_first, on_second = agents
    customer = WebChatCustomer(prod.public_url)
    await customer.connect()
    try:
        await customer.say("can I speak to someone please")
        conversation = conversation_of(customer)
        ticket = await on_first.ticket_for(conversation, timeout=30)
        marks = len(on_first.events), len(on_second.events)
        await customer.say("my parcel arrived soaked, the box is falling apart")

        def is_it(event: dict[str, object]) -> bool:
            message = event.get("message")
            return (
                event.get("type") == "message"
                and isinstance(message, dict)
                and message.get("ticket_id") == ticket["id"]
                and "soaked" in str(message.get("text"))
            )

        await on_first.wait_for_event(is_it, timeout=20, after=marks[0])
        await on_second.wait_for_event(is_it, timeout=20, after=marks[1])
    finally:
        await customer.close()


async def test_a_whatsapp_webhook_delivered_to_both_replicas_is_answered_once(
    prod: Profile,
) -> None:
    async with aiohttp.ClientSession() as http:
        senders = [
            WhatsAppCustomer(
                http,
                prod.replicas[name].url,
                prod.twilio_url,
                "+15550009876",
                public_url=prod.env["PUBLIC_URL"],  # what Twilio signs: the public URL
            )
            for name in ("rasa-1", "rasa-2")
        ]
        before = len(await senders[0].sent_to_me())
        form = senders[0].form("are you a bot?", message_sid="SM" + "ab" * 16)
        acks = await asyncio.gather(*(s.post(form) for s in senders))
        assert [a.status for a in acks] == [200, 200]
        replies = await senders[0].replies_after(before, timeout=30, quiet=2.0)
        assert len(replies.bodies) == 1, replies.bodies
        assert "assistant" in replies.text
