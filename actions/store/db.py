"""Database engine for the store, opened once per process and event loop.

The action server has no startup hook we can rely on, so the engine is created lazily on
first use. SQLite gets WAL mode and a busy timeout because the Rasa test runner, the seed
and the action server may all touch the same file.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from sqlalchemy.ext.asyncio import AsyncEngine

from actions.settings import get_settings
from actions.store.migrations import MIGRATIONS
from infra.migrations import upgrade
from infra.sql import create_async_engine_for

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
    """Upgrade the store to the newest revision (actions/store/migrations/).

    A fresh database gets every revision, one made by the old ``create_all`` is adopted first;
    safe with several action servers (or ``init-db`` and ``make seed``) at once: see
    :func:`infra.migrations.upgrade`."""
    await upgrade(engine, MIGRATIONS)


async def dispose_all() -> None:
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()
