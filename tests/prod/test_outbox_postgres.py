"""The handoff outbox on PostgreSQL (the tracker store's database in the production profile),
shared by two Rasa replicas: the scenarios of tests/replicas/test_outbox_replicas.py, on a
real PostgreSQL server, where concurrent transactions really run side by side."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from connectors.outbox import Outbox
from tests.replicas.test_outbox_replicas import HandoffService, _drain


async def test_two_replicas_forward_each_conversation_in_order_once(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("outbox")
    service = HandoffService()
    boxes = [Outbox(url, service.forward, max_backoff=0.05, poll_seconds=0.1) for _ in range(2)]
    await asyncio.gather(*(box.start() for box in boxes))  # both create the tables at once
    try:

        async def customer(n: int) -> None:
            for i in range(12):  # each turn on either replica, one after another
                await random.choice(boxes).enqueue(f"conv-{n}", f"message {i}")
                await asyncio.sleep(random.random() * 0.01)

        await asyncio.gather(*(customer(n) for n in range(8)))
        await _drain(*boxes)
        assert service.overlaps == 0
        for n in range(8):
            assert service.received[f"conv-{n}"] == [f"message {i}" for i in range(12)]
    finally:
        for box in boxes:
            await box.stop()


async def test_a_lease_is_held_by_one_replica_at_a_time(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("leases")

    async def noop(*_: object) -> None:
        return None

    boxes = [Outbox(url, noop, lease_seconds=30) for _ in range(3)]
    for box in boxes:
        await box.start()
    try:
        for round_ in range(5):  # races on a missing lease row and on an existing one
            won = await asyncio.gather(*(box.claim(f"conv-{round_}") for box in boxes * 2))
            winners = {id(box) for box, ok in zip(boxes * 2, won, strict=True) if ok}
            assert len(winners) == 1, f"round {round_}: {len(winners)} replicas hold the lease"
    finally:
        for box in boxes:
            await box.stop()


async def test_a_dead_replicas_lease_is_taken_over_after_it_expires(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("takeover")
    service = HandoffService()
    dead = Outbox(url, service.forward, lease_seconds=1.0, poll_seconds=0.2)
    await dead.start()
    await dead.stop()  # as if it crashed while holding the lease below
    await dead.enqueue("conv", "first")
    await dead.enqueue("conv", "second")
    assert await dead.claim("conv")
    survivor = Outbox(url, service.forward, lease_seconds=1.0, poll_seconds=0.2)
    await survivor.start()
    try:
        await asyncio.sleep(0.5)
        assert service.received == {}
        await _drain(survivor, timeout=10)
        assert service.received == {"conv": ["first", "second"]}
    finally:
        await survivor.stop()
        await dead.stop()
