"""One Redis pub/sub subscriber loop, shared by the web chat fan-out and the live console.

Both need the same thing from Redis: stay subscribed to one channel for the life of the
process, hand every message to a callback, and survive Redis going away (a restart, a network
blip) without a restart of their own — resubscribing with a capped backoff and saying, through
``listening``, whether events from other replicas can arrive right now.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Optional

MIN_BACKOFF = 0.2
MAX_BACKOFF = 2.0


async def listen_forever(
    redis: Any,
    channel: str,
    deliver: Callable[[Any], Awaitable[None]],
    listening: asyncio.Event,
    *,
    on_subscribed: Optional[Callable[[], Awaitable[None]]] = None,
    on_error: Optional[Callable[[BaseException], None]] = None,
) -> None:
    """Deliver each message's data on ``channel`` until cancelled, resubscribing after errors.

    ``listening`` is set while subscribed and cleared while Redis is unreachable;
    ``on_subscribed`` runs after each (re)subscription, ``on_error`` with each failure.
    """
    backoff = MIN_BACKOFF
    while True:
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel)
            listening.set()
            backoff = MIN_BACKOFF
            if on_subscribed is not None:
                await on_subscribed()
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    await deliver(message.get("data"))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            listening.clear()
            if on_error is not None:
                on_error(exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.close()
