"""The WooCommerce adapter against the WooCommerce fake (a child process, real HTTP).

Round trip: every demo order read through the adapter equals the demo ``PlatformOrder`` once
refs are normalised. What must differ, and why:

- refs: WooCommerce's own ids (order id = 5000 + demo id, line items 900 + id, customers
  200 + id or ``guest:<email>``, parcels the plugin's tracking_id or ``note-…``, refunds);
- parcel order: the adapter lists parcels oldest shipment first (WooCommerce has no other
  order for them); the demo lists them by its internal shipment id, which for a few orders
  is not the shipping order, so parcels are compared sorted by tracking number;
- a cancelled order that was paid carries its cancellation refund as a ``PlatformRefund``
  without an RMA: in WooCommerce that refund is a real object, the demo only lists the money
  given back for returns.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from actions.shop.demo import demo_platform_orders
from actions.shop.platform import PlatformAddress, PlatformOrder, ReturnRequest, ShopUnavailable
from actions.shop.woocommerce import WooCommercePlatform, WooSettings
from actions.shop.woocommerce_webhooks import (
    verify_webhook,
    webhook_order_number,
    webhook_order_ref,
)
from fakes.woocommerce import (
    DEMO_KEY,
    DEMO_SECRET,
    READ_ONLY_KEY,
    READ_ONLY_SECRET,
)
from tests.shop.conftest import ANCHOR
from tests.shop.woocommerce_fake import control

DEMO = {o.number: o for o in demo_platform_orders(ANCHOR)}


@pytest.fixture
async def shop(woo_url: str) -> AsyncIterator[WooCommercePlatform]:
    platform = WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, DEMO_SECRET, timeout=2.0))
    yield platform
    await platform.close()
    await control(woo_url, "faults", {"mode": "none"})
    await control(woo_url, "delay", {"ms": 0})


def normalised(order: PlatformOrder) -> PlatformOrder:
    """Refs out (see the module docstring); item refs become positions, so parcel contents
    still say which item."""
    position = {item.ref: str(n) for n, item in enumerate(order.items)}
    return dataclasses.replace(
        order,
        ref="",
        customer=dataclasses.replace(order.customer, ref=""),
        items=tuple(dataclasses.replace(i, ref=position[i.ref]) for i in order.items),
        shipments=tuple(
            dataclasses.replace(
                s, ref="", contents=tuple((position[ref], q) for ref, q in s.contents)
            )
            for s in sorted(order.shipments, key=lambda s: s.tracking_number)
        ),
        refunds=tuple(dataclasses.replace(r, ref="") for r in order.refunds if r.rma),
    )


# --- reading ---------------------------------------------------------------------------------


async def test_every_demo_order_reads_back_as_the_demo_shop_holds_it(
    shop: WooCommercePlatform, woo_url: str
) -> None:
    await control(woo_url, "reset", {})
    states = set()
    for number, demo in DEMO.items():
        order = await shop.order(number)
        assert order is not None, number
        assert normalised(order) == normalised(demo), number
        states.add(order.status)
    assert states == {
        "placed",
        "paid",
        "packed",
        "shipped",
        "out_for_delivery",
        "delivered",
        "delayed",
        "lost_in_transit",
        "cancelled",
    }


async def test_refs_are_woocommerce_ids_and_the_number_is_what_the_customer_sees(
    shop: WooCommercePlatform,
) -> None:
    order = await shop.order("#10010")
    assert order is not None
    assert (order.ref, order.number, order.customer.ref) == ("5010", "10010", "202")
    assert [s.tracking_number for s in order.shipments] == ["CE016695552IE", "18557178150372"]
    assert order.shipments[1].contents == ((order.items[2].ref, 1),)
    assert order.items[0].ref == "910"


async def test_a_cancelled_paid_order_carries_its_refund_without_an_rma(
    shop: WooCommercePlatform,
) -> None:
    order = await shop.order("10009")
    assert order is not None
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert order.cancellation_reason == "An item went out of stock before dispatch"
    assert [(r.amount, r.refunded_at, r.rma) for r in order.refunds] == [
        (DEMO["10009"].total, DEMO["10009"].refunded_at, None)
    ]


async def test_an_unknown_order_number_is_none(shop: WooCommercePlatform) -> None:
    assert await shop.order("99999") is None
    assert await shop.order("5001") is None  # an id is not an order number
    assert await shop.order("  ") is None


async def test_a_customer_is_found_by_email_with_or_without_an_account(
    shop: WooCommercePlatform,
) -> None:
    jane = await shop.customer_by_email("Jane.Doe@example.com")
    assert jane is not None
    assert (jane.ref, jane.first_name, jane.phone, jane.postal_code) == (
        "201",
        "Jane",
        "+447700900001",
        "SW1A 1AA",
    )
    guest_order = next(o for o in DEMO.values() if _orders_of(o.customer.ref) == 1)
    guest = await shop.customer_by_email(guest_order.customer.email)
    assert guest is not None
    assert guest.ref == f"guest:{guest_order.customer.email.lower()}"
    assert dataclasses.replace(guest, ref="") == dataclasses.replace(guest_order.customer, ref="")
    assert await shop.customer_by_email("nobody@example.com") is None


async def test_a_customer_is_found_by_phone_whatever_format_the_shop_stored(
    shop: WooCommercePlatform,
) -> None:
    jane = await shop.customer_by_phone("+447700900001")  # stored as "07700 900001"
    liam = await shop.customer_by_phone("+353851234567")  # stored as "+353 85 123 4567"
    assert (jane and jane.email, liam and liam.email) == (
        "jane.doe@example.com",
        "liam.murphy@example.ie",
    )
    guest_order = next(o for o in DEMO.values() if _orders_of(o.customer.ref) == 1)
    guest = await shop.customer_by_phone(guest_order.customer.phone or "")
    assert guest is not None and guest.ref.startswith("guest:")
    assert await shop.customer_by_phone("+447700900999") is None


async def test_a_customers_orders_come_newest_first(shop: WooCommercePlatform) -> None:
    janes = sorted(
        (o for o in DEMO.values() if o.customer.ref == "1"), key=lambda o: o.placed_at, reverse=True
    )
    orders = await shop.customer_orders("201", limit=3)
    assert [o.number for o in orders] == [o.number for o in janes[:3]]
    guest_order = next(o for o in DEMO.values() if _orders_of(o.customer.ref) == 1)
    ref = f"guest:{guest_order.customer.email.lower()}"
    assert [o.number for o in await shop.customer_orders(ref, 5)] == [guest_order.number]


def _orders_of(customer_ref: str) -> int:
    return sum(1 for o in DEMO.values() if o.customer.ref == customer_ref)


# --- writing ---------------------------------------------------------------------------------


async def test_recording_the_same_return_twice_writes_one_note(
    shop: WooCommercePlatform, woo_url: str
) -> None:
    order = await shop.order("10002")
    assert order is not None
    request = ReturnRequest("RMA-99001", "too small", None, ((order.items[0].ref, 1),))
    first = await shop.record_return(order, request)
    second = await shop.record_return(order, request)
    assert first == second
    notes = [e for e in (await control(woo_url, "log"))["requests"] if e.get("write") == "note"]
    written = [n["note"] for n in notes if "RMA-99001" in n["note"]]
    assert written == [
        "Baton return RMA-99001: 1 × Lambswool crew jumper, navy (CLO-JMP-NVY); reason: too small"
    ]


async def test_cancelling_a_paid_order_refunds_it_through_the_gateway(
    shop: WooCommercePlatform, woo_url: str
) -> None:
    order = await shop.order("10005")
    assert order is not None and order.payment_status == "paid"
    after = await shop.cancel_order(order, "Ordered the wrong size")
    assert (after.status, after.payment_status) == ("cancelled", "refunded")
    assert after.cancellation_reason == "Ordered the wrong size"
    assert after.cancelled_at is not None and after.refunded_at is not None
    assert [(r.amount, r.rma) for r in after.refunds] == [(order.total, None)]
    again = await shop.order("10005")
    assert again == after
    refunds = [e for e in (await control(woo_url, "log"))["requests"] if e.get("write") == "refund"]
    assert [(r["id"], r["amount"], r["api_refund"]) for r in refunds] == [(5005, "51.95", True)]


async def test_cancelling_an_unpaid_order_voids_it_without_a_refund(
    shop: WooCommercePlatform,
) -> None:
    order = await shop.order("10004")
    assert order is not None
    after = await shop.cancel_order(order, "Changed my mind")
    assert (after.status, after.payment_status, after.refunds) == ("cancelled", "voided", ())


async def test_a_refund_the_gateway_refuses_leaves_the_order_cancelled_but_paid(
    shop: WooCommercePlatform, woo_url: str
) -> None:
    await control(woo_url, "orders/10106", {"gateway_refunds": False})
    order = await shop.order("10106")
    assert order is not None
    after = await shop.cancel_order(order, "Found it cheaper")
    assert (after.status, after.payment_status, after.refunds) == ("cancelled", "paid", ())
    notes = [
        e["note"]
        for e in (await control(woo_url, "log"))["requests"]
        if e.get("write") == "note" and e["id"] == 5106
    ]
    assert any("please refund by hand" in n for n in notes)


async def test_changing_the_address_changes_the_next_read(shop: WooCommercePlatform) -> None:
    order = await shop.order("10006")
    assert order is not None
    new = PlatformAddress("1 Princes Street", "Flat 2", "Edinburgh", "EH2 2AN", "GB")
    after = await shop.change_address(order, new)
    assert after.shipping_address == new
    assert (await shop.order("10006")) == after
    assert after.status == "packed"


async def test_an_order_the_shop_marks_delivered_reads_delivered(
    shop: WooCommercePlatform, woo_url: str
) -> None:
    await control(woo_url, "orders/10001", {"status": "delivered"})
    order = await shop.order("10001")
    assert order is not None
    assert (order.status, order.shipments[0].status) == ("delivered", "delivered")
    assert order.shipments[0].delivered_to == "Handed to resident"


# --- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("down", "down"),
        ("error500", "down"),
        ("unauthorized", "unauthorized"),
        ("rate_limit_429", "rate_limited"),
        ("bad_json", "bad_response"),
        ("timeout", "timeout"),
    ],
)
async def test_each_fault_is_reported_as_its_kind(
    shop: WooCommercePlatform, woo_url: str, mode: str, kind: str
) -> None:
    shop.settings = dataclasses.replace(shop.settings, timeout=0.5)
    await control(woo_url, "faults", {"mode": mode, "count": 5, "retry_after": 5})
    with pytest.raises(ShopUnavailable) as caught:
        await shop.order("10001")
    assert caught.value.kind == kind


async def test_a_429_with_retry_after_is_waited_out(
    shop: WooCommercePlatform, woo_url: str
) -> None:
    await control(woo_url, "faults", {"mode": "rate_limit_429", "count": 1, "retry_after": 1})
    started = time.monotonic()
    order = await shop.order("10001")
    assert order is not None and order.number == "10001"
    assert time.monotonic() - started >= 1.0


async def test_one_server_error_is_retried(shop: WooCommercePlatform, woo_url: str) -> None:
    await control(woo_url, "faults", {"mode": "error500", "count": 1})
    order = await shop.order("10003")
    assert order is not None and order.status == "delayed"


async def test_a_shop_slower_than_the_timeout_times_out(woo_url: str) -> None:
    slow = WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, DEMO_SECRET, timeout=0.3))
    await control(woo_url, "delay", {"ms": 800})
    try:
        with pytest.raises(ShopUnavailable) as caught:
            await slow.order("10001")
        assert caught.value.kind == "timeout"
    finally:
        await control(woo_url, "delay", {"ms": 0})
        await slow.close()


async def test_a_wrong_key_is_unauthorized(woo_url: str) -> None:
    wrong = WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, "cs_wrong", timeout=2.0))
    with pytest.raises(ShopUnavailable) as caught:
        await wrong.order("10001")
    await wrong.close()
    assert caught.value.kind == "unauthorized"


async def test_a_shop_nobody_answers_for_is_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gone = WooCommercePlatform(WooSettings(f"http://127.0.0.1:{port}", DEMO_KEY, DEMO_SECRET))
    with pytest.raises(ShopUnavailable) as caught:
        await gone.order("10001")
    await gone.close()
    assert caught.value.kind == "down"


# --- check, settings, privacy -------------------------------------------------------------


async def test_check_names_the_shop_and_counts_orders(shop: WooCommercePlatform) -> None:
    check = await shop.check()
    assert (check.shop, check.api_version, check.sample_order_count) == (
        "Lumen & Loom",
        "wc/v3 (WooCommerce 8.9.3)",
        120,
    )
    assert (check.orders_readable, check.scopes, check.problems) == (True, ("read", "write"), ())


async def test_a_read_only_key_is_flagged_and_cannot_write(woo_url: str) -> None:
    reader = WooCommercePlatform(WooSettings(woo_url, READ_ONLY_KEY, READ_ONLY_SECRET))
    try:
        check = await reader.check()
        assert check.scopes == ("read",)
        assert "read-only" in check.problems[0]
        order = await reader.order("10013")
        assert order is not None
        with pytest.raises(ShopUnavailable) as caught:
            await reader.record_return(order, ReturnRequest("RMA-99002", "faulty", None, ()))
        assert caught.value.kind == "unauthorized"
    finally:
        await reader.close()


def test_keys_are_never_sent_over_plain_http_to_a_remote_shop() -> None:
    with pytest.raises(ValueError, match="https"):
        WooSettings("http://shop.example", DEMO_KEY, DEMO_SECRET)
    settings = WooSettings.from_env(
        {
            "WOOCOMMERCE_URL": "https://shop.example/",
            "WOOCOMMERCE_CONSUMER_KEY": "ck_x",
            "WOOCOMMERCE_CONSUMER_SECRET": "cs_x",
        }
    )
    assert settings.site_url == "https://shop.example"
    assert "cs_x" not in repr(settings) and "ck_x" not in repr(settings)
    with pytest.raises(ValueError, match="CONSUMER_KEY"):
        WooSettings.from_env({"WOOCOMMERCE_URL": "https://shop.example"})


async def test_logs_carry_no_keys_emails_or_phones(
    shop: WooCommercePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await shop.customer_by_email("jane.doe@example.com")
        await shop.customer_by_phone("+447700900001")
    text = caplog.text.lower()
    assert "woocommerce get" in text
    for secret in ("jane.doe", "7700900001", "900001", DEMO_SECRET, DEMO_KEY):
        assert secret not in text


# --- webhooks ----------------------------------------------------------------------------


async def test_the_fakes_signed_webhook_verifies_and_a_tampered_one_does_not(
    woo_url: str,
) -> None:
    received: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/webhooks/woocommerce", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        address = f"http://127.0.0.1:{port}/webhooks/woocommerce"
        for topic in ("order.updated", "order.deleted"):
            answer = await control(
                woo_url,
                "webhook",
                {"topic": topic, "number": "10001", "address": address, "secret": "s3cret"},
            )
            assert answer["status"] == 200
    finally:
        await runner.cleanup()
    (body, headers), (deleted, _) = received
    signature = headers["X-WC-Webhook-Signature"]
    assert (
        headers["X-WC-Webhook-Topic"],
        headers["X-WC-Webhook-Resource"],
        headers["X-WC-Webhook-Event"],
    ) == ("order.updated", "order", "updated")
    assert verify_webhook(body, signature, "s3cret")
    assert not verify_webhook(body.replace(b"10001", b"10002"), signature, "s3cret")
    assert not verify_webhook(body, signature, "wrong")
    assert not verify_webhook(body, "", "s3cret")
    import json

    assert webhook_order_number(json.loads(body)) == "10001"
    assert webhook_order_number(json.loads(deleted)) is None
    assert webhook_order_ref(json.loads(deleted)) == "5001"


async def test_concurrent_reads_each_get_their_own_order(shop: WooCommercePlatform) -> None:
    orders = await asyncio.gather(*(shop.order(n) for n in ("10011", "10013", "10014")))
    assert [o.number for o in orders if o] == ["10011", "10013", "10014"]
