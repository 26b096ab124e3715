"""Cancelling twice — in a row, at the same moment (two confirmations), after a restart —
cancels and refunds once, on a real SQLite file behind the built-in backend; and a platform
backend refuses item by item rather than change only Baton's copy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.shop.cancel_store import MULTI_ITEM, order, seeded
from tests.shop.idempotency_cases import CASES

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_cancellation_happens_once_on_sqlite(
    case: Callable[[], Awaitable[None]], tmp_path: Path
) -> None:
    async with seeded(f"sqlite:///{tmp_path / 'store.db'}"):
        found = await order(MULTI_ITEM)
        assert found.status == "paid" and len(found.items) >= 3
        await case()
