"""What the production lock store promises, against a real redis-server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from tests.lock_store.conftest import RedisServer


@pytest.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[AtomicRedisLockStore]:
    s = AtomicRedisLockStore(url=redis_server.url, unavailable_wait_seconds=2)
    yield s
    await s.close()


async def test_rasa_builds_it_from_the_endpoints_file(redis_server: RedisServer) -> None:
    config = EndpointConfig(url=redis_server.url, type="bot.lock_store.AtomicRedisLockStore")
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    async with store.lock("from-config"):
        assert await store.holder("from-config") is not None
    assert await store.holder("from-config") is None
    await store.close()


async def test_messages_of_one_conversation_take_the_lock_in_arrival_order(
    store: AtomicRedisLockStore,
) -> None:
    order: list[int] = []

    async def message(n: int) -> None:
        async with store.lock("fifo"):
            order.append(n)
            await asyncio.sleep(0.01)

    from bot import lock_store as module

    queued = asyncio.Event()
    patiently = store._patiently

    async def noting_arrival(source: str, keys: list[str], *args: Any) -> int:
        result = await patiently(source, keys, *args)
        if source == module._ENQUEUE:
            queued.set()
        return result

    store._patiently = noting_arrival  # type: ignore[method-assign]
    tasks = []
    for n in range(8):
        queued.clear()
        tasks.append(asyncio.ensure_future(message(n)))
        # A message has arrived once it has its place in the queue; the next one comes after,
        # so a busy machine cannot reorder the arrivals themselves.
        await asyncio.wait_for(queued.wait(), 5)
    await asyncio.gather(*tasks)
    assert order == list(range(8))


async def test_a_lock_whose_holder_died_expires_after_its_lifetime(
    store: AtomicRedisLockStore,
) -> None:
    await store.acquire("crashed", "dead-replica", lock_lifetime=0.4)  # never released
    started = time.monotonic()
    async with store.lock("crashed"):
        waited = time.monotonic() - started
    assert 0.2 < waited < 3


async def test_an_expired_holder_cannot_release_the_next_holders_lock(
    store: AtomicRedisLockStore,
) -> None:
    await store.acquire("slow-turn", "slow", lock_lifetime=0.2)
    await asyncio.sleep(0.3)
    async with store.lock("slow-turn"):
        mine = await store.holder("slow-turn")
        assert await store.release("slow-turn", "slow") is False
        assert await store.holder("slow-turn") == mine


async def test_waiting_too_long_for_a_busy_conversation_raises_lock_error(
    store: AtomicRedisLockStore,
) -> None:
    await store.acquire("busy", "holder", lock_lifetime=30)
    try:
        with pytest.raises(LockError):
            async with store.lock("busy", lock_lifetime=0.3):
                pass  # pragma: no cover
        # the failed waiter left the queue: the next message is not stuck behind it
        assert await store.release("busy", "holder") is True
        async with store.lock("busy", lock_lifetime=1):
            pass
    finally:
        await store.release("busy", "holder")


async def test_a_waiter_that_died_does_not_block_the_queue(store: AtomicRedisLockStore) -> None:
    holder = asyncio.ensure_future(store.acquire("queue", "holder", lock_lifetime=5))
    await holder
    dead_waiter = asyncio.ensure_future(store.acquire("queue", "dead-waiter", lock_lifetime=5))
    await asyncio.sleep(0.05)
    dead_waiter.cancel()  # a replica that died while waiting: its place is given up
    with pytest.raises(asyncio.CancelledError):
        await dead_waiter
    await store.release("queue", "holder")
    async with store.lock("queue", lock_lifetime=1):
        pass


async def test_a_short_redis_outage_is_waited_out(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    server = RedisServer(tmp_path)
    server.start()
    store = AtomicRedisLockStore(url=server.url, unavailable_wait_seconds=10)
    try:
        async with store.lock("outage"):
            pass
        server.stop()
        restart = asyncio.get_running_loop().call_later(1.0, server.start)
        started = time.monotonic()
        async with store.lock("outage"):
            assert await store.holder("outage") is not None
        assert time.monotonic() - started >= 0.9
        restart.cancel()
    finally:
        await store.close()
        server.stop()


async def test_redis_down_for_too_long_is_a_clear_lock_error(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    server = RedisServer(tmp_path)  # its own server: this one is stopped
    server.start()
    store = AtomicRedisLockStore(url=server.url, unavailable_wait_seconds=0.5)
    server.stop()
    try:
        with pytest.raises(LockError, match="unreachable"):
            async with store.lock("down"):
                pass  # pragma: no cover
    finally:
        await store.close()


def test_it_needs_a_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ValueError, match="Redis URL"):
        AtomicRedisLockStore()
