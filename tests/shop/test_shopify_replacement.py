"""A claim's replacement on Shopify: the mirror on the real adapter on the fake Shopify
(orderCreate at no charge, tagged with the claim, inventory decremented), the cases of
tests/shop/platform_replacement_cases.py, and what the adapter sends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from actions.shop.mirror import MirroredShop
from actions.shop.shopify import ShopifyPlatform
from tests.shop.conftest import RunningFake
from tests.shop.platform_replacement_cases import CASES, Harness

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@pytest.fixture
async def harness(
    shop: RunningFake, make_platform: Callable[..., ShopifyPlatform], empty_store: str
) -> AsyncIterator[Harness]:
    async def made() -> list[dict[str, object]]:
        return await _made(shop)

    async def go_down() -> None:
        await shop.control("faults", {"mode": "down", "count": 50})

    async def fresh() -> MirroredShop:
        return MirroredShop(make_platform())

    yield Harness(MirroredShop(make_platform()), made, go_down, fresh)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_claim_replacement_on_shopify(
    case: Callable[[Harness], Awaitable[None]], harness: Harness
) -> None:
    await case(harness)


async def test_the_order_is_made_free_paid_tagged_and_not_receipted(
    harness: Harness, shop: RunningFake
) -> None:
    await CASES[0](harness)
    [create] = [i for i in await shop.log() if i.get("operation") == "BatonOrderCreate"]
    sent = create["variables"]
    assert sent["order"]["financialStatus"] == "PAID"
    assert sent["order"]["tags"][0] == "baton-claim" and sent["order"]["tags"][1].startswith("CLM-")
    assert sent["order"]["note"].startswith("Baton claim CLM-")
    assert sent["order"]["customer"]["toAssociate"]["id"].startswith("gid://shopify/Customer/")
    assert [li["priceSet"]["shopMoney"]["amount"] for li in sent["order"]["lineItems"]] == ["0.00"]
    assert sent["options"] == {
        "inventoryBehaviour": "DECREMENT_OBEYING_POLICY",
        "sendReceipt": False,
    }


async def _made(shop: RunningFake) -> list[dict[str, object]]:
    """The orders Shopify made (its log of orderCreate), each with its number."""
    return [
        {"number": i["order"], **i} for i in await shop.log() if i.get("operation") == "orderCreate"
    ]
