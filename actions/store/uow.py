"""Unit of work: one transaction, one repository.

    async with unit_of_work() as repo:
        order = await repo.get_order("10001")

Commits when the block ends normally, rolls back when it raises. Waits out a PostgreSQL
restart before the transaction starts (:func:`infra.sql.begin`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Optional

from actions.store.db import get_engine
from actions.store.repository import StoreRepository
from infra.sql import begin


@asynccontextmanager
async def unit_of_work(url: Optional[str] = None) -> AsyncIterator[StoreRepository]:
    async with begin(get_engine(url)) as conn:
        yield StoreRepository(conn)
