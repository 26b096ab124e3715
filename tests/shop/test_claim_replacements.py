"""A claim's replacement on the built-in shop, on a real SQLite file: a free order for the
claimed items, made once however often it is asked for (tests/shop/claim_replacement_cases.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.shop.cancel_store import seeded
from tests.shop.claim_replacement_cases import CASES

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_claim_replacement_on_sqlite(
    case: Callable[[], Awaitable[None]], tmp_path: Path
) -> None:
    async with seeded(f"sqlite:///{tmp_path / 'store.db'}"):
        await case()
