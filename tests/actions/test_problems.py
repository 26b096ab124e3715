"""The rules for a reported delivery problem (actions/services/problems.py), branch by branch,
on hand-built orders: delivered but not received, an item missing from a split order, damaged
or wrong items — and the reason code and facts each decision carries for the replies."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any, Optional

import pytest

from actions.services import problems
from actions.services.problems import Decision, decide, idempotency_key
from actions.services.problems_policy import ProblemsPolicy, parse_policy
from actions.store.models import Order, OrderItem, Shipment, TrackingEvent
from tests.actions.fixtures import NOW, order, parcel
from tests.actions.test_problems_policy import raw

DUVET = OrderItem(1, "HW-1", "Linen duvet cover", "bedding", 1, Decimal("79.00"))
LAMP = OrderItem(2, "HW-2", "Brass desk lamp", "lighting", 1, Decimal("30.00"))
MUGS = OrderItem(3, "HW-3", "Stoneware mug", "kitchen", 2, Decimal("8.00"))
PHOTO = "uploads/web-conv-1/0123456789abcdef0123456789abcdef.jpg"
POLICY = parse_policy(raw())


def in_stock(sku: str, quantity: int) -> Optional[bool]:
    return True


def out_of_stock(sku: str, quantity: int) -> Optional[bool]:
    return False


def unknown_stock(sku: str, quantity: int) -> Optional[bool]:
    return None


def delivered(hours_ago: float = 72, **kw: Any) -> Shipment:
    at = NOW - timedelta(hours=hours_ago)
    scan = TrackingEvent(at, "delivered", "Delivered, left at front door", "London")
    fields: dict[str, Any] = dict(delivered_at=at, delivered_to="front door", events=(scan,))
    return parcel("delivered", **{**fields, **kw})


def moving(status: str = "in_transit", **kw: Any) -> Shipment:
    return parcel(status, **{"id": 2, "carrier": "Royal Mail", **kw})


def one_parcel(shipment: Shipment, status: str = "delivered", **kw: Any) -> Order:
    return order(status, (shipment,), **kw)


def split(*shipments: Shipment, status: str = "shipped", **kw: Any) -> Order:
    """Duvet, lamp and two mugs (125.00 + 4.95 shipping, 10.00 off: 119.95)."""
    fields: dict[str, Any] = dict(
        items=(DUVET, LAMP, MUGS),
        subtotal=Decimal("125.00"),
        shipping_fee=Decimal("4.95"),
        total=Decimal("119.95"),
    )
    return order(status, shipments, **{**fields, **kw})


def duvet_parcel(**kw: Any) -> Shipment:
    return delivered(**{"contents": (("Linen duvet cover", 1),), **kw})


def lamp_and_mugs(**kw: Any) -> Shipment:
    return moving(**{"contents": (("Brass desk lamp", 1), ("Stoneware mug", 2)), **kw})


def policy(**changes: Any) -> ProblemsPolicy:
    return parse_policy(raw(**changes))


# --- delivered but not received -------------------------------------------------------------


def test_delivered_recently_means_wait_with_the_hours_left_and_where_to_look() -> None:
    found = decide("not_received", one_parcel(delivered(hours_ago=10)), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("wait", "delivered_recently")
    assert found.hours_left == 38
    assert found.claim_from == NOW + timedelta(hours=38)
    assert found.suggestions == ("neighbours", "safe_place")
    facts = found.facts()
    assert facts["carrier"] == "DPD" and facts["delivered_to"] == "front door"
    assert facts["last_scan"] == "Delivered, left at front door"
    assert "amount" not in facts and "remedy" not in facts


def test_part_of_an_hour_left_is_said_as_a_whole_hour() -> None:
    found = decide("not_received", one_parcel(delivered(hours_ago=47.5)), POLICY, NOW, in_stock)
    assert (found.outcome, found.hours_left) == ("wait", 1)


def test_the_wait_is_the_policys() -> None:
    shorter = policy(wait_hours_after_delivered=24)
    found = decide("not_received", one_parcel(delivered(hours_ago=30)), shorter, NOW, in_stock)
    assert found.outcome == "claim_replacement"
    nothing = policy(wait_hours_after_delivered=0)
    found = decide("not_received", one_parcel(delivered(hours_ago=0)), nothing, NOW, in_stock)
    assert found.outcome == "claim_replacement"


def test_after_the_wait_a_claim_is_opened_with_a_replacement_when_in_stock() -> None:
    found = decide("not_received", one_parcel(delivered(hours_ago=48)), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("claim_replacement", "not_received")
    assert (found.remedy, found.remedy_reason) == ("replacement", "in_stock")
    assert (found.amount, found.currency) == (Decimal("79.00"), "GBP")
    assert found.facts()["items"] == (("Linen duvet cover", 1),)


@pytest.mark.parametrize(
    ("stock", "why"), [(out_of_stock, "out_of_stock"), (unknown_stock, "stock_unknown")]
)
def test_out_of_stock_or_stock_unknown_means_a_refund(stock: Any, why: str) -> None:
    found = decide("not_received", one_parcel(delivered()), POLICY, NOW, stock)
    assert (found.outcome, found.remedy, found.remedy_reason) == ("claim_refund", "refund", why)
    assert found.amount == Decimal("79.00")


def test_a_refund_only_policy_never_replaces() -> None:
    only = policy(remedy="refund_only")
    asked: list[str] = []

    def lookup(sku: str, quantity: int) -> Optional[bool]:
        asked.append(sku)
        return True

    found = decide("not_received", one_parcel(delivered()), only, NOW, lookup)
    assert (found.outcome, found.remedy_reason) == ("claim_refund", "refund_only")
    assert asked == []


def test_one_item_out_of_stock_refunds_the_whole_parcel() -> None:
    both = delivered(contents=(("Brass desk lamp", 1), ("Stoneware mug", 2)))
    order_ = split(duvet_parcel(id=3), both, status="delivered")
    found = decide("not_received", order_, POLICY, NOW, lambda sku, qty: sku != "HW-3")
    assert (found.outcome, found.remedy_reason) == ("claim_refund", "out_of_stock")


def test_a_high_value_order_goes_to_a_person() -> None:
    dear = one_parcel(delivered(), total=Decimal("250.01"), subtotal=Decimal("250.01"))
    found = decide("not_received", dear, POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("person", "high_value")
    assert (found.amount, found.currency) == (Decimal("250.01"), "GBP")


def test_past_the_claims_window_is_too_late_with_the_deadline() -> None:
    old = delivered(hours_ago=30 * 24 + 1)
    found = decide("not_received", one_parcel(old), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("too_late", "past_window")
    assert found.deadline == NOW - timedelta(hours=1)


def test_nothing_shipped_or_still_moving_is_not_delivered_yet() -> None:
    found = decide("not_received", order("paid"), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason, found.parcel) == ("not_delivered_yet", "not_shipped", None)
    found = decide("not_received", order("shipped", (moving(),)), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("not_delivered_yet", "on_its_way")
    assert found.facts()["carrier"] == "Royal Mail"
    assert found.facts()["parcel_status"] == "in_transit"


def test_a_parcel_the_carrier_lost_is_claimed_at_once() -> None:
    lost = parcel("lost", events=(TrackingEvent(NOW - timedelta(hours=2), "lost", "Lost", "Hub"),))
    found = decide("not_received", one_parcel(lost), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("claim_replacement", "carrier_lost")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "cancelled"}, "order_cancelled"),
        ({"payment_status": "refunded"}, "already_refunded"),
    ],
)
def test_a_cancelled_or_refunded_order_has_nothing_to_claim(
    changes: dict[str, Any], reason: str
) -> None:
    found = decide("not_received", one_parcel(delivered(), **changes), POLICY, NOW, in_stock)
    assert found == Decision("nothing_to_claim", reason)


def test_in_a_split_order_only_the_delivered_parcel_is_claimed() -> None:
    found = decide("not_received", split(duvet_parcel(), lamp_and_mugs()), POLICY, NOW, in_stock)
    assert found.reason == "not_received"
    assert found.lines == ((DUVET, 1),)
    assert found.amount == Decimal("72.68")  # 79.00 less its share of the 10.00 off


def test_the_item_picks_its_parcel() -> None:
    order_ = split(duvet_parcel(), lamp_and_mugs())
    found = decide("not_received", order_, POLICY, NOW, in_stock, item=LAMP)
    assert (found.outcome, found.reason) == ("not_delivered_yet", "on_its_way")
    assert found.parcel is not None and found.parcel.id == 2


def test_every_parcel_not_received_claims_what_was_paid_shipping_included() -> None:
    both = delivered(id=2, contents=(("Brass desk lamp", 1), ("Stoneware mug", 2)))
    found = decide("not_received", split(duvet_parcel(), both), POLICY, NOW, in_stock)
    assert found.lines == ((DUVET, 1), (LAMP, 1), (MUGS, 2))
    assert found.amount == Decimal("119.95")


def test_a_parcel_that_lists_nothing_holds_what_no_other_parcel_lists() -> None:
    bare = delivered(id=2, contents=())
    order_ = split(duvet_parcel(hours_ago=10), bare)
    found = decide("not_received", order_, POLICY, NOW, in_stock, item=LAMP)
    assert found.parcel is not None and found.parcel.id == 2
    assert found.lines == ((LAMP, 1), (MUGS, 2))


def test_a_parcel_whose_contents_match_no_item_goes_to_a_person() -> None:
    strange = delivered(contents=(("Something renamed", 1),))
    found = decide("not_received", one_parcel(strange), POLICY, NOW, in_stock)
    assert (found.outcome, found.reason) == ("person", "contents_unknown")


def test_without_a_delivery_time_the_delivered_scan_counts() -> None:
    scan = TrackingEvent(NOW - timedelta(hours=5), "delivered", "Delivered", "London")
    late = TrackingEvent(NOW - timedelta(hours=1), "info", "Proof of delivery added", "London")
    shipment = parcel("delivered", delivered_at=None, events=(scan, late))
    found = decide("not_received", one_parcel(shipment), POLICY, NOW, in_stock)
    assert (found.outcome, found.hours_left) == ("wait", 43)


def test_a_delivered_parcel_without_any_time_is_claimed_rather_than_waited_on() -> None:
    shipment = parcel("delivered", delivered_at=None, events=())
    found = decide("not_received", one_parcel(shipment), POLICY, NOW, in_stock)
    assert found.outcome == "claim_replacement"


# --- something missing ------------------------------------------------------------------------


def test_an_item_in_the_parcel_still_on_its_way_is_said_to_be_on_its_way() -> None:
    order_ = split(duvet_parcel(), lamp_and_mugs())
    found = decide("missing_item", order_, POLICY, NOW, in_stock, item=LAMP)
    assert (found.outcome, found.reason) == ("other_parcel_on_its_way", "other_parcel")
    facts = found.facts()
    assert (facts["carrier"], facts["parcel_status"]) == ("Royal Mail", "in_transit")
    assert facts["eta"] == parcel().estimated_delivery
    assert "remedy" not in facts


def test_an_item_no_parcel_lists_may_be_in_the_one_on_its_way() -> None:
    order_ = split(duvet_parcel(), moving(contents=()))
    found = decide("missing_item", order_, POLICY, NOW, in_stock, item=MUGS)
    assert found.outcome == "other_parcel_on_its_way"


def test_nothing_delivered_yet_is_not_another_parcel() -> None:
    order_ = split(moving(id=1, contents=(("Linen duvet cover", 1),)), lamp_and_mugs())
    found = decide("missing_item", order_, POLICY, NOW, in_stock, item=LAMP)
    assert (found.outcome, found.reason) == ("not_delivered_yet", "on_its_way")
    found = decide("missing_item", split(), POLICY, NOW, in_stock, item=LAMP)
    assert (found.outcome, found.reason) == ("not_delivered_yet", "not_shipped")


def test_an_item_missing_from_a_delivered_parcel_is_claimed_at_once() -> None:
    mugs = delivered(id=2, hours_ago=1, contents=(("Stoneware mug", 2),))
    order_ = split(duvet_parcel(), mugs)
    found = decide("missing_item", order_, POLICY, NOW, in_stock, item=MUGS, quantity=1)
    assert (found.outcome, found.reason) == ("claim_replacement", "missing_from_parcel")
    assert found.lines == ((MUGS, 1),)
    assert found.amount == Decimal("7.36")  # half of 16.00 less its share of the discount
    assert found.parcel is not None and found.parcel.id == 2


def test_an_item_no_parcel_lists_once_all_arrived_is_claimed() -> None:
    order_ = split(duvet_parcel(), delivered(id=2, contents=(("Brass desk lamp", 1),)))
    found = decide("missing_item", order_, POLICY, NOW, out_of_stock, item=MUGS)
    assert (found.outcome, found.remedy_reason) == ("claim_refund", "out_of_stock")
    assert found.amount == Decimal("14.72")


def test_an_item_in_a_lost_parcel_is_claimed_as_lost() -> None:
    lost = lamp_and_mugs(status="lost")
    found = decide("missing_item", split(duvet_parcel(), lost), POLICY, NOW, in_stock, item=LAMP)
    assert (found.outcome, found.reason) == ("claim_replacement", "carrier_lost")


def test_missing_item_too_late_or_high_value() -> None:
    old = split(duvet_parcel(hours_ago=31 * 24))
    found = decide("missing_item", old, POLICY, NOW, in_stock, item=DUVET)
    assert found.outcome == "too_late"
    dear = split(duvet_parcel(), total=Decimal("900.00"))
    assert decide("missing_item", dear, POLICY, NOW, in_stock, item=DUVET).outcome == "person"


@pytest.mark.parametrize("kind", ["missing_item", "damaged", "wrong_item", "not_received"])
def test_an_item_of_another_order_or_cancelled_has_nothing_to_claim(kind: Any) -> None:
    order_ = split(duvet_parcel(), lamp_and_mugs(status="delivered"))
    stranger = OrderItem(99, "XX-1", "Not ours", "misc", 1, Decimal("5.00"))
    found = decide(kind, order_, POLICY, NOW, in_stock, item=stranger, photo=PHOTO)
    assert found == Decision("nothing_to_claim", "not_in_order")
    gone = replace(LAMP, cancelled_at=NOW - timedelta(days=3), refunded=Decimal("27.60"))
    cancelled = replace(order_, items=(DUVET, gone, MUGS))
    found = decide(kind, cancelled, POLICY, NOW, in_stock, item=gone, photo=PHOTO)
    assert found == Decision("nothing_to_claim", "item_cancelled")


def test_a_quantity_the_order_does_not_have_or_no_item_is_a_callers_mistake() -> None:
    order_ = split(duvet_parcel())
    with pytest.raises(ValueError, match="1 to 2"):
        decide("missing_item", order_, POLICY, NOW, in_stock, item=MUGS, quantity=3)
    with pytest.raises(ValueError, match="which item"):
        decide("damaged", order_, POLICY, NOW, in_stock)
    with pytest.raises(ValueError, match="not a kind"):
        decide("lost", order_, POLICY, NOW, in_stock, item=DUVET)  # type: ignore[arg-type]


# --- damaged or wrong item --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["damaged", "wrong_item"])
@pytest.mark.parametrize("photo", [None, "", "../../etc/passwd", "uploads/a/b/c.jpg"])
def test_a_photo_is_asked_for_first(kind: Any, photo: Optional[str]) -> None:
    order_ = split(duvet_parcel())
    found = decide(kind, order_, POLICY, NOW, in_stock, item=DUVET, photo=photo)
    assert (found.outcome, found.reason) == ("photo_needed", "photo_needed")
    assert found.lines == ((DUVET, 1),)


@pytest.mark.parametrize("kind", ["damaged", "wrong_item"])
def test_a_cheap_item_is_replaced_or_refunded_without_sending_it_back(kind: Any) -> None:
    order_ = split(duvet_parcel(), lamp_and_mugs(status="delivered"))
    found = decide(kind, order_, POLICY, NOW, in_stock, item=MUGS, photo=PHOTO)
    assert (found.outcome, found.reason) == ("claim_replacement", "keep_item")
    assert found.amount == Decimal("14.72")
    found = decide(kind, order_, POLICY, NOW, out_of_stock, item=MUGS, photo=PHOTO)
    assert (found.outcome, found.reason, found.remedy) == ("claim_refund", "keep_item", "refund")


@pytest.mark.parametrize("kind", ["damaged", "wrong_item"])
def test_an_item_worth_the_policys_value_or_more_is_sent_back_first(kind: Any) -> None:
    order_ = split(duvet_parcel())
    found = decide(kind, order_, POLICY, NOW, in_stock, item=DUVET, photo=PHOTO)
    assert (found.outcome, found.reason) == ("return", "send_back")
    assert (found.remedy, found.remedy_reason) == ("replacement", "in_stock")
    assert (found.amount, found.currency) == (Decimal("72.68"), "GBP")
    forty = (replace(DUVET, unit_price=Decimal("40.00")),)
    at_the_value = one_parcel(
        duvet_parcel(), items=forty, subtotal=forty[0].unit_price, total=forty[0].unit_price
    )
    found = decide(kind, at_the_value, POLICY, NOW, unknown_stock, item=DUVET, photo=PHOTO)
    assert (found.outcome, found.remedy) == ("return", "refund")


def test_the_value_is_in_the_orders_currency() -> None:
    price = Decimal("42.00")
    items = (replace(DUVET, unit_price=price),)
    euro = one_parcel(duvet_parcel(), currency="EUR", items=items, subtotal=price, total=price)
    found = decide("damaged", euro, POLICY, NOW, in_stock, item=DUVET, photo=PHOTO)
    assert (found.outcome, found.currency) == ("claim_replacement", "EUR")
    dollars = replace(euro, currency="USD")  # no limit said for it: a person looks
    assert decide("damaged", dollars, POLICY, NOW, in_stock, item=DUVET, photo=PHOTO) == Decision(
        "person", "high_value", amount=Decimal("42.00"), currency="USD"
    )


@pytest.mark.parametrize("kind", ["damaged", "wrong_item"])
def test_damaged_or_wrong_before_arrival_too_late_or_high_value(kind: Any) -> None:
    found = decide(kind, split(lamp_and_mugs()), POLICY, NOW, in_stock, item=LAMP, photo=PHOTO)
    assert (found.outcome, found.reason) == ("not_delivered_yet", "on_its_way")
    found = decide(kind, split(), POLICY, NOW, in_stock, item=LAMP, photo=PHOTO)
    assert (found.outcome, found.reason) == ("not_delivered_yet", "not_shipped")
    old = split(duvet_parcel(hours_ago=40 * 24))
    found = decide(kind, old, POLICY, NOW, in_stock, item=DUVET)  # no photo asked so late
    assert (found.outcome, found.reason) == ("too_late", "past_window")
    dear = split(duvet_parcel(), total=Decimal("300.00"))
    found = decide(kind, dear, POLICY, NOW, in_stock, item=DUVET, photo=PHOTO)
    assert (found.outcome, found.reason) == ("person", "high_value")


# --- the claim's key ------------------------------------------------------------------------


def test_one_claim_per_order_kind_and_item_whatever_the_conversation() -> None:
    key = idempotency_key("10001", "damaged", 3)
    assert key == idempotency_key("10001", "damaged", 3)
    assert key.startswith("claim-") and len(key) <= 64
    others = {
        idempotency_key("10002", "damaged", 3),
        idempotency_key("10001", "wrong_item", 3),
        idempotency_key("10001", "damaged", 4),
        idempotency_key("10001", "damaged"),
    }
    assert key not in others and len(others) == 4


def test_every_outcome_and_reason_is_one_the_replies_know() -> None:
    assert set(problems.KINDS) == {"not_received", "missing_item", "damaged", "wrong_item"}
    assert len(set(problems.REASONS)) == len(problems.REASONS)
    assert "stock_unknown" in problems.REMEDY_REASONS
