"""Web chat events that reach a customer's socket whichever Rasa replica holds it.

A web chat customer's socket is connected to one Rasa replica (nginx keeps it there), and
their turns run on that replica, so the bot's answers are emitted locally. Two things can
happen elsewhere: an agent's message arrives through the relay on *another* replica (the
handoff service calls whichever one nginx picks), and the same customer may have a second tab
open on another replica. So each event for a conversation's room is

1. emitted to this replica's sockets at once (never waiting on Redis), then
2. published on a Redis channel (``baton:webchat:events``) that every replica subscribes to;
   each other replica emits it to its own sockets in the room, in the order it was published.

Without ``REDIS_URL`` (``make run``) only step 1 happens, exactly as before.

When Redis cannot be reached, local sockets still get everything. A caller that *must* reach
the customer (the relay) passes ``required=True``: if nobody here is in the room and the
event could not be published, :class:`FanoutUnavailable` is raised so the caller can answer
"try again later" instead of losing the message. After a failure, publishing is skipped for
a moment (``retry_after``) so a Redis outage does not slow every turn down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from typing import Any, Optional

from infra.pubsub import listen_forever

logger = logging.getLogger(__name__)

CHANNEL = "baton:webchat:events"
NAMESPACE = "/"


class FanoutUnavailable(Exception):
    """The event could reach neither a local socket nor the other replicas."""


class RoomFanout:
    """Emit socket.io events to a room on this replica and, through Redis, on the others."""

    def __init__(
        self,
        sio: Any,
        redis_url: Optional[str] = None,
        channel: str = CHANNEL,
        retry_after: float = 1.0,
    ) -> None:
        self.sio = sio
        self.redis_url = redis_url or None
        self.channel = channel
        self.replica = uuid.uuid4().hex[:12]
        self._retry_after = retry_after
        self._redis: Any = None
        self._listener: Optional[asyncio.Task[None]] = None
        self._listening = asyncio.Event()
        self._down_until = 0.0
        self._failing = False

    @property
    def shared(self) -> bool:
        return self.redis_url is not None

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        if self.redis_url is None or self._listener is not None:
            return
        import redis.asyncio as aioredis

        self._listening = asyncio.Event()
        self._redis = aioredis.Redis.from_url(
            self.redis_url, socket_timeout=2, socket_connect_timeout=0.5
        )
        self._listener = asyncio.ensure_future(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.close()
            self._redis = None

    async def wait_until_listening(self, timeout: float = 5.0) -> bool:
        if self.redis_url is None:
            return True
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout)
        return self._listening.is_set()

    # --- emitting ----------------------------------------------------------------------

    def has_local(self, room: str) -> bool:
        """Whether a socket on this replica is in ``room``."""
        try:
            return any(True for _ in self.sio.manager.get_participants(NAMESPACE, room))
        except KeyError:  # no socket has ever connected here
            return False

    async def emit(self, event: str, data: Any, room: str, required: bool = False) -> None:
        """Emit ``event`` to everyone in ``room``, here and on the other replicas."""
        local = self.has_local(room)
        if local:
            await self.sio.emit(event, data, room=room)
        if self._redis is None:
            if required and not local and self.shared:
                raise FanoutUnavailable("the web chat fan-out is not running")
            return
        published = await self._publish(event, data, room)
        if required and not local and not published:
            raise FanoutUnavailable("Redis is unreachable and the customer's socket is elsewhere")

    async def _publish(self, event: str, data: Any, room: str) -> bool:
        if time.monotonic() < self._down_until:
            return False
        message = json.dumps({"origin": self.replica, "event": event, "data": data, "room": room})
        try:
            try:
                await self._redis.publish(self.channel, message)
            except Exception:  # once more: a pooled connection may have died with a restart
                await self._redis.publish(self.channel, message)
        except Exception as exc:
            self._down_until = time.monotonic() + self._retry_after
            if not self._failing:
                logger.warning(
                    "Redis unreachable for web chat fan-out (%s): sockets on other replicas "
                    "miss events until it is back",
                    type(exc).__name__,
                )
                self._failing = True
            return False
        if self._failing:
            logger.info("Redis reachable again: web chat events reach every replica")
            self._failing = False
        return True

    # --- receiving ---------------------------------------------------------------------

    async def _listen(self) -> None:
        await listen_forever(
            self._redis,
            self.channel,
            self._received,
            self._listening,
            on_error=lambda exc: logger.debug(
                "web chat fan-out subscriber reconnecting (%s)", type(exc).__name__
            ),
        )

    async def _received(self, raw: Any) -> None:
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            logger.warning("ignored a malformed web chat event from Redis")
            return
        if not isinstance(message, dict) or message.get("origin") == self.replica:
            return
        room, event = message.get("room"), message.get("event")
        if isinstance(room, str) and isinstance(event, str) and self.has_local(room):
            await self.sio.emit(event, message.get("data"), room=room)
