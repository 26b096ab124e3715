"""The one entry point the API, the report and the benchmark share: a cut in, figures out."""

from __future__ import annotations

from typing import Any, Optional

from analytics.cache import TicketCache, TrackerCache
from analytics.cut import Cut
from analytics.metrics import compute
from analytics.sources import attach_tickets, load, read_tickets


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
    if cache is None or not cache.covers(cut.start_ts):
        return compute(load(tracker_url, handoff_url, cut.start_ts, cut.end_ts), cut)
    with cache.lock:
        conversations = cache.conversations()
        if ticket_cache is not None:
            tickets = ticket_cache.tickets(cut.start_ts, cut.end_ts)
        else:
            tickets = read_tickets(handoff_url, cut.start_ts, cut.end_ts)
        return compute(attach_tickets(conversations, tickets, cut.start_ts, cut.end_ts), cut)
