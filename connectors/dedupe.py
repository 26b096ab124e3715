"""Answer each inbound message once, however many times the platform delivers it.

Twilio can repeat a webhook (same ``MessageSid``); Slack retries an event it thinks failed
(same ``event_id``, with ``X-Slack-Retry-Num``) and sends an ``app_mention`` *and* a
``message`` event for one post that mentions the bot. The connectors turn each of these into
a key and ask :meth:`Deduplicator.first_time` before doing any work.

The in-memory store below is right for one Rasa server process. **With several replicas the
keys must live in a shared store**, or a retry that lands on another replica is answered
twice. The seam is the :class:`Deduplicator` protocol: a Redis version is
``SET baton:dedupe:<key> 1 NX EX <ttl>`` and returning whether it was set, passed to the
channel's constructor (``WhatsAppInput(..., dedupe=...)``, ``SlackInput(..., dedupe=...)``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class Deduplicator(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen within the time-to-live, False after that."""
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
