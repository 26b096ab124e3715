"""Conversation records kept in memory, brought up to date by reading only the new events.

Reading a large tracker store from scratch costs seconds (the ``events`` table holds every
bot message and action too); after the first request the dashboard only needs what was
written since. The cache is a copy derived from the tracker store and checked against it on
every use: it remembers how many events existed up to the last one it read, and when that
count changes (a customer's conversations erased, old events trimmed, or — on PostgreSQL —
a transaction that committed a lower id late) it is rebuilt from the database. Tickets
change in place (claimed, closed, rated), so :class:`TicketCache` reads them all again
whenever a fingerprint of the tickets and messages tables changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Optional

import sqlalchemy as sa

from analytics.cut import MAX_DAYS
from analytics.events_index import ensure_analytics_index
from analytics.facts import ConversationFacts, TicketFacts
from analytics.sources import (
    SLACK_SECONDS,
    Reader,
    _fetch_raw,
    engine_for,
    events_query,
    read_tickets,
)
from handoff.store import tables as h
from infra.events_table import events

DAY = 86_400.0
# How far back the cache reads: the longest range anyone may ask for, and a day of slack.
KEEP_SECONDS = (MAX_DAYS + 1) * DAY + SLACK_SECONDS
# Start again (dropping the oldest) once the cache reaches this far back.
REBUILD_AFTER = KEEP_SECONDS + 30 * DAY


class TrackerCache:
    """Conversation records of one tracker store; use under :attr:`lock`.

    New events are read on every call (``id >`` the last one read: cheap). Whether events
    disappeared is checked at most every ``verify_seconds`` (counting a large table costs a
    fraction of a second): the number of events now must be the number at the previous check
    plus those written since, by id. Erased conversations thus leave the figures within that
    time (the figures are counts; no transcript is shown).
    """

    def __init__(
        self, url: str, clock: Callable[[], float] = time.time, verify_seconds: float = 60.0
    ) -> None:
        self.url = url
        self.clock = clock
        self.verify_seconds = verify_seconds
        self.lock = threading.Lock()
        self.rebuilds = 0
        self._checked_total = 0  # events in the table at the last consistency check
        self._checked_top = 0  # and the highest id then
        self._reset()

    def _reset(self) -> None:
        self.reader: Optional[Reader] = None
        self.since_ts = 0.0
        self.last_id = 0
        self._checked_at = -1e18  # time.monotonic() of the last consistency check

    def covers(self, start_ts: float) -> bool:
        """Whether a range starting at ``start_ts`` is inside what the cache reads."""
        return start_ts - SLACK_SECONDS >= self.clock() - KEEP_SECONDS

    def _still_consistent(self, conn: sa.engine.Connection) -> bool:
        """Remember the table's size; ``False`` if rows vanished (or appeared below the
        highest id seen, which a late PostgreSQL commit can do) since the last check."""
        e = events.c
        total, top = conn.execute(sa.select(sa.func.count(), sa.func.max(e.id))).one()
        added = conn.execute(
            sa.select(sa.func.count()).select_from(events).where(e.id > self._checked_top)
        ).scalar_one()
        consistent = self.reader is None or total == self._checked_total + added
        self._checked_at = time.monotonic()
        self._checked_total, self._checked_top = int(total), int(top or 0)
        return consistent

    def conversations(self) -> list[ConversationFacts]:
        """Every cached conversation, after reading the events written since the last call.

        The list and its records belong to the cache: read them while holding :attr:`lock`
        and do not change them.
        """
        engine = engine_for(self.url)
        if not sa.inspect(engine).has_table("events"):
            self._reset()
            return []
        now = self.clock()
        if self.reader is not None and now - self.since_ts > REBUILD_AFTER:
            self._reset()
        if self.reader is None or time.monotonic() - self._checked_at >= self.verify_seconds:
            with engine.connect() as conn:
                if not self._still_consistent(conn):
                    self._reset()  # the check just made is the new baseline
        if self.reader is None:
            ensure_analytics_index(engine)  # a full read: by the indexes, not the table
            self.reader = Reader()
            self.since_ts = now - KEEP_SECONDS
            self.rebuilds += 1
        statement = events_query(engine.dialect.name, since_ts=self.since_ts, after_id=self.last_id)
        last = self.reader.feed(_fetch_raw(engine, statement))
        self.reader.fill_channels(engine)
        self.last_id = max(self.last_id, last)
        return self.reader.conversations


class TicketCache:
    """The tickets of one handoff database, read again only when something changed.

    Opening, claiming, closing or rating a ticket, an agent's message, or an erasure changes
    the fingerprint (one aggregate query over the tickets and messages); then every ticket of
    the cached window is read again (they are few next to the tracker store's events).
    """

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.clock = clock
        self.lock = threading.Lock()
        self.reads = 0
        self._fingerprint: Optional[tuple[object, ...]] = None
        self._since = 0.0
        self._tickets: list[TicketFacts] = []

    def _current_fingerprint(self) -> Optional[tuple[object, ...]]:
        engine = engine_for(self.url)
        if not sa.inspect(engine).has_table("tickets"):
            return None
        t, m = h.tickets.c, h.messages.c
        with engine.connect() as conn:
            tickets = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.max(t.id),
                    sa.func.max(t.claimed_at),
                    sa.func.max(t.closed_at),
                    sa.func.max(t.rated_at),
                    sa.func.sum(t.csat_rating),
                )
            ).one()
            messages = conn.execute(sa.select(sa.func.count(), sa.func.max(m.id))).one()
        return (*tickets, *messages)

    def tickets(self, start_ts: float, end_ts: float) -> list[TicketFacts]:
        """Tickets opened in the range widened by a day each side (as ``read_tickets``)."""
        with self.lock:
            now = self.clock()
            fingerprint = self._current_fingerprint()
            if fingerprint is None:
                return []
            if fingerprint != self._fingerprint or now - self._since > REBUILD_AFTER:
                self._since = now - KEEP_SECONDS
                self._tickets = read_tickets(self.url, self._since + SLACK_SECONDS, now + DAY)
                self._fingerprint = fingerprint
                self.reads += 1
            low, high = start_ts - SLACK_SECONDS, end_ts + SLACK_SECONDS
            return [t for t in self._tickets if low <= t.created_at < high]


_caches: dict[str, TrackerCache] = {}
_ticket_caches: dict[str, TicketCache] = {}
_caches_lock = threading.Lock()


def cache_for(url: str) -> TrackerCache:
    """One cache per tracker store URL, shared by the requests of a process."""
    with _caches_lock:
        cache = _caches.get(url)
        if cache is None:
            cache = _caches[url] = TrackerCache(url)
        return cache


def ticket_cache_for(url: str) -> TicketCache:
    """One ticket cache per handoff database URL, shared by the requests of a process."""
    with _caches_lock:
        cache = _ticket_caches.get(url)
        if cache is None:
            cache = _ticket_caches[url] = TicketCache(url)
        return cache
