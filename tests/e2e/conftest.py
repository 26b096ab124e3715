from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from actions.store.db import create_engine_for
from actions.store.models import Order
from actions.store.repository import StoreRepository
from connectors.identity import make_customer_token
from tests.support.servers import CUSTOMER_TOKEN_SECRET, Baton
from tests.support.webchat_client import WebChatCustomer

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
async def new_customer(baton: Baton) -> AsyncIterator[Callable[..., Awaitable[WebChatCustomer]]]:
    opened: list[WebChatCustomer] = []

    async def open_chat(
        customer_id: int | None = None, resume: str | None = None
    ) -> WebChatCustomer:
        token = make_customer_token(customer_id, CUSTOMER_TOKEN_SECRET) if customer_id else None
        client = WebChatCustomer(baton.rasa_url, customer_token=token)
        await client.connect(resume=resume)
        opened.append(client)
        return client

    yield open_chat
    for client in opened:
        await client.close()
