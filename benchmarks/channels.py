"""WhatsApp and Slack webhook acknowledgement under load, whatever the dialogue takes.

Twilio gives up on a webhook after 15 s and Slack retries after 3 s, so Baton answers the
webhook at once and runs the turn in the background. This measures that acknowledgement:
from sending a signed webhook to receiving Baton's HTTP response, with 32 senders at once.
Messages are a full anonymous order-status conversation (greeting, question, proof, thanks).

Rounds, per channel:

* **conversation** — 32 senders, each sending its next message when the bot's reply to the
  last one arrives (customers who read very fast): the dialogue runs flat out the whole time.
* **backlog** — 32 senders, each sending a message every ``--interval`` seconds (random
  phase) whether or not it was answered: more turns per second than the dialogue can take,
  so a backlog builds up, and the acknowledgement must stay fast anyway. Then it waits until
  every message is answered at the fake API (none may be lost) and reports the drain time.
* **burst** (stress, not part of the target) — 32 senders each posting the next webhook the
  moment the last is acknowledged: raw HTTP saturation of the server (and of this client,
  which shares the machine), latency ≈ 32 / requests per second.

Target: acknowledgement p95 <= 50 ms in the conversation and backlog rounds.

    .venv/bin/python benchmarks/channels.py            # starts Baton and the fakes on a temp dir
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from common import machine, percentile, summary

from bot.launcher import stop
from bot.training import ensure_model
from fakes.clients import SlackCustomer, WhatsAppCustomer
from tests.support.servers import Baton, start_baton

SCRIPT = ["hi", "where is my order 10003?", "liam.murphy@example.ie", "thanks!"]
TARGET_P95_MS = 50.0


def whatsapp_senders(baton: Baton, http: aiohttp.ClientSession, n: int) -> list[Any]:
    tag = secrets.randbelow(90) + 10
    return [
        WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, f"+1555{tag:02d}{i:05d}")
        for i in range(n)
    ]


def slack_senders(baton: Baton, http: aiohttp.ClientSession, n: int) -> list[Any]:
    tag = secrets.token_hex(2).upper()
    return [
        SlackCustomer(http, baton.rasa_url, baton.slack_url, f"U7{tag}{i:04d}") for i in range(n)
    ]


async def send(sender: Any, text: str) -> float:
    if isinstance(sender, WhatsAppCustomer):
        ack = await sender.send(text)
    else:
        ack = await sender.post_event(sender.dm_event(text))
    assert ack.status == 200, ack
    return ack.ms


async def replies(sender: Any) -> int:
    if isinstance(sender, WhatsAppCustomer):
        return len(await sender.sent_to_me())
    return len(await sender.posts_in(sender.dm))


async def wait_for_reply(sender: Any, count: int) -> None:
    if isinstance(sender, WhatsAppCustomer):
        await sender.sent_to_me(count - 1, wait=60)
    else:
        await sender.posts_in(sender.dm, count - 1, wait=60)


async def drain(senders: list[Any], expected: int, started: float) -> tuple[float, int]:
    """Wait until every sender has ``expected`` replies; (seconds since start, missing)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        got = await asyncio.gather(*(replies(s) for s in senders))
        if all(g >= expected for g in got):
            break
        await asyncio.sleep(0.25)
    got = await asyncio.gather(*(replies(s) for s in senders))
    return time.perf_counter() - started, sum(max(0, expected - g) for g in got)


async def backlog(
    senders: list[Any], messages: int, interval: float
) -> tuple[list[float], float, float, int]:
    acks: list[float] = []

    async def one(sender: Any) -> None:
        start = time.perf_counter() + random.uniform(0, interval)
        for i in range(messages):
            await asyncio.sleep(max(0.0, start + i * interval - time.perf_counter()))
            acks.append(await send(sender, SCRIPT[i % len(SCRIPT)]))

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in senders))
    sent_in = time.perf_counter() - started
    drained, missing = await drain(senders, messages, started)
    return acks, sent_in, drained, missing


async def burst(senders: list[Any], messages: int) -> tuple[list[float], float, float, int]:
    acks: list[float] = []

    async def one(sender: Any) -> None:
        for i in range(messages):
            acks.append(await send(sender, SCRIPT[i % len(SCRIPT)]))

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in senders))
    sent_in = time.perf_counter() - started
    drained, missing = await drain(senders, messages, started)
    return acks, sent_in, drained, missing


async def conversation(senders: list[Any], messages: int) -> tuple[list[float], list[float], float]:
    acks: list[float] = []
    answers: list[float] = []

    async def one(sender: Any) -> None:
        count = await replies(sender)
        for i in range(messages):
            started = time.perf_counter()
            acks.append(await send(sender, SCRIPT[i % len(SCRIPT)]))
            count += 1
            await wait_for_reply(sender, count)
            answers.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in senders))
    return acks, answers, time.perf_counter() - started


async def main(baton: Baton, senders: int, messages: int, interval: float) -> bool:
    ok = True
    turns = baton.env.get("BATON_CHANNEL_TURNS") or "2 (default)"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        # warm up: first predictions build TensorFlow graphs, first calls open connections
        await conversation(whatsapp_senders(baton, http, 4) + slack_senders(baton, http, 4), 4)
        load = os.getloadavg()[0]
        print(f"machine: {machine()}; load average {load:.1f} before the run")
        print(
            f"{senders} senders at once, {messages} messages each; dialogue turns at once "
            f"(BATON_CHANNEL_TURNS): {turns}; target ack p95 <= {TARGET_P95_MS:.0f} ms"
        )
        for name, make in (("WhatsApp", whatsapp_senders), ("Slack", slack_senders)):
            acks, answers, seconds = await conversation(make(baton, http, senders), messages)
            ok &= percentile(acks, 95) <= TARGET_P95_MS
            print(
                f"{name:8s} conversation: ack {summary(acks)}\n"
                f"{'':22s}reply {summary(answers)}   {len(answers) / seconds:4.1f} turns/s"
            )
            acks, sent_in, drained, missing = await backlog(
                make(baton, http, senders), messages, interval
            )
            ok &= percentile(acks, 95) <= TARGET_P95_MS and missing == 0
            print(
                f"{name:8s} backlog:      ack {summary(acks)}\n"
                f"{'':22s}{len(acks)} messages at {len(acks) / sent_in:4.1f}/s; all answered "
                f"{drained - sent_in:4.1f} s after the last ({len(acks) / drained:4.1f} "
                f"turns/s); unanswered {missing}"
            )
            acks, sent_in, drained, missing = await burst(make(baton, http, senders), messages)
            print(
                f"{name:8s} burst:        ack {summary(acks)}   (stress: "
                f"{len(acks) / sent_in:4.0f} webhooks/s; unanswered {missing})"
            )
    return ok


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--messages", type=int, default=12, help="messages per sender per round")
    parser.add_argument(
        "--interval", type=float, default=0.5, help="seconds between a backlog sender's messages"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
        baton = start_baton(ensure_model(), Path(tmp))
        try:
            met = asyncio.run(main(baton, args.senders, args.messages, args.interval))
        finally:
            stop(baton.procs)
    print("target met" if met else "TARGET MISSED")
    raise SystemExit(0 if met else 1)
