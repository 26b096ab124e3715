"""The handoff database's migrations: fresh and old databases end at handoff/store/tables.py,
and the handoff tables can share one database with the store (separate version tables).

Run again on PostgreSQL by tests/prod/test_handoff_migrations_postgres.py (``make_engine``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store import tables as store_tables
from actions.store.db import create_schema as migrate_store
from actions.store.migrations import MIGRATIONS as STORE
from handoff.store import tables as h
from handoff.store.db import create_engine, create_schema
from handoff.store.migrations import MIGRATIONS, baseline
from infra.migrations import Migrations, current_revision

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@pytest.fixture
async def make_engine(tmp_path: Path) -> AsyncIterator[Callable[[str], AsyncEngine]]:
    engines: list[AsyncEngine] = []

    def make(name: str) -> AsyncEngine:
        engine = create_engine(f"sqlite:///{tmp_path / name}")
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


async def differences(engine: AsyncEngine, migrations: Migrations, metadata: MetaData) -> list[Any]:
    """Autogenerate's changes to ``metadata``'s tables (other tables in the database are
    someone else's), minus PostgreSQL's folding of seed_meta's UNIQUE into its primary key
    (tests/store/test_migrations.py says why)."""

    def mine(obj: Any, name: Any, kind: str, reflected: bool, _compare_to: Any) -> bool:
        table = name if kind == "table" else obj.table.name
        return table in metadata.tables

    def compare(conn: Connection) -> list[Any]:
        options = {"version_table": migrations.version_table, "include_object": mine}
        context = MigrationContext.configure(conn, opts=options)
        return [
            d
            for d in compare_metadata(context, metadata)
            if not (d[0] == "add_constraint" and d[1].table.name == "seed_meta")
        ]

    async with engine.connect() as conn:
        return await conn.run_sync(compare)


async def revision(engine: AsyncEngine, migrations: Migrations) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(current_revision, migrations)


def _agents_before_roles() -> Table:
    """The agents table as the first release's create_all made it (no ``role``)."""
    return Table(
        "agents",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("username", String(80), nullable=False, unique=True),
        Column("display_name", String(80), nullable=False),
        Column("password_hash", String(200), nullable=True),
        Column("slack_user_id", String(40), nullable=True, unique=True),
        Column("created_at", DateTime, nullable=False),
        Column("last_seen_at", DateTime, nullable=True),
    )


async def test_a_fresh_handoff_database_equals_tables_py(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("h.db")

    await create_schema(engine)
    await create_schema(engine)

    assert await revision(engine, MIGRATIONS) == "0006"
    assert await differences(engine, MIGRATIONS, h.metadata) == []


async def test_an_old_handoff_database_without_roles_is_adopted_with_its_agents(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("old.db")
    async with engine.begin() as conn:
        await conn.run_sync(_agents_before_roles().create)
        await conn.run_sync(
            lambda c: baseline.metadata.create_all(
                c, tables=[t for t in baseline.metadata.sorted_tables if t.name != "agents"]
            )
        )
        await conn.execute(
            insert(_agents_before_roles()).values(
                id=1, username="sam", display_name="Sam", created_at=datetime(2026, 1, 1)
            )
        )

    await create_schema(engine)

    assert await revision(engine, MIGRATIONS) == "0006"
    async with engine.connect() as conn:
        agents = (await conn.execute(select(h.agents.c.username, h.agents.c.role))).all()
    assert [tuple(a) for a in agents] == [("sam", "agent")]
    assert await differences(engine, MIGRATIONS, h.metadata) == []


async def test_the_store_and_the_handoff_tables_can_share_one_database(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("shared.db")

    for _ in range(2):
        await migrate_store(engine)
        await create_schema(engine)

    assert await revision(engine, STORE) == "0007"
    assert await revision(engine, MIGRATIONS) == "0006"
    assert await differences(engine, STORE, store_tables.metadata) == []
    assert await differences(engine, MIGRATIONS, h.metadata) == []


async def test_tickets_handed_off_before_search_are_given_their_search_keys(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    engine = make_engine("before_search.db")
    context = {
        "conversation": {"id": "wa-1", "channel": "whatsapp", "channel_user_id": "+447700900123"},
        "customer": {"id": "7", "name": "Jane Doe", "email": "Jane@Example.com"},
        "orders": [{"number": "#10023"}],
    }
    ticket = {
        "conversation_id": "wa-1",
        "channel": "whatsapp",
        "reason": "customer_asked",
        "status": "closed",
        "created_at": datetime(2026, 1, 1),
        "after_hours": False,
    }
    async with engine.begin() as conn:
        await conn.run_sync(baseline.metadata.create_all)
        await conn.execute(
            insert(baseline.tickets),
            [
                {**ticket, "id": 1, "context": json.dumps(context)},
                {**ticket, "id": 2, "conversation_id": "web-2", "context": "not json"},
            ],
        )

    await create_schema(engine)

    async with engine.connect() as conn:
        keys = dict((await conn.execute(select(h.tickets.c.id, h.tickets.c.search_keys))).all())
    assert keys == {1: "|o:10023|e:jane@example.com|p:447700900123:p|", 2: None}
    assert await differences(engine, MIGRATIONS, h.metadata) == []


async def test_messages_stored_before_attachments_read_without_any_after_the_upgrade(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    from alembic import command

    from handoff.store.repository import HandoffRepository
    from infra.migrations import alembic_config

    engine = make_engine("at-0002.db")
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(MIGRATIONS, c), "0002"))
        now = datetime(2026, 12, 1, 9, 0)
        await conn.execute(
            insert(baseline.tickets).values(
                id=1,
                conversation_id="wa-1",
                channel="whatsapp",
                reason="customer_asked",
                status="waiting",
                created_at=now,
                after_hours=False,
                context="{}",
            )
        )
        await conn.execute(
            insert(baseline.messages).values(
                ticket_id=1, kind="customer", text="[photo]", created_at=now
            )
        )

    await create_schema(engine)

    assert await revision(engine, MIGRATIONS) == "0006"
    async with engine.connect() as conn:
        [message] = await HandoffRepository(conn).messages_for(1)
    assert message.text == "[photo]" and message.public()["attachments"] == []
