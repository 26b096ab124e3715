"""Unit of work: one transaction, one repository.

    async with unit_of_work() as repo:
        order = await repo.get_order("10001")

Commits when the block ends normally, rolls back when it raises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Optional

from actions.store.db import get_engine
from actions.store.repository import StoreRepository


@asynccontextmanager
async def unit_of_work(url: Optional[str] = None) -> AsyncIterator[StoreRepository]:
    async with get_engine(url).begin() as conn:
        yield StoreRepository(conn)
