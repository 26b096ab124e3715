"""Webhook de-duplication shared by replicas: a platform's retry is answered once, wherever it
lands, and a Redis outage never drops a customer's message."""

from __future__ import annotations

import asyncio

import pytest

from connectors.dedupe import MemoryDeduplicator, RedisDeduplicator, default_deduplicator
from tests.lock_store.conftest import RedisServer


async def test_a_retry_landing_on_the_other_replica_is_recognised(
    redis_server: RedisServer,
) -> None:
    first, second = RedisDeduplicator(redis_server.url), RedisDeduplicator(redis_server.url)
    try:
        assert await first.first_time("whatsapp:SM123") is True
        assert await second.first_time("whatsapp:SM123") is False
        assert await second.first_time("whatsapp:SM124") is True
    finally:
        await first.close()
        await second.close()


async def test_the_same_message_arriving_at_both_replicas_at_once_is_answered_once(
    redis_server: RedisServer,
) -> None:
    replicas = [RedisDeduplicator(redis_server.url) for _ in range(2)]
    try:
        for n in range(20):
            key = f"slack-event:Ev{n}"
            answers = await asyncio.gather(*(r.first_time(key) for r in replicas * 3))
            assert answers.count(True) == 1, key
    finally:
        for r in replicas:
            await r.close()


async def test_keys_expire_after_their_time_to_live(redis_server: RedisServer) -> None:
    dedupe = RedisDeduplicator(redis_server.url, ttl_seconds=1)
    try:
        assert await dedupe.first_time("k") is True
        assert await dedupe.first_time("k") is False
        await asyncio.sleep(1.2)
        dedupe._local = MemoryDeduplicator(ttl_seconds=1)  # this replica restarted meanwhile
        assert await dedupe.first_time("k") is True
    finally:
        await dedupe.close()


async def test_with_redis_down_messages_are_answered_not_dropped_and_local_retries_caught(
    redis_server: RedisServer,
) -> None:
    dedupe = RedisDeduplicator(redis_server.url)
    try:
        assert await dedupe.first_time("before") is True
        redis_server.stop()
        assert await dedupe.first_time("during") is True  # answered, not lost
        assert await dedupe.first_time("during") is False  # a retry to this replica
        assert await dedupe.first_time("before") is False  # remembered here as well
        redis_server.start()
        assert await dedupe.first_time("after") is True
        assert await dedupe.first_time("after") is False
    finally:
        await dedupe.close()


def test_redis_is_used_only_when_redis_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(default_deduplicator(60), MemoryDeduplicator)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert isinstance(default_deduplicator(60), RedisDeduplicator)
