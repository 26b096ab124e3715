"""The handoff database engine: asyncio SQLAlchemy, opened in ``before_server_start``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from handoff.store.migrations import MIGRATIONS
from infra.migrations import upgrade
from infra.sql import create_async_engine_for


def create_engine(url: str) -> AsyncEngine:
    return create_async_engine_for(url, pool_size=5, max_overflow=5)


async def create_schema(engine: AsyncEngine) -> None:
    """Upgrade the handoff database to the newest revision (handoff/store/migrations/);
    idempotent and safe with several replicas starting at once (infra/migrations.py)."""
    await upgrade(engine, MIGRATIONS)
