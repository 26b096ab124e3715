"""The delivery address changed over the real web chat on every shop backend (built-in
tables, Shopify and WooCommerce through their fakes): the change reaches the shop and the
order question shows it. Order 10104 is used by no other test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from actions.store.models import Order
from tests.support.shop_backends import baton_on_every_shop_backend  # noqa: F401
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., Awaitable[WebChatCustomer]]
OrderLoader = Callable[[str], Awaitable[Order]]


async def test_a_customer_proves_the_order_and_changes_its_address(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("I need to change the delivery address on order 10104", timeout=60)
    assert "e-mail address or the delivery postcode" in asked.text, asked.text
    wanted = await customer.say("freya.lewis@example.com", timeout=60)
    assert "hasn't left our warehouse yet, so I can send it somewhere else" in wanted.text
    confirm = await customer.say("12 High Street, Flat 2, Leeds, LS1 4AB", timeout=60)
    assert "12 High Street, Flat 2, Leeds, LS1 4AB" in confirm.text, confirm.text
    done = await customer.say("/affirm", timeout=60)
    assert "Done: order 10104 will now go to 12 High Street, Flat 2, Leeds, LS1 4AB" in done.text
    moved = (await load_order("10104")).shipping_address
    assert (moved.line1, moved.line2, moved.city, moved.postal_code, moved.country) == (
        "12 High Street",
        "Flat 2",
        "Leeds",
        "LS1 4AB",
        "GB",
    )
    status = await customer.say("where is order 10104?", timeout=60)
    assert "Its delivery address was changed today" in status.text, status.text
