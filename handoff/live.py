"""Live updates for the agent console over WebSocket, across every handoff replica.

Every open console holds one socket to one handoff replica. The service publishes small JSON
events — a ticket opened, claimed, closed or rated, a message added — and each console
refreshes what it shows.

* **One process** (``make run``, no ``REDIS_URL``): the hub sends each event to its own sockets.
* **Several replicas** (the production profile): an agent's console is connected to one
  replica, but the event may happen on another (the customer's message was forwarded there,
  or a colleague replied through it). Each event is published on a Redis channel
  (``baton:handoff:live``); every replica subscribes and sends what arrives to its own
  sockets, in the order Redis delivered it. The replicas also share which agents have a
  console open (a heartbeat on the same channel), so "agents online" counts them wherever
  they are connected.

If Redis cannot be reached, events still reach the consoles on the replica where they
happened (and the log says so); the subscriber reconnects by itself, and a console that
reconnects reloads its lists, so nothing stays stale once Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from collections import Counter
from typing import Any, Optional, Protocol

from infra.pubsub import listen_forever

logger = logging.getLogger(__name__)

CHANNEL = "baton:handoff:live"
PRESENCE_EVERY = 10.0  # seconds between heartbeats of the agents connected to a replica
PRESENCE_TTL = 3 * PRESENCE_EVERY  # a replica that stopped beating no longer counts


class Socket(Protocol):
    async def send(self, data: str) -> None: ...


class Hub:
    """The consoles connected to this replica, and (with Redis) the way to reach the others."""

    def __init__(self, redis_url: Optional[str] = None, channel: str = CHANNEL) -> None:
        self._sockets: dict[Socket, int] = {}  # socket -> agent id
        self._lock = asyncio.Lock()
        self.redis_url = redis_url or None
        self.channel = channel
        self.replica = uuid.uuid4().hex[:12]
        self._redis: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        self._remote: dict[str, tuple[float, set[int]]] = {}  # replica -> (expires, agents)
        self._redis_failing = False

    @classmethod
    def from_env(cls) -> Hub:
        """Shared through Redis when ``REDIS_URL`` is set; this process only otherwise."""
        return cls(os.environ.get("REDIS_URL", "").strip() or None)

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to the other replicas' events (nothing to do without Redis)."""
        if self.redis_url is None or self._tasks:
            return
        import redis.asyncio as aioredis

        self._redis = aioredis.Redis.from_url(
            self.redis_url, socket_timeout=5, socket_connect_timeout=2
        )
        self._tasks = [
            asyncio.ensure_future(self._listen()),
            asyncio.ensure_future(self._heartbeat()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self._listening.clear()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.close()
            self._redis = None

    async def wait_until_listening(self, timeout: float = 5.0) -> bool:
        """True once subscribed to the shared channel (tests and health checks)."""
        if self.redis_url is None:
            return True
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout)
        return self._listening.is_set()

    # --- sockets -----------------------------------------------------------------------

    def add(self, socket: Socket, agent_id: int) -> None:
        self._sockets[socket] = agent_id
        self._beat_soon()

    def remove(self, socket: Socket) -> None:
        if self._sockets.pop(socket, None) is not None:
            self._beat_soon()

    def connected_agents(self) -> set[int]:
        """Agents with a console open on any replica."""
        now = time.monotonic()
        agents = set(self._sockets.values())
        for replica, (expires, remote) in list(self._remote.items()):
            if expires < now:
                del self._remote[replica]
            else:
                agents |= remote
        return agents

    def connections(self) -> Counter[int]:
        """Open consoles per agent on this replica."""
        return Counter(self._sockets.values())

    # --- events ------------------------------------------------------------------------

    async def publish(self, event: dict[str, Any]) -> None:
        """Send ``event`` to every console, on every replica."""
        data = json.dumps(event, default=str)
        if self._redis is not None and self._listening.is_set():
            envelope = json.dumps({"event": data})
            for attempt in (1, 2):  # a pooled connection may have died with a Redis restart
                try:
                    await self._redis.publish(self.channel, envelope)
                    self._redis_ok()
                    return  # our own subscriber delivers it here too, in Redis's order
                except Exception as exc:
                    if attempt == 2:
                        self._redis_down(exc)
        await self._send_local(data)

    async def _send_local(self, data: str) -> None:
        if not self._sockets:
            return
        async with self._lock:  # one event at a time: consoles see them in order
            sockets = list(self._sockets)
            results = await asyncio.gather(
                *(asyncio.wait_for(s.send(data), 5) for s in sockets), return_exceptions=True
            )
        for socket, result in zip(sockets, results, strict=True):
            if isinstance(result, BaseException):
                logger.info("a console socket went away")
                self.remove(socket)

    # --- Redis -------------------------------------------------------------------------

    def _redis_down(self, exc: BaseException) -> None:
        if not self._redis_failing:
            logger.warning(
                "Redis unreachable for live console updates (%s): consoles on other replicas "
                "miss updates until it is back",
                type(exc).__name__,
            )
            self._redis_failing = True

    def _redis_ok(self) -> None:
        if self._redis_failing:
            logger.info("Redis reachable again: live console updates reach every replica")
            self._redis_failing = False

    async def _listen(self) -> None:
        """Receive every replica's events (ours included) and send them to our sockets."""
        await listen_forever(
            self._redis,
            self.channel,
            self._received,
            self._listening,
            on_subscribed=self._subscribed,
            on_error=self._redis_down,
        )

    async def _subscribed(self) -> None:
        self._redis_ok()
        await self._beat()

    async def _received(self, raw: Any) -> None:
        try:
            envelope = json.loads(raw)
        except (TypeError, ValueError):
            logger.warning("ignored a malformed live update from Redis")
            return
        if not isinstance(envelope, dict):
            return
        presence = envelope.get("presence")
        if isinstance(presence, dict):
            replica = str(presence.get("replica") or "")
            if replica and replica != self.replica:
                agents = {int(a) for a in presence.get("agents") or [] if str(a).isdigit()}
                self._remote[replica] = (time.monotonic() + PRESENCE_TTL, agents)
            return
        data = envelope.get("event")
        if isinstance(data, str):
            await self._send_local(data)

    async def _beat(self) -> None:
        if self._redis is None:
            return
        presence = {"replica": self.replica, "agents": sorted(set(self._sockets.values()))}
        await self._redis.publish(self.channel, json.dumps({"presence": presence}))

    def _beat_soon(self) -> None:
        if self._redis is None or not self._listening.is_set():
            return
        task = asyncio.ensure_future(self._beat())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_EVERY)
            with contextlib.suppress(Exception):  # _listen reports Redis being down
                await self._beat()
