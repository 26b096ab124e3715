"""A claim's refund on Shopify: the mirror on the real adapter on the fake Shopify (refundCreate
with restock type NO_RESTOCK and a note naming the claim), the cases of
tests/shop/platform_claim_cases.py, and what the adapter sends and Shopify refuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from actions.shop.claim_payment import ClaimRefund
from actions.shop.mirror import MirroredShop
from actions.shop.platform import (
    CancelLine,
    ClaimPayment,
    PlatformRefused,
    ShopUnavailable,
    claim_note,
)
from actions.shop.shopify import ShopifyPlatform, ShopifyUserError
from tests.shop.conftest import RunningFake
from tests.shop.platform_claim_cases import (
    CASES,
    SPLIT,
    VASE,
    WHOLE,
    Harness,
    Write,
    claimed,
)

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@pytest.fixture
async def harness(
    shop: RunningFake, platform: ShopifyPlatform, empty_store: str
) -> AsyncIterator[Harness]:
    async def writes() -> list[Write]:
        made = [i for i in await shop.log() if i.get("operation") == "refundCreate"]
        return [
            Write(
                Decimal(i["amount"]),
                tuple((ref, quantity) for ref, quantity, _ in i["lines"]),
                any(restock != "NO_RESTOCK" for _, _, restock in i["lines"]),
                i.get("note") or "",
                bool((i.get("shipping") or {}).get("fullRefund")),
            )
            for i in made
        ]

    async def go_down() -> None:
        await shop.control("faults", {"mode": "down", "count": 5})

    yield Harness(MirroredShop(platform), writes, go_down)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_claim_refund_on_shopify(
    case: Callable[[Harness], Awaitable[None]], harness: Harness
) -> None:
    await case(harness)


async def test_the_refund_goes_to_the_sales_gateway_unrestocked_with_the_claim_in_its_note(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    order = await platform.order(SPLIT)
    assert order is not None
    line = next(i for i in order.items if i.unit_price == VASE)
    note = claim_note("CLM-30001", "damaged")
    after = await platform.refund_claim(
        order, ClaimPayment("CLM-30001", (CancelLine(line.ref, 1, VASE),), VASE, note)
    )
    assert after.payment_status == "partially_refunded" and after.status == "delivered"
    assert [(r.claim, r.amount) for r in after.refunds] == [("CLM-30001", VASE)]
    assert all(i.cancelled_at is None for i in after.items)
    [sent] = [i for i in await shop.log() if i.get("operation") == "BatonRefundCreate"]
    refund = sent["variables"]["input"]
    assert refund["refundLineItems"] == [
        {"lineItemId": line.ref, "quantity": 1, "restockType": "NO_RESTOCK"}
    ]
    assert [(t["kind"], t["gateway"], t["amount"]) for t in refund["transactions"]] == [
        ("REFUND", "shopify_payments", "22.00")
    ]
    assert refund["note"] == "Baton claim CLM-30001: damaged" and "shipping" not in refund


async def test_all_that_is_left_brings_the_shipping_and_the_order_reads_refunded(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    order = await platform.order(WHOLE)
    assert order is not None and order.shipping_fee == Decimal("3.95")
    pay = ClaimPayment("CLM-30002", (), order.total, claim_note("CLM-30002"), whole=True)
    after = await platform.refund_claim(order, pay)
    assert (after.status, after.payment_status) == ("delivered", "refunded")
    [sent] = [i for i in await shop.log() if i.get("operation") == "BatonRefundCreate"]
    assert sent["variables"]["input"]["shipping"] == {"fullRefund": True}


async def test_shopify_refuses_more_than_is_refundable(platform: ShopifyPlatform) -> None:
    order = await platform.order(SPLIT)
    assert order is not None
    pay = ClaimPayment("CLM-30003", (), order.total + Decimal("0.01"), claim_note("CLM-30003"))
    with pytest.raises(ShopifyUserError, match="exceed") as refused:
        await platform.refund_claim(order, pay)
    assert isinstance(refused.value, PlatformRefused)
    assert await platform.order(SPLIT) == order


async def test_a_timeout_pays_nothing_here_and_a_retry_finds_what_shopify_did_after_all(
    harness: Harness, shop: RunningFake, platform: ShopifyPlatform
) -> None:
    """Shopify answered too late but made the refund: the retry reads it, and pays nothing."""
    claim = await claimed(harness, SPLIT, "damaged", VASE)
    api = platform._call

    async def slow_refund(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if "BatonRefundCreate" in query:  # answered after the adapter's 2 s, made all the same
            await shop.control("faults", {"mode": "timeout", "seconds": 2.5, "count": 1})
        return await api(query, variables)

    platform._call = slow_refund
    with pytest.raises(ShopUnavailable) as late:
        await harness.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    assert late.value.kind == "timeout"
    platform._call = api
    await asyncio.sleep(1.0)  # Shopify finishes what it was asked

    again = await harness.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))

    assert not again.paid_now and again.refund.amount == VASE
    assert len(await harness.writes()) == 1
