"""Faults the way production sees them: a process frozen (SIGSTOP) longer than its timeouts.

A process that dies is the easy case: its port refuses connections, nginx's passive check
takes it out, the supervisor restarts it. A process that *hangs* — swapped out, stuck in a
stop-the-world pause, a VM stolen by its host, a debugger attached — keeps its port: the kernel
still completes TCP handshakes into its backlog, so nginx sees no error, and every request sent
to it waits. ``stop-<kind>`` freezes one process with SIGSTOP for longer than the timeouts that
guard it, then sends SIGCONT, under the same load as benchmarks/faults.py (20 customers by
default, web chat and WhatsApp, 1 s between messages), and reports the same figures: sent,
answered, lost, duplicated, reordered, the longest gap a customer saw, and how long after
SIGCONT every replica answered ``/ready`` again.

    .venv/bin/python benchmarks/freeze.py                       # stop-rasa,stop-actions,stop-redis
    .venv/bin/python benchmarks/freeze.py --only stop-redis --seconds 40

The exit status is 0 only if no run lost, duplicated or reordered anything.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Optional

from common import machine, pin_model
from faults import FAULT_AT, PAUSE, _customer_messages, _ready
from load import Result, Target, production_profile, report, run_load

FROZEN = {  # stop-<kind>: the process frozen
    "rasa": "rasa-1",
    "actions": "actions-1",
    "handoff": "handoff-1",
    "redis": "redis",
    "postgres": "postgres",
}
# How long each is frozen, and the timeout that makes it "longer than its timeouts":
FREEZE_SECONDS = {
    # the 60 s conversation lock lifetime (another replica may take a conversation rasa-1
    # held) and socket.io's 25 s ping interval + 20 s ping timeout (widgets notice and reconnect)
    "rasa": 70.0,
    # nginx's 60 s proxy_read_timeout towards the action servers (deploy/nginx/)
    "actions": 70.0,
    "handoff": 70.0,
    # the lock store's 5 s socket timeout and its 30 s REDIS_LOCK_WAIT_SECONDS
    "redis": 40.0,
    # the tracker store's reconnect window and PostgreSQL clients' statement waits
    "postgres": 40.0,
}
SCENARIOS = tuple(f"stop-{k}" for k in FROZEN)


def every_replica_ready(profile: Any) -> bool:
    """Every Rasa, action and handoff replica answers ``/ready`` with 200."""
    return all(_ready(r.url) for r in profile.replicas.values())


def figures(
    result: Result, seconds: float, title: str, duplicated: int, back: Optional[float]
) -> str:
    """The one line every fault run prints (the same as benchmarks/faults.py's kill runs)."""
    report(result, seconds, title)
    every = result.latencies["webchat"] + result.latencies["whatsapp"]
    return (
        f"  sent {sum(result.sent.values())}, answered {sum(result.answered.values())}, "
        f"lost {len(result.lost)}, duplicated {duplicated}, "
        f"reordered {len(result.out_of_order)}, errors {len(result.errors)}; longest gap a "
        f"customer saw {max(every, default=0) / 1000:.1f} s; "
        + (f"ready {back:.1f} s after the fault ended" if back is not None else "NOT READY")
    )


async def freeze(profile: Any, kind: str, seconds: float) -> Optional[float]:
    """SIGSTOP the process for ``seconds``, SIGCONT it (always), then wait until every replica
    is ready; the seconds from SIGCONT to ready, or None if not within 300 s."""
    name = FROZEN[kind]
    pid = profile.pid(name)
    assert pid is not None, f"no {name} process to freeze"
    os.kill(pid, signal.SIGSTOP)
    print(f"  [{time.strftime('%H:%M:%S')}] {name}: pid {pid} frozen (SIGSTOP) for {seconds:.0f} s")
    try:
        await asyncio.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)  # never leave a frozen process behind, even on Ctrl-C
    resumed = time.perf_counter()
    print(f"  [{time.strftime('%H:%M:%S')}] {name}: SIGCONT")
    while time.perf_counter() - resumed < 300:
        if await asyncio.to_thread(every_replica_ready, profile):
            return time.perf_counter() - resumed
        await asyncio.sleep(0.5)
    return None


async def frozen(
    profile: Any, target: Target, conversations: int, kind: str, seconds: float
) -> bool:
    """One process frozen mid-load; the customers must still get their answers."""
    print(f"\n### {FROZEN[kind]} frozen (SIGSTOP) for {seconds:.0f} s mid-load")
    before = await asyncio.to_thread(_customer_messages, profile)
    back: dict[str, Optional[float]] = {}

    async def fault() -> None:
        await asyncio.sleep(FAULT_AT)
        back["seconds"] = await freeze(profile, kind, seconds)

    result, took = await run_load(
        target, conversations, turn_timeout=180, during=fault, resilient=True, pause=PAUSE
    )
    after = await asyncio.to_thread(_customer_messages, profile)
    duplicated = sum(max(0, n - before.get(key, 0) - 1) for key, n in after.items())
    print(
        figures(
            result, took, f"SIGSTOP of {kind} for {seconds:.0f} s", duplicated, back.get("seconds")
        )
    )
    return result.ok and duplicated == 0 and back.get("seconds") is not None


async def main(
    profile: Any, target: Target, only: list[str], conversations: int, seconds: Optional[float]
) -> bool:
    await run_load(target, 8)  # warm up both replicas' models and connections
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    verdicts = {}
    for name in only:
        kind = name.removeprefix("stop-")
        verdicts[name] = await frozen(
            profile, target, conversations, kind, seconds or FREEZE_SECONDS[kind]
        )
    print("\n" + "; ".join(f"{n}: {'ok' if v else 'FAILED'}" for n, v in verdicts.items()))
    return all(verdicts.values())


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, live
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="stop-rasa,stop-actions,stop-redis")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--seconds", type=float, help="freeze this long instead of the default")
    parser.add_argument("--model", type=Path, help="this model archive, not the current data's")
    parser.add_argument("--keep-logs", type=Path, help="copy every server's log here")
    args = parser.parse_args()
    pin_model(args.model)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown run(s) {unknown}; choose from {', '.join(SCENARIOS)}")
    with production_profile(args.keep_logs) as (target, profile):
        ok = asyncio.run(main(profile, target, chosen, args.conversations, args.seconds))
    print("nothing lost, duplicated or reordered" if ok else "FAILED: see above")
    raise SystemExit(0 if ok else 1)
