"""Answer each inbound message once, however many times the platform delivers it.

Twilio can repeat a webhook (same ``MessageSid``); Slack retries an event it thinks failed
(same ``event_id``, with ``X-Slack-Retry-Num``) and sends an ``app_mention`` *and* a
``message`` event for one post that mentions the bot. The connectors turn each of these into
a key and ask :meth:`Deduplicator.first_time` before doing any work.

* :class:`MemoryDeduplicator` is right for one Rasa server process (``make run``).
* :class:`RedisDeduplicator` is for several replicas (the production profile, ``REDIS_URL``):
  a retry that lands on another replica must still be recognised, so the keys live in Redis
  (``SET baton:dedupe:<key> 1 NX EX <ttl>``: atomic, so two replicas receiving the same
  retry at the same moment cannot both win).

:func:`default_deduplicator` picks one from the environment; the channels call it when they
are not given one.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Optional, Protocol

logger = logging.getLogger(__name__)


class Deduplicator(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen within the time-to-live, False after that."""
        ...

    async def seen(self, key: str) -> bool:
        """Whether ``key`` was remembered, without remembering it."""
        ...


class MemoryDeduplicator:
    """A bounded time-to-live set: old keys expire, and the oldest go first when full."""

    def __init__(
        self,
        ttl_seconds: float = 3600,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> expiry, oldest first

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self, now: float) -> None:
        while self._seen:
            _key, expires = next(iter(self._seen.items()))
            if expires > now and len(self._seen) <= self.max_keys:
                break
            self._seen.popitem(last=False)

    def seen_before(self, key: str) -> bool:
        """Synchronous check-and-remember (the async method is the protocol)."""
        now = self._clock()
        self._expire(now)
        expires = self._seen.get(key)
        if expires is not None and expires > now:
            return True
        self._seen[key] = now + self.ttl
        self._seen.move_to_end(key)
        self._expire(now)
        return False

    async def first_time(self, key: str) -> bool:
        return not self.seen_before(key)

    async def seen(self, key: str) -> bool:
        expires = self._seen.get(key)
        return expires is not None and expires > self._clock()


class RedisDeduplicator:
    """Keys shared by every replica, in Redis, each expiring after ``ttl_seconds``.

    If Redis cannot be reached the message is **answered** rather than dropped: losing a
    customer's message is worse than, rarely, answering a platform's retry twice. A local
    :class:`MemoryDeduplicator` still catches retries that reach this same replica then.
    """

    def __init__(
        self,
        url: str,
        ttl_seconds: float = 3600,
        prefix: str = "baton:dedupe:",
        client: Optional[Any] = None,
    ) -> None:
        import redis.asyncio as aioredis

        self.ttl = max(1, int(ttl_seconds))
        self.prefix = prefix
        self._redis = client or aioredis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2
        )
        self._local = MemoryDeduplicator(ttl_seconds=ttl_seconds)
        self._failing = False

    async def first_time(self, key: str) -> bool:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError

        try:
            try:
                was_set = await self._redis.set(self.prefix + key, "1", nx=True, ex=self.ttl)
            except RedisConnectionError:  # once more: the pooled connection may be stale
                was_set = await self._redis.set(self.prefix + key, "1", nx=True, ex=self.ttl)
        except (RedisError, OSError) as exc:
            if not self._failing:
                logger.warning(
                    "Redis unreachable for webhook de-duplication (%s); checking this replica "
                    "only until it is back",
                    type(exc).__name__,
                )
                self._failing = True
            return await self._local.first_time(key)
        if self._failing:
            logger.info("Redis reachable again for webhook de-duplication")
            self._failing = False
        self._local.seen_before(key)  # remembered here too, for when Redis goes away
        return bool(was_set)

    async def seen(self, key: str) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(await self._redis.exists(self.prefix + key))
        except (RedisError, OSError):
            return await self._local.seen(key)

    async def close(self) -> None:
        await self._redis.close()


def default_deduplicator(ttl_seconds: float) -> Deduplicator:
    """Redis-backed when ``REDIS_URL`` is set (several replicas), in memory otherwise."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return RedisDeduplicator(url, ttl_seconds=ttl_seconds)
    return MemoryDeduplicator(ttl_seconds=ttl_seconds)
