"""The one entry point the API, the report and the benchmark share: a cut in, figures out."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional

from analytics.cache import TicketCache, TrackerCache
from analytics.cut import Cut
from analytics.metrics import compute
from analytics.sources import attach_tickets, load, read_tickets

_paused = 0  # calls running; the first turns the collector off, the last back on
_was_enabled = True
_paused_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the records are walked.

    100,000 records with their lists make every full collection walk them all; pausing it for
    the second this takes cuts the time by a third. Reference counting still frees memory.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


def metrics_for(
    tracker_url: str,
    handoff_url: str,
    cut: Cut,
    cache: Optional[TrackerCache] = None,
    ticket_cache: Optional[TicketCache] = None,
) -> dict[str, Any]:
    """Read the range of ``cut`` from both databases and compute every figure.

    With a ``cache`` (the handoff service keeps one per tracker store) only the events
    written since the previous call are read, when the range is one the cache covers; with
    a ``ticket_cache`` the tickets are read only when they changed.
    Synchronous (SQL and arithmetic): the handoff service runs it in a worker thread.
    """
    with collector_paused():
        if cache is None or not cache.covers(cut.start_ts):
            return compute(load(tracker_url, handoff_url, cut.start_ts, cut.end_ts), cut)
        return _cached(handoff_url, cut, cache, ticket_cache)


def _cached(
    handoff_url: str, cut: Cut, cache: TrackerCache, ticket_cache: Optional[TicketCache]
) -> dict[str, Any]:
    with cache.lock:
        conversations = cache.conversations()
        if ticket_cache is not None:
            tickets = ticket_cache.tickets(cut.start_ts, cut.end_ts)
        else:
            tickets = read_tickets(handoff_url, cut.start_ts, cut.end_ts)
        return compute(attach_tickets(conversations, tickets, cut.start_ts, cut.end_ts), cut)
