"""Two Rasa replicas share one outbox table: each paused conversation's messages reach the
handoff service in order and once, never forwarded by both replicas side by side, and a
replica that dies mid-way leaves its conversations to the other."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from connectors.outbox import Outbox


class HandoffService:
    """Stores each key once (as the real service does) and watches for parallel forwards."""

    def __init__(self, delay: float = 0.002) -> None:
        self.delay = delay
        self.received: dict[str, list[str]] = {}
        self.keys: set[str] = set()
        self.in_flight: dict[str, int] = {}
        self.overlaps = 0
        self.calls = 0

    async def forward(self, conversation_id: str, key: str, text: str, sent_at: float) -> None:
        self.calls += 1
        self.in_flight[conversation_id] = self.in_flight.get(conversation_id, 0) + 1
        if self.in_flight[conversation_id] > 1:
            self.overlaps += 1
        try:
            await asyncio.sleep(self.delay * random.random())
            if key not in self.keys:
                self.keys.add(key)
                self.received.setdefault(conversation_id, []).append(text)
        finally:
            self.in_flight[conversation_id] -= 1


async def _drain(*boxes: Outbox, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if await boxes[0].pending() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{await boxes[0].pending()} messages still in the outbox")


async def test_two_replicas_forward_each_conversation_in_order_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    service = HandoffService()
    a = Outbox(url, service.forward, max_backoff=0.05, poll_seconds=0.1)
    b = Outbox(url, service.forward, max_backoff=0.05, poll_seconds=0.1)
    await a.start()
    await b.start()
    try:
        # A customer's turns land on either replica (each turn under the conversation lock,
        # so one conversation's messages are written one after another).
        async def customer(n: int) -> None:
            for i in range(12):
                box = a if random.random() < 0.5 else b
                await box.enqueue(f"conv-{n}", f"message {i}")
                await asyncio.sleep(random.random() * 0.01)

        await asyncio.gather(*(customer(n) for n in range(8)))
        await _drain(a, b)
        assert service.overlaps == 0
        for n in range(8):
            assert service.received[f"conv-{n}"] == [f"message {i}" for i in range(12)]
    finally:
        await a.stop()
        await b.stop()


async def test_a_replica_that_dies_holding_a_lease_is_taken_over_after_it_expires(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    service = HandoffService()
    dead = Outbox(url, service.forward, lease_seconds=1.0, poll_seconds=0.2)
    await dead.start()
    await dead.stop()  # its worker is gone; we act as if it crashed while holding a lease
    await dead.enqueue("conv", "first")
    await dead.enqueue("conv", "second")
    assert await dead.claim("conv")  # the dead replica's lease, never released
    survivor = Outbox(url, service.forward, lease_seconds=1.0, poll_seconds=0.2)
    await survivor.start()
    try:
        await asyncio.sleep(0.5)
        assert service.received == {}  # the lease still holds: nobody forwards beside it
        await _drain(survivor, timeout=10)
        assert service.received == {"conv": ["first", "second"]}
    finally:
        await survivor.stop()
        await dead.stop()


async def test_a_lease_is_held_by_one_replica_at_a_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"

    async def noop(*_: object) -> None:
        return None

    boxes = [Outbox(url, noop, lease_seconds=30) for _ in range(3)]
    for box in boxes:
        await box.start()
    try:
        won = await asyncio.gather(*(box.claim("conv") for box in boxes * 2))
        assert sum(won) == 2  # one replica, asking twice
        winner = next(box for box, ok in zip(boxes * 2, won, strict=True) if ok)
        await winner.release("conv")
        assert await boxes[0].claim("conv") or await boxes[1].claim("conv")
    finally:
        for box in boxes:
            await box.stop()
