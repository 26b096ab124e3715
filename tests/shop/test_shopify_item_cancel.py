"""Cancelling some items of a Shopify order: the mirror on the real adapter on the fake Shopify
(refundCreate with restock type CANCEL), the cases of tests/shop/platform_item_cases.py."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal

import pytest

from actions.shop.mirror import MirroredShop
from actions.shop.platform import CancelLine, ItemsCancellation, PlatformRefused
from actions.shop.shopify import ShopifyPlatform, ShopifyUserError
from tests.shop.conftest import RunningFake
from tests.shop.platform_item_cases import (
    CASES,
    NUMBER,
    SHIPPING,
    TOTAL,
    Harness,
)

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@pytest.fixture
async def harness(
    shop: RunningFake, platform: ShopifyPlatform, empty_store: str
) -> AsyncIterator[Harness]:
    fake = shop.fake.state.orders[NUMBER]
    fake.order = dataclasses.replace(fake.order, shipping_fee=SHIPPING, total=TOTAL)

    async def refunds() -> list[Decimal]:
        made = [i for i in await shop.log() if i.get("operation") == "refundCreate"]
        return [Decimal(i["amount"]) for i in made]

    async def go_down() -> None:
        await shop.control("faults", {"mode": "down", "count": 5})

    yield Harness(MirroredShop(platform), refunds, go_down, "gid://shopify/LineItem/999999")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_cancelling_items_on_shopify(
    case: Callable[[Harness], Awaitable[None]], harness: Harness
) -> None:
    assert harness.shop.cancels_items
    await case(harness)


async def test_the_refund_cancels_the_lines_to_the_sales_gateway(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    order = await platform.order(NUMBER)
    assert order is not None
    line = order.items[0]
    cancel = ItemsCancellation((CancelLine(line.ref, 1, Decimal("50.00")),), Decimal("50.00"), "x")
    after = await platform.cancel_items(order, cancel)
    assert after.items[0].cancelled_at is not None and after.items[0].refunded == Decimal("50.00")
    assert after.payment_status == "paid" and after.status == "paid"
    sent = [i for i in await shop.log() if i.get("operation") == "BatonRefundCreate"]
    refund = sent[0]["variables"]["input"]
    assert refund["refundLineItems"] == [
        {"lineItemId": line.ref, "quantity": 1, "restockType": "CANCEL"}
    ]
    assert [(t["kind"], t["gateway"], t["amount"]) for t in refund["transactions"]] == [
        ("REFUND", "shopify_payments", "50.00")
    ]
    assert refund["transactions"][0]["parentId"].startswith("gid://shopify/OrderTransaction/")


async def test_shopify_refuses_more_than_is_left_of_a_line(platform: ShopifyPlatform) -> None:
    order = await platform.order(NUMBER)
    assert order is not None
    cancel = ItemsCancellation(
        (CancelLine(order.items[0].ref, 2, Decimal("1.00")),), Decimal("1.00"), "x"
    )
    with pytest.raises(ShopifyUserError, match="more items") as refused:
        await platform.cancel_items(order, cancel)
    assert isinstance(refused.value, PlatformRefused)
    assert await platform.order(NUMBER) == order
