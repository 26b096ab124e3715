"""The same cancellation submitted twice — one after the other, at the same moment, and after
a restart — cancels and refunds once. Run on SQLite (test_cancel_idempotency.py) and on
PostgreSQL (test_cancel_idempotency_postgres.py)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from actions.shop.backend import BuiltInShop, ItemsCancelled, OrderNotChangeable
from tests.shop.cancel_store import MULTI_ITEM, SINGLE, order, reopened

REASON = "Cancelled at the customer's request"


async def items_twice_one_after_the_other() -> None:
    before = await order(MULTI_ITEM)
    two = [before.items[0].id, before.items[1].id]
    first = await BuiltInShop().cancel_items(MULTI_ITEM, two, REASON)
    again = await BuiltInShop().cancel_items(MULTI_ITEM, two, REASON)
    assert first.cancelled == tuple(two) and first.refund > 0 and not first.whole
    assert again.cancelled == () and again.refund == Decimal("0.00")
    await _only_those_cancelled(two, first.refund)


async def items_twice_at_the_same_moment() -> None:
    before = await order(MULTI_ITEM)
    two = [before.items[0].id, before.items[1].id]
    results = await asyncio.gather(
        BuiltInShop().cancel_items(MULTI_ITEM, two, REASON),
        BuiltInShop().cancel_items(MULTI_ITEM, two, REASON),
    )
    done = [r for r in results if r.cancelled]
    assert len(done) == 1, results  # one did it, the other found it done
    assert [r.refund for r in results if not r.cancelled] == [Decimal("0.00")]
    await _only_those_cancelled(two, done[0].refund)


async def items_again_after_a_restart() -> None:
    before = await order(MULTI_ITEM)
    one = [before.items[2].id]
    first = await BuiltInShop().cancel_items(MULTI_ITEM, one, REASON)
    again = await (await reopened()).cancel_items(MULTI_ITEM, one, REASON)
    assert first.cancelled == tuple(one) and again.cancelled == ()
    await _only_those_cancelled(one, first.refund)


async def the_last_items_cancel_the_order_once() -> None:
    before = await order(MULTI_ITEM)
    ids = [i.id for i in before.items]
    part: ItemsCancelled = await BuiltInShop().cancel_items(MULTI_ITEM, ids[:2], REASON)
    rest = await asyncio.gather(
        BuiltInShop().cancel_items(MULTI_ITEM, ids, REASON),
        BuiltInShop().cancel_items(MULTI_ITEM, ids, REASON),
        return_exceptions=True,
    )
    finished = [r for r in rest if isinstance(r, ItemsCancelled) and r.cancelled]
    refused = [r for r in rest if isinstance(r, OrderNotChangeable)]
    assert len(finished) == 1 and finished[0].whole, rest
    assert [r.reason for r in refused] == ["already_cancelled"], rest
    after = await order(MULTI_ITEM)
    assert (after.status, after.payment_status) == ("cancelled", "refunded")
    # what came back in the two goes is what was paid, not a penny twice
    assert part.refund + finished[0].refund == before.total


async def whole_order_twice_at_the_same_moment() -> None:
    results = await asyncio.gather(
        BuiltInShop().cancel_order(SINGLE, REASON),
        BuiltInShop().cancel_order(SINGLE, REASON),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, OrderNotChangeable)]
    assert len(refused) == 1 and refused[0].reason == "already_cancelled", results
    with pytest.raises(OrderNotChangeable) as after_restart:
        await (await reopened()).cancel_order(SINGLE, REASON)
    assert after_restart.value.reason == "already_cancelled"
    assert (await order(SINGLE)).payment_status == "refunded"


async def _only_those_cancelled(ids: list[int], refund: Decimal) -> None:
    after = await order(MULTI_ITEM)
    assert after.status != "cancelled" and after.payment_status == "paid"
    cancelled = [i for i in after.items if i.cancelled_at is not None]
    assert sorted(i.id for i in cancelled) == sorted(ids)
    assert sum((i.refunded or Decimal(0) for i in cancelled), Decimal(0)) == refund
    assert all(i.refunded and i.refunded > 0 for i in cancelled)


CASES = [
    items_twice_one_after_the_other,
    items_twice_at_the_same_moment,
    items_again_after_a_restart,
    the_last_items_cancel_the_order_once,
    whole_order_twice_at_the_same_moment,
]
