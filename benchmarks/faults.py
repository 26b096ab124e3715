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
* ``kill-<kind>`` — one process killed from outside with ``kill -9`` of its pid, as the OOM
  killer or an operator would, and *not* started again by the benchmark: the supervisor
  (infra/supervise.py) must bring it back. Kinds: ``rasa`` (rasa-1), ``nlu`` (rasa-1's NLU
  worker, which the Rasa server replaces), ``actions`` (actions-1), ``handoff`` (handoff-1),
  ``redis``, ``postgres``. Each reports messages sent, answered, lost, duplicated (a customer
  message stored twice in a conversation) and reordered, the longest gap a customer saw (send
  to answer, reconnecting included), and how long the process took to be back and ready.

    .venv/bin/python benchmarks/faults.py                      # everything
    .venv/bin/python benchmarks/faults.py --only rasa,handoff
    .venv/bin/python benchmarks/faults.py --only kill          # every kill-<kind>

The exit status is 0 only if no run lost, duplicated or reordered anything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import signal
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Optional

from common import machine, nlu_worker
from load import Result, Target, production_profile, report, run_load

from tests.support.handoff_agent import AgentClient
from tests.support.webchat_client import WebChatCustomer

KILLED = {  # kill-<kind>: the process killed
    "rasa": "rasa-1",
    "nlu": "rasa-1",
    "actions": "actions-1",
    "handoff": "handoff-1",
    "redis": "redis",
    "postgres": "postgres",
}
SCENARIOS = ("rasa", "redis", "postgres", "handoff", *(f"kill-{k}" for k in KILLED))
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
        await _later(FAULT_AT, lambda: profile.stop_service("redis"), "Redis stopped")
        await _later(10, lambda: profile.start_service("redis"), "Redis started again")

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


def _customer_messages(profile: Any) -> Counter[tuple[str, str]]:
    """How often each conversation holds each customer message, from the tracker store."""
    import psycopg2

    with psycopg2.connect(profile.tracker_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT sender_id, data::json->>'text', count(*) FROM events "
            "WHERE type_name = 'user' GROUP BY 1, 2"
        )
        return Counter({(sender, text): n for sender, text, n in cur.fetchall()})


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ready", timeout=5) as resp:  # noqa: S310 - loopback
            return bool(resp.status == 200)
    except OSError:
        return False


async def killed(profile: Any, target: Target, conversations: int, kind: str) -> bool:
    """``kill -9`` of one process mid-load; the supervisor, not the benchmark, restarts it."""
    name = KILLED[kind]
    print(f"\n### kill -9 of {'the NLU worker of ' if kind == 'nlu' else ''}{name} mid-load")
    before = await asyncio.to_thread(_customer_messages, profile)
    back: dict[str, float] = {}

    def victim() -> Optional[int]:
        pid = profile.pid(name)
        return nlu_worker(pid) if kind == "nlu" and pid is not None else pid

    def every_replica_ready() -> bool:
        return all(_ready(r.url) for r in profile.replicas.values())

    async def fault() -> None:
        await asyncio.sleep(FAULT_AT)
        old = victim()
        assert old is not None, f"no {kind} process to kill"
        os.kill(old, signal.SIGKILL)
        killed_at = time.perf_counter()
        print(f"  [{time.strftime('%H:%M:%S')}] {kind}: pid {old} killed (SIGKILL)")
        while time.perf_counter() - killed_at < 300:
            now = await asyncio.to_thread(victim)
            if now not in (None, old) and await asyncio.to_thread(every_replica_ready):
                back["seconds"] = time.perf_counter() - killed_at
                print(f"  [{time.strftime('%H:%M:%S')}] back as pid {now}, every replica ready")
                return
            await asyncio.sleep(0.5)

    result, seconds = await run_load(
        target, conversations, turn_timeout=180, during=fault, resilient=True, pause=PAUSE
    )
    after = await asyncio.to_thread(_customer_messages, profile)
    duplicated = sum(max(0, n - before.get(key, 0) - 1) for key, n in after.items())
    report(result, seconds, f"kill -9 of {kind} mid-load")
    every = result.latencies["webchat"] + result.latencies["whatsapp"]
    print(
        f"  sent {sum(result.sent.values())}, answered {sum(result.answered.values())}, "
        f"lost {len(result.lost)}, duplicated {duplicated}, "
        f"reordered {len(result.out_of_order)}; longest gap a customer saw "
        f"{max(every, default=0) / 1000:.1f} s; "
        + (f"back and ready {back['seconds']:.1f} s after the kill" if back else "NOT BACK")
    )
    return _verdict(result) and duplicated == 0 and bool(back)


async def main(profile: Any, target: Target, only: list[str], conversations: int) -> bool:
    await run_load(target, 8)  # warm up both replicas' models and connections
    print(f"machine: {machine()}")
    runs: dict[str, Callable[[], Awaitable[bool]]] = {
        "rasa": lambda: rasa_killed(profile, target, conversations),
        "redis": lambda: redis_stopped(profile, target, conversations),
        "postgres": lambda: postgres_restarted(profile, target, conversations),
        "handoff": lambda: handoff_killed(profile, target, max(4, conversations // 5)),
    }
    for kind in KILLED:
        runs[f"kill-{kind}"] = functools.partial(killed, profile, target, conversations, kind)
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
    if "kill" in chosen:
        chosen[chosen.index("kill") : chosen.index("kill") + 1] = [f"kill-{k}" for k in KILLED]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown run(s) {unknown}; choose from {', '.join(SCENARIOS)}")
    with production_profile(args.keep_logs) as (target, profile):
        ok = asyncio.run(main(profile, target, chosen, args.conversations))
    print("nothing lost, duplicated or reordered" if ok else "FAILED: see above")
    raise SystemExit(0 if ok else 1)
