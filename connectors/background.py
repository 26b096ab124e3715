"""Run the dialogue after the webhook has been answered.

Twilio gives up on a webhook after 15 s and Slack retries after 3 s, so the connectors answer
at once and hand the turn to a :class:`TurnRunner`. The runner

* creates the task on the app's running event loop and keeps a strong reference to it until
  it ends (the loop itself only keeps weak ones, so an unreferenced task can vanish mid-turn);
* runs one conversation's turns one at a time, in the order the messages arrived (tasks take
  a per-conversation FIFO lock as their first step, and tasks start in creation order);
* catches a failing turn, logs it for that conversation only, without personal data, and
  calls the channel's ``on_error`` (which apologises to the customer);
* refuses new work when too much is already waiting, so an overloaded server answers 503
  *before* a message is marked as seen and the platform can retry it later;
* offers :func:`dialogue_slot`, which lets at most ``BATON_CHANNEL_TURNS`` dialogue turns
  (all channels together) run at once. Rasa does its NLU and policy arithmetic
  synchronously on the event loop, so every turn in flight adds work the loop must get
  through before it can answer the next webhook; two at a time keeps acknowledgements fast
  and loses no throughput on a 2-core machine (waiting turns cost nothing). Sending the
  replies happens outside the slot, so a slow platform API does not hold it;
* lets the server wait for turns in flight when it stops (:meth:`drain`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Optional

from connectors.logsafe import describe, log_failure

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENT_TURNS = 2
_slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def dialogue_slot() -> asyncio.Semaphore:
    """``async with dialogue_slot():`` around a background turn's dialogue (one limit for every
    channel on this event loop)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        try:
            size = int(os.environ.get("BATON_CHANNEL_TURNS") or DEFAULT_CONCURRENT_TURNS)
        except ValueError:
            size = DEFAULT_CONCURRENT_TURNS
        slots = _slots[loop] = asyncio.Semaphore(max(1, size))
    return slots


Work = Callable[[], Awaitable[None]]
OnError = Callable[[BaseException], Awaitable[None]]


class TurnRunner:
    def __init__(self, channel: str, max_pending: int = 5000) -> None:
        self.channel = channel
        self.max_pending = max_pending
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def has_room(self) -> bool:
        return len(self._tasks) < self.max_pending

    def submit(
        self, conversation_id: str, work: Work, on_error: Optional[OnError] = None
    ) -> asyncio.Task[None]:
        """Schedule ``work`` for a conversation on the running loop and return at once."""
        task = asyncio.get_running_loop().create_task(
            self._run(conversation_id, work, on_error), name=f"{self.channel}:{conversation_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, conversation_id: str, work: Work, on_error: Optional[OnError]) -> None:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] = self._users.get(conversation_id, 0) + 1
        try:
            async with lock:
                try:
                    await work()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log_failure(logger, f"{self.channel} turn", conversation_id, exc)
                    if on_error is not None:
                        try:
                            await on_error(exc)
                        except Exception as second:
                            logger.error(
                                "%s: could not tell conversation %s about a failure: %s",
                                self.channel,
                                conversation_id,
                                describe(second),
                            )
        finally:
            left = self._users[conversation_id] - 1
            if left:
                self._users[conversation_id] = left
            else:
                del self._users[conversation_id]
                del self._locks[conversation_id]

    async def drain(self, timeout: float = 10) -> None:
        """Wait (up to ``timeout`` seconds) for the turns in flight; cancel what is left."""
        if not self._tasks:
            return
        _done, left = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in left:
            task.cancel()
        if left:
            logger.warning("%s: %d turn(s) cancelled at shutdown", self.channel, len(left))
