"""Erasure on PostgreSQL, the production profile's database: the same world, the same promises."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from infra.erasure import Subject, erase, recorded
from infra.postgres import Postgres
from infra.sql import create_async_engine_for
from tests.ops.world import (
    JANE_EMAIL,
    JANE_ID,
    JANE_PHONE,
    JANE_WEB,
    PRIYA_WEB,
    build_world,
)
from tests.support.services import fresh_database, throwaway_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with throwaway_postgres() as server:
        yield server


async def scalar_rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_async_engine_for(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in await conn.execute(text(sql))]
    finally:
        await engine.dispose()


async def test_a_customer_is_erased_from_every_postgresql_database(
    postgres: Postgres, tmp_path: Path
) -> None:
    urls = {
        name: fresh_database(postgres, f"erasure_{short}")
        for name, short in (
            ("STORE_DATABASE_URL", "store"),
            ("TRACKER_DATABASE_URL", "tracker"),
            ("HANDOFF_DATABASE_URL", "handoff"),
        )
    }
    world = await build_world(tmp_path, urls)

    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")

    assert report.conversations == 3
    senders = await scalar_rows(
        urls["TRACKER_DATABASE_URL"], "SELECT DISTINCT sender_id FROM events"
    )
    assert senders == [(PRIYA_WEB,)]
    outbox = await scalar_rows(
        urls["TRACKER_DATABASE_URL"], "SELECT conversation_id FROM baton_handoff_outbox"
    )
    assert outbox == [(PRIYA_WEB,)]
    tickets = await scalar_rows(urls["HANDOFF_DATABASE_URL"], "SELECT conversation_id FROM tickets")
    assert tickets == [(PRIYA_WEB,)]
    customer = await scalar_rows(
        urls["STORE_DATABASE_URL"], "SELECT email, phone FROM customers WHERE id = 1"
    )
    assert JANE_ID == 1
    assert customer == [(f"erased-{JANE_ID}@erased.invalid", None)]
    trail = await recorded(urls["HANDOFF_DATABASE_URL"])
    assert [entry["id"] for entry in trail] == [report.erasure_id]
    stored = json.dumps(trail)
    for personal in (JANE_EMAIL, JANE_PHONE, JANE_WEB):
        assert personal not in stored
