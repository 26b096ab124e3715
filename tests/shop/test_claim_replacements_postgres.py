"""The claim replacement cases (tests/shop/claim_replacement_cases.py) on PostgreSQL, where two
senders meet on a row lock rather than SQLite's file lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest

from infra.postgres import Postgres
from tests.shop.cancel_store import seeded
from tests.shop.claim_replacement_cases import CASES
from tests.support.services import fresh_database, throwaway_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with throwaway_postgres() as server:
        yield server


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_claim_replacement_on_postgres(
    case: Callable[[], Awaitable[None]], postgres: Postgres
) -> None:
    async with seeded(fresh_database(postgres, "claim_replacements")):
        await case()
