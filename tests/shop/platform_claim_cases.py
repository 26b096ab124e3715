"""Paying a claim's refund on a platform backend — the mirror on the real adapter on the
platform's fake, with a real SQLite copy — told the same way for Shopify
(test_shopify_claim_refund.py) and WooCommerce (test_woocommerce_claim_refund.py).

The demo's 10011 (delivered, GBP 75.99, no delivery charge: a 22.00 vase among three items) and
10046 (delivered, GBP 40.95 with 3.95 delivery, one parcel)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Optional, Union

import pytest

from actions.common import utc_now
from actions.services.problems import idempotency_key
from actions.services.problems_parcels import amount
from actions.shop import mirror_sql
from actions.shop.claim_payment import ClaimRefund, ClaimRefunded
from actions.shop.errors import OrderNotChangeable
from actions.shop.mirror import MirroredShop
from actions.shop.platform import (
    CancelLine,
    ClaimPayment,
    PlatformOrder,
    ShopUnavailable,
    claim_note,
)
from actions.store import claims
from actions.store.claims import Claim, NewClaim
from actions.store.db import dispose_all
from actions.store.models import Order
from actions.store.uow import unit_of_work

SPLIT, WHOLE = "10011", "10046"
VASE = Decimal("22.00")


@dataclass(frozen=True)
class Write:
    """One refund the platform's fake took, in common words."""

    amount: Decimal
    lines: tuple[tuple[str, int], ...]  # (platform line ref, quantity)
    restocked: bool
    note: str
    shipping: bool  # the delivery charge asked back (Shopify's shipping.fullRefund)


@dataclass
class Harness:
    """``writes`` says which refunds the platform's fake took, oldest first; ``go_down`` makes
    it fail every request for a while."""

    shop: MirroredShop
    writes: Callable[[], Awaitable[list[Write]]]
    go_down: Callable[[], Awaitable[None]]


async def _order(h: Harness, number: str) -> Order:
    found = await h.shop.order(number)
    assert found is not None, number
    return found


async def reread(h: Harness, number: str) -> Order:
    """Baton's copy read again from the platform (as after an orders/updated webhook)."""
    async with unit_of_work() as repo:
        await mirror_sql.mark_stale(repo.conn, number)
    return await _order(h, number)


async def claimed(h: Harness, number: str, kind: str, price: Optional[Decimal] = None) -> Claim:
    """A claim as the problem report records it: the item at ``price``, or the whole order."""
    order = await _order(h, number)
    item = next((i for i in order.items if i.unit_price == price), None)
    lines = (
        ((item, item.quantity),)
        if item is not None
        else tuple((i, i.quantity) for i in order.items)
    )
    new = NewClaim(
        idempotency_key=idempotency_key(number, kind, item.id if item else None),
        order_number=number,
        kind=kind,
        reason="keep_item" if item else "not_received",
        remedy="refund",
        amount=amount(order, lines),
        currency=order.currency,
        created_at=utc_now(),
        order_item_id=item.id if item else None,
        quantity=item.quantity if item else None,
    )
    async with unit_of_work() as repo:
        claim, _ = await repo.create_claim(new)
    return claim


async def state_of(claim: Claim) -> str:
    async with unit_of_work() as repo:
        found = await claims.by_number(repo.conn, claim.number)
    assert found is not None
    return found.state


async def a_damaged_item_is_refunded_unrestocked_and_the_order_reads_refunded_in_part(
    h: Harness,
) -> None:
    claim = await claimed(h, SPLIT, "damaged", VASE)
    done = await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    assert done.paid_now and done.refund.amount == VASE and done.refund.external_ref
    [write] = await h.writes()
    assert (write.amount, len(write.lines), write.restocked, write.shipping) == (
        VASE, 1, False, False
    )  # fmt: skip
    assert write.lines[0][1] == 1 and write.note.startswith(f"Baton claim {claim.number}")
    after = await reread(h, SPLIT)
    assert (after.status, after.payment_status) == ("delivered", "partially_refunded")
    assert after.claim_refunds == (done.refund,) and after.refunded_at is not None
    assert all(i.cancelled_at is None for i in after.items)  # refunded, not cancelled
    assert await state_of(claim) == "settled"


async def a_parcel_not_received_refunds_all_that_is_left_with_the_delivery(h: Harness) -> None:
    claim = await claimed(h, WHOLE, "not_received")
    refund = ClaimRefund.for_claim(claim)
    assert refund.lines == () and refund.amount == Decimal("40.95")
    done = await h.shop.refund_claim(WHOLE, refund)
    assert done.paid_now
    assert [(w.amount, w.lines, w.restocked) for w in await h.writes()] == [
        (Decimal("40.95"), (), False)
    ]
    after = await reread(h, WHOLE)
    assert (after.status, after.payment_status) == ("delivered", "refunded")
    assert [r.amount for r in after.claim_refunds] == [Decimal("40.95")]


async def twice_one_after_the_other_pays_once(h: Harness) -> None:
    claim = await claimed(h, SPLIT, "damaged", VASE)
    first = await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    again = await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    assert (first.paid_now, again.paid_now) == (True, False) and first.refund == again.refund
    assert len(await h.writes()) == 1


async def two_taps_at_the_same_moment_pay_once(h: Harness) -> None:
    claim = await claimed(h, SPLIT, "damaged", VASE)
    refund = ClaimRefund.for_claim(claim)
    results = await asyncio.gather(
        h.shop.refund_claim(SPLIT, refund), h.shop.refund_claim(SPLIT, refund)
    )
    assert sorted(r.paid_now for r in results) == [False, True]
    assert len(await h.writes()) == 1


async def two_replicas_at_the_same_moment_pay_once(h: Harness) -> None:
    claim = await claimed(h, SPLIT, "damaged", VASE)
    refund = ClaimRefund.for_claim(claim)
    other = MirroredShop(h.shop.platform)  # another action server: its own locks
    results: list[Union[ClaimRefunded, BaseException]] = await asyncio.gather(
        h.shop.refund_claim(SPLIT, refund),
        other.refund_claim(SPLIT, refund),
        return_exceptions=True,
    )
    paid = [r for r in results if isinstance(r, ClaimRefunded) and r.paid_now]
    rest = [r for r in results if not (isinstance(r, ClaimRefunded) and r.paid_now)]
    assert len(paid) == 1, results
    assert all(
        (isinstance(r, ClaimRefunded) and not r.paid_now)
        or (isinstance(r, OrderNotChangeable) and r.reason == "busy")
        for r in rest
    ), results
    assert len(await h.writes()) == 1
    assert not (await other.refund_claim(SPLIT, refund)).paid_now  # and once it is done


async def again_after_a_restart_pays_once(h: Harness) -> None:
    claim = await claimed(h, SPLIT, "damaged", VASE)
    first = await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    await dispose_all()  # every pooled connection closed, a new backend
    again = await MirroredShop(h.shop.platform).refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    assert (first.paid_now, again.paid_now) == (True, False) and again.refund == first.refund
    assert len(await h.writes()) == 1


async def paid_on_the_platform_before_baton_recorded_it_is_not_paid_again(h: Harness) -> None:
    """Baton died after the platform paid (or the staff paid by hand, naming the claim)."""
    claim = await claimed(h, SPLIT, "damaged", VASE)
    found = await h.shop.platform.order(SPLIT)
    assert found is not None
    line = next(i for i in found.items if i.unit_price == VASE)
    note = claim_note(claim.number, "paid by hand")
    pay = ClaimPayment(claim.number, (CancelLine(line.ref, 1, VASE),), VASE, note)
    await h.shop.platform.refund_claim(found, pay)

    again = await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))

    assert not again.paid_now and again.refund.amount == VASE and again.refund.external_ref
    assert len(await h.writes()) == 1
    assert await state_of(claim) == "settled"


async def what_the_platform_refuses_raises_and_pays_nothing(h: Harness) -> None:
    real = h.shop.platform.refund_claim

    async def asking_too_much(order: PlatformOrder, pay: ClaimPayment) -> PlatformOrder:
        return await real(order, replace(pay, amount=Decimal("999.00")))

    claim = await claimed(h, SPLIT, "damaged", VASE)
    setattr(h.shop.platform, "refund_claim", asking_too_much)  # noqa: B010
    with pytest.raises(OrderNotChangeable) as refused:
        await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    assert refused.value.reason == "refused" and refused.value.detail
    assert await h.writes() == []
    after = await reread(h, SPLIT)
    assert (after.payment_status, after.claim_refunds) == ("paid", ())
    assert await state_of(claim) == "open"  # for a person
    setattr(h.shop.platform, "refund_claim", real)  # noqa: B010
    assert (await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))).paid_now


async def a_platform_that_is_down_is_unavailable_and_pays_nothing(h: Harness) -> None:
    real = h.shop.platform.refund_claim

    async def down_when_asked(order: PlatformOrder, pay: ClaimPayment) -> PlatformOrder:
        await h.go_down()
        return await real(order, pay)

    claim = await claimed(h, SPLIT, "damaged", VASE)
    setattr(h.shop.platform, "refund_claim", down_when_asked)  # noqa: B010
    with pytest.raises(ShopUnavailable):
        await h.shop.refund_claim(SPLIT, ClaimRefund.for_claim(claim))
    assert await h.writes() == [] and await state_of(claim) == "open"


async def an_order_refunded_in_full_is_not_asked_to_refund_more(h: Harness) -> None:
    whole = await claimed(h, WHOLE, "not_received")
    await h.shop.refund_claim(WHOLE, ClaimRefund.for_claim(whole))
    other = await claimed(h, WHOLE, "damaged", (await _order(h, WHOLE)).items[0].unit_price)
    with pytest.raises(OrderNotChangeable) as refused:
        await h.shop.refund_claim(WHOLE, ClaimRefund.for_claim(other))
    assert refused.value.reason == "already_refunded"
    assert len(await h.writes()) == 1 and await state_of(other) == "open"


CASES = [
    a_damaged_item_is_refunded_unrestocked_and_the_order_reads_refunded_in_part,
    a_parcel_not_received_refunds_all_that_is_left_with_the_delivery,
    twice_one_after_the_other_pays_once,
    two_taps_at_the_same_moment_pay_once,
    two_replicas_at_the_same_moment_pay_once,
    again_after_a_restart_pays_once,
    paid_on_the_platform_before_baton_recorded_it_is_not_paid_again,
    what_the_platform_refuses_raises_and_pays_nothing,
    a_platform_that_is_down_is_unavailable_and_pays_nothing,
    an_order_refunded_in_full_is_not_asked_to_refund_more,
]
