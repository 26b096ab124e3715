"""Database engine for the store, opened once per process and event loop.

The action server has no startup hook we can rely on, so the engine is created lazily on
first use. SQLite gets WAL mode and a busy timeout because the Rasa test runner, the seed
and the action server may all touch the same file.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.settings import get_settings
from actions.store.tables import metadata
from infra.sql import create_async_engine_for, create_tables, lock_schema

_engines: dict[tuple[int, str], AsyncEngine] = {}


def create_engine_for(url: str) -> AsyncEngine:
    """Create an asyncio engine for ``url`` with sensible pool and SQLite settings."""
    return create_async_engine_for(url, pool_size=5, max_overflow=10)


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
    """Create missing tables (idempotent, and safe with several action servers at once)."""
    await create_tables(engine, metadata, "baton_store_schema")
    async with engine.begin() as conn:
        await lock_schema(conn, "baton_store_schema")
        await conn.run_sync(_add_client_key_column)


def _add_client_key_column(conn: Connection) -> None:
    """Stores created before failures were counted per client get the column (and index)."""
    columns = {c["name"] for c in inspect(conn).get_columns("verification_attempts")}
    if "client_key" not in columns:
        conn.execute(text("ALTER TABLE verification_attempts ADD COLUMN client_key VARCHAR(64)"))
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_verification_client_time "
                "ON verification_attempts (client_key, attempted_at)"
            )
        )


async def dispose_all() -> None:
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()
