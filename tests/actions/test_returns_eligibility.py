"""Which items can go back, and why not: the policy applied to an order, in the shop's time."""

from datetime import date, datetime
from decimal import Decimal

from actions.services.returns import (
    OrderRefusal,
    PersonNeeded,
    Refusal,
    assess_order,
    decode_selection,
    encode_selection,
    idempotency_key,
    label_tracking_number,
    quote,
    return_by,
    s10_check_digit,
    valid_selection,
)
from actions.services.returns_policy import parse_policy
from tests.actions.fixtures import order, parcel
from tests.actions.returns_fixtures import (
    BRIEFS,
    BULBS,
    CANDLE,
    GIFT_CARD,
    LONDON,
    SCARF,
    TEE,
    all_delivered,
    delivered_order,
    policy,
    policy_data,
)

POLICY = policy()
# A summer delivery (BST, UTC+1) just before midnight UTC: 00:30 on 11 June in London.
DELIVERED = datetime(2026, 6, 10, 23, 30)


def check_bulbs(now: datetime):  # type: ignore[no-untyped-def]
    o = delivered_order(BULBS, delivered_at=DELIVERED)
    return assess_order(o, all_delivered(o), {}, POLICY, now, LONDON).checks[0]


def test_return_accepted_on_the_last_day_of_the_window_in_the_shops_time_zone() -> None:
    # 14 days for electronics from 11 June (London) → the last day is 25 June, shop time.
    check = check_bulbs(datetime(2026, 6, 25, 22, 59))  # 23:59 in London
    assert check.ok
    assert check.last_day == date(2026, 6, 25)
    assert check.days_left == 0


def test_return_rejected_the_day_after_the_window_ended() -> None:
    check = check_bulbs(datetime(2026, 6, 25, 23, 0))  # 00:00 on 26 June in London
    assert not check.ok
    assert check.refusal is Refusal.WINDOW_CLOSED
    assert check.days_over == 1
    assert check.last_day == date(2026, 6, 25)


def test_the_window_counts_from_the_local_delivery_day_not_the_utc_one() -> None:
    # In UTC the parcel came on 10 June; counting from there would close the window on
    # 24 June. The customer saw it arrive on 11 June, so 25 June is still open.
    check = check_bulbs(datetime(2026, 6, 25, 9, 0))
    assert check.ok and check.days_left == 0


def test_electronics_have_a_shorter_window_than_clothing() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = delivered_order(TEE, BULBS, delivered_at=datetime(2026, 11, 2, 12, 0))  # 20 days ago
    a = assess_order(o, all_delivered(o), {}, POLICY, now, LONDON)
    tee, bulbs = a.checks
    assert tee.ok and tee.window_days == 30 and tee.last_day == date(2026, 12, 2)
    assert bulbs.refusal is Refusal.WINDOW_CLOSED and bulbs.window_days == 14
    assert bulbs.days_over == 6


def test_final_sale_and_gift_cards_are_never_returnable() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = delivered_order(SCARF, GIFT_CARD, delivered_at=datetime(2026, 11, 21, 12, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, now, LONDON)
    assert [c.refusal for c in a.checks] == [Refusal.FINAL_SALE, Refusal.FINAL_SALE]
    assert a.order_refusal is OrderRefusal.NOTHING_RETURNABLE
    assert a.person is None


def test_hygiene_items_are_not_returnable() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = delivered_order(BRIEFS, TEE, delivered_at=datetime(2026, 11, 21, 12, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, now, LONDON)
    assert a.checks[0].refusal is Refusal.HYGIENE
    assert a.checks[1].ok
    assert a.order_refusal is None


def test_an_order_not_delivered_yet_cannot_be_returned() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = order("shipped", (parcel(),), items=(TEE,))
    a = assess_order(o, {TEE.id: None}, {}, POLICY, now, LONDON)
    assert a.order_refusal is OrderRefusal.NOT_DELIVERED
    assert a.checks[0].refusal is Refusal.NOT_DELIVERED


def test_in_a_split_order_only_the_delivered_parcels_items_can_go_back() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = order("shipped", (parcel(),), items=(TEE, CANDLE))
    a = assess_order(
        o, {TEE.id: datetime(2026, 11, 21, 9, 0), CANDLE.id: None}, {}, POLICY, now, LONDON
    )
    assert a.order_refusal is None
    assert [c.ok for c in a.checks] == [True, False]
    assert a.checks[1].refusal is Refusal.NOT_DELIVERED


def test_cancelled_and_lost_orders_cannot_be_returned() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    for status, refusal in (
        ("cancelled", OrderRefusal.CANCELLED),
        ("lost_in_transit", OrderRefusal.LOST),
    ):
        a = assess_order(order(status, ()), {}, {}, POLICY, now, LONDON)
        assert a.order_refusal is refusal


def test_already_returned_items_are_refused_with_their_return_number() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = delivered_order(CANDLE, TEE, delivered_at=datetime(2026, 11, 20, 12, 0))
    returned = {CANDLE.id: (1, "RMA-20011"), TEE.id: (1, "RMA-20012")}
    a = assess_order(o, all_delivered(o), returned, POLICY, now, LONDON)
    candle, tee = a.checks
    assert candle.ok and candle.returnable == 1  # one of the two candles is still here
    assert tee.refusal is Refusal.ALREADY_RETURNED and tee.rma == "RMA-20012"


def test_a_few_days_late_goes_to_a_person_but_weeks_late_does_not() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    four_days_late = delivered_order(TEE, delivered_at=datetime(2026, 10, 19, 12, 0))
    a = assess_order(four_days_late, all_delivered(four_days_late), {}, POLICY, now, LONDON)
    assert a.order_refusal is OrderRefusal.NOTHING_RETURNABLE
    assert a.checks[0].days_over == 4
    assert a.person is PersonNeeded.LATE_RETURN

    ten_days_late = delivered_order(TEE, delivered_at=datetime(2026, 10, 13, 12, 0))
    a = assess_order(ten_days_late, all_delivered(ten_days_late), {}, POLICY, now, LONDON)
    assert a.checks[0].days_over == 10
    assert a.person is None


def test_orders_above_the_value_threshold_go_to_a_person() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    big = delivered_order(TEE, delivered_at=datetime(2026, 11, 20, 12, 0), total="250.01")
    a = assess_order(big, all_delivered(big), {}, POLICY, now, LONDON)
    assert a.person is PersonNeeded.HIGH_VALUE
    at_limit = delivered_order(TEE, delivered_at=datetime(2026, 11, 20, 12, 0), total="250.00")
    assert assess_order(at_limit, all_delivered(at_limit), {}, POLICY, now, LONDON).person is None


def test_return_fee_is_taken_from_the_refund_unless_free() -> None:
    o = delivered_order(CANDLE, TEE, delivered_at=datetime(2026, 11, 20, 12, 0))
    picked = {CANDLE.id: 1, TEE.id: 1}
    by_post = quote(o, picked, "doesnt_fit", "carrier", POLICY)
    assert (by_post.items_value, by_post.return_fee, by_post.refund_amount) == (
        Decimal("36.50"),
        Decimal("3.95"),
        Decimal("32.55"),
    )
    assert quote(o, picked, "wrong_item", "carrier", POLICY).return_fee == 0
    assert quote(o, picked, "changed_mind", "drop_off", POLICY).return_fee == 0
    euro = delivered_order(TEE, delivered_at=datetime(2026, 11, 20, 12, 0), currency="EUR")
    assert quote(euro, {TEE.id: 1}, "other", "carrier", POLICY).return_fee == Decimal("4.50")


def test_the_fee_never_exceeds_what_is_refunded() -> None:
    data = policy_data()
    data["return_shipping"]["carrier_fee"] = {"GBP": 99, "EUR": 99}
    cheap = delivered_order(TEE, delivered_at=datetime(2026, 11, 20, 12, 0))
    q = quote(cheap, {TEE.id: 1}, "doesnt_fit", "carrier", parse_policy(data))
    assert q.return_fee == Decimal("22.00") and q.refund_amount == 0


def test_the_same_confirmation_gives_the_same_key_and_another_gives_another() -> None:
    key = idempotency_key(
        "conv-1", "10011", {12: 1, 11: 2}, "doesnt_fit", "carrier", None, "original_payment"
    )
    same = idempotency_key(
        "conv-1", "10011", {11: 2, 12: 1}, "doesnt_fit", "carrier", None, "original_payment"
    )
    assert key == same and len(key) == 64
    assert key != idempotency_key(
        "conv-2", "10011", {11: 2, 12: 1}, "doesnt_fit", "carrier", None, "original_payment"
    )
    assert key != idempotency_key(
        "conv-1", "10011", {11: 1, 12: 1}, "doesnt_fit", "carrier", None, "original_payment"
    )


def test_a_selection_keeps_only_returnable_items_and_what_is_left_of_them() -> None:
    now = datetime(2026, 11, 22, 10, 0)
    o = delivered_order(CANDLE, BRIEFS, delivered_at=datetime(2026, 11, 20, 12, 0))
    a = assess_order(o, all_delivered(o), {CANDLE.id: (1, "RMA-1")}, POLICY, now, LONDON)
    assert valid_selection({CANDLE.id: 2, BRIEFS.id: 1, 999: 1}, a) == {CANDLE.id: 1}
    assert decode_selection(encode_selection({12: 1, 11: 2})) == {11: 2, 12: 1}
    assert encode_selection({12: 1, 11: 2}) == "11x2,12x1"
    assert decode_selection("junk,11x0,abc") == {}


def test_return_by_gives_the_customer_the_policy_days_to_hand_it_in() -> None:
    assert return_by(date(2026, 11, 22), "drop_off", POLICY) == date(2026, 12, 6)
    assert return_by(date(2026, 11, 22), "carrier", POLICY) == date(2026, 12, 6)


def test_return_labels_get_carrier_shaped_tracking_numbers() -> None:
    number = label_tracking_number("GB")
    assert number.startswith("RT") and number.endswith("GB") and len(number) == 13
    digits = [int(d) for d in number[2:10]]
    assert int(number[10]) == s10_check_digit(digits)
    assert label_tracking_number("IE").endswith("IE")
