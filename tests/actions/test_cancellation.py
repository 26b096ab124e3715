"""When an order may be cancelled and what comes back (actions/services/cancellation.py, the
rules of policy/cancellation.yml): plain values, no model, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from actions.services.cancellation import (
    CancellationPolicyError,
    assess,
    load_policy,
    parse_policy,
)
from actions.store.models import Order, Shipment
from tests.actions import fixtures

LONDON = ZoneInfo("Europe/London")
POLICY = parse_policy(
    {
        "version": 1,
        "cancellable_states": ["placed", "paid"],
        "packed_until": "14:00",
        "refund_working_days": {"PayPal": 1, "default": 5},
    }
)
# Friday 4 December 2026, 10:00 in London (UTC in winter).
FRIDAY_10 = datetime(2026, 12, 4, 10, 0)


def order(status: str, **changes: Any) -> Order:
    """The fixtures' order (paid, Visa, £79.00), due to leave the warehouse on Friday."""
    changes.setdefault("expected_dispatch", date(2026, 12, 4))
    return fixtures.order(status, **changes)


def test_a_paid_order_can_be_cancelled_with_a_full_refund_by_working_days() -> None:
    found = assess(order("paid"), POLICY, FRIDAY_10, LONDON)
    assert found.allowed and found.refund == Decimal("79.00")
    assert found.refund_to == "Visa ending 4242"
    assert found.refund_by == date(2026, 12, 11)  # five working days: skips the weekend


def test_the_refund_time_follows_the_payment_method() -> None:
    found = assess(order("paid", payment_method="PayPal"), POLICY, FRIDAY_10, LONDON)
    assert found.refund_by == date(2026, 12, 7)  # one working day from a Friday: Monday


def test_an_order_never_charged_is_cancelled_with_nothing_to_refund() -> None:
    found = assess(
        order("placed", payment_status="pending", paid_at=None), POLICY, FRIDAY_10, LONDON
    )
    assert found.allowed and found.refund == Decimal("0.00") and found.refund_by is None


def test_a_packed_order_can_be_stopped_until_the_cut_off_on_its_day_only() -> None:
    packed = order("packed")
    assert assess(packed, POLICY, FRIDAY_10, LONDON).allowed
    after = assess(packed, POLICY, datetime(2026, 12, 4, 14, 0), LONDON)
    assert (after.allowed, after.refusal) == (False, "packed_too_late")
    tomorrow = replace(packed, expected_dispatch=date(2026, 12, 5))
    assert assess(tomorrow, POLICY, datetime(2026, 12, 4, 15, 0), LONDON).allowed


def test_the_cut_off_is_shop_time_not_utc() -> None:
    summer = order("packed", expected_dispatch=date(2026, 7, 1))
    # 13:30 UTC is 14:30 in London in July: past the cut-off.
    found = assess(summer, POLICY, datetime(2026, 7, 1, 13, 30), LONDON)
    assert found.refusal == "packed_too_late"


@pytest.mark.parametrize(
    "status, refusal",
    [
        ("cancelled", "already_cancelled"),
        ("shipped", "on_its_way"),
        ("out_for_delivery", "on_its_way"),
        ("delayed", "on_its_way"),
        ("lost_in_transit", "on_its_way"),
        ("delivered", "delivered"),
    ],
)
def test_an_order_past_the_warehouse_is_refused_with_its_reason(status: str, refusal: str) -> None:
    found = assess(order(status), POLICY, FRIDAY_10, LONDON)
    assert (found.allowed, found.refusal) == (False, refusal)


def test_an_order_with_a_parcel_on_the_way_is_refused_whatever_its_state_says() -> None:
    parcel = Shipment(1, "DPD", "155", "https://t", "in_transit", None, None, None, None)
    assert (
        assess(order("paid", shipments=(parcel,)), POLICY, FRIDAY_10, LONDON).refusal
        == "on_its_way"
    )


@pytest.mark.parametrize(
    "raw, named",
    [
        ({"cancellable_states": ["shipped"]}, "cancellable_states"),
        ({"packed_until": "2pm"}, "packed_until"),
        ({"refund_working_days": {"PayPal": 1}}, "refund_working_days"),
        ({"refund_working_days": {"default": -1}}, "refund_working_days.default"),
        ({"cancelable_states": ["paid"]}, "unknown key"),
    ],
)
def test_a_policy_mistake_is_refused_with_the_entry_named(raw: dict, named: str) -> None:
    valid = {
        "version": 1,
        "cancellable_states": ["placed", "paid"],
        "packed_until": "14:00",
        "refund_working_days": {"default": 5},
    }
    with pytest.raises(CancellationPolicyError, match=named):
        parse_policy({**valid, **raw})


def test_the_shipped_policy_file_is_valid() -> None:
    policy = load_policy()
    assert "paid" in policy.cancellable_states
    assert policy.refund_days("Visa ending 4242") == policy.refund_working_days["default"]
