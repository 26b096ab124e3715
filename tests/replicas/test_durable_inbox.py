"""Webhooks acknowledged by a replica that then dies are finished by another replica."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from connectors.inbound import InboundLog, durable_inbox


async def test_a_dead_replicas_unfinished_webhooks_are_run_by_the_other_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    replayed: list[tuple[str, str, dict[str, Any]]] = []

    async def replay(key: str, conversation_id: str, payload: dict[str, Any]) -> None:
        replayed.append((key, conversation_id, payload))

    async def nothing(*_: Any) -> None:
        return None

    dead = InboundLog(url, "whatsapp", lease_seconds=0.5, poll_seconds=0.1)
    await dead.start(nothing)
    await dead.accept("twilio:SM1", "wa-1", {"Body": ["where is my order?"]})
    await dead.accept("twilio:SM2", "wa-2", {"Body": ["hi"]})
    await dead.done("twilio:SM2")  # answered before the crash
    # A retry of a message in the inbox is not run again (its replica, or the next, will).
    assert await dead.accept("twilio:SM1", "wa-1", {"Body": ["a platform retry"]}) is False
    await dead.stop()  # the replica dies: nobody renews SM1's lease

    survivor = InboundLog(url, "whatsapp", lease_seconds=0.5, poll_seconds=0.1)
    other = InboundLog(url, "whatsapp", lease_seconds=0.5, poll_seconds=0.1)
    await survivor.start(replay)
    await other.start(replay)
    try:
        for _ in range(50):
            if replayed:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # long enough for a second claim, if leases were broken
        assert replayed == [("twilio:SM1", "wa-1", {"Body": ["where is my order?"]})]
    finally:
        await survivor.stop()
        await other.stop()


async def test_a_live_replicas_slow_turn_is_not_taken_from_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    replayed: list[str] = []

    async def replay(key: str, *_: Any) -> None:
        replayed.append(key)

    busy = InboundLog(url, "whatsapp", lease_seconds=0.4, poll_seconds=0.1)
    watcher = InboundLog(url, "whatsapp", lease_seconds=0.4, poll_seconds=0.1)
    await busy.start(replay)
    await watcher.start(replay)
    try:
        await busy.accept("twilio:SM9", "wa-9", {"Body": ["a long turn"]})
        await asyncio.sleep(1.5)  # several leases long: renewed by the replica running it
        assert replayed == []
        await busy.done("twilio:SM9")
    finally:
        await busy.stop()
        await watcher.stop()


def test_one_process_keeps_its_turns_in_memory_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert durable_inbox("whatsapp") is None
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:////tmp/never-opened.db")
    assert isinstance(durable_inbox("whatsapp"), InboundLog)


async def test_an_answered_turn_whose_row_was_not_deleted_is_not_run_again(
    tmp_path: Path,
) -> None:
    """The soak duplicate: the bot answered and set the dedupe key, but deleting the row
    failed (PostgreSQL down), so its lease ran out and the row was claimed and run again."""
    from connectors.dedupe import MemoryDeduplicator

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    dedupe = MemoryDeduplicator()
    replayed: list[str] = []

    async def replay(key: str, *_: Any) -> None:
        replayed.append(key)

    first = InboundLog(url, "whatsapp", lease_seconds=0.3, poll_seconds=0.1)
    await first.start(replay, answered=dedupe.seen)
    await first.accept("twilio:SM7", "wa-7", {"Body": ["answered already"]})
    await first.accept("twilio:SM8", "wa-8", {"Body": ["not answered yet"]})
    # SM7's turn ended: the "answered" mark is set, then the row's delete fails (database
    # down), so nobody renews its lease any more.
    await dedupe.first_time("twilio:SM7")
    first._mine.discard("twilio:SM7")
    await first.stop()

    survivor = InboundLog(url, "whatsapp", lease_seconds=0.3, poll_seconds=0.1)
    await survivor.start(replay, answered=dedupe.seen)
    try:
        for _ in range(40):
            if replayed:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.8)  # several leases: time for the answered row to be re-run
        assert replayed == ["twilio:SM8"]  # SM7 is answered: forgotten, not run again
        assert [k for k, *_ in await survivor.claim_orphans()] == []  # and its row is gone
    finally:
        await survivor.stop()
