"""Rasa's SQL tracker store, configured by one URL and kept off the event loop.

Rasa 3.6's ``SQLTrackerStore`` wants the dialect, host, port and database as separate
settings and runs its queries synchronously inside ``async def`` methods, so every read and
write of a conversation stalls every other conversation on the server. This subclass takes a
single ``TRACKER_DATABASE_URL`` (SQLite by default, PostgreSQL in production), runs the
queries in a worker thread, and gives SQLite WAL mode so readers never wait for the writer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class BatonSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        url: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        target = make_url(url or host or "sqlite:///var/tracker.db")
        if target.drivername.startswith("sqlite") and target.database:
            Path(target.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=target.drivername,
            host=target.host,
            port=target.port,
            db=target.database or "",
            username=target.username,  # type: ignore[arg-type]
            password=target.password,  # type: ignore[arg-type]
            event_broker=event_broker,
            query=dict(target.query) or None,
            **kwargs,
        )
        if target.drivername.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # reconnect with the pragmas applied

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._retrieve_sync, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._retrieve_sync, conversation_id, True)

    def _retrieve_sync(self, sender_id: str, all_sessions: bool) -> Optional[DialogueStateTracker]:
        # SQLTrackerStore._retrieve is declared async but never awaits anything.
        coro = SQLTrackerStore._retrieve(self, sender_id, all_sessions)
        try:
            coro.send(None)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        raise RuntimeError("SQLTrackerStore._retrieve unexpectedly awaited")  # pragma: no cover

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save_sync, tracker)

    def _save_sync(self, tracker: DialogueStateTracker) -> None:
        import json

        from rasa.shared.nlu.constants import INTENT_NAME_KEY

        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
