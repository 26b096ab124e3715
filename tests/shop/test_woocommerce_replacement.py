"""A claim's replacement on WooCommerce: the mirror on the real adapter on the WooCommerce fake
(a child process, real HTTP; POST /orders paid at no charge with ``_baton_claim`` meta data), the
cases of tests/shop/platform_replacement_cases.py, and what the adapter sends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from actions.shop.mirror import MirroredShop
from actions.shop.woocommerce import WooCommercePlatform, WooSettings
from fakes.woocommerce import DEMO_KEY, DEMO_SECRET
from tests.shop.platform_replacement_cases import CASES, Harness
from tests.shop.woocommerce_fake import control

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


async def created(url: str) -> list[dict[str, Any]]:
    return [e for e in (await control(url, "log"))["requests"] if e.get("write") == "order_created"]


@pytest.fixture
async def harness(woo_url: str, empty_store: str) -> AsyncIterator[Harness]:
    await control(woo_url, "reset", {})
    adapters: list[WooCommercePlatform] = []

    def adapter() -> WooCommercePlatform:
        adapters.append(
            WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, DEMO_SECRET, timeout=2.0))
        )
        return adapters[-1]

    async def made() -> list[dict[str, object]]:
        return [dict(e) for e in await created(woo_url)]

    async def go_down() -> None:
        await control(woo_url, "faults", {"mode": "down", "count": 50})

    async def fresh() -> MirroredShop:
        return MirroredShop(adapter())

    yield Harness(MirroredShop(adapter()), made, go_down, fresh)
    for one in adapters:
        await one.close()
    await control(woo_url, "faults", {"mode": "none"})


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_claim_replacement_on_woocommerce(
    case: Callable[[Harness], Awaitable[None]], harness: Harness
) -> None:
    await case(harness)


async def test_the_order_is_paid_at_no_charge_with_the_claim_in_its_meta_data(
    harness: Harness, woo_url: str
) -> None:
    await CASES[0](harness)
    [write] = await created(woo_url)
    body = write["body"]
    assert body["set_paid"] is True and body["customer_id"] > 0
    assert [(li["subtotal"], li["total"]) for li in body["line_items"]] == [("0.00", "0.00")]
    [meta] = body["meta_data"]
    assert meta["key"] == "_baton_claim" and meta["value"].startswith("CLM-")
    assert body["shipping"]["postcode"] and body["billing"]["email"]
