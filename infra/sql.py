"""One way to open an asyncio SQLAlchemy engine, for every Baton database.

The store (action server), the handoff database (handoff service) and the outbox (Rasa
server) all take a plain URL from the environment — ``sqlite:///var/x.db`` by default,
``postgresql://…`` in production — and need the same things from it: the asyncio driver
(aiosqlite / asyncpg), a real connection pool (SQLAlchemy 1.4 gives file SQLite a NullPool,
which with aiosqlite means a new connection *and thread* per transaction), and for SQLite WAL
mode and a busy timeout, because several processes and the test suite share the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool


def async_url(url: str) -> str:
    """Map a plain database URL to its asyncio driver (aiosqlite / asyncpg)."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_async_engine_for(
    url: str, *, pool_size: int = 5, max_overflow: int = 5, foreign_keys: bool = True
) -> AsyncEngine:
    """An asyncio engine for ``url``; creates the directory of a SQLite file."""
    parsed = make_url(url)
    sqlite = parsed.drivername.startswith("sqlite")
    if sqlite and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"future": True, "pool_size": pool_size, "max_overflow": max_overflow}
    if sqlite:
        kwargs.update(
            connect_args={"timeout": 15, "check_same_thread": False},
            poolclass=AsyncAdaptedQueuePool,
        )
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(async_url(url), **kwargs)
    if sqlite:

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            if foreign_keys:
                cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine
