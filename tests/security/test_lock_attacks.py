"""Item 8: a turn longer than the Redis lock lifetime.

The conversation lock lived 60 s and was never renewed, while an action may take 300 s: a
second replica then took the lock and ran the same conversation, and the tracker save silently
dropped one turn's events. Now the holder renews the lock while its turn runs, and the tracker
store refuses a save over a turn that was saved after it read the conversation.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.lock_store import AtomicRedisLockStore
from bot.tracker_store import BatonSQLTrackerStore, TrackerConflict
from tests.lock_store.conftest import RedisServer, redis_server  # noqa: F401 - fixture


async def test_a_turn_saved_over_a_newer_one_is_refused_not_dropped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    replica_a, replica_b = BatonSQLTrackerStore(url=url), BatonSQLTrackerStore(url=url)
    await replica_a.save(DialogueStateTracker.from_events("conv", [UserUttered("hello")]))

    slow = await replica_a.retrieve("conv")  # replica A's turn starts (and outlives its lock)
    fast = await replica_b.retrieve("conv")  # replica B took the lock and runs the next turn
    assert slow is not None and fast is not None
    fast.update(UserUttered("second message"))
    fast.update(BotUttered("answer to the second"))
    await replica_b.save(fast)

    slow.update(BotUttered("answer to the first"))
    with pytest.raises(TrackerConflict):
        await replica_a.save(slow)
    stored = await BatonSQLTrackerStore(url=url, cache=False).retrieve("conv")
    assert stored is not None
    texts = [getattr(e, "text", None) for e in stored.events]
    assert "second message" in texts and "answer to the second" in texts
    for store in (replica_a, replica_b):
        store.engine.dispose()


async def test_saving_the_same_turn_twice_is_not_a_conflict(tmp_path: Path) -> None:
    store = BatonSQLTrackerStore(url=f"sqlite:///{tmp_path / 'tracker.db'}")
    tracker = DialogueStateTracker.from_events("conv", [UserUttered("hi")])
    await store.save(tracker)
    again = await store.retrieve("conv")
    assert again is not None
    again.update(BotUttered("hello"))
    await store.save(again)
    again.update(UserUttered("where is my order"))
    await store.save(again)
    store.engine.dispose()


async def test_a_turn_longer_than_the_lock_lifetime_keeps_the_lock(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    store = AtomicRedisLockStore(url=redis_server.url, key_prefix="test:renew:")
    second_took_it = asyncio.Event()

    async def second_replica() -> None:
        async with store.lock("conv", lock_lifetime=5.0):
            second_took_it.set()

    try:
        async with store.lock("conv", lock_lifetime=0.6):
            waiting = asyncio.ensure_future(second_replica())
            await asyncio.sleep(2.0)  # more than three lifetimes
            assert not second_took_it.is_set(), "another replica ran the same conversation"
        await asyncio.wait_for(waiting, 5)
        assert second_took_it.is_set()
    finally:
        await store.close()
