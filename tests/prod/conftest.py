"""PostgreSQL for the integration tests: one throwaway server per session, a fresh database
per test (tests/support/services.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from infra.postgres import Postgres
from tests.support.services import fresh_database, throwaway_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with throwaway_postgres() as server:
        yield server


@pytest.fixture
def new_database(postgres: Postgres, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """``new_database("store")``: the URL of an empty database named after this test."""
    test = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40]

    def make(purpose: str) -> str:
        return fresh_database(postgres, f"t_{test}_{purpose}"[:63])

    return make
