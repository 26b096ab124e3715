"""The ``new_customer`` fixture: web chat customers on the session's real Baton, closed after.

Shared by the end-to-end and the security suites (each conftest imports it), so opening a
customer, logged in or not, or resuming a conversation works the same in both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from connectors.identity import make_customer_token
from tests.support.servers import CUSTOMER_TOKEN_SECRET, Baton
from tests.support.webchat_client import WebChatCustomer


@pytest.fixture
async def new_customer(baton: Baton) -> AsyncIterator[Callable[..., Awaitable[WebChatCustomer]]]:
    """A web chat customer on the session's real Baton (optionally logged in)."""
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
