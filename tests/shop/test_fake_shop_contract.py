"""The in-memory shop action tests use (tests/support/fake_shop.py) answers like the built-in
shop on a store seeded with the same demo: the same assertions run against both, so a test
that passes on ``FakeShop`` says something true about Baton. No model, no server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from actions.shop.backend import BuiltInShop, OrderNotChangeable, ShopBackend
from actions.shop.claim_payment import ClaimRefund
from actions.shop.claim_replacement import ClaimReplacement
from actions.store.claims import NewClaim
from actions.store.db import get_engine
from actions.store.models import Address
from actions.store.returns_models import NewLabel, NewReturn
from actions.store.seed import seed_store
from actions.store.uow import unit_of_work
from tests.support.fake_shop import DEMO_ANCHOR, FakeShop
from tests.support.store_env import store_at

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


@asynccontextmanager
async def demo_store(directory: Path) -> AsyncIterator[str]:
    """A temp SQLite store with the demo anchored on :data:`DEMO_ANCHOR`."""
    url = f"sqlite:///{directory / 'store.db'}"
    async with store_at(url):
        await seed_store(get_engine(url), anchor=DEMO_ANCHOR)
        yield url


@pytest.fixture
async def seeded_store(tmp_path: Path) -> AsyncIterator[str]:
    async with demo_store(tmp_path) as url:
        yield url


@pytest.fixture(params=["fake", "builtin"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ShopBackend]:
    """The same demo shop in dicts, or in a seeded store behind the built-in backend."""
    if request.param == "fake":
        yield FakeShop.demo()
        return
    async with demo_store(tmp_path):
        yield BuiltInShop()


async def test_an_order_comes_whole_with_items_and_parcels(backend: ShopBackend) -> None:
    order = await backend.order("10001")
    assert order is not None
    assert (order.status, order.customer_id, order.email) == (
        "shipped",
        1,
        "jane.doe@example.com",
    )
    assert [(i.sku, i.quantity) for i in order.items] == [("HOM-LAMP-STN", 1)]
    [parcel] = order.shipments
    assert (parcel.carrier, parcel.status) == ("DPD", "in_transit")
    assert parcel.contents == (("Stoneware table lamp", 1),)
    assert parcel.events == tuple(sorted(parcel.events, key=lambda e: e.occurred_at))
    assert await backend.order_owner("10001") == 1


async def test_an_unknown_order_is_none_not_an_error(backend: ShopBackend) -> None:
    assert await backend.order("99999") is None
    assert await backend.order_owner("99999") is None
    assert await backend.return_inputs("99999") is None
    assert await backend.returns_for_order("99999") == []


async def test_a_customer_is_found_by_id_phone_and_any_case_email(backend: ShopBackend) -> None:
    jane = await backend.customer(1)
    assert jane is not None and jane.display_name == "Jane Doe"
    assert await backend.customer_by_phone("+447700900001") == jane
    assert await backend.customer_by_email("  Jane.Doe@Example.com ") == jane
    assert await backend.customer_by_email("nobody@example.com") is None
    assert await backend.customer(10_000) is None


async def test_recent_orders_are_newest_first_with_the_first_item(backend: ShopBackend) -> None:
    recent = await backend.recent_orders(1)
    assert [o.number for o in recent] == ["10001", "10007", "10002", "10011"]
    assert (recent[-1].item_count, recent[-1].first_item) == (4, "Scented soy candle, fig & cedar")
    assert [o.number for o in await backend.recent_orders(1, limit=2)] == ["10001", "10007"]
    delivered = await backend.recent_delivered_orders(1)
    assert [o.number for o in delivered] == ["10002", "10011"]


async def test_return_inputs_say_when_items_arrived_and_what_is_already_returned(
    backend: ShopBackend,
) -> None:
    inputs = await backend.return_inputs("10002")
    assert inputs is not None
    [item] = inputs.order.items
    assert inputs.deliveries[item.id] == inputs.order.shipments[0].delivered_at
    assert inputs.returned == {item.id: (1, "RMA-20001")}
    not_yet = await backend.return_inputs("10001")
    assert not_yet is not None
    assert set(not_yet.deliveries.values()) == {None}
    assert not_yet.returned == {}


async def test_returns_are_read_by_rma_order_and_customer(backend: ShopBackend) -> None:
    found = await backend.get_return("RMA-20001")
    assert found is not None
    assert (found.order_number, found.status, found.customer_id) == ("10002", "in_transit", 1)
    assert [r.rma for r in await backend.returns_for_order("10002")] == ["RMA-20001"]
    assert [r.rma for r in await backend.returns_for_customer(1)] == ["RMA-20001"]
    assert await backend.return_by_key("seed:RMA-20001") == found
    assert await backend.get_return("RMA-99999") is None


def new_return(order_id: int, item_id: int, key: str) -> NewReturn:
    return NewReturn(
        order_id=order_id,
        customer_id=1,
        conversation_id="conv-contract",
        idempotency_key=key,
        status="label_created",
        reason="doesnt_fit",
        reason_note=None,
        method="carrier",
        store_id=None,
        refund_method="original_payment",
        currency="GBP",
        items_value=Decimal("14.50"),
        return_fee=Decimal("3.95"),
        refund_amount=Decimal("10.55"),
        created_at=datetime(2026, 11, 22, 10, 0),
        return_by=DEMO_ANCHOR,
        lines=((item_id, 1),),
    )


async def test_a_return_is_created_once_per_key_and_then_read_back(backend: ShopBackend) -> None:
    order = await backend.order("10011")
    assert order is not None
    candle = next(i for i in order.items if i.sku == "HOM-CNDL-FIG")
    label = NewLabel(
        "Royal Mail", "RM1", "https://example.com/RM1", datetime(2026, 11, 22, 10), DEMO_ANCHOR
    )
    made = await backend.create_return(new_return(order.id, candle.id, "k-1"), label)
    assert made.rma == "RMA-20010"  # after the demo's nine
    assert [(line.product_name, line.quantity) for line in made.lines] == [(candle.product_name, 1)]
    assert made.label is not None and made.label.tracking_number == "RM1"
    assert made.payment_method == order.payment_method
    assert await backend.return_by_key("k-1") == made

    with pytest.raises(IntegrityError):
        await backend.create_return(new_return(order.id, candle.id, "k-1"))

    assert [r.rma for r in await backend.returns_for_order("10011")] == ["RMA-20010"]
    inputs = await backend.return_inputs("10011")
    assert inputs is not None and inputs.returned == {candle.id: (1, "RMA-20010")}


async def test_an_order_in_the_warehouse_can_be_cancelled_or_sent_elsewhere(
    backend: ShopBackend,
) -> None:
    moved = await backend.change_address(
        "10006", Address("1 New St", None, "Leeds", "LS1 1AA", "GB")
    )
    assert moved.shipping_address.city == "Leeds"
    cancelled = await backend.cancel_order("10005", "changed my mind")
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    assert cancelled.cancellation_reason == "changed my mind"
    voided = await backend.cancel_order("10004", "changed my mind")
    assert voided.payment_status == "voided" and voided.refunded_at is None


async def test_a_shipped_or_cancelled_order_is_not_changed(backend: ShopBackend) -> None:
    with pytest.raises(OrderNotChangeable) as shipped:
        await backend.cancel_order("10001", "too late")
    assert shipped.value.reason == "already_shipped"
    with pytest.raises(OrderNotChangeable) as missing:
        await backend.change_address("99999", Address("x", None, "y", "z", "GB"))
    assert missing.value.reason == "no_order"
    await backend.cancel_order("10005", "first")
    with pytest.raises(OrderNotChangeable) as twice:
        await backend.cancel_order("10005", "again")
    assert twice.value.reason == "already_cancelled"
    still = await backend.order("10001")
    assert still is not None and still.status == "shipped"


async def test_the_fake_holds_exactly_what_the_seeded_store_holds(seeded_store: str) -> None:
    """Every order, customer's recent orders, return and return input, compared whole."""
    fake, store = FakeShop.demo(), BuiltInShop()
    for number in fake.data.orders:
        assert await fake.order(number) == await store.order(number), number
        assert await fake.return_inputs(number) == await store.return_inputs(number), number
        assert await fake.returns_for_order(number) == await store.returns_for_order(number)
    for cid in fake.data.customers:
        assert await fake.customer(cid) == await store.customer(cid)
        assert await fake.recent_orders(cid, 10) == await store.recent_orders(cid, 10)
        assert await fake.recent_delivered_orders(cid) == await store.recent_delivered_orders(cid)
        assert await fake.returns_for_customer(cid, 50) == await store.returns_for_customer(cid, 50)


async def test_some_items_are_cancelled_once_and_the_last_ones_cancel_the_order(
    backend: ShopBackend,
) -> None:
    before = await backend.order("10115")
    assert before is not None and before.status == "paid" and len(before.items) == 4
    ids = [i.id for i in before.items]
    two = await backend.cancel_items("10115", ids[:2], "changed my mind")
    assert two.cancelled == tuple(ids[:2]) and not two.whole and two.refund > 0
    again = await backend.cancel_items("10115", ids[:2], "changed my mind")
    assert again.cancelled == () and again.refund == Decimal("0.00")
    assert two.order.status == "paid"
    assert [i.cancelled_at is not None for i in two.order.items] == [True, True, False, False]
    rest = await backend.cancel_items("10115", ids, "changed my mind")
    assert rest.cancelled == tuple(ids[2:]) and rest.whole
    assert two.refund + rest.refund == before.total
    assert (rest.order.status, rest.order.payment_status) == ("cancelled", "refunded")


async def test_a_claims_refund_is_paid_once_and_shows_on_the_order(backend: ShopBackend) -> None:
    order = await backend.order("10011")
    assert order is not None and order.payment_status == "paid"
    vase = next(i for i in order.items if i.unit_price == Decimal("22.00"))
    number = "CLM-30001"
    if isinstance(backend, BuiltInShop):  # the store checks the claim is Baton's
        async with unit_of_work() as repo:
            claim, _ = await repo.create_claim(
                NewClaim("claim-1", "10011", "damaged", "keep_item", "refund",
                         Decimal("22.00"), "GBP", datetime(2026, 11, 20), vase.id, 1)
            )  # fmt: skip
        assert claim.number == number
    refund = ClaimRefund("10011", number, Decimal("22.00"), "GBP", ((vase.id, 1),), "damaged")
    with pytest.raises(OrderNotChangeable) as refused:
        await backend.refund_claim("10011", replace(refund, lines=((vase.id, 2),)))
    assert refused.value.reason == "not_in_order"
    first = await backend.refund_claim("10011", refund)
    again = await backend.refund_claim("10011", refund)
    assert (first.paid_now, again.paid_now) == (True, False) and first.refund == again.refund
    assert (first.refund.amount, first.refund.destination) == (
        Decimal("22.00"),
        order.payment_method,
    )
    after = await backend.order("10011")
    assert after is not None and after.claim_refunds == (first.refund,)
    assert after.payment_status == "partially_refunded" and after.refunded_at is not None


async def test_stock_is_the_demos_and_a_sku_not_tracked_is_none(backend: ShopBackend) -> None:
    found = await backend.stock(["HOM-CNDL-FIG", "CLO-TEE-WHT", "ELE-BULB-2PK", "NO-SUCH-SKU"])
    assert found == {
        "CLO-TEE-WHT": 0,  # sold out: the T-shirt missing from 10011 is refunded
        "ELE-BULB-2PK": None,  # not tracked
        "HOM-CNDL-FIG": 40,  # the candles damaged in 10011 are replaced
        "NO-SUCH-SKU": None,
    }
    assert await backend.stock([]) == {}


async def test_a_claims_replacement_is_one_free_order_for_the_same_customer(
    backend: ShopBackend,
) -> None:
    order = await backend.order("10011")
    assert order is not None
    candles = next(i for i in order.items if i.sku == "HOM-CNDL-FIG")
    tee = next(i for i in order.items if i.sku == "CLO-TEE-WHT")
    number = "CLM-30001"
    if isinstance(backend, BuiltInShop):  # the store checks the claim is Baton's
        async with unit_of_work() as repo:
            for key, item in (("claim-1", candles), ("claim-2", tee)):
                await repo.create_claim(
                    NewClaim(key, "10011", "damaged", "keep_item", "replacement",
                             Decimal("29.00"), "GBP", datetime(2026, 11, 20), item.id, 1)
                )  # fmt: skip
    sold_out = ClaimReplacement("10011", "CLM-30002", ((tee.id, 1),), "damaged")
    with pytest.raises(OrderNotChangeable) as refused:
        await backend.send_replacement("10011", sold_out)
    assert refused.value.reason == "out_of_stock"
    asked = ClaimReplacement("10011", number, ((candles.id, 2),), "damaged")
    first = await backend.send_replacement("10011", asked)
    again = await backend.send_replacement("10011", asked)
    assert (first.sent_now, again.sent_now, again.number) == (True, False, first.number)
    new = await backend.order(first.number)
    assert new is not None and int(new.number) > 10011
    assert (new.customer_id, new.shipping_address, new.total) == (
        order.customer_id,
        order.shipping_address,
        Decimal("0.00"),
    )
    assert [(i.sku, i.quantity, i.unit_price) for i in new.items] == [
        ("HOM-CNDL-FIG", 2, Decimal("0.00"))
    ]
    assert (new.status, new.payment_status) == ("paid", "paid")
    assert await backend.stock(["HOM-CNDL-FIG"]) == {"HOM-CNDL-FIG": 38}
    assert await backend.order_owner(new.number) == order.customer_id
