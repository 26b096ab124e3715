"""Rasa's SQL tracker store, configured by one URL, kept off the event loop, and cached.

Rasa 3.6's ``SQLTrackerStore`` wants the dialect, host, port and database as separate
settings, runs its queries synchronously inside ``async def`` methods (so every read and
write of one conversation stalls every other conversation), opens a new connection per query
on SQLite, re-reads and replays a conversation's whole session on every message, and counts
the stored events before every write. This subclass:

* takes a single ``TRACKER_DATABASE_URL`` (SQLite by default, PostgreSQL in production);
* runs the queries in a worker thread, with a connection pool and SQLite's WAL mode;
* keeps recently used trackers in memory and checks them against the database with one
  indexed query (the conversation's newest event id) before reusing them, so a tracker
  written by another replica, or a turn that failed before saving, is always reloaded;
* inserts new events with one multi-row statement.

The database stays the transcript of record: the cache is only ever a copy of it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

CACHE_SIZE = 5000
# A database restart or failover drops every pooled connection; reads and writes are retried
# for this long before the turn fails. A lost write would silently lose the turn's state (the
# customer has already seen the answer), which is worse than a turn that waits.
RETRY_SECONDS = 15.0


def _with_retry(work: Any, *args: Any) -> Any:
    """``work(*args)``, retried on a dropped or refused connection (never on other errors)."""
    deadline = time.monotonic() + RETRY_SECONDS
    delay = 0.1
    while True:
        try:
            return work(*args)
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("tracker store unreachable (%s); retrying", type(exc).__name__)
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class TrackerConflict(RuntimeError):
    """Another turn saved this conversation after this tracker was read: saving would drop
    one of the two turns' events (the lock was lost, e.g. a turn outlived it)."""


#: The id of the conversation's newest stored event when a tracker was read (or last saved):
#: a save is refused when the database has moved on since (a conditional save).
_READ_AT = "_baton_read_at"


def _mark(tracker: Optional[DialogueStateTracker], last_id: Optional[int]) -> None:
    if tracker is not None:
        tracker.__dict__[_READ_AT] = last_id


class _Cached:
    __slots__ = ("last_id", "stored", "tracker")

    def __init__(self, tracker: DialogueStateTracker, stored: int, last_id: Optional[int]) -> None:
        self.tracker = tracker
        self.stored = stored  # events of this session already in the database
        self.last_id = last_id


class BatonSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        url: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        cache: bool = True,
        **kwargs: Any,
    ) -> None:
        target = make_url(url or host or "sqlite:///var/tracker.db")
        sqlite = target.drivername.startswith("sqlite")
        if sqlite and target.database:
            Path(target.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=target.drivername,
            host=target.host,
            port=target.port,
            db=target.database or "",
            username=target.username,
            password=target.password,
            event_broker=event_broker,
            query=dict(target.query) or None,
            **kwargs,
        )
        engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        engine.dispose()
        if sqlite:
            self.engine = sa.create_engine(
                engine.url,
                poolclass=sa.pool.QueuePool,
                pool_size=8,
                max_overflow=8,
                connect_args={"check_same_thread": False, "timeout": 10},
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(
                engine.url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._table = self.SQLEvent.__table__
        self._cache_enabled = bool(cache)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._cache_lock = threading.Lock()

    # --- reading ----------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(_with_retry, self._retrieve_cached, sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._retrieve_sync, conversation_id, True)

    def _last_id(self, conn: Any, sender_id: str) -> Optional[int]:
        return conn.execute(
            sa.select(sa.func.max(self._table.c.id)).where(self._table.c.sender_id == sender_id)
        ).scalar()

    def _retrieve_cached(self, sender_id: str) -> Optional[DialogueStateTracker]:
        if not self._cache_enabled:
            return self._retrieve_sync(sender_id, False)
        with self.engine.connect() as conn:
            last_id = self._last_id(conn, sender_id)
        with self._cache_lock:
            entry = self._cache.get(sender_id)
            if entry is not None:
                self._cache.move_to_end(sender_id)
        if (
            entry is not None
            and last_id is not None
            and entry.last_id == last_id
            and len(entry.tracker.events) == entry.stored
        ):
            _mark(entry.tracker, last_id)
            return entry.tracker
        tracker = self._retrieve_sync(sender_id, False)
        if tracker is not None:
            _mark(tracker, last_id)
            self._remember(sender_id, _Cached(tracker, len(tracker.events), last_id))
        return tracker

    def _retrieve_sync(self, sender_id: str, all_sessions: bool) -> Optional[DialogueStateTracker]:
        # SQLTrackerStore._retrieve is declared async but never awaits anything.
        coro = SQLTrackerStore._retrieve(self, sender_id, all_sessions)
        try:
            coro.send(None)
        except StopIteration as done:
            return done.value
        raise RuntimeError("SQLTrackerStore._retrieve unexpectedly awaited")  # pragma: no cover

    def _remember(self, sender_id: str, entry: _Cached) -> None:
        with self._cache_lock:
            self._cache[sender_id] = entry
            self._cache.move_to_end(sender_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    # --- writing ----------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await asyncio.to_thread(_with_retry, self._save_sync, tracker)

    def _save_sync(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        with self._cache_lock:
            entry = self._cache.get(sender_id)
        with self.engine.begin() as conn:
            current = self._last_id(conn, sender_id)
            read_at = tracker.__dict__.get(_READ_AT, current)
            if read_at is not None and current != read_at:
                logger.error(
                    "not saving a turn: the conversation changed since it was read "
                    "(another replica ran a turn; the conversation lock was lost)",
                    extra={"conversation": sender_id},
                )
                raise TrackerConflict(sender_id)
            if entry is not None and entry.tracker is tracker and entry.last_id == current:
                start = entry.stored
            else:
                with self.session_scope() as session:
                    start = self._event_query(
                        session, sender_id, fetch_events_from_all_sessions=False
                    ).count()
            events = list(tracker.events)[start:]
            rows = []
            for event in events:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                conn.execute(sa.insert(self._table), rows)
            last_id = self._last_id(conn, sender_id)
        _mark(tracker, last_id)
        if self._cache_enabled:
            self._remember(sender_id, _Cached(tracker, len(tracker.events), last_id))
