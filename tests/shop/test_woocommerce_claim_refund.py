"""A claim's refund on WooCommerce: the mirror on the real adapter on the WooCommerce fake (a
child process, real HTTP; a refund with ``api_restock: false`` whose reason names the claim),
the cases of tests/shop/platform_claim_cases.py, and what the adapter sends and WooCommerce
refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from actions.shop.mirror import MirroredShop
from actions.shop.platform import CancelLine, ClaimPayment, PlatformRefused, claim_note
from actions.shop.woocommerce import WooCommercePlatform, WooSettings
from fakes.woocommerce import DEMO_KEY, DEMO_SECRET
from tests.shop.platform_claim_cases import CASES, SPLIT, VASE, WHOLE, Harness, Write
from tests.shop.woocommerce_fake import control

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


async def refund_writes(url: str) -> list[dict[str, Any]]:
    return [e for e in (await control(url, "log"))["requests"] if e.get("write") == "refund"]


@pytest.fixture
async def woo(woo_url: str) -> AsyncIterator[WooCommercePlatform]:
    await control(woo_url, "reset", {})
    platform = WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, DEMO_SECRET, timeout=2.0))
    yield platform
    await platform.close()
    await control(woo_url, "faults", {"mode": "none"})


@pytest.fixture
async def harness(woo_url: str, woo: WooCommercePlatform, empty_store: str) -> Harness:
    async def writes() -> list[Write]:
        return [
            Write(
                Decimal(e["amount"]),
                tuple((str(ref), quantity) for ref, quantity in e["lines"]),
                bool(e["api_restock"]),
                e["reason"],
                False,  # WooCommerce's amount carries the delivery charge
            )
            for e in await refund_writes(woo_url)
        ]

    async def go_down() -> None:
        await control(woo_url, "faults", {"mode": "down", "count": 5})

    return Harness(MirroredShop(woo), writes, go_down)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_claim_refund_on_woocommerce(
    case: Callable[[Harness], Awaitable[None]], harness: Harness
) -> None:
    await case(harness)


async def test_the_refund_goes_through_the_gateway_unrestocked_with_the_claim_as_its_reason(
    woo: WooCommercePlatform, woo_url: str
) -> None:
    order = await woo.order(SPLIT)
    assert order is not None
    line = next(i for i in order.items if i.unit_price == VASE)
    note = claim_note("CLM-30001", "damaged")
    after = await woo.refund_claim(
        order, ClaimPayment("CLM-30001", (CancelLine(line.ref, 1, VASE),), VASE, note)
    )
    assert (after.status, after.payment_status) == ("delivered", "partially_refunded")
    assert [(r.claim, r.amount) for r in after.refunds] == [("CLM-30001", VASE)]
    assert all(i.cancelled_at is None for i in after.items)  # a claim's line is not cancelled
    assert await woo.order(SPLIT) == after
    [write] = await refund_writes(woo_url)
    assert (write["amount"], write["api_refund"], write["api_restock"]) == ("22.00", True, False)
    assert (write["reason"], write["lines"]) == (note, [[int(line.ref), 1]])


async def test_all_that_is_left_reads_refunded(woo: WooCommercePlatform) -> None:
    order = await woo.order(WHOLE)
    assert order is not None
    pay = ClaimPayment("CLM-30002", (), order.total, claim_note("CLM-30002"), whole=True)
    after = await woo.refund_claim(order, pay)
    assert (after.status, after.payment_status) == ("delivered", "refunded")


async def test_woocommerce_refuses_more_than_is_left(woo: WooCommercePlatform) -> None:
    order = await woo.order(SPLIT)
    assert order is not None
    pay = ClaimPayment("CLM-30003", (), order.total + Decimal("0.01"), claim_note("CLM-30003"))
    with pytest.raises(PlatformRefused, match="amount"):
        await woo.refund_claim(order, pay)
    assert await woo.order(SPLIT) == order
