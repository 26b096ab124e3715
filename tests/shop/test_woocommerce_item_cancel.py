"""Cancelling some items of a WooCommerce order: the mirror on the real adapter on the
WooCommerce fake (a child process, real HTTP; a refund with ``line_items``), the cases of
tests/shop/platform_item_cases.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from actions.shop.mirror import MirroredShop
from actions.shop.platform import CancelLine, ItemsCancellation, PlatformRefused
from actions.shop.woocommerce import WooCommercePlatform, WooSettings
from fakes.woocommerce import DEMO_KEY, DEMO_SECRET
from tests.shop.platform_item_cases import CASES, NUMBER, SHIPPING, TOTAL, Harness
from tests.shop.woocommerce_fake import control

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


async def refund_writes(url: str) -> list[dict[str, Any]]:
    return [e for e in (await control(url, "log"))["requests"] if e.get("write") == "refund"]


@pytest.fixture
async def woo(woo_url: str) -> AsyncIterator[WooCommercePlatform]:
    await control(woo_url, "reset", {})
    totals = {"shipping_total": str(SHIPPING), "discount_total": "20.00", "total": str(TOTAL)}
    await control(woo_url, f"orders/{NUMBER}", {"totals": totals})
    platform = WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, DEMO_SECRET, timeout=2.0))
    yield platform
    await platform.close()
    await control(woo_url, "faults", {"mode": "none"})


@pytest.fixture
async def harness(woo_url: str, woo: WooCommercePlatform, empty_store: str) -> Harness:
    async def refunds() -> list[Decimal]:
        return [Decimal(e["amount"]) for e in await refund_writes(woo_url)]

    async def go_down() -> None:
        await control(woo_url, "faults", {"mode": "down", "count": 5})

    return Harness(MirroredShop(woo), refunds, go_down, "999999")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_cancelling_items_on_woocommerce(
    case: Callable[[Harness], Awaitable[None]], harness: Harness
) -> None:
    assert harness.shop.cancels_items
    await case(harness)


async def test_the_refund_names_the_lines_and_goes_through_the_gateway(
    woo: WooCommercePlatform, woo_url: str
) -> None:
    order = await woo.order(NUMBER)
    assert order is not None
    line = order.items[0]
    cancel = ItemsCancellation((CancelLine(line.ref, 1, Decimal("45.63")),), Decimal("45.63"), "x")
    after = await woo.cancel_items(order, cancel)
    assert after.items[0].cancelled_at is not None and after.items[0].refunded == Decimal("45.63")
    assert (after.status, after.payment_status) == ("paid", "paid")
    assert [r.amount for r in after.refunds] == [Decimal("45.63")]
    assert await woo.order(NUMBER) == after
    [write] = await refund_writes(woo_url)
    assert (write["amount"], write["api_refund"], write["lines"]) == (
        "45.63",
        True,
        [[int(line.ref), 1]],
    )


async def test_an_unpaid_order_cancels_its_lines_without_a_gateway_refund(
    woo: WooCommercePlatform, woo_url: str
) -> None:
    order = await woo.order("10114")  # placed, not paid
    assert order is not None and order.payment_status == "pending"
    cancel = ItemsCancellation(
        (CancelLine(order.items[1].ref, 1, Decimal("0.00")),), Decimal("0.00"), "x"
    )
    after = await woo.cancel_items(order, cancel)
    assert after.items[1].cancelled_at is not None and after.payment_status == "pending"
    [write] = await refund_writes(woo_url)
    assert (write["amount"], write["api_refund"]) == ("0.00", False)


async def test_woocommerce_refuses_more_than_is_left_of_a_line(woo: WooCommercePlatform) -> None:
    order = await woo.order(NUMBER)
    assert order is not None
    too_many = CancelLine(order.items[0].ref, 2, Decimal("1.00"))  # the line has one
    with pytest.raises(PlatformRefused, match="quantity"):
        await woo.cancel_items(order, ItemsCancellation((too_many,), Decimal("1.00"), "x"))
    assert await woo.order(NUMBER) == order
