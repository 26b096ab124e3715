"""What comes back when some items of an order are cancelled (actions/services/cancel_items.py)
and the policy's ``item_by_item`` switch: plain values, no model, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from actions.services.cancel_items import discount, item_refund, items_refund, open_items
from actions.services.cancellation import CancellationPolicyError, load_policy, parse_policy
from actions.store.models import Order, OrderItem
from tests.actions import fixtures

SHIRT = OrderItem(11, "CLO-1", "Linen shirt", "clothing", 1, Decimal("40.00"))
MUGS = OrderItem(12, "HOM-1", "Stoneware mugs", "homeware", 2, Decimal("15.00"))
LAMP = OrderItem(13, "HOM-2", "Table lamp", "homeware", 1, Decimal("30.00"))
BASE = {
    "version": 1,
    "cancellable_states": ["placed", "paid"],
    "packed_until": "14:00",
    "refund_working_days": {"default": 5},
}


def three_items(**changes: object) -> Order:
    """£100 of items and £4.95 shipping, paid £104.95: no discount unless the total says so."""
    values: dict[str, object] = {
        "status": "paid",
        "items": (SHIRT, MUGS, LAMP),
        "subtotal": Decimal("100.00"),
        "shipping_fee": Decimal("4.95"),
        "total": Decimal("104.95"),
    }
    values.update(changes)
    status = str(values.pop("status"))
    return fixtures.order(status, **values)


def test_some_items_refund_their_price_and_the_shipping_stays_paid() -> None:
    found = items_refund(three_items(), [SHIRT.id, MUGS.id])
    assert [i.id for i in found.items] == [SHIRT.id, MUGS.id]
    assert found.amount == Decimal("70.00") and not found.whole
    assert found.shipping == Decimal("0.00")


def test_the_items_take_their_share_of_an_order_discount() -> None:
    # 10% off the items: paid £94.95 for £100 of items and £4.95 of shipping
    order = three_items(total=Decimal("94.95"))
    assert discount(order) == Decimal("10.00")
    assert item_refund(order, SHIRT) == Decimal("36.00")  # 40 less 4
    assert item_refund(order, MUGS) == Decimal("27.00")  # 30 less 3
    assert items_refund(order, [SHIRT.id, MUGS.id]).amount == Decimal("63.00")


def test_a_discount_share_is_rounded_to_the_penny() -> None:
    order = three_items(total=Decimal("101.95"))  # £3 off £100: 1.20 / 0.90 / 0.90
    assert item_refund(order, SHIRT) == Decimal("38.80")
    assert item_refund(order, LAMP) == Decimal("29.10")


def test_choosing_every_item_left_cancels_the_whole_order_with_its_shipping() -> None:
    found = items_refund(three_items(), [SHIRT.id, MUGS.id, LAMP.id])
    assert found.whole and found.amount == Decimal("104.95")
    assert found.shipping == Decimal("4.95")


def test_the_last_items_get_what_is_left_so_the_refunds_add_up_to_what_was_paid() -> None:
    gone = datetime(2026, 12, 1, 9, 0)
    order = three_items(
        total=Decimal("101.95"),
        items=(
            replace(SHIRT, cancelled_at=gone, refunded=Decimal("38.80")),
            MUGS,
            LAMP,
        ),
    )
    assert [i.id for i in open_items(order)] == [MUGS.id, LAMP.id]
    last = items_refund(order, [MUGS.id, LAMP.id, SHIRT.id])  # the shirt: already cancelled
    assert [i.id for i in last.items] == [MUGS.id, LAMP.id] and last.whole
    assert last.amount == Decimal("63.15")  # 101.95 - 38.80: shipping and rounding included
    assert Decimal("38.80") + last.amount == order.total


def test_an_order_never_charged_has_nothing_to_refund_and_unknown_ids_are_ignored() -> None:
    unpaid = three_items(payment_status="pending", paid_at=None)
    assert items_refund(unpaid, [SHIRT.id]).amount == Decimal("0.00")
    nothing = items_refund(three_items(), [999])
    assert nothing.items == () and nothing.amount == Decimal("0.00") and not nothing.whole


def test_the_shop_policy_allows_item_by_item_unless_it_says_not() -> None:
    assert load_policy().item_by_item is True  # policy/cancellation.yml
    assert parse_policy(BASE).item_by_item is True  # older files without the key
    assert parse_policy({**BASE, "item_by_item": False}).item_by_item is False
    with pytest.raises(CancellationPolicyError, match="item_by_item"):
        parse_policy({**BASE, "item_by_item": "sometimes"})
