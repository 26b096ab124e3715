"""Paying a claim's refund on the built-in shop: it shows in the order's refunds, and the same
claim refunded twice — one after the other, at the same moment, after a restart — pays once.
Run on SQLite (test_claim_refunds.py) and on PostgreSQL (test_claim_refunds_postgres.py).

The demo's 10011 (delivered, GBP 75.99: two cushions 14.50, a 22.00 vase, a 24.99 lamp) and
10046 (delivered, GBP 40.95 with 3.95 delivery)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Optional

import pytest

from actions.common import utc_now
from actions.services.problems import idempotency_key
from actions.services.problems_parcels import amount
from actions.shop.backend import BuiltInShop, OrderNotChangeable
from actions.shop.claim_payment import ClaimRefund, ClaimRefunded
from actions.store import claims
from actions.store.claims import Claim, NewClaim
from actions.store.models import Order
from actions.store.uow import unit_of_work
from tests.shop.cancel_store import order, reopened

SPLIT = "10011"
WHOLE = "10046"


async def claimed(number: str, kind: str, item: Optional[int] = None) -> Claim:
    """A claim as the problem report records it: for ``item`` (all of it), or the whole order."""
    found = await order(number)
    lines = tuple((i, i.quantity) for i in found.items if item is None or i.id == item)
    new = NewClaim(
        idempotency_key=idempotency_key(number, kind, item),
        order_number=number,
        kind=kind,
        reason="keep_item" if kind == "damaged" else "not_received",
        remedy="refund",
        amount=amount(found, lines),
        currency=found.currency,
        created_at=utc_now(),
        order_item_id=item,
        quantity=sum(q for _, q in lines) if item is not None else None,
    )
    async with unit_of_work() as repo:
        claim, _ = await repo.create_claim(new)
    return claim


async def vase() -> tuple[Claim, ClaimRefund]:
    found = await order(SPLIT)
    item = next(i for i in found.items if i.unit_price == Decimal("22.00"))
    claim = await claimed(SPLIT, "damaged", item.id)
    return claim, ClaimRefund.for_claim(claim)


async def state_of(claim: Claim) -> str:
    async with unit_of_work() as repo:
        found = await claims.by_number(repo.conn, claim.number)
    assert found is not None
    return found.state


def _only_paid_once(after: Order, claim: Claim, results: list[ClaimRefunded]) -> None:
    assert [r.paid_now for r in results].count(True) == 1, results
    assert [(r.claim, r.amount) for r in after.claim_refunds] == [(claim.number, claim.amount)]
    assert all(r.refund == after.claim_refunds[0] for r in results)


async def a_damaged_item_refund_shows_in_the_orders_refunds() -> None:
    before = await order(SPLIT)
    claim, refund = await vase()
    assert refund.lines == ((claim.order_item_id, 1),) and refund.amount == Decimal("22.00")

    done = await BuiltInShop().refund_claim(SPLIT, refund)

    after = await order(SPLIT)
    assert done.paid_now and done.order == after
    assert (after.status, after.payment_status) == ("delivered", "partially_refunded")
    [paid] = after.claim_refunds
    assert (paid.claim, paid.amount, paid.currency) == (claim.number, Decimal("22.00"), "GBP")
    assert paid.destination == before.payment_method and after.refunded_at == paid.refunded_at
    assert await state_of(claim) == "settled"


async def a_parcel_not_received_refunds_all_that_is_left_and_the_order_reads_refunded() -> None:
    claim = await claimed(WHOLE, "not_received")
    refund = ClaimRefund.for_claim(claim)
    assert refund.lines == () and refund.amount == Decimal("40.95")  # delivery included

    done = await BuiltInShop().refund_claim(WHOLE, refund)

    assert done.paid_now and done.order.payment_status == "refunded"
    assert [r.amount for r in done.order.claim_refunds] == [Decimal("40.95")]


async def twice_one_after_the_other_pays_once() -> None:
    claim, refund = await vase()
    first = await BuiltInShop().refund_claim(SPLIT, refund)
    again = await BuiltInShop().refund_claim(SPLIT, refund)
    assert (first.paid_now, again.paid_now) == (True, False)
    _only_paid_once(await order(SPLIT), claim, [first, again])


async def twice_at_the_same_moment_pays_once() -> None:
    claim, refund = await vase()
    results = await asyncio.gather(
        BuiltInShop().refund_claim(SPLIT, refund), BuiltInShop().refund_claim(SPLIT, refund)
    )
    _only_paid_once(await order(SPLIT), claim, list(results))


async def again_after_a_restart_pays_once() -> None:
    claim, refund = await vase()
    first = await BuiltInShop().refund_claim(SPLIT, refund)
    again = await (await reopened()).refund_claim(SPLIT, refund)
    assert not again.paid_now
    _only_paid_once(await order(SPLIT), claim, [first, again])


async def what_the_order_or_the_claim_does_not_allow_pays_nothing() -> None:
    claim, refund = await vase()
    before = await order(SPLIT)
    vase_id = refund.lines[0][0]

    def asking(
        money: str, currency: str = "GBP", lines: Optional[tuple[tuple[int, int], ...]] = None
    ) -> ClaimRefund:
        chosen = refund.lines if lines is None else lines
        return ClaimRefund(SPLIT, claim.number, Decimal(money), currency, chosen)

    wrong = [
        (ClaimRefund(SPLIT, "CLM-39999", Decimal("1.00"), "GBP"), "no_claim"),
        (asking("22.01"), "wrong_amount"),
        (asking("22.00", "EUR"), "wrong_amount"),
        (asking("22.00", lines=((999999, 1),)), "not_in_order"),
        (asking("22.00", lines=((vase_id, 2),)), "not_in_order"),
    ]
    for asked, reason in wrong:
        with pytest.raises(OrderNotChangeable) as refused:
            await BuiltInShop().refund_claim(SPLIT, asked)
        assert refused.value.reason == reason, asked
    assert await order(SPLIT) == before and await state_of(claim) == "open"


async def a_claim_paid_on_one_order_is_not_paid_again_through_another() -> None:
    _, refund = await vase()
    await BuiltInShop().refund_claim(SPLIT, refund)
    with pytest.raises(OrderNotChangeable) as refused:
        await BuiltInShop().refund_claim(WHOLE, replace(refund, order_number=WHOLE, lines=()))
    assert refused.value.reason == "no_claim"
    assert (await order(WHOLE)).claim_refunds == ()


async def an_order_refunded_in_full_refunds_no_more() -> None:
    whole = await claimed(WHOLE, "not_received")
    await BuiltInShop().refund_claim(WHOLE, ClaimRefund.for_claim(whole))
    item = (await order(WHOLE)).items[0]
    other = await claimed(WHOLE, "damaged", item.id)
    with pytest.raises(OrderNotChangeable) as refused:
        await BuiltInShop().refund_claim(WHOLE, ClaimRefund.for_claim(other))
    assert refused.value.reason == "already_refunded"
    assert len((await order(WHOLE)).claim_refunds) == 1 and await state_of(other) == "open"


CASES = [
    a_damaged_item_refund_shows_in_the_orders_refunds,
    a_parcel_not_received_refunds_all_that_is_left_and_the_order_reads_refunded,
    twice_one_after_the_other_pays_once,
    twice_at_the_same_moment_pays_once,
    again_after_a_restart_pays_once,
    what_the_order_or_the_claim_does_not_allow_pays_nothing,
    a_claim_paid_on_one_order_is_not_paid_again_through_another,
    an_order_refunded_in_full_refunds_no_more,
]
