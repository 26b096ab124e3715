"""Alembic for Baton's own databases: "upgrade to head", from asyncio code, safe in parallel.

Each database Baton owns (the store, the handoff database) has a migrations folder with an
``env.py`` of two lines that hands its :class:`Migrations` to :func:`run_env`; the settings
live in code, so no ``alembic.ini`` is read at runtime (the one next to each folder is for
contributors running ``alembic revision``).

:func:`upgrade` is what the servers and ``init-db`` call. It runs on one connection, inside one
transaction, after taking the database's schema lock — a PostgreSQL advisory lock, or on
SQLite ``BEGIN IMMEDIATE`` (the write lock, so a second process waits on the busy timeout and
then retries) — so replicas starting together apply each revision once: the second finds the
version table at head and does nothing. A database created before migrations existed (its
tables there, no version table) is first completed by the store's ``adopt`` function and
stamped with the revision it matches, then upgraded like any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from logging.config import fileConfig
from pathlib import Path
from typing import Any, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migrations:
    """Where one database's revisions live and how to recognise an unversioned copy of it."""

    name: str  # for log lines: "store", "handoff"
    directory: Path  # the script location: env.py, script.py.mako, versions/
    # Distinct per database, so two of Baton's stores can share one PostgreSQL database.
    version_table: str
    lock_name: str  # the PostgreSQL advisory lock, shared with older create_all code
    metadata: MetaData  # what head must equal (tables.py): autogenerate and the tests compare
    legacy_table: str  # present in every database made by create_all before migrations
    # Completes such a database to a known revision (create what is missing, the old ad-hoc
    # fixes) and returns that revision, which is then stamped.
    adopt: Callable[[Connection], str]
    url: Callable[[], str]  # the database the alembic command line works on


def alembic_config(migrations: Migrations, connection: Optional[Connection] = None) -> Config:
    """An Alembic config built in code; ``connection`` is what env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(migrations.directory))
    config.attributes["connection"] = connection
    return config


def context_options(migrations: Migrations) -> dict[str, Any]:
    """The ``context.configure`` options shared by env.py, the adoption and the tests."""
    return {
        "target_metadata": migrations.metadata,
        "version_table": migrations.version_table,
        "render_as_batch": True,  # autogenerate writes batch ops, which SQLite needs
        "compare_type": True,
    }


def run_by_alembic(context: Any) -> bool:
    """Whether Alembic is running this env.py (its context is set up), rather than something
    merely importing it: rasa-sdk imports every module under ``actions/`` at the action
    server's start, and an env.py must do nothing then. After a migration in the same process
    the proxy is left pointing at nothing (AttributeError): not running either."""
    try:
        context.is_offline_mode()  # a proxy: NameError until Alembic sets it up
    except (NameError, AttributeError):
        return False
    return True


def run_env(context: Any, migrations: Migrations) -> None:
    """The body of each env.py: migrate the connection we were handed, or (the alembic
    command line) the database ``migrations.url()`` names, through a synchronous driver."""
    options = context_options(migrations)
    if context.is_offline_mode():
        context.configure(url=sync_url(migrations.url()), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    if context.config.config_file_name:  # the alembic command line, with an alembic.ini
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    engine = create_engine(sync_url(migrations.url()), poolclass=NullPool, future=True)
    with engine.connect() as conn:
        context.configure(connection=conn, **options)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()


def sync_url(url: str) -> str:
    """The asyncio drivers' URLs back to the synchronous ones (sqlite3, psycopg2)."""
    return url.replace("+aiosqlite", "").replace("+asyncpg", "")


def current_revision(conn: Connection, migrations: Migrations) -> Optional[str]:
    """The revision recorded in the database; None when there is no version table yet."""
    context = MigrationContext.configure(conn, opts={"version_table": migrations.version_table})
    return context.get_current_revision()


def upgrade_connection(conn: Connection, migrations: Migrations) -> None:
    """Adopt an unversioned database if need be, then upgrade it to head (in ``conn``'s
    transaction, which the caller holds the schema lock in and commits)."""
    config = alembic_config(migrations, conn)
    tables = set(inspect(conn).get_table_names())
    if current_revision(conn, migrations) is None and migrations.legacy_table in tables:
        revision = migrations.adopt(conn)
        logger.info("%s: a database from before migrations, stamped %s", migrations.name, revision)
        command.stamp(config, revision)
    command.upgrade(config, "head")


async def upgrade(engine: AsyncEngine, migrations: Migrations, *, attempts: int = 5) -> None:
    """Bring ``engine``'s database to head; idempotent and safe with several processes.

    On SQLite a process that finds the write lock taken for longer than the busy timeout
    gets "database is locked"; it tries again, like the old create_all did, and then finds
    the work done.
    """
    for attempt in range(1, attempts + 1):
        try:
            async with engine.connect() as conn:
                await _upgrade_locked(conn, migrations)
            return
        except OperationalError:
            if engine.dialect.name != "sqlite" or attempt == attempts:
                raise
            logger.warning("%s: schema busy, retrying", migrations.name)
            await asyncio.sleep(0.2 * attempt)


async def _upgrade_locked(conn: AsyncConnection, migrations: Migrations) -> None:
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table (new copy, drop, rename): with foreign keys on, dropping
        # a table that others reference fails. The pragma is ignored inside a transaction, so
        # it comes first, and is restored below: the connection goes back to the pool.
        await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # sqlite3 only opens a transaction before DML, so DDL would commit statement by
        # statement; BEGIN IMMEDIATE makes the whole upgrade one transaction under the lock.
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": migrations.lock_name}
        )
    try:
        await conn.run_sync(upgrade_connection, migrations)
        await conn.commit()
    finally:
        if conn.in_transaction():
            await conn.rollback()
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            await conn.commit()
