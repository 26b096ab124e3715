"""Faults on the production profile: each run prints what was sent and what arrived.

Starts the production profile (:mod:`infra.prod`: PostgreSQL, Redis, two replicas of each
server, nginx) on free ports in a temp dir, with the local Twilio fake, and runs:

* ``rasa`` — web chat and WhatsApp customers in the middle of their conversations when one
  Rasa replica is killed (SIGKILL): web chat widgets reconnect through nginx to the other
  replica and resume their signed session; the conversation must go on *with its state*
  (a proof sent after the kill must still be matched to the order asked about before it).
  The killed replica is started again afterwards.
* ``redis`` — Redis stopped for 10 s under the same load, then started again: turns wait
  (the lock store waits out short outages) or fail clearly; nothing is corrupted, and the
  servers recover without a restart.
* ``postgres`` — PostgreSQL restarted under the same load: the same.
* ``handoff`` — customers talking to agents while both handoff replicas are killed: every
  message they write meanwhile waits in the Rasa replicas' outbox and must reach the agents
  after the service is back, in order, once.

    .venv/bin/python benchmarks/faults.py                      # all four
    .venv/bin/python benchmarks/faults.py --only rasa,handoff

The exit status is 0 only if no run lost, duplicated or reordered anything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from common import machine
from load import Result, Target, production_profile, report, run_load

from tests.support.handoff_agent import AgentClient
from tests.support.webchat_client import WebChatCustomer

SCENARIOS = ("rasa", "redis", "postgres", "handoff")
# Customers pause this long between messages, so conversations are mid-way when a fault hits.
PAUSE = 1.0
FAULT_AT = 5.0  # seconds into the load


async def _later(seconds: float, action: Callable[[], Any], label: str) -> None:
    await asyncio.sleep(seconds)
    started = time.perf_counter()
    await asyncio.to_thread(action)
    print(f"  [{time.strftime('%H:%M:%S')}] {label} ({time.perf_counter() - started:.1f} s)")


def _verdict(result: Result) -> bool:
    return result.ok


async def rasa_killed(profile: Any, target: Target, conversations: int) -> bool:
    print("\n### one Rasa replica killed in the middle of the load")

    async def fault() -> None:
        await _later(
            6, lambda: profile.stop_replica("rasa-1", kill=True), "rasa-1 killed (SIGKILL)"
        )
        await _later(20, lambda: profile.start_replica("rasa-1"), "rasa-1 started again")

    result, seconds = await run_load(
        target, conversations, turn_timeout=120, during=fault, resilient=True, pause=PAUSE
    )
    report(result, seconds, "rasa-1 killed mid-load")
    return _verdict(result)


async def redis_stopped(profile: Any, target: Target, conversations: int) -> bool:
    print("\n### Redis stopped for 10 s in the middle of the load")

    async def fault() -> None:
        await _later(FAULT_AT, profile.redis.stop, "Redis stopped")
        await _later(10, profile.redis.start, "Redis started again")

    result, seconds = await run_load(
        target, conversations, turn_timeout=120, during=fault, resilient=True, pause=PAUSE
    )
    report(result, seconds, "Redis down for 10 s mid-load")
    return _verdict(result)


async def postgres_restarted(profile: Any, target: Target, conversations: int) -> bool:
    print("\n### PostgreSQL restarted in the middle of the load")

    async def fault() -> None:
        await _later(FAULT_AT, profile.restart_postgres, "PostgreSQL restarted")

    result, seconds = await run_load(
        target, conversations, turn_timeout=120, during=fault, resilient=True, pause=PAUSE
    )
    report(result, seconds, "PostgreSQL restarted mid-load")
    return _verdict(result)


async def handoff_killed(profile: Any, target: Target, customers: int, messages: int = 5) -> bool:
    print("\n### the handoff service killed while customers write to agents")
    password = profile.env["HANDOFF_DEMO_PASSWORD"]
    agent = await AgentClient(profile.handoff_url, "demo", password).login()
    await agent.live()
    people: list[WebChatCustomer] = []
    sent: dict[str, list[str]] = {}
    problems: list[str] = []
    try:
        for _ in range(customers):
            person = WebChatCustomer(target.url)
            await person.connect()
            await person.say("I want to talk to a person", timeout=60)
            people.append(person)
        tickets: dict[str, int] = {}
        for person in people:
            assert person.session_id
            conversation = person.session_id.split(".")[0]
            tickets[conversation] = (await agent.ticket_for(conversation, timeout=30))["id"]
        print(f"  {len(tickets)} handoffs open; killing handoff-1 and handoff-2 (SIGKILL)")
        for name in ("handoff-1", "handoff-2"):
            await asyncio.to_thread(profile.stop_replica, name, True)

        async def write(person: WebChatCustomer, conversation: str) -> None:
            texts = [
                f"{conversation[:6]} message {i} while the agents were away"
                for i in range(1, messages + 1)
            ]
            sent[conversation] = texts
            for text in texts:
                turn = await person.say(text, timeout=60)
                if turn.messages:
                    problems.append(f"{conversation[:8]}: the bot answered {turn.text[:60]!r}")

        await asyncio.gather(*(write(p, c) for p, c in zip(people, tickets, strict=True)))
        print(
            f"  wrote {sum(len(t) for t in sent.values())} messages while it was down; "
            "waiting 5 s, then starting it again"
        )
        await asyncio.sleep(5)
        started = time.perf_counter()
        for name in ("handoff-1", "handoff-2"):
            await asyncio.to_thread(profile.start_replica, name)
        print(f"  handoff replicas back after {time.perf_counter() - started:.1f} s")

        arrived: dict[str, list[str]] = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            arrived = {
                c: [t for t in await agent.customer_messages(tid) if "while the agents" in t]
                for c, tid in tickets.items()
            }
            if all(len(arrived[c]) >= len(sent[c]) for c in sent):
                break
            await asyncio.sleep(1)
        delivered_in = time.perf_counter() - started
        total_sent = sum(len(t) for t in sent.values())
        total_arrived = sum(len(t) for t in arrived.values())
        in_order = sum(1 for c in sent if arrived.get(c) == sent[c])
        duplicates = sum(len(a) - len(set(a)) for a in arrived.values())
        missing = sum(len(set(sent[c]) - set(arrived.get(c, []))) for c in sent)
        print(
            f"  sent {total_sent} customer messages; {total_arrived} arrived at the agents "
            f"({delivered_in:.1f} s after the restart began)"
        )
        print(
            f"  conversations complete and in order: {in_order}/{len(sent)}; "
            f"missing {missing}; duplicates {duplicates}"
        )
        for c in sent:
            if arrived.get(c) != sent[c]:
                problems.append(f"{c[:8]}: sent {sent[c]} arrived {arrived.get(c)}")
        for problem in problems[:10]:
            print(f"    problem: {problem}")
        return not problems and in_order == len(sent)
    finally:
        for person in people:
            with contextlib.suppress(Exception):
                await person.close()
        with contextlib.suppress(Exception):
            await agent.logout()


async def main(profile: Any, target: Target, only: list[str], conversations: int) -> bool:
    await run_load(target, 8)  # warm up both replicas' models and connections
    print(f"machine: {machine()}")
    runs: dict[str, Callable[[], Awaitable[bool]]] = {
        "rasa": lambda: rasa_killed(profile, target, conversations),
        "redis": lambda: redis_stopped(profile, target, conversations),
        "postgres": lambda: postgres_restarted(profile, target, conversations),
        "handoff": lambda: handoff_killed(profile, target, max(4, conversations // 5)),
    }
    verdicts = {}
    for name in only:
        verdicts[name] = await runs[name]()
    print("\n" + "; ".join(f"{n}: {'ok' if v else 'FAILED'}" for n, v in verdicts.items()))
    return all(verdicts.values())


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, live
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated runs")
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--keep-logs", type=Path, help="copy every server's log here")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown run(s) {unknown}; choose from {', '.join(SCENARIOS)}")
    with production_profile(args.keep_logs) as (target, profile):
        ok = asyncio.run(main(profile, target, chosen, args.conversations))
    print("nothing lost, duplicated or reordered" if ok else "FAILED: see above")
    raise SystemExit(0 if ok else 1)
