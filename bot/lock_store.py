"""A Redis lock store that holds when several Rasa replicas share conversations.

Rasa processes one message of a conversation at a time by taking the conversation's lock. Rasa
3.6's ``RedisLockStore`` keeps that lock as a JSON document that each replica reads, changes in
Python and writes back: two replicas that read it at the same moment both
see it free, both write "mine", and both run a turn on the same tracker — one turn's events
overwrite the other's. It also talks to Redis with the blocking client, on the event loop.

``AtomicRedisLockStore`` does every check-and-change inside Redis, in Lua scripts, which Redis
runs atomically:

* **fair queue**: a message takes a numbered place in the conversation's queue (``INCR`` +
  ``ZADD``), so messages of one conversation are processed in the order they arrived, as with
  Rasa's ticket lock;
* **atomic acquire with expiry**: a waiter becomes the holder only when it is first in the queue
  and no one else holds the lock, and the holder key is set with ``PX`` — a replica that dies
  mid-turn frees the conversation after the lock lifetime instead of blocking it for ever;
  waiters refresh their place while they poll, so a waiter that died drops out within seconds;
* **release only by the owner**: the holder key stores a random token and is deleted by a
  compare-and-delete script; a replica whose lock expired cannot free the lock someone else
  now holds;
* **time is Redis's** (``TIME``), so replicas with skewed clocks agree on expiry;
* **renewed while held**: a turn can outlast the lock lifetime (an action may take up to the
  action timeout, 300 s, against a 60 s lock), and another replica would then take the lock and
  run the same conversation. While the block runs, the holder extends its key every third of
  the lifetime (compare-and-extend, so only while it is still the holder); if it ever finds the
  lock gone it says so, and the tracker store refuses to save over a newer turn
  (bot/tracker_store.py, conditional saves);
* **Redis unreachable**: taking a lock waits and retries (logging why) for up to
  ``REDIS_LOCK_WAIT_SECONDS``, then fails with Rasa's ``LockError``; a conversation is never
  processed without its lock.

Configured in ``bot/endpoints.prod.yml``::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: ${REDIS_URL}
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis import asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

KEY_PREFIX = "baton:lock:"
#: How long a waiter's place in the queue lasts without a poll (a crashed waiter drops out).
WAITER_TTL_MS = 5_000
#: First and longest pause between two attempts to take a busy lock.
POLL_MIN_SECONDS = 0.002
POLL_MAX_SECONDS = 0.05

# KEYS: holder, queue (token -> place), alive (token -> deadline ms), seq
# ARGV: token, waiter ttl ms
_ENQUEUE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local place = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[2], place, ARGV[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
local keep = tonumber(ARGV[2]) * 4
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)
return place
"""

# KEYS: holder, queue, alive, seq
# ARGV: token, lock lifetime ms, waiter ttl ms
# Returns 1 = acquired, 0 = wait, -1 = our place expired (enqueue again).
_TRY_ACQUIRE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, token in ipairs(dead) do
  redis.call('ZREM', KEYS[2], token)
  redis.call('ZREM', KEYS[3], token)
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return -1
end
local keep = tonumber(ARGV[3]) * 4
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)
local holder = redis.call('GET', KEYS[1])
local first = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if (holder and holder ~= ARGV[1]) or first ~= ARGV[1] then
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""

# KEYS: holder, queue, alive, seq
# ARGV: token. Returns 1 if the caller still held the lock, 0 otherwise.
_RELEASE = """
local held = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  held = 1
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
end
return held
"""

# KEYS: holder. ARGV: token, lifetime ms. Returns 1 if extended, 0 if the lock is not ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _wait_seconds() -> float:
    return float(os.environ.get("REDIS_LOCK_WAIT_SECONDS", "30"))


class AtomicRedisLockStore(LockStore):
    """Per-conversation lock in Redis: fair, atomic, expiring, released only by its owner."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        url: Optional[str] = None,
        key_prefix: str = KEY_PREFIX,
        unavailable_wait_seconds: Optional[float] = None,
        socket_timeout: float = 5.0,
    ) -> None:
        url = (
            url or (endpoint_config.url if endpoint_config else None) or os.environ.get("REDIS_URL")
        )
        if not url:
            raise ValueError("AtomicRedisLockStore needs a Redis URL (lock_store.url or REDIS_URL)")
        self.url = url
        self.key_prefix = key_prefix
        self.unavailable_wait_seconds = (
            _wait_seconds() if unavailable_wait_seconds is None else unavailable_wait_seconds
        )
        self._socket_timeout = socket_timeout
        # redis.asyncio clients belong to the event loop that made them.
        self._clients: dict[int, aioredis.Redis] = {}
        super().__init__()

    # --- Redis plumbing -------------------------------------------------------------------

    def _client(self) -> aioredis.Redis:
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            client = aioredis.Redis.from_url(
                self.url,
                socket_timeout=self._socket_timeout,
                socket_connect_timeout=self._socket_timeout,
                health_check_interval=15,
            )
            self._clients[loop_id] = client
        return client

    def _keys(self, conversation_id: str) -> list[str]:
        # One hash tag per conversation keeps the four keys on one Redis Cluster slot.
        base = f"{self.key_prefix}{{{conversation_id}}}"
        return [base, f"{base}:queue", f"{base}:alive", f"{base}:seq"]

    async def _script(self, source: str, keys: list[str], *args: Any) -> int:
        return int(await self._client().eval(source, len(keys), *keys, *args))

    async def _patiently(self, source: str, keys: list[str], *args: Any) -> int:
        """Run a script, waiting out a Redis outage for up to ``unavailable_wait_seconds``."""
        deadline = time.monotonic() + self.unavailable_wait_seconds
        pause = 0.1
        warned = False
        while True:
            try:
                return await self._script(source, keys, *args)
            except _UNAVAILABLE as error:
                if time.monotonic() + pause > deadline:
                    raise LockError(
                        f"Redis lock store unreachable for {self.unavailable_wait_seconds:.0f} s "
                        f"({type(error).__name__}); the message was not processed"
                    ) from error
                if not warned:
                    logger.warning(
                        "Redis lock store unreachable (%s); waiting for it to come back",
                        type(error).__name__,
                    )
                    warned = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)

    # --- the lock -------------------------------------------------------------------------

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_MAX_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        """Hold ``conversation_id``'s lock for the block; waits its turn behind earlier messages.

        Raises ``LockError`` when the lock is not ours within ``lock_lifetime`` (the message
        ahead still runs) or Redis stays unreachable.
        """
        token = secrets.token_hex(16)
        keys = self._keys(conversation_id)
        await self.acquire(conversation_id, token, lock_lifetime, wait_time_in_seconds)
        renewer = asyncio.ensure_future(self._keep(conversation_id, token, keys, lock_lifetime))
        try:
            yield TicketLock(conversation_id)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await renewer
            await self.release(conversation_id, token, keys)

    async def renew(self, conversation_id: str, token: str, lock_lifetime: float) -> bool:
        """Extend the lock if ``token`` still holds it; False if it does not."""
        keys = self._keys(conversation_id)
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        return bool(await self._script(_RENEW, keys[:1], token, lifetime_ms))

    async def _keep(
        self, conversation_id: str, token: str, keys: list[str], lock_lifetime: float
    ) -> None:
        """Renew the lock every third of its lifetime while the turn runs."""
        interval = max(0.05, lock_lifetime / 3)
        while True:
            await asyncio.sleep(interval)
            try:
                held = await self.renew(conversation_id, token, lock_lifetime)
            except _UNAVAILABLE as error:
                logger.warning(
                    "could not renew a conversation lock (%s); trying again",
                    type(error).__name__,
                    extra={"conversation": conversation_id},
                )
                continue
            if not held:
                logger.error(
                    "a conversation lock was lost while its turn ran; the turn will not "
                    "overwrite a newer one (the tracker store checks before saving)",
                    extra={"conversation": conversation_id},
                )
                return

    async def acquire(
        self,
        conversation_id: str,
        token: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_MAX_SECONDS,
    ) -> None:
        keys = self._keys(conversation_id)
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        waiter_ttl = max(WAITER_TTL_MS, int(min(wait_time_in_seconds, 1.0) * 3000))
        longest_pause = max(POLL_MIN_SECONDS, min(wait_time_in_seconds, POLL_MAX_SECONDS))
        give_up = time.monotonic() + lock_lifetime
        await self._patiently(_ENQUEUE, keys, token, waiter_ttl)
        pause = POLL_MIN_SECONDS
        try:
            while True:
                state = await self._patiently(_TRY_ACQUIRE, keys, token, lifetime_ms, waiter_ttl)
                if state == 1:
                    return
                if state == -1:  # our place lapsed (a long Redis stall): queue again
                    await self._patiently(_ENQUEUE, keys, token, waiter_ttl)
                if time.monotonic() > give_up:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}' "
                        f"within {lock_lifetime:.0f} s."
                    )
                await asyncio.sleep(pause)
                pause = min(pause * 2, longest_pause)
        except BaseException:
            await self._forget(keys, token)
            raise

    async def release(
        self, conversation_id: str, token: str, keys: Optional[list[str]] = None
    ) -> bool:
        """Free the lock if ``token`` still holds it; True if it did. Never frees another's."""
        keys = keys or self._keys(conversation_id)
        try:
            held = await self._patiently(_RELEASE, keys, token)
        except LockError:
            logger.warning("Could not release a conversation lock; it expires by itself")
            return False
        if not held:
            logger.warning(
                "A conversation lock expired before its turn finished (lock lifetime too short?)"
            )
        return bool(held)

    async def _forget(self, keys: list[str], token: str) -> None:
        with contextlib.suppress(*_UNAVAILABLE):  # otherwise the place expires on its own
            await self._script(_RELEASE, keys, token)

    async def holder(self, conversation_id: str) -> Optional[str]:
        """The token holding the lock now, if any (for tests and diagnostics)."""
        value = await self._client().get(self._keys(conversation_id)[0])
        return value.decode() if isinstance(value, bytes) else value

    async def ping(self) -> bool:
        """Whether Redis answers (``/ready``)."""
        return bool(await self._client().ping())

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.close()

    # --- Rasa's synchronous ticket API ----------------------------------------------------
    # Rasa only ever calls ``lock()``. The ticket methods below read and write a whole lock
    # document non-atomically — the bug this class exists to avoid — so they refuse loudly
    # instead of quietly doing that.

    def _ticket_api(self, *_args: Any, **_kwargs: Any) -> Any:
        raise NotImplementedError(
            "AtomicRedisLockStore keeps no TicketLock documents; use `async with store.lock(id)`"
        )

    get_lock = _ticket_api
    save_lock = _ticket_api
    delete_lock = _ticket_api
    issue_ticket = _ticket_api
