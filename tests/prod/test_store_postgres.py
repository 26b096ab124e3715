"""The shop's store on PostgreSQL: the same seed and repository tests as on SQLite
(tests/store), run again against a real PostgreSQL server — the production profile's store.

The test functions are the SQLite suite's own, imported; only the fixtures that open a
database are redefined here, so both engines are held to exactly the same expectations.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store.db import create_engine_for
from actions.store.seed import seed_store
from tests.store import test_seed, test_seed_returns

# Everything that reads or writes a database; the pure row-building tests need no second run,
# and the sync seeder's test is about SQLite files.
_FROM_SEED = [
    name
    for name in vars(test_seed)
    if name.startswith("test_")
    and name
    not in (
        "test_a_later_anchor_moves_every_date_and_nothing_else",
        "test_seed_store_sync_seeds_a_file_and_defaults_to_today_in_london",
    )
]
_FROM_RETURNS = [
    "test_the_repository_reads_a_return_with_its_items_label_and_refund",
    "test_a_reused_idempotency_key_is_refused_by_the_database",
    "test_a_new_carrier_return_has_its_label",
    "test_deliveries_per_item_follow_their_parcel",
    "test_handoff_requests_are_recorded_open",
]
globals().update({name: getattr(test_seed, name) for name in _FROM_SEED})
globals().update({name: getattr(test_seed_returns, name) for name in _FROM_RETURNS})

ANCHOR = test_seed.ANCHOR


@pytest.fixture
async def make_engine(
    new_database: Callable[[str], str],
) -> AsyncIterator[Callable[[str], AsyncEngine]]:
    """``make_engine("s.db")``: one PostgreSQL database per name (the same name twice is the
    same database, as two processes opening the same SQLite file)."""
    engines: list[AsyncEngine] = []
    urls: dict[str, str] = {}

    def make(name: str) -> AsyncEngine:
        if name not in urls:
            urls[name] = new_database(re.sub(r"\W", "_", name))
        engine = create_engine_for(urls[name])
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture(scope="module")
async def shop(postgres: object) -> test_seed.Shop:
    from tests.support.services import fresh_database

    engine = create_engine_for(fresh_database(postgres, "t_store_shop"))  # type: ignore[arg-type]
    try:
        report = await seed_store(engine, anchor=ANCHOR)
        rows = await test_seed.dump(engine)
    finally:
        await engine.dispose()
    return test_seed.Shop(report, rows)


@pytest.fixture
async def engine(new_database: Callable[[str], str]) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(new_database("store"))
    await seed_store(engine, anchor=ANCHOR)
    yield engine
    await engine.dispose()
