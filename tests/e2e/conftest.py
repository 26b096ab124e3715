from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from actions.store.db import create_engine_for
from actions.store.models import Order
from actions.store.repository import StoreRepository
from tests.support.customers import new_customer  # noqa: F401  (a fixture, shared)
from tests.support.servers import Baton

pytestmark = pytest.mark.e2e


@pytest.fixture
async def load_order(baton: Baton) -> AsyncIterator[Callable[[str], Awaitable[Order]]]:
    """The order as the shop's database has it: the truth answers are checked against."""
    engine = create_engine_for(baton.store_url)

    async def load(number: str) -> Order:
        async with engine.connect() as conn:
            found = await StoreRepository(conn).get_order(number)
        assert found is not None, number
        return found

    yield load
    await engine.dispose()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client for the fakes' customers (WhatsApp, Slack) and the servers' APIs."""
    async with aiohttp.ClientSession() as session:
        yield session
