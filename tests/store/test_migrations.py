"""The store's migrations: a fresh database, an old one and a second run all end at tables.py.

Every test takes ``make_engine`` and is run again on PostgreSQL by
tests/prod/test_store_migrations_postgres.py, which only redefines that fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store import tables as t
from actions.store.db import create_engine_for, create_schema
from actions.store.migrations import ADDED_IN_0002, MIGRATIONS, baseline
from actions.store.seed import build_rows
from infra.migrations import alembic_config, current_revision

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

#: Columns revision 0003 adds (items cancelled on their own): empty on every old row.
ADDED_IN_0003 = (("order_items", "cancelled_at"), ("order_items", "refunded_amount"))
HEAD = ScriptDirectory.from_config(alembic_config(MIGRATIONS)).get_current_head()
ANCHOR = datetime(2026, 11, 22).date()
#: The demo rows written into an old store; build_rows knows no 0002 column.
OLD_TABLES = ("customers", "addresses", "orders", "order_items", "shipments", "stores")


@pytest.fixture
async def make_engine(tmp_path: Path) -> AsyncIterator[Callable[[str], AsyncEngine]]:
    engines: list[AsyncEngine] = []

    def make(name: str) -> AsyncEngine:
        engine = create_engine_for(f"sqlite:///{tmp_path / name}")
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"version_table": MIGRATIONS.version_table, "compare_type": True}
    )
    return [d for d in compare_metadata(context, t.metadata) if not _folded_into_the_key(d)]


def _folded_into_the_key(difference: Any) -> bool:
    """seed_meta declares UNIQUE("key") on its primary key; PostgreSQL drops a unique
    constraint that repeats the primary key when it creates the table (create_all's tables
    too), so it can never be found there. Not a difference between the two paths."""
    if not (isinstance(difference, tuple) and difference[0] == "add_constraint"):
        return False
    constraint = difference[1]
    if not isinstance(constraint, UniqueConstraint):
        return False
    key = t.metadata.tables[constraint.table.name].primary_key.columns.keys()
    return sorted(constraint.columns.keys()) == sorted(key)


async def differences(engine: AsyncEngine) -> list[Any]:
    """What Alembic's autogenerate would change to make the database equal tables.py."""
    async with engine.connect() as conn:
        return await conn.run_sync(_differences)


async def revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(current_revision, MIGRATIONS)


def _schema(conn: Connection) -> str:
    inspector = inspect(conn)
    out: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        out[table] = (
            inspector.get_columns(table),
            sorted(inspector.get_indexes(table), key=lambda i: str(i["name"])),
            sorted(inspector.get_unique_constraints(table), key=lambda u: str(u["column_names"])),
            inspector.get_foreign_keys(table),
        )
    return repr(out)  # column types compare by their repr


async def snapshot(engine: AsyncEngine) -> tuple[str, dict[str, list[Any]]]:
    """The schema as reflected and every row of every table, version table included."""
    async with engine.connect() as conn:
        schema = await conn.run_sync(_schema)
        rows = {}
        for table in await conn.run_sync(lambda c: sorted(inspect(c).get_table_names())):
            result = await conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            rows[table] = sorted(map(tuple, result.all()), key=repr)
    return schema, rows


async def old_store(engine: AsyncEngine, *, client_key: bool = True) -> dict[str, list[Any]]:
    """A store as the old create_all made it (no version table), with demo rows; the rows."""
    rows = build_rows(ANCHOR)
    async with engine.begin() as conn:
        tables = [
            tb for tb in baseline.metadata.sorted_tables if tb.name != "verification_attempts"
        ]
        await conn.run_sync(lambda c: baseline.metadata.create_all(c, tables=tables))
        if client_key:
            await conn.run_sync(baseline.verification_attempts.create)
        else:
            await conn.run_sync(_verification_attempts_before_client_key().create)
        for name in OLD_TABLES:
            await conn.execute(insert(baseline.metadata.tables[name]), rows[name])
        await conn.execute(
            insert(baseline.verification_attempts).values(
                id=1, order_number="10001", conversation_id="c1",
                attempted_at=datetime(2026, 11, 1), succeeded=False,
            )
        )  # fmt: skip
    return {name: rows[name] for name in OLD_TABLES}


def _verification_attempts_before_client_key() -> Table:
    """The table as create_all made it before failures were counted per client."""
    return Table(
        "verification_attempts",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("order_number", String(12), nullable=False),
        Column("conversation_id", String(120), nullable=False),
        Column("attempted_at", DateTime, nullable=False),
        Column("succeeded", Boolean, nullable=False),
        Index("ix_verification_order_time", "order_number", "attempted_at"),
        Index("ix_verification_conversation_time", "conversation_id", "attempted_at"),
    )


async def read(engine: AsyncEngine, table: Table) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        result = await conn.execute(select(table).order_by(*table.primary_key.columns))
        return [dict(row) for row in result.mappings().all()]


async def test_a_fresh_store_gets_every_revision_and_equals_tables_py(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("fresh.db")
    assert HEAD == "0007"

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []


async def test_upgrading_twice_changes_nothing(make_engine: Callable[[str], AsyncEngine]) -> None:
    engine = make_engine("twice.db")
    await create_schema(engine)
    async with engine.begin() as conn:
        await conn.execute(insert(t.seed_meta).values(key="k", value="v"))
    before = await snapshot(engine)

    await create_schema(engine)

    assert await snapshot(engine) == before


async def test_an_old_store_is_adopted_and_upgraded_with_its_rows_kept(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("old.db")
    written = await old_store(engine)
    assert await revision(engine) is None

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []
    for name, rows in written.items():
        now = await read(engine, t.metadata.tables[name])
        added = {column for table, column in ADDED_IN_0002 + ADDED_IN_0003 if table == name}
        assert [{k: v for k, v in row.items() if k not in added} for row in now] == rows, name
        assert all(row[column] is None for row in now for column in added), name
    assert [a["order_number"] for a in await read(engine, t.verification_attempts)] == ["10001"]


async def test_an_old_store_without_client_key_gets_the_old_fix_first(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("older.db")
    await old_store(engine, client_key=False)

    await create_schema(engine)

    assert await differences(engine) == []
    attempts = await read(engine, t.verification_attempts)
    assert [(a["order_number"], a["client_key"]) for a in attempts] == [("10001", None)]


async def test_a_store_create_all_made_from_the_new_tables_is_adopted_and_upgraded(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    # Whoever ran the commit that added the platform columns, before migrations existed.
    engine = make_engine("newer.db")
    async with engine.begin() as conn:
        await conn.run_sync(t.metadata.create_all)
        await conn.execute(insert(t.seed_meta).values(key="k", value="v"))

    await create_schema(engine)

    # stamped 0002, then upgraded: 0003 adds only the columns that are missing, 0004, 0005 and
    # 0006 find their tables made (and 0006 the payment status wide enough), 0007 its tables too
    assert await revision(engine) == HEAD
    assert await differences(engine) == []
    assert await read(engine, t.seed_meta) == [{"key": "k", "value": "v"}]


async def test_a_store_at_0004_gets_the_claims_table_and_keeps_its_rows(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("at_0004.db")
    change = {
        "id": 1,
        "idempotency_key": "addr-1",
        "order_number": "10104",
        "conversation_id": "c1",
        "changed_by": "customer via chat",
        "changed_at": datetime(2026, 12, 1, 9, 0),
    }
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(MIGRATIONS, c), "0004"))
        await conn.execute(insert(t.address_changes).values(**change))
        assert "claims" not in await conn.run_sync(lambda c: inspect(c).get_table_names())

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []
    assert await read(engine, t.address_changes) == [change]
    assert await read(engine, t.claims) == []


async def test_revision_0005_goes_down_and_up_again(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("down.db")
    await create_schema(engine)

    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(MIGRATIONS, c), "0004"))
        assert "claims" not in await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert await revision(engine) == "0004"

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []


async def test_a_store_at_0005_gets_claim_refunds_and_a_wider_payment_status(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("at_0005.db")
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(MIGRATIONS, c), "0005"))
        rows = build_rows(ANCHOR)
        for name in ("customers", "addresses", "orders"):
            await conn.execute(insert(t.metadata.tables[name]), rows[name])
    before = await read(engine, t.orders)

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []
    assert await read(engine, t.orders) == before  # rebuilt on SQLite, every row kept
    assert await read(engine, t.claim_refunds) == []
    async with engine.begin() as conn:  # PostgreSQL refused 18 characters in VARCHAR(12)
        await conn.execute(
            t.orders.update()
            .where(t.orders.c.number == "10011")
            .values(payment_status="partially_refunded")
        )


async def test_revision_0006_goes_down_and_up_again(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("down_0006.db")
    await create_schema(engine)
    rows = build_rows(ANCHOR)
    async with engine.begin() as conn:
        for name in ("customers", "addresses", "orders"):
            await conn.execute(insert(t.metadata.tables[name]), rows[name])
        await conn.execute(
            t.orders.update()
            .where(t.orders.c.number == "10011")
            .values(payment_status="partially_refunded")
        )

    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(MIGRATIONS, c), "0005"))
        assert "claim_refunds" not in await conn.run_sync(lambda c: inspect(c).get_table_names())
        statuses = await conn.execute(select(t.orders.c.payment_status).distinct())
        assert "partially_refunded" not in set(statuses.scalars())  # it reads paid again
    assert await revision(engine) == "0005"

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []


async def test_servers_starting_together_migrate_once(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engines = [make_engine("together.db") for _ in range(3)]

    await asyncio.gather(*(create_schema(engine) for engine in engines))

    assert await revision(engines[0]) == HEAD
    assert await differences(engines[0]) == []


async def test_a_store_at_0006_gets_stock_levels_and_claim_replacements(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("at_0006.db")
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(MIGRATIONS, c), "0006"))
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "stock_levels" not in names and "claim_replacements" not in names

    await create_schema(engine)

    assert await revision(engine) == HEAD
    assert await differences(engine) == []
    assert await read(engine, t.stock_levels) == []  # untracked: claims settle as refunds

    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(MIGRATIONS, c), "0006"))
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "stock_levels" not in names and "claim_replacements" not in names
    await create_schema(engine)
    assert await differences(engine) == []
