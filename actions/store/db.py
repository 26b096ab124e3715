"""Database engine for the store, opened once per process and event loop.

The action server has no startup hook we can rely on, so the engine is created lazily on
first use. SQLite gets WAL mode and a busy timeout because the Rasa test runner, the seed
and the action server may all touch the same file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from actions.settings import get_settings
from actions.store.tables import metadata

_engines: dict[tuple[int, str], AsyncEngine] = {}


def async_url(url: str) -> str:
    """Map a plain database URL to its asyncio driver (aiosqlite / asyncpg)."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def _prepare_sqlite_file(url: str) -> None:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine_for(url: str) -> AsyncEngine:
    """Create an asyncio engine for ``url`` with sensible pool and SQLite settings."""
    _prepare_sqlite_file(url)
    aurl = async_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if aurl.startswith("sqlite"):
        # SQLAlchemy 1.4 gives file SQLite a NullPool: with aiosqlite that is a new
        # connection *and a new thread* per transaction. Keep a few open instead.
        kwargs.update(
            connect_args={"timeout": 15, "check_same_thread": False},
            poolclass=AsyncAdaptedQueuePool,
            pool_size=5,
            max_overflow=10,
        )
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(aurl, **kwargs)
    if aurl.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def get_engine(url: Optional[str] = None) -> AsyncEngine:
    """The process-wide engine for this event loop (engines cannot cross loops)."""
    target = url or get_settings().store_database_url
    loop_id = id(asyncio.get_running_loop())
    key = (loop_id, target)
    engine = _engines.get(key)
    if engine is None:
        engine = create_engine_for(target)
        _engines[key] = engine
    return engine


async def create_schema(engine: AsyncEngine) -> None:
    """Create missing tables (idempotent)."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def dispose_all() -> None:
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()
