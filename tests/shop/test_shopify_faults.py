"""The Shopify adapter when Shopify misbehaves, its webhooks, its settings, and the fake as a
process."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from actions.shop.platform import ShopUnavailable
from actions.shop.shopify import (
    ShopifyPlatform,
    ShopifySettings,
    verify_webhook,
    webhook_order_number,
    webhook_order_ref,
)
from fakes.shopify import DEMO_ACCESS_TOKEN, DEMO_SHOP_DOMAIN, DEMO_WEBHOOK_SECRET
from fakes.shops import shop_env, start_shop_fake
from tests.shop.conftest import RunningFake

Make = Callable[..., ShopifyPlatform]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"mode": "down", "count": 2}, "down"),
        ({"mode": "error500", "count": 2}, "down"),
        ({"mode": "unauthorized"}, "unauthorized"),
        ({"mode": "throttled", "count": 20}, "rate_limited"),
        ({"mode": "rate_limit_429", "count": 20, "retry_after": 0.3}, "rate_limited"),
        ({"mode": "timeout", "seconds": 2}, "timeout"),
    ],
)
async def test_each_fault_is_the_right_kind_of_unavailable(
    shop: RunningFake, make_platform: Make, fault: dict[str, Any], kind: str
) -> None:
    platform = make_platform(timeout=0.5, wait_budget=1.0)
    await shop.control("faults", fault)
    with pytest.raises(ShopUnavailable) as caught:
        await platform.order("10001")
    assert caught.value.kind == kind


@pytest.mark.parametrize("mode", ["down", "error500"])
async def test_one_failed_request_is_retried_once(
    shop: RunningFake, platform: ShopifyPlatform, mode: str
) -> None:
    await shop.control("faults", {"mode": mode, "count": 1})
    order = await platform.order("10001")
    assert order is not None and order.number == "10001"
    assert len(await shop.log()) == 2


async def test_throttled_once_is_served_after_backing_off_as_shopify_asks(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    await shop.control("faults", {"mode": "throttled", "count": 1})
    started = time.monotonic()
    order = await platform.order("10002")
    waited = time.monotonic() - started
    assert order is not None and order.status == "delivered"
    # the fake says 30 points short at 100 points/s: 0.3 s
    assert 0.3 <= waited < 2.0
    assert [i["operation"] for i in await shop.log()] == ["BatonOrderByName"] * 2


async def test_a_429_is_retried_after_its_retry_after(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    await shop.control("faults", {"mode": "rate_limit_429", "count": 1, "retry_after": 0.4})
    started = time.monotonic()
    customer = await platform.customer_by_email("liam.murphy@example.ie")
    assert customer is not None and customer.first_name == "Liam"
    assert time.monotonic() - started >= 0.4


async def test_a_retry_after_beyond_the_budget_gives_up_at_once(
    shop: RunningFake, make_platform: Make
) -> None:
    platform = make_platform(wait_budget=1.0)
    await shop.control("faults", {"mode": "rate_limit_429", "count": 1, "retry_after": 30})
    started = time.monotonic()
    with pytest.raises(ShopUnavailable) as caught:
        await platform.order("10001")
    assert caught.value.kind == "rate_limited"
    assert time.monotonic() - started < 1.0


async def test_a_slow_network_beyond_the_timeout_is_a_timeout(
    shop: RunningFake, make_platform: Make
) -> None:
    await shop.control("delay", {"ms": 1200})
    with pytest.raises(ShopUnavailable) as caught:
        await make_platform(timeout=0.4).order("10001")
    assert caught.value.kind == "timeout"
    assert await make_platform(timeout=3.0).order("10001") is not None  # slow, not broken


async def test_a_wrong_token_is_unauthorized_and_never_logged(
    shop: RunningFake, make_platform: Make
) -> None:
    with pytest.raises(ShopUnavailable) as caught:
        await make_platform(token="shpat_revoked").order("10001")
    assert caught.value.kind == "unauthorized"
    log = json.dumps(await shop.log())
    assert '"token_ok": false' in log
    assert "shpat_revoked" not in log and DEMO_ACCESS_TOKEN not in log


async def test_check_reports_the_shop_and_counts_without_personal_data(
    platform: ShopifyPlatform,
) -> None:
    check = await platform.check()
    assert (check.platform, check.shop, check.api_version) == (
        "shopify",
        DEMO_SHOP_DOMAIN,
        "2024-10",
    )
    assert check.orders_readable and check.sample_order_count == 120
    assert check.problems == ()
    assert "@" not in repr(check)


async def test_check_names_the_scopes_the_app_is_missing(
    shop: RunningFake, platform: ShopifyPlatform
) -> None:
    await shop.control("scopes", {"scopes": ["read_orders", "read_customers"]})
    check = await platform.check()
    assert check.scopes == ("read_customers", "read_orders")
    assert check.problems == (
        "missing access scope write_orders",
        "missing access scope read_fulfillments",
        "missing access scope read_returns",
        "missing access scope write_returns",
    )


# --- webhooks ------------------------------------------------------------------------------


@pytest.fixture
async def receiver() -> Any:
    """An endpoint standing in for Baton's webhook route: keeps the raw body and headers."""
    seen: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((await request.read(), dict(request.headers)))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/webhooks/shopify", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/webhooks/shopify")), seen
    await server.close()


async def test_a_signed_order_webhook_verifies_and_names_its_order(
    shop: RunningFake, receiver: Any
) -> None:
    address, seen = receiver
    sent = await shop.control("webhook", {"topic": "orders/updated", "number": "10001",
                                          "address": address})  # fmt: skip
    assert sent["status"] == 200
    body, headers = seen[0]
    signature = headers["X-Shopify-Hmac-Sha256"]
    assert headers["X-Shopify-Topic"] == "orders/updated"
    assert headers["X-Shopify-Shop-Domain"] == DEMO_SHOP_DOMAIN
    assert headers["X-Shopify-Webhook-Id"] == sent["webhook_id"]
    assert verify_webhook(body, signature, DEMO_WEBHOOK_SECRET)
    assert not verify_webhook(body.replace(b"10001", b"10002"), signature, DEMO_WEBHOOK_SECRET)
    assert not verify_webhook(body, signature, "another-apps-secret")
    assert not verify_webhook(body, "", DEMO_WEBHOOK_SECRET)
    payload = json.loads(body)
    assert webhook_order_number(payload) == "10001"
    assert webhook_order_ref(payload) == "gid://shopify/Order/1"


async def test_a_refund_webhook_names_the_order_only_by_id(
    shop: RunningFake, platform: ShopifyPlatform, receiver: Any
) -> None:
    address, seen = receiver
    await shop.control("webhook", {"topic": "refunds/create", "number": "10062",
                                   "address": address, "secret": "s3cret"})  # fmt: skip
    body, headers = seen[0]
    assert verify_webhook(body, headers["X-Shopify-Hmac-Sha256"], "s3cret")
    payload = json.loads(body)
    assert webhook_order_number(payload) is None
    ref = webhook_order_ref(payload)
    assert ref is not None
    order = await platform.order_by_ref(ref)
    assert order is not None and order.number == "10062"


# --- settings and the fake as a process ----------------------------------------------------


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_SHOP_DOMAIN", "example.myshopify.com")
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", "shpat_x")
    monkeypatch.delenv("SHOPIFY_API_VERSION", raising=False)
    monkeypatch.delenv("SHOPIFY_API_URL", raising=False)
    settings = ShopifySettings.from_env()
    assert settings.endpoint == "https://example.myshopify.com/admin/api/2024-10/graphql.json"
    monkeypatch.delenv("SHOPIFY_ACCESS_TOKEN")
    with pytest.raises(ValueError, match="SHOPIFY_ACCESS_TOKEN"):
        ShopifySettings.from_env()


@pytest.mark.parametrize("url", ["http://shop.example.com", "http://10.0.0.5:5103"])
def test_the_token_is_never_sent_over_plain_http_off_this_machine(url: str) -> None:
    with pytest.raises(ValueError, match="plain http"):
        ShopifyPlatform(ShopifySettings(DEMO_SHOP_DOMAIN, "t", api_url=url))
    assert ShopifyPlatform(ShopifySettings(DEMO_SHOP_DOMAIN, "t", api_url="http://localhost:1"))


async def test_the_fake_runs_as_a_module_and_serves_the_adapter() -> None:
    url, proc = await asyncio.to_thread(start_shop_fake, "shopify")
    try:
        env = shop_env("shopify", url)
        settings = ShopifySettings(env["SHOPIFY_SHOP_DOMAIN"], env["SHOPIFY_ACCESS_TOKEN"],
                                   api_url=env["SHOPIFY_API_URL"])  # fmt: skip
        platform = ShopifyPlatform(settings)
        try:
            order = await platform.order("10001")
        finally:
            await platform.close()
        assert order is not None and order.customer.first_name == "Jane"
        with urllib.request.urlopen(f"{url}/_fake/health") as resp:  # noqa: S310 - loopback
            assert json.load(resp)["orders"] == 120
    finally:
        proc.terminate()
        proc.wait(timeout=10)
