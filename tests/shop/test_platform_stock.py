"""Stock on every platform backend: the mirror on the real Shopify and WooCommerce adapters on
their fakes (served from the demo seed's stock, as the built-in shop's stock_levels), so every
backend offers the same replacements; and what each adapter makes of the platform's answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actions.shop import shopify_stock, woocommerce_stock
from actions.shop.mirror import MirroredShop
from actions.shop.platform import ShopUnavailable
from actions.shop.shopify import ShopifyPlatform
from actions.shop.woocommerce import WooCommercePlatform, WooSettings
from fakes.woocommerce import DEMO_KEY, DEMO_SECRET
from tests.shop.conftest import RunningFake
from tests.shop.woocommerce_fake import control

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

ASKED = ["HOM-CNDL-FIG", "CLO-TEE-WHT", "ELE-BULB-2PK", "NO-SUCH-SKU"]
DEMO = {"CLO-TEE-WHT": 0, "ELE-BULB-2PK": None, "HOM-CNDL-FIG": 40, "NO-SUCH-SKU": None}


async def test_shopify_reads_the_variants_stock_by_sku(
    shop: RunningFake, platform: ShopifyPlatform, empty_store: str
) -> None:
    assert await MirroredShop(platform).stock(ASKED) == DEMO
    [asked] = [i for i in await shop.log() if i.get("operation") == "BatonVariantStock"]
    assert asked["variables"]["query"].startswith('sku:"CLO-TEE-WHT" OR sku:"ELE-BULB-2PK"')


async def test_shopify_down_is_unavailable(
    shop: RunningFake, platform: ShopifyPlatform, empty_store: str
) -> None:
    await shop.control("faults", {"mode": "down", "count": 5})
    with pytest.raises(ShopUnavailable):
        await MirroredShop(platform).stock(ASKED)


@pytest.fixture
async def woo(woo_url: str) -> AsyncIterator[WooCommercePlatform]:
    await control(woo_url, "reset", {})
    platform = WooCommercePlatform(WooSettings(woo_url, DEMO_KEY, DEMO_SECRET, timeout=2.0))
    yield platform
    await platform.close()


async def test_woocommerce_reads_the_products_stock_by_sku(
    woo: WooCommercePlatform, empty_store: str
) -> None:
    assert await MirroredShop(woo).stock(ASKED) == DEMO


def test_shopify_untracked_variants_are_unknown_and_shared_skus_add_up() -> None:
    nodes = [
        {"sku": "A", "inventoryQuantity": 3, "inventoryItem": {"tracked": True}},
        {"sku": "A", "inventoryQuantity": 2, "inventoryItem": {"tracked": True}},
        {"sku": "B", "inventoryQuantity": 9, "inventoryItem": {"tracked": False}},
        {"sku": "C", "inventoryQuantity": -4, "inventoryItem": {"tracked": True}},
        {"sku": "ABC", "inventoryQuantity": 1, "inventoryItem": {"tracked": True}},
    ]
    assert shopify_stock.levels(nodes, ["A", "B", "C", "D"]) == {
        "A": 5,
        "B": None,
        "C": 0,
        "D": None,
    }
    assert shopify_stock.search(['X"1', "Y"]) == 'sku:"X\\"1" OR sku:"Y"'


def test_woocommerce_unmanaged_stock_is_unknown_unless_out_of_stock() -> None:
    products = [
        {"sku": "A", "manage_stock": True, "stock_quantity": 4, "stock_status": "instock"},
        {"sku": "B", "manage_stock": False, "stock_quantity": None, "stock_status": "instock"},
        {"sku": "C", "manage_stock": False, "stock_quantity": None, "stock_status": "outofstock"},
        {"sku": "D", "manage_stock": True, "stock_quantity": -2, "stock_status": "onbackorder"},
    ]
    assert woocommerce_stock.levels(products, ["A", "B", "C", "D", "E"]) == {
        "A": 4,
        "B": None,
        "C": 0,
        "D": 0,
        "E": None,
    }
    assert woocommerce_stock.batches(["A", "B,C"]) == [["A"]]
