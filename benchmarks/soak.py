"""Soak: the production profile at half its capacity for minutes, with a random fault every
30–60 s; nothing may be lost or stored twice, and no process may keep growing.

A fault run (benchmarks/faults.py, benchmarks/freeze.py) shows one fault on a fresh profile. A
soak shows what they do not: faults that land on a process still recovering from the previous
one, locks and connections that leak a little per fault, memory that grows per conversation.

Customers come in rounds of ``--customers`` conversations (half web chat, half WhatsApp, the
10-turn script of benchmarks/load.py, 1 s between messages), one round after the other, until
``--minutes`` have passed; the Twilio fake's record is cleared between rounds so its long-polls
stay cheap. Meanwhile a fault task picks, every 30–60 s, one of: ``kill -9`` of a Rasa
replica, its NLU worker, an action server, a handoff replica, Redis or PostgreSQL (the
supervisor must restart it), or SIGSTOP of a Rasa replica, an action server or Redis for 15 s
(then SIGCONT). Bounded: one fault at a time, each waits until the previous one has recovered,
only processes of the profile this script started on loopback, a frozen process is always
resumed, and it stops by itself at the end.

It prints the faults as they happen, the same figures as the fault runs (sent, answered, lost,
duplicated, reordered, the longest gap a customer saw, the longest time to ready) and the
memory (RSS) of each process at start and end.

    .venv/bin/python benchmarks/soak.py                   # 10 minutes, 36 customers per round
    .venv/bin/python benchmarks/soak.py --minutes 2 --seed 7

The exit status is 0 only if nothing was lost, duplicated or reordered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

from common import machine, nlu_worker, pin_model, rss_kib
from faults import KILLED, _customer_messages
from freeze import every_replica_ready, figures, freeze
from load import Result, Target, production_profile, run_load

FAULTS = (*(f"kill-{k}" for k in KILLED), *(f"stop-{k}" for k in ("rasa", "actions", "redis")))
FREEZE = 15.0  # seconds: longer than the lock store's 5 s Redis timeout, short enough to soak
PAUSE = 1.0


def memory(profile: Any) -> dict[str, tuple[Optional[int], Optional[int]]]:
    """(pid, RSS KiB) of every process of the profile, NLU workers included."""
    names = [*profile.replicas, "redis", "postgres", "nginx"]
    found: dict[str, tuple[Optional[int], Optional[int]]] = {}
    for name in names:
        pid = profile.pid(name)
        found[name] = (pid, rss_kib(pid))
        if name.startswith("rasa-") and pid is not None:
            worker = nlu_worker(pid)
            found[f"{name} NLU worker"] = (worker, rss_kib(worker))
    return found


def print_memory(start: dict[str, Any], end: dict[str, Any]) -> None:
    print("\n  memory (RSS)          start         end   (pid start -> end)")
    for name in start:
        (p0, r0), (p1, r1) = start[name], end.get(name, (None, None))
        mib = lambda kib: f"{kib / 1024:8.1f} MiB" if kib is not None else "        gone"  # noqa: E731
        print(f"  {name:20s} {mib(r0)} {mib(r1)}   ({p0} -> {p1})")


async def inject(profile: Any, fault: str) -> Optional[float]:
    """Run one fault; the seconds until the victim is back and every replica ready."""
    kind = fault.split("-", 1)[1]
    if fault.startswith("stop-"):
        return await freeze(profile, kind, FREEZE)
    name = KILLED[kind]

    def victim() -> Optional[int]:
        pid = profile.pid(name)
        return nlu_worker(pid) if kind == "nlu" and pid is not None else pid

    old = victim()
    if old is None:
        print(f"  [{time.strftime('%H:%M:%S')}] {fault}: no process to kill; skipped")
        return 0.0
    os.kill(old, signal.SIGKILL)
    killed_at = time.perf_counter()
    print(f"  [{time.strftime('%H:%M:%S')}] {fault}: pid {old} killed (SIGKILL)")
    while time.perf_counter() - killed_at < 300:
        now = await asyncio.to_thread(victim)
        if now not in (None, old) and await asyncio.to_thread(every_replica_ready, profile):
            return time.perf_counter() - killed_at
        await asyncio.sleep(0.5)
    return None


async def faults(profile: Any, until: float, rng: random.Random, log: list[str]) -> list[float]:
    """A random fault every 30–60 s until ``until`` (monotonic); the recovery times."""
    recoveries: list[float] = []
    while True:
        wait = rng.uniform(30, 60)
        if time.monotonic() + wait > until - 20:  # leave the last round time to finish cleanly
            return recoveries
        await asyncio.sleep(wait)
        fault = rng.choice(FAULTS)
        back = await inject(profile, fault)
        stamp = time.strftime("%H:%M:%S")
        if back is None:
            log.append(f"{fault} NOT BACK within 300 s")
            print(f"  [{stamp}] {fault}: NOT BACK within 300 s")
        else:
            log.append(f"{fault} ready after {back:.1f} s")
            print(f"  [{stamp}] {fault}: every replica ready {back:.1f} s later")
            recoveries.append(back)


def clear_twilio_fake(target: Target) -> None:
    """Empty the fake's record between rounds: its long-poll returns the whole record."""
    url = f"{target.twilio_url}/_fake/reset"
    request = urllib.request.Request(url, method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback
        pass


def merge(total: Result, part: Result) -> None:
    """Add one round's figures to the soak's."""
    for channel in total.sent:
        total.sent[channel] += part.sent[channel]
        total.answered[channel] += part.answered[channel]
        total.replies[channel] += part.replies[channel]
        total.latencies[channel] += part.latencies[channel]
    total.lost += part.lost
    total.errors += part.errors
    total.out_of_order += part.out_of_order
    total.conversations += part.conversations
    total.completed += part.completed
    total.reconnects += part.reconnects
    total.recovered += part.recovered
    total.resent += part.resent


async def soak(profile: Any, target: Target, minutes: float, customers: int, seed: int) -> bool:
    await run_load(target, 8)  # warm up both replicas' models and connections
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}; seed {seed}")
    start_memory = await asyncio.to_thread(memory, profile)
    before = await asyncio.to_thread(_customer_messages, profile)
    until = time.monotonic() + minutes * 60
    rng = random.Random(seed)
    log: list[str] = []
    injector = asyncio.ensure_future(faults(profile, until, rng, log))
    total, rounds, started = Result(), 0, time.perf_counter()
    try:
        while time.monotonic() < until:
            await asyncio.to_thread(clear_twilio_fake, target)
            part, took = await run_load(
                target,
                customers,
                turn_timeout=180,
                resilient=True,
                pause=PAUSE,
                tag=f"{rounds + 101}",  # unique per round (the warm-up's is two digits)
            )
            merge(total, part)
            rounds += 1
            turns = sum(part.answered.values())
            print(
                f"  [{time.strftime('%H:%M:%S')}] round {rounds}: {turns} turns in {took:.0f} s "
                f"({turns / took:.1f}/s); lost {len(part.lost)}, errors {len(part.errors)}, "
                f"reordered {len(part.out_of_order)}"
            )
            for item in (part.lost + part.errors + part.out_of_order)[:3]:
                print(f"    {item[:200]}")
        recoveries = await injector
    finally:
        injector.cancel()
    seconds = time.perf_counter() - started
    after = await asyncio.to_thread(_customer_messages, profile)
    end_memory = await asyncio.to_thread(memory, profile)
    duplicated = sum(max(0, n - before.get(key, 0) - 1) for key, n in after.items())
    not_back = [line for line in log if "NOT BACK" in line]
    print(f"\n  {len(log)} faults: " + "; ".join(log))
    print(
        figures(
            total,
            seconds,
            f"soak: {minutes:g} min, {rounds} rounds of {customers} customers, {len(log)} faults",
            duplicated,
            None if not_back else max(recoveries, default=0.0),
        ).replace("after the fault ended", "after the slowest fault (kill, or SIGCONT)")
    )
    print_memory(start_memory, end_memory)
    print(f"  load average at the end {os.getloadavg()[0]:.1f}")
    return total.ok and duplicated == 0 and not not_back


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, live
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    # ~30 turns/s, half the profile's ~60 (docs/performance.md): 36 customers writing every
    # 1 s plus ~0.2 s answer time
    parser.add_argument("--customers", type=int, default=36)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--model", type=Path, help="this model archive, not the current data's")
    parser.add_argument("--keep-logs", type=Path, help="copy every server's log here")
    args = parser.parse_args()
    pin_model(args.model)
    with production_profile(args.keep_logs) as (target, profile):
        ok = asyncio.run(soak(profile, target, args.minutes, args.customers, args.seed))
    print("nothing lost, duplicated or reordered" if ok else "FAILED: see above")
    raise SystemExit(0 if ok else 1)
