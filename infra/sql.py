"""One way to open an asyncio SQLAlchemy engine, for every Baton database.

The store (action server), the handoff database (handoff service) and the outbox (Rasa
server) all take a plain URL from the environment — ``sqlite:///var/x.db`` by default,
``postgresql://…`` in production — and need the same things from it: the asyncio driver
(aiosqlite / asyncpg), a real connection pool (SQLAlchemy 1.4 gives file SQLite a NullPool,
which with aiosqlite means a new connection *and thread* per transaction), and for SQLite WAL
mode and a busy timeout, because several processes and the test suite share the files.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

logger = logging.getLogger(__name__)

#: How long a transaction waits for a database server that is restarting before it fails.
CONNECT_RETRY_SECONDS = 15.0


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


async def lock_schema(conn: AsyncConnection, name: str) -> None:
    """Serialise schema creation between processes, until ``conn``'s transaction ends.

    Replicas starting together (two action servers, two handoff services) each find the
    tables missing and create them. On PostgreSQL the loser's CREATE TABLE then fails on the
    catalogue's unique index; under a transaction-scoped advisory lock named ``name`` the
    second process waits instead, then finds the tables there (DDL is transactional on
    PostgreSQL, so the lock is held until they are committed). SQLite needs nothing: it
    serialises writers itself.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


async def create_tables(engine: AsyncEngine, metadata: MetaData, name: str) -> None:
    """``metadata.create_all`` under :func:`lock_schema`."""
    async with engine.begin() as conn:
        await lock_schema(conn, name)
        await conn.run_sync(metadata.create_all)


@asynccontextmanager
async def begin(
    engine: AsyncEngine, *, retry_seconds: float = CONNECT_RETRY_SECONDS
) -> AsyncIterator[AsyncConnection]:
    """``engine.begin()`` that waits out a PostgreSQL server that is restarting.

    While PostgreSQL restarts, new connections are refused ("the database system is starting
    up", connection refused) for a few seconds. Without a wait, every action or handoff call in
    that window fails and the customer gets an apology for a blip nobody needs to see. Only
    *getting a connection* is retried, before any statement ran, so nothing can run twice; an
    error inside the transaction still rolls back and propagates. SQLite is never retried: it
    has no server to wait for.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry_seconds
    delay = 0.1
    while True:
        try:
            conn = await engine.connect()
            break
        except (DBAPIError, OSError) as exc:
            if engine.dialect.name == "sqlite" or loop.time() + delay > deadline:
                raise
            logger.warning("database unreachable (%s); retrying", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        async with conn.begin():
            yield conn
    finally:
        await conn.close()
