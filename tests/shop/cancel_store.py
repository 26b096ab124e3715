"""A seeded demo store behind the built-in backend, on any database URL, for the
cancellation idempotency tests (SQLite here, PostgreSQL in the integration layer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from actions.shop.backend import BuiltInShop
from actions.store.db import dispose_all, get_engine
from actions.store.models import Order
from actions.store.seed import seed_store
from tests.support.fake_shop import DEMO_ANCHOR
from tests.support.store_env import store_at

#: Paid, four items, not left the warehouse on the demo's anchor day.
MULTI_ITEM = "10115"
#: Paid, in the warehouse (one item).
SINGLE = "10005"


@asynccontextmanager
async def seeded(url: str) -> AsyncIterator[str]:
    async with store_at(url):
        await seed_store(get_engine(url), anchor=DEMO_ANCHOR)
        yield url


async def reopened() -> BuiltInShop:
    """The backend after a restart: every pooled connection closed, a new backend."""
    await dispose_all()
    return BuiltInShop()


async def order(number: str) -> Order:
    found = await BuiltInShop().order(number)
    assert found is not None, number
    return found
