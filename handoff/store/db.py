"""The handoff database engine: asyncio SQLAlchemy, opened in ``before_server_start``."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from handoff.store.tables import metadata
from infra.sql import create_async_engine_for, lock_schema


def create_engine(url: str) -> AsyncEngine:
    return create_async_engine_for(url, pool_size=5, max_overflow=5)


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await lock_schema(conn, "baton_handoff_schema")  # several replicas may start at once
        await conn.run_sync(metadata.create_all)
        await conn.run_sync(_add_role_column)


def _add_role_column(conn: Connection) -> None:
    """Databases created before agents had roles get the column, everyone an "agent"."""
    columns = {c["name"] for c in inspect(conn).get_columns("agents")}
    if "role" not in columns:
        conn.execute(
            text("ALTER TABLE agents ADD COLUMN role VARCHAR(12) NOT NULL DEFAULT 'agent'")
        )
