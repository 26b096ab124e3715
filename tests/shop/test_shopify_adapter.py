"""The real Shopify adapter against the fake: reading orders and customers, and changing them.

The round trip compares every demo order with what the adapter reads back through Shopify's
shapes. What must differ, and why (everything else must be equal):

* refs: Shopify ids are gids (``gid://shopify/Order/7``), the demo's are ``"7"`` →
  compared after stripping the gid prefix;
* a delayed parcel's DELAYED tracking event reads back as ``in_transit``: API 2024-10 has no
  DELAYED event status (2025-01 added it); the shipment itself still reads ``delayed``;
* a cancelled order whose payment was refunded has a Shopify Refund for the cancellation, so
  it reads back with one more ``PlatformRefund`` (the order total, ``rma`` None) than the demo
  row, which keeps only ``refunded_at``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from actions.shop.demo import demo_platform_orders
from actions.shop.platform import (
    PlatformAddress,
    PlatformOrder,
    PlatformRefund,
    ReturnRequest,
)
from actions.shop.shopify import ShopifyPlatform, ShopifyUserError
from tests.shop.conftest import ANCHOR, RunningFake

DEMO = {o.number: o for o in demo_platform_orders(ANCHOR)}
SHOWCASE = [str(n) for n in range(10001, 10016)]


def strip_gids(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"^gid://shopify/\w+/", "", value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return type(value)(**{f.name: strip_gids(getattr(value, f.name)) for f in fields})
    if isinstance(value, tuple):
        return tuple(strip_gids(v) for v in value)
    return value


def as_shopify_reads_it(order: PlatformOrder) -> PlatformOrder:
    """The demo order with the documented differences applied (module docstring)."""
    shipments = tuple(
        dataclasses.replace(
            s,
            events=tuple(
                dataclasses.replace(e, status="in_transit") if e.status == "delayed" else e
                for e in s.events
            ),
        )
        for s in order.shipments
    )
    refunds = order.refunds
    if order.cancelled_at and order.refunded_at:
        refunds = (
            *refunds,
            PlatformRefund(
                str(100000 + int(order.ref)),
                order.total,
                order.currency,
                order.refunded_at,
                order.payment_method,
            ),
        )
    return dataclasses.replace(order, shipments=shipments, refunds=refunds)


def test_the_showcase_orders_cover_every_order_state() -> None:
    states = {DEMO[n].status for n in SHOWCASE}
    assert states == {"placed", "paid", "packed", "shipped", "out_for_delivery", "delivered",
                      "delayed", "lost_in_transit", "cancelled"}  # fmt: skip


@pytest.mark.parametrize("number", SHOWCASE)
async def test_a_showcase_order_reads_back_as_the_demo_has_it(
    platform: ShopifyPlatform, number: str
) -> None:
    got = await platform.order(number)
    assert got is not None
    assert got.ref == f"gid://shopify/Order/{DEMO[number].ref}"
    assert strip_gids(got) == as_shopify_reads_it(DEMO[number])


async def test_every_demo_order_reads_back_as_the_demo_has_it(platform: ShopifyPlatform) -> None:
    differing = []
    for number, want in DEMO.items():
        got = await platform.order(number)
        if got is None or strip_gids(got) != as_shopify_reads_it(want):
            differing.append(number)
    assert len(DEMO) == 120
    assert differing == []


async def test_the_gaps_are_real_gaps_not_misreadings(platform: ShopifyPlatform) -> None:
    delayed = await platform.order("10003")
    cancelled = await platform.order("10009")
    assert delayed is not None and cancelled is not None
    assert delayed.status == "delayed" and delayed.shipments[0].status == "delayed"
    assert [e.status for e in delayed.shipments[0].events][-1] == "in_transit"
    assert cancelled.payment_status == "refunded"
    assert [(r.amount, r.rma) for r in cancelled.refunds] == [(cancelled.total, None)]


async def test_a_refund_for_a_baton_return_names_its_rma(platform: ShopifyPlatform) -> None:
    order = await platform.order("10062")
    assert order is not None
    assert [(r.rma, r.destination) for r in order.refunds] == [("RMA-20006", "Google Pay")]


@pytest.mark.parametrize("number", ["99999", "1000", "#10001x", ""])
async def test_an_order_shopify_does_not_have_is_none(
    platform: ShopifyPlatform, number: str
) -> None:
    assert await platform.order(number) is None


async def test_an_order_number_may_be_given_with_its_hash(platform: ShopifyPlatform) -> None:
    order = await platform.order("#10001")
    assert order is not None and order.number == "10001"


async def test_a_customer_is_found_by_email_or_phone(platform: ShopifyPlatform) -> None:
    by_email = await platform.customer_by_email("Jane.Doe@example.com")
    by_phone = await platform.customer_by_phone("+447700900001")
    assert by_email is not None and by_phone is not None
    assert by_email == by_phone
    assert (by_email.ref, by_email.first_name, by_email.postal_code) == (
        "gid://shopify/Customer/1",
        "Jane",
        "SW1A 1AA",
    )
    assert await platform.customer_by_email("nobody@example.com") is None
    assert await platform.customer_by_phone("+15550000000") is None


async def test_a_customers_orders_come_newest_first(platform: ShopifyPlatform) -> None:
    jane = await platform.customer_by_email("jane.doe@example.com")
    assert jane is not None
    orders = await platform.customer_orders(jane.ref, 3)
    hers = sorted((o for o in DEMO.values() if o.customer.ref == "1"), key=lambda o: o.placed_at)
    assert [o.number for o in orders] == [o.number for o in reversed(hers)][:3]
    assert orders[0].placed_at > orders[1].placed_at > orders[2].placed_at
    assert await platform.customer_orders("gid://shopify/Customer/999999", 3) == []


def _return(rma: str, order: PlatformOrder, quantity: int = 1) -> ReturnRequest:
    return ReturnRequest(rma, "damaged", "Cracked glaze", ((order.items[0].ref, quantity),))


async def test_recording_a_return_twice_with_the_same_rma_makes_one_shopify_return(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    order = await platform.order("10011")
    assert order is not None
    first = await platform.record_return(order, _return("RMA-90001", order))
    again = await platform.record_return(order, _return("RMA-90001", order))
    assert first == again
    assert first.startswith("gid://shopify/Return/")
    created = [i for i in await shop.log() if i.get("operation") == "returnCreate"]
    assert len(created) == 1
    line = created[0]["lines"][0]
    assert line["returnReason"] == "DEFECTIVE"
    assert line["returnReasonNote"] == "Baton RMA RMA-90001: Cracked glaze"
    assert line["quantity"] == 1


async def test_a_return_already_in_shopify_is_found_by_its_rma(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    order = await platform.order("10002")  # the demo's RMA-20001
    assert order is not None
    assert await platform.record_return(order, _return("RMA-20001", order)) == (
        "gid://shopify/Return/1"
    )
    assert not [i for i in await shop.log() if i.get("operation") == "returnCreate"]


async def test_returning_more_than_was_delivered_is_shopifys_refusal_not_an_outage(
    platform: ShopifyPlatform,
) -> None:
    order = await platform.order("10011")
    assert order is not None
    with pytest.raises(ShopifyUserError):
        await platform.record_return(order, _return("RMA-90002", order, quantity=5))


async def test_cancelling_an_unshipped_paid_order_refunds_it(platform: ShopifyPlatform) -> None:
    order = await platform.order("10005")
    assert order is not None and order.status == "paid"
    cancelled = await platform.cancel_order(order, "Customer changed their mind")
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    assert cancelled.cancellation_reason == "Cancelled at the customer's request"
    assert [r.amount for r in cancelled.refunds] == [order.total]
    assert cancelled.expected_dispatch is None
    assert await platform.order("10005") == cancelled


async def test_cancelling_an_unpaid_order_voids_the_payment(platform: ShopifyPlatform) -> None:
    order = await platform.order("10004")
    assert order is not None and order.payment_status == "pending"
    cancelled = await platform.cancel_order(order, "item out of stock")
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "voided")
    assert cancelled.cancellation_reason == "An item went out of stock before dispatch"
    assert cancelled.refunds == ()


@pytest.mark.parametrize("number", ["10001", "10009"])  # shipped; already cancelled
async def test_cancelling_is_refused_with_shopifys_message(
    platform: ShopifyPlatform, number: str
) -> None:
    order = await platform.order(number)
    assert order is not None
    with pytest.raises(ShopifyUserError, match="cancel"):
        await platform.cancel_order(order, "Customer changed their mind")
    assert await platform.order(number) == order


async def test_changing_the_address_changes_what_the_next_read_returns(
    platform: ShopifyPlatform,
) -> None:
    order = await platform.order("10004")
    assert order is not None
    new = PlatformAddress("1 Deansgate", "Flat 2", "Manchester", "M3 1AZ", "GB")
    changed = await platform.change_address(order, new)
    assert changed.shipping_address == new
    again = await platform.order("10004")
    assert again is not None and again.shipping_address == new
    assert dataclasses.replace(again, shipping_address=order.shipping_address) == order


async def test_an_address_shopify_rejects_raises_its_message(platform: ShopifyPlatform) -> None:
    order = await platform.order("10004")
    assert order is not None
    bad = PlatformAddress("1 Deansgate", None, "Manchester", "M3 1AZ", "United Kingdom")
    with pytest.raises(ShopifyUserError, match="Country is invalid"):
        await platform.change_address(order, bad)


async def test_a_parcel_the_fake_marks_delivered_reads_delivered(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    assert (await shop.control("orders/10001", {"status": "delivered"}))["status"] == "delivered"
    order = await platform.order("10001")
    assert order is not None
    assert order.status == "delivered"
    assert order.shipments[0].status == "delivered"
    assert order.shipments[0].delivered_to == "Handed to resident"
    assert order.shipments[0].delivered_at is not None
