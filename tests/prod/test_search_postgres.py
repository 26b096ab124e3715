"""The console's search on PostgreSQL: tests/handoff/test_search_route.py's tests unchanged,
with ``handoff_url`` a fresh PostgreSQL database, as the production profile runs it (its
``LIKE`` is case-sensitive and its wildcards are escaped as on SQLite)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.handoff import test_search_route
from tests.handoff.test_search_route import client

globals().update({n: f for n, f in vars(test_search_route).items() if n.startswith("test_")})

__all__ = ["client"]  # the fixture the imported tests ask for


@pytest.fixture
def handoff_url(new_database: Callable[[str], str]) -> str:
    return new_database("search")
