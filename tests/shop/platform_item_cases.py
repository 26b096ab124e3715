"""Cancelling some items of an order on a platform backend — the mirror on the real adapter on
the platform's fake, with a real SQLite copy — told the same way for Shopify
(test_shopify_item_cancel.py) and WooCommerce (test_woocommerce_item_cancel.py).

The order: the demo's 10115 (paid, four items, in the warehouse), given a 5.00 delivery fee
and a 20.00 discount on the platform, so the refunds show the discount shared out and the
shipping coming back only with the last items."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from actions.shop import mirror_sql
from actions.shop.backend import ItemsCancelled, OrderNotChangeable
from actions.shop.mirror import MirroredShop
from actions.shop.platform import ItemsCancellation, PlatformOrder, ShopUnavailable
from actions.store.models import Order
from actions.store.uow import unit_of_work

NUMBER = "10115"
SHIPPED = "10001"
REASON = "Cancelled at the customer's request"
#: 10115 on the platform: items 50.00, 24.99, 95.00, 59.00 (228.99), +5.00 delivery, -20.00
SHIPPING, TOTAL = Decimal("5.00"), Decimal("213.99")
#: 50.00 - 4.37 and 24.99 - 2.18: each item's price less its share of the 20.00 discount
FIRST_TWO = Decimal("68.44")


@dataclass
class Harness:
    """One platform's fake behind a mirror: ``refunds`` says which refunds of lines the fake
    took (amounts, oldest first); ``go_down`` makes the fake fail every request for a while;
    ``unknown_line`` is a line item ref the platform does not have."""

    shop: MirroredShop
    refunds: Callable[[], Awaitable[list[Decimal]]]
    go_down: Callable[[], Awaitable[None]]
    unknown_line: str


async def _order(h: Harness, number: str = NUMBER) -> Order:
    found = await h.shop.order(number)
    assert found is not None, number
    return found


async def reread(h: Harness, number: str = NUMBER) -> Order:
    """Baton's copy read again from the platform (as after an orders/updated webhook)."""
    async with unit_of_work() as repo:
        await mirror_sql.mark_stale(repo.conn, number)
    return await _order(h, number)


async def two_of_four_refund_exactly_those_and_a_reread_keeps_them(h: Harness) -> None:
    before = await _order(h)
    assert (before.status, len(before.items), before.total) == ("paid", 4, TOTAL)
    two = [before.items[0].id, before.items[1].id]
    done = await h.shop.cancel_items(NUMBER, two, REASON)
    assert (done.cancelled, done.refund, done.whole) == (tuple(two), FIRST_TWO, False)
    assert await h.refunds() == [FIRST_TWO]
    after = await reread(h)
    assert (after.status, after.payment_status) == ("paid", "paid")
    gone = {i.id: i.refunded for i in after.items if i.cancelled_at is not None}
    assert gone == {two[0]: Decimal("45.63"), two[1]: Decimal("22.81")}
    assert done.order.items == after.items


async def the_last_items_cancel_the_order(h: Harness) -> None:
    before = await _order(h)
    ids = [i.id for i in before.items]
    await h.shop.cancel_items(NUMBER, ids[:2], REASON)
    rest = await h.shop.cancel_items(NUMBER, ids, REASON)  # the first two are done already
    assert rest.cancelled == tuple(ids[2:]) and rest.whole
    assert rest.refund == TOTAL - FIRST_TWO  # the shipping fee comes back with the last ones
    assert await h.refunds() == [FIRST_TWO, TOTAL - FIRST_TWO]
    after = await reread(h)
    assert (after.status, after.payment_status) == ("cancelled", "refunded")
    assert after.cancelled_at is not None and after.cancellation_reason
    assert all(i.cancelled_at is not None for i in after.items)
    with pytest.raises(OrderNotChangeable) as again:
        await h.shop.cancel_items(NUMBER, ids, REASON)
    assert again.value.reason == "already_cancelled"


async def asking_twice_refunds_once(h: Harness) -> None:
    before = await _order(h)
    two = [before.items[2].id, before.items[3].id]
    first = await h.shop.cancel_items(NUMBER, two, REASON)
    again = await h.shop.cancel_items(NUMBER, two, REASON)
    assert first.cancelled == tuple(two) and first.refund > 0
    assert (again.cancelled, again.refund, again.whole) == ((), Decimal("0.00"), False)
    assert await h.refunds() == [first.refund]


async def two_taps_at_the_same_moment_refund_once(h: Harness) -> None:
    before = await _order(h)
    two = [before.items[0].id, before.items[1].id]
    results: tuple[ItemsCancelled, ...] = await asyncio.gather(
        h.shop.cancel_items(NUMBER, two, REASON), h.shop.cancel_items(NUMBER, two, REASON)
    )
    done = [r for r in results if r.cancelled]
    assert len(done) == 1 and done[0].refund == FIRST_TWO, results
    assert [r.refund for r in results if not r.cancelled] == [Decimal("0.00")]
    assert await h.refunds() == [FIRST_TWO]


async def a_dispatched_order_is_refused(h: Harness) -> None:
    shipped = await _order(h, SHIPPED)
    with pytest.raises(OrderNotChangeable) as refused:
        await h.shop.cancel_items(SHIPPED, [shipped.items[0].id], REASON)
    assert refused.value.reason == "already_shipped"
    assert await h.refunds() == []


async def what_the_platform_refuses_is_a_refusal_with_its_reason(h: Harness) -> None:
    real = h.shop.platform.cancel_items

    async def with_a_line_it_does_not_have(
        order: PlatformOrder, cancel: ItemsCancellation
    ) -> PlatformOrder:
        lines = (replace(cancel.lines[0], ref=h.unknown_line), *cancel.lines[1:])
        return await real(order, replace(cancel, lines=lines))

    setattr(h.shop.platform, "cancel_items", with_a_line_it_does_not_have)  # noqa: B010
    before = await _order(h)
    with pytest.raises(OrderNotChangeable) as refused:
        await h.shop.cancel_items(NUMBER, [before.items[0].id], REASON)
    assert refused.value.reason == "refused" and refused.value.detail
    assert await h.refunds() == []
    assert all(i.cancelled_at is None for i in (await reread(h)).items)


async def a_platform_that_is_down_is_unavailable_and_nothing_changes(h: Harness) -> None:
    real = h.shop.platform.cancel_items

    async def down_when_asked(order: PlatformOrder, cancel: ItemsCancellation) -> PlatformOrder:
        await h.go_down()
        return await real(order, cancel)

    setattr(h.shop.platform, "cancel_items", down_when_asked)  # noqa: B010
    before = await _order(h)
    with pytest.raises(ShopUnavailable):
        await h.shop.cancel_items(NUMBER, [before.items[0].id], REASON)
    assert await h.refunds() == []


CASES = [
    two_of_four_refund_exactly_those_and_a_reread_keeps_them,
    the_last_items_cancel_the_order,
    asking_twice_refunds_once,
    two_taps_at_the_same_moment_refund_once,
    a_dispatched_order_is_refused,
    what_the_platform_refuses_is_a_refusal_with_its_reason,
    a_platform_that_is_down_is_unavailable_and_nothing_changes,
]
