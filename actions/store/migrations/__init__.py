"""The store's schema migrations (Alembic): revisions under ``versions/``, run by
:func:`actions.store.db.create_schema` through :mod:`infra.migrations`.

How an upgrade runs and how to add a revision: docs/operations.md, "Schema migrations".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from actions.store.migrations import baseline
from actions.store.tables import metadata
from infra.migrations import Migrations

#: Columns revision 0002 adds. A database that ``create_all`` made from the tables.py of that
#: commit already has them, and is stamped 0002 instead of 0001.
ADDED_IN_0002 = (
    ("customers", "external_ref"),
    ("orders", "external_ref"),
    ("orders", "synced_at"),
    ("order_items", "external_ref"),
    ("returns", "platform_ref"),
    ("refunds", "external_ref"),
)


def adopt(conn: Connection) -> str:
    """Bring a store made by the old ``create_schema`` (create_all, no version table) to the
    schema of a revision, and return it: what the old code did on every start (create the
    tables missing, add ``client_key``), from the frozen baseline rather than tables.py."""
    baseline.metadata.create_all(conn)  # checkfirst: only tables an older Baton never made
    _add_client_key_column(conn)
    columns = {
        (table, column["name"])
        for table in {table for table, _ in ADDED_IN_0002}
        for column in inspect(conn).get_columns(table)
    }
    present = [pair for pair in ADDED_IN_0002 if pair in columns]
    if not present:
        return "0001"
    if len(present) == len(ADDED_IN_0002):
        return "0002"
    raise RuntimeError(
        "the store has only some of revision 0002's columns "
        f"({', '.join('.'.join(pair) for pair in present)}); complete or drop them, then retry"
    )


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


def _url() -> str:
    from actions.settings import get_settings

    return get_settings().store_database_url


MIGRATIONS = Migrations(
    name="store",
    directory=Path(__file__).resolve().parent,
    version_table="alembic_version",
    lock_name="baton_store_schema",
    metadata=metadata,
    legacy_table="customers",
    adopt=adopt,
    url=_url,
)
