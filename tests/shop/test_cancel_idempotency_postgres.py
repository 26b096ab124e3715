"""The cancellation idempotency cases (tests/shop/idempotency_cases.py) on PostgreSQL, where two
replicas' confirmations meet on a row lock rather than SQLite's file lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest

from infra.postgres import Postgres
from tests.shop.cancel_store import seeded
from tests.shop.idempotency_cases import CASES
from tests.support.services import fresh_database, throwaway_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with throwaway_postgres() as server:
        yield server


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_cancellation_happens_once_on_postgres(
    case: Callable[[], Awaitable[None]], postgres: Postgres
) -> None:
    async with seeded(fresh_database(postgres, "cancel_idempotency")):
        await case()
