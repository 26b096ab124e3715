"""What a conversation lock costs, and whether it holds: Rasa's RedisLockStore vs Baton's.

    .venv/bin/python benchmarks/lock_store.py [--conversations 200] [--messages 10]

Starts its own redis-server (password, no persistence) in a temp dir, then for each store:

1. **uncontended**: one replica takes and releases the lock of a fresh conversation, again and
   again — the overhead every turn pays (p50/p95 of lock + unlock);
2. **two replicas**: two threads, each with its own event loop and store instance (as two Rasa
   processes), handle the same conversations at the same moment — ``--conversations`` of them,
   ``--messages`` each — holding the lock 1 ms per message, with a 1 s lock lifetime. Printed:
   how many conversations ever had both replicas inside their lock (must be 0), lock errors,
   and locked turns per second.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common import machine, summary
from rasa.core.lock_store import LockStore, RedisLockStore

from bot.lock_store import AtomicRedisLockStore
from infra.procs import free_port
from infra.redis_server import RedisServer

#: Lock lifetime in the two-replica run. Rasa's default is 60 s; a ticket the stock store loses
#: (one replica overwrites the other's lock document) leaves a waiter stuck until it expires.
LIFETIME = 1.0
#: A message still waiting for its lock after this long is counted as stalled and given up.
STALLED_AFTER = 5.0


def stock(url: str) -> LockStore:
    parts = urlsplit(url)
    return RedisLockStore(
        host=parts.hostname or "127.0.0.1", port=parts.port or 6379, db=0, password=parts.password
    )


def atomic(url: str) -> LockStore:
    return AtomicRedisLockStore(url=url)


async def _close(store: LockStore) -> None:
    close: Any = getattr(store, "close", None)
    if close is not None:
        await close()


def uncontended(make: Any, url: str, rounds: int) -> list[float]:
    async def run() -> list[float]:
        store = make(url)
        timings = []
        for _ in range(rounds):
            conversation = secrets.token_hex(8)
            started = time.perf_counter()
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                pass
            timings.append((time.perf_counter() - started) * 1000)
        await _close(store)
        return timings

    return asyncio.run(run())


def two_replicas(make: Any, url: str, conversations: int, messages: int) -> dict[str, float]:
    tag = secrets.token_hex(4)
    barrier = threading.Barrier(2)
    guard = threading.Lock()
    inside: Counter[str] = Counter()
    overlapping: set[str] = set()
    errors = Counter[str]()
    done = Counter[str]()

    async def replica(name: str) -> None:
        store = make(url)
        for n in range(conversations):
            conversation = f"{tag}-{n}"
            await asyncio.to_thread(barrier.wait, 60)

            async def message(conversation: str = conversation) -> None:
                async def locked_turn() -> None:
                    async with store.lock(
                        conversation, lock_lifetime=LIFETIME, wait_time_in_seconds=0.005
                    ):
                        with guard:
                            inside[conversation] += 1
                            if inside[conversation] > 1:
                                overlapping.add(conversation)
                        await asyncio.sleep(0.001)
                        with guard:
                            inside[conversation] -= 1
                            done[name] += 1

                try:
                    await asyncio.wait_for(locked_turn(), STALLED_AFTER)
                except asyncio.TimeoutError:
                    errors["stalled"] += 1
                except Exception:  # LockError, or the stock store tripping over itself
                    errors["lock errors"] += 1

            await asyncio.gather(*(message() for _ in range(messages // 2)))
        await _close(store)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=lambda n=name: asyncio.run(replica(n))) for name in ("a", "b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "overlapping": len(overlapping),
        "errors": errors["lock errors"],
        "stalled": errors["stalled"],
        "turns": sum(done.values()),
        "per_second": sum(done.values()) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="baton-lock-bench-") as directory:
        server = RedisServer(Path(directory), free_port(), secrets.token_urlsafe(16), False)
        server.start()
        try:
            for name, make in (("rasa RedisLockStore", stock), ("AtomicRedisLockStore", atomic)):
                print(f"\n{name}")
                print(f"  uncontended lock+unlock ({args.rounds}x): ", end="")
                print(summary(uncontended(make, server.url, args.rounds)))
                result = two_replicas(make, server.url, args.conversations, args.messages)
                print(
                    f"  two replicas, {args.conversations} conversations x {args.messages} "
                    f"messages: {result['overlapping']} conversations with two holders, "
                    f"{result['errors']:.0f} lock errors, {result['stalled']:.0f} messages stalled "
                    f"> {STALLED_AFTER:.0f} s, {result['turns']:.0f} locked turns, "
                    f"{result['per_second']:.0f} turns/s"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
