"""Sending a claim's replacement on the built-in shop: a new order at no charge for the claimed
items, to the same customer and address, the stock taken off and the claim settled; the same
claim sent twice — one after the other, at the same moment, after a restart — makes one order.
Run on SQLite (test_claim_replacements.py) and on PostgreSQL
(test_claim_replacements_postgres.py).

The demo's 10011 (Jane's, delivered: two candles HOM-CNDL-FIG at 14.50 — 40 in stock —, a
T-shirt CLO-TEE-WHT — sold out —, a bulb ELE-BULB-2PK — not tracked)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Optional

import pytest

from actions.common import utc_now
from actions.services.problems import idempotency_key
from actions.services.problems_parcels import amount
from actions.shop.backend import BuiltInShop, OrderNotChangeable
from actions.shop.claim_replacement import ClaimReplacement, ReplacementSent
from actions.store import claims
from actions.store import tables as t
from actions.store.claims import Claim, NewClaim
from actions.store.uow import unit_of_work
from tests.shop.cancel_store import order, reopened

NUMBER = "10011"
CANDLES, TEE, BULB = "HOM-CNDL-FIG", "CLO-TEE-WHT", "ELE-BULB-2PK"


async def claimed(sku: str, remedy: str = "replacement") -> Claim:
    """A damaged-item claim as the problem report records it, for all of that item."""
    found = await order(NUMBER)
    item = next(i for i in found.items if i.sku == sku)
    new = NewClaim(
        idempotency_key=idempotency_key(NUMBER, "damaged", item.id),
        order_number=NUMBER,
        kind="damaged",
        reason="keep_item",
        remedy=remedy,
        amount=amount(found, ((item, item.quantity),)),
        currency=found.currency,
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


async def left(sku: str) -> Optional[int]:
    return (await BuiltInShop().stock([sku]))[sku]


async def replacements_of(customer_id: int) -> list[str]:
    """The customer's orders at no charge (what a second replacement would add to)."""
    found = []
    for summary in await BuiltInShop().recent_orders(customer_id, limit=50):
        full = await order(summary.number)
        if full.total == Decimal("0.00"):
            found.append(full.number)
    return found


async def a_replacement_is_a_free_order_to_the_same_customer_and_address() -> None:
    claim = await claimed(CANDLES)
    original = await order(NUMBER)
    sent = await BuiltInShop().send_replacement(NUMBER, ClaimReplacement.for_claim(claim))
    assert sent.sent_now and sent.claim == claim.number
    new = await order(sent.number)
    assert int(new.number) > int(NUMBER)
    assert (new.customer_id, new.shipping_address) == (
        original.customer_id,
        original.shipping_address,
    )
    assert (new.status, new.payment_status, new.total, new.currency) == (
        "paid",
        "paid",
        Decimal("0.00"),
        "GBP",
    )
    assert [(i.sku, i.quantity, i.unit_price) for i in new.items] == [(CANDLES, 2, Decimal("0.00"))]
    assert new.shipments == () and new.expected_dispatch is not None
    assert claim.number in new.payment_method
    assert await left(CANDLES) == 38  # two of the 40 went
    assert await state_of(claim) == "settled"
    assert await BuiltInShop().order_owner(new.number) == original.customer_id
    assert (await order(NUMBER)).payment_status == original.payment_status  # nothing refunded


async def sent_twice_it_is_one_order() -> None:
    claim = await claimed(CANDLES)
    asked = ClaimReplacement.for_claim(claim)
    first = await BuiltInShop().send_replacement(NUMBER, asked)
    again = await BuiltInShop().send_replacement(NUMBER, asked)
    assert (again.sent_now, again.number) == (False, first.number)
    assert await replacements_of(first.replacement.customer_id) == [first.number]
    assert await left(CANDLES) == 38


async def two_taps_at_the_same_moment_make_one_order() -> None:
    claim = await claimed(CANDLES)
    asked = ClaimReplacement.for_claim(claim)
    both = await asyncio.gather(
        BuiltInShop().send_replacement(NUMBER, asked),
        BuiltInShop().send_replacement(NUMBER, asked),
    )
    assert sorted(s.sent_now for s in both) == [False, True]
    assert both[0].number == both[1].number
    assert await replacements_of(both[0].replacement.customer_id) == [both[0].number]
    assert await left(CANDLES) == 38


async def after_a_restart_it_is_found_sent() -> None:
    claim = await claimed(CANDLES)
    asked = ClaimReplacement.for_claim(claim)
    first = await BuiltInShop().send_replacement(NUMBER, asked)
    again = await (await reopened()).send_replacement(NUMBER, asked)
    assert isinstance(again, ReplacementSent)
    assert (again.sent_now, again.number) == (False, first.number)
    assert await left(CANDLES) == 38


async def out_of_stock_or_untracked_sends_nothing() -> None:
    for sku in (TEE, BULB):
        claim = await claimed(sku)
        with pytest.raises(OrderNotChangeable) as refused:
            await BuiltInShop().send_replacement(NUMBER, ClaimReplacement.for_claim(claim))
        assert (refused.value.reason, await state_of(claim)) == ("out_of_stock", "open")
    assert await replacements_of((await order(NUMBER)).customer_id) == []
    assert await left(TEE) == 0 and await left(BULB) is None


async def what_is_refused_sends_nothing() -> None:
    claim = await claimed(CANDLES)
    shop = BuiltInShop()
    cases = [
        ("no_claim", ClaimReplacement(NUMBER, "CLM-99999", ((claim.order_item_id or 0, 1),))),
        ("not_in_order", ClaimReplacement(NUMBER, claim.number, ((99999, 1),))),
        ("not_in_order", ClaimReplacement(NUMBER, claim.number, ((claim.order_item_id or 0, 3),))),
        ("not_in_order", ClaimReplacement(NUMBER, claim.number, ())),
        ("no_order", ClaimReplacement("99999", claim.number, ((1, 1),))),
    ]
    for reason, asked in cases:
        with pytest.raises(OrderNotChangeable) as refused:
            await shop.send_replacement(asked.order_number, asked)
        assert refused.value.reason == reason, asked
    with pytest.raises(OrderNotChangeable) as other:
        await shop.send_replacement("10014", ClaimReplacement.for_claim(claim))
    assert other.value.reason == "no_claim"
    assert await left(CANDLES) == 40 and await state_of(claim) == "open"
    refunded = await claimed(TEE, remedy="refund")
    async with unit_of_work() as repo:  # settled by its refund
        await repo.conn.execute(
            t.claims.update()
            .where(t.claims.c.idempotency_key == refunded.idempotency_key)
            .values(state="settled")
        )
    with pytest.raises(OrderNotChangeable) as closed:
        await shop.send_replacement(NUMBER, ClaimReplacement.for_claim(refunded))
    assert closed.value.reason == "claim_closed"


CASES = (
    a_replacement_is_a_free_order_to_the_same_customer_and_address,
    sent_twice_it_is_one_order,
    two_taps_at_the_same_moment_make_one_order,
    after_a_restart_it_is_found_sent,
    out_of_stock_or_untracked_sends_nothing,
    what_is_refused_sends_nothing,
)
