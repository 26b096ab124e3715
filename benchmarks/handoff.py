"""Handoff latency on loopback: opening a handoff, and the relay in both directions.

* **open**: a web chat customer writes "I want to talk to a person"; timed until the bot's
  answer (queue place and wait) has arrived, and until the ticket shows up on an agent's live
  console feed. This includes building the context packet (profile, orders with tracking,
  earlier conversations) on the action server.
* **customer → agent**: the customer sends a message while the conversation is with the
  agent; timed until it arrives on the agent's console WebSocket (Rasa logs it, the outbox
  forwards it, the handoff service stores and publishes it).
* **agent → customer**: the agent posts a reply to the console API; timed until it arrives
  in the customer's web chat socket (handoff service → relay → tracker → socket.io).

    .venv/bin/python benchmarks/handoff.py               # starts its own Baton on a temp dir
    .venv/bin/python benchmarks/handoff.py --samples 200
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from common import machine, percentile, summary

from bot.launcher import stop
from bot.training import ensure_model
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, start_baton
from tests.support.webchat_client import WebChatCustomer

TARGET_P95_MS = 200.0


def stamp_arrivals(customer: WebChatCustomer) -> list[tuple[float, Any]]:
    """Record when each message reaches the customer's socket (not when a test reads it)."""
    arrivals: list[tuple[float, Any]] = []
    original = customer._inbox.put

    async def put(item: Any) -> None:
        arrivals.append((time.perf_counter(), item))
        await original(item)

    customer._inbox.put = put  # type: ignore[method-assign]
    return arrivals


async def open_handoffs(
    url: str, agent: AgentClient, count: int
) -> tuple[list[float], list[float]]:
    answered, on_console = [], []
    for _ in range(count):
        customer = WebChatCustomer(url)
        await customer.connect()
        await customer.say("hi")
        conversation = (customer.session_id or "").split(".")[0]
        mark = len(agent.events)
        started = time.perf_counter()
        turn = await customer.say("I want to talk to a person")
        answered.append((time.perf_counter() - started) * 1000)
        assert "colleague" in turn.text, turn.text
        event = await agent.wait_for_event(
            lambda e, conversation=conversation: (
                e["type"] == "ticket_opened" and e["ticket"]["conversation_id"] == conversation
            ),
            after=mark,
        )
        on_console.append((event["_received"] - started) * 1000)
        await agent.close(event["ticket"]["id"])
        await customer.close()
    return answered, on_console


async def relay_round_trips(
    url: str, agent: AgentClient, samples: int
) -> tuple[list[float], list[float]]:
    customer = WebChatCustomer(url)
    await customer.connect()
    arrivals = stamp_arrivals(customer)
    await customer.say("I want to talk to a person")
    conversation = (customer.session_id or "").split(".")[0]
    ticket = await agent.ticket_for(conversation)
    to_agent, to_customer = [], []
    for i in range(samples):
        # customer -> agent
        text = f"customer message {i}"
        mark = len(agent.events)
        started = time.perf_counter()
        turn = asyncio.ensure_future(customer.say(text))
        event = await agent.wait_for_event(
            lambda e, text=text: e["type"] == "message" and e["message"]["text"] == text, after=mark
        )
        to_agent.append((event["_received"] - started) * 1000)
        await turn
        # agent -> customer
        reply = f"agent reply {i}"
        seen = len(arrivals)
        started = time.perf_counter()
        await agent.reply(ticket["id"], reply)
        while not any(
            kind == "bot" and data.get("text") == reply for _, (kind, data) in arrivals[seen:]
        ):
            await asyncio.sleep(0.001)
        arrived = next(
            t for t, (kind, data) in arrivals[seen:] if kind == "bot" and data.get("text") == reply
        )
        to_customer.append((arrived - started) * 1000)
        while not customer._inbox.empty():
            customer._inbox.get_nowait()
    await agent.close(ticket["id"])
    await customer.close()
    return to_agent, to_customer


def verdict(values: list[float]) -> str:
    p95 = percentile(values, 95)
    return "ok" if p95 <= TARGET_P95_MS else f"OVER the {TARGET_P95_MS:.0f} ms target"


async def run(samples: int, opens: int) -> None:
    model = ensure_model()
    var = Path(tempfile.mkdtemp(prefix="baton-handoff-bench-"))
    baton = start_baton(model, var)
    try:
        agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
        await agent.live()
        try:
            await relay_round_trips(baton.rasa_url, agent, 5)  # warm up every path
            to_agent, to_customer = await relay_round_trips(baton.rasa_url, agent, samples)
            answered, on_console = await open_handoffs(baton.rasa_url, agent, opens)
        finally:
            await agent.logout()
    finally:
        stop(baton.procs)
    print(f"\nBaton handoff latency on loopback — {machine()}")
    print(f"{samples} relays each way, {opens} handoffs opened, one conversation at a time\n")
    print(f"  customer → agent   {summary(to_agent)}   [{verdict(to_agent)}]")
    print(f"  agent → customer   {summary(to_customer)}   [{verdict(to_customer)}]")
    print(f"  open: bot answers  {summary(answered)}")
    print(f"  open: on console   {summary(on_console)}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="relays each way")
    parser.add_argument("--opens", type=int, default=20, help="handoffs to open")
    args = parser.parse_args()
    asyncio.run(run(args.samples, args.opens))


if __name__ == "__main__":
    main()
