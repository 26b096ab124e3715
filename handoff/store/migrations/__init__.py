"""The handoff database's schema migrations (Alembic): revisions under ``versions/``, run by
:func:`handoff.store.db.create_schema` through :mod:`infra.migrations`.

Its version table is ``handoff_alembic_version``, not Alembic's default, so the handoff tables
and the store can share one PostgreSQL database. How an upgrade runs and how to add a
revision: docs/operations.md, "Schema migrations".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from handoff.store.migrations import baseline
from handoff.store.tables import metadata
from infra.migrations import Migrations


def adopt(conn: Connection) -> str:
    """Bring a database made by the old ``create_schema`` (create_all, no version table) to
    revision 0001: the tables missing created from the frozen baseline, the agents' ``role``
    added as the old code did."""
    baseline.metadata.create_all(conn)  # checkfirst: only tables an older Baton never made
    _add_role_column(conn)
    return "0001"


def _add_role_column(conn: Connection) -> None:
    """Databases created before agents had roles get the column, everyone an "agent"."""
    columns = {c["name"] for c in inspect(conn).get_columns("agents")}
    if "role" not in columns:
        conn.execute(
            text("ALTER TABLE agents ADD COLUMN role VARCHAR(12) NOT NULL DEFAULT 'agent'")
        )


def _url() -> str:
    from handoff.settings import load_settings

    return load_settings().database_url


MIGRATIONS = Migrations(
    name="handoff",
    directory=Path(__file__).resolve().parent,
    version_table="handoff_alembic_version",
    lock_name="baton_handoff_schema",
    metadata=metadata,
    legacy_table="agents",
    adopt=adopt,
    url=_url,
)
