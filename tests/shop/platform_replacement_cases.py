"""A claim's replacement on a platform backend (Shopify, WooCommerce), through the mirror on the
real adapter and the platform's fake: one free order on the platform for the claimed items, to
the same customer and address, the platform's stock taken off, the claim settled; twice, two
taps, two replicas, a restart and an order the platform made before Baton recorded it make one
order; sold out and down make none. Run by test_shopify_replacement.py and
test_woocommerce_replacement.py.

The demo's 10011 (Jane's, delivered): two candles HOM-CNDL-FIG (40 in stock), a T-shirt
CLO-TEE-WHT (sold out)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from actions.common import utc_now
from actions.services.problems import idempotency_key
from actions.services.problems_parcels import amount
from actions.shop.claim_replacement import ClaimReplacement
from actions.shop.errors import OrderNotChangeable
from actions.shop.mirror import MirroredShop
from actions.shop.platform import ShopUnavailable
from actions.store import claim_replacements, claims
from actions.store.claims import Claim, NewClaim
from actions.store.db import dispose_all
from actions.store.models import Order
from actions.store.uow import unit_of_work

NUMBER = "10011"
CANDLES, TEE = "HOM-CNDL-FIG", "CLO-TEE-WHT"


@dataclass
class Harness:
    """The mirror on the platform, and what the platform holds: ``made()`` the replacement
    orders it made (each a dict with at least ``number``), ``go_down`` to make it unreachable,
    ``fresh()`` a new mirror on a new adapter (another replica, or after a restart)."""

    shop: MirroredShop
    made: Callable[[], Awaitable[list[dict[str, object]]]]
    go_down: Callable[[], Awaitable[None]]
    fresh: Callable[[], Awaitable[MirroredShop]]


async def _order(shop: MirroredShop, number: str) -> Order:
    found = await shop.order(number)
    assert found is not None, number
    return found


async def claimed(h: Harness, sku: str) -> Claim:
    order = await _order(h.shop, NUMBER)
    item = next(i for i in order.items if i.sku == sku)
    new = NewClaim(
        idempotency_key=idempotency_key(NUMBER, "damaged", item.id),
        order_number=NUMBER,
        kind="damaged",
        reason="keep_item",
        remedy="replacement",
        amount=amount(order, ((item, item.quantity),)),
        currency=order.currency,
        created_at=utc_now(),
        order_item_id=item.id,
        quantity=item.quantity,
    )
    async with unit_of_work() as repo:
        claim, _ = await repo.create_claim(new)
    return claim


async def state_of(claim: Claim) -> str:
    async with unit_of_work() as repo:
        found = await claims.by_number(repo.conn, claim.number)
    assert found is not None
    return found.state


async def a_replacement_is_one_free_order_on_the_platform_for_the_same_customer(h: Harness) -> None:
    claim = await claimed(h, CANDLES)
    original = await _order(h.shop, NUMBER)
    sent = await h.shop.send_replacement(NUMBER, ClaimReplacement.for_claim(claim))
    assert sent.sent_now
    [made] = await h.made()
    assert made["number"] == sent.number and int(sent.number) > int(NUMBER)
    new = await _order(h.shop, sent.number)  # as the customer asking about it would see it
    assert new.customer_id == original.customer_id
    assert await h.shop.order_owner(sent.number) == original.customer_id
    assert new.total == Decimal("0.00") and new.shipments == ()
    assert (new.shipping_address.line1, new.shipping_address.postal_code) == (
        original.shipping_address.line1,
        original.shipping_address.postal_code,
    )
    assert [(i.sku, i.quantity, i.unit_price) for i in new.items] == [(CANDLES, 2, Decimal("0.00"))]
    assert await h.shop.stock([CANDLES]) == {CANDLES: 38}  # the platform took them off
    assert await state_of(claim) == "settled"


async def twice_two_taps_and_a_restart_make_one_order(h: Harness) -> None:
    claim = await claimed(h, CANDLES)
    asked = ClaimReplacement.for_claim(claim)
    both = await asyncio.gather(
        h.shop.send_replacement(NUMBER, asked), h.shop.send_replacement(NUMBER, asked)
    )
    assert sorted(s.sent_now for s in both) == [False, True]
    again = await h.shop.send_replacement(NUMBER, asked)
    await dispose_all()
    restarted = await (await h.fresh()).send_replacement(NUMBER, asked)
    assert {s.number for s in (*both, again, restarted)} == {both[0].number}
    assert len(await h.made()) == 1
    assert await h.shop.stock([CANDLES]) == {CANDLES: 38}


async def another_replica_at_the_same_moment_is_told_busy(h: Harness) -> None:
    claim = await claimed(h, CANDLES)
    asked = ClaimReplacement.for_claim(claim)
    other = await h.fresh()
    found = await asyncio.gather(
        h.shop.send_replacement(NUMBER, asked),
        other.send_replacement(NUMBER, asked),
        return_exceptions=True,
    )
    sent = [f for f in found if not isinstance(f, BaseException)]
    for refused in (f for f in found if isinstance(f, BaseException)):
        assert isinstance(refused, OrderNotChangeable) and refused.reason == "busy"
    assert sent and len(await h.made()) == 1


async def an_order_the_platform_made_before_baton_recorded_it_is_not_made_again(
    h: Harness,
) -> None:
    claim = await claimed(h, CANDLES)
    asked = ClaimReplacement.for_claim(claim)
    first = await h.shop.send_replacement(NUMBER, asked)
    async with unit_of_work() as repo:  # as if Baton crashed after the platform made it
        await repo.conn.execute(
            claim_replacements.t.claim_replacements.delete().where(
                claim_replacements.t.claim_replacements.c.claim == claim.number
            )
        )
        await repo.conn.execute(
            claims.t.claims.update()
            .where(claims.t.claims.c.idempotency_key == claim.idempotency_key)
            .values(state="open")
        )
    again = await h.shop.send_replacement(NUMBER, asked)
    assert (again.sent_now, again.number) == (False, first.number)
    assert len(await h.made()) == 1 and await state_of(claim) == "settled"


async def sold_out_or_down_makes_nothing(h: Harness) -> None:
    tee = await claimed(h, TEE)
    with pytest.raises(OrderNotChangeable) as refused:
        await h.shop.send_replacement(NUMBER, ClaimReplacement.for_claim(tee))
    assert refused.value.reason == "out_of_stock"
    candles = await claimed(h, CANDLES)
    await h.go_down()
    with pytest.raises(ShopUnavailable):
        await h.shop.send_replacement(NUMBER, ClaimReplacement.for_claim(candles))
    assert await h.made() == []
    assert (await state_of(tee), await state_of(candles)) == ("open", "open")
    async with unit_of_work() as repo:
        assert await claim_replacements.sent(repo.conn, candles.number, NUMBER) is None


CASES = (
    a_replacement_is_one_free_order_on_the_platform_for_the_same_customer,
    twice_two_taps_and_a_restart_make_one_order,
    another_replica_at_the_same_moment_is_told_busy,
    an_order_the_platform_made_before_baton_recorded_it_is_not_made_again,
    sold_out_or_down_makes_nothing,
)
