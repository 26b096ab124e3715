"""Where is my refund: one true answer per return state, from the return's own dates."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from actions.services.refunds import (
    add_working_days,
    describe_return,
    describe_returns,
    normalize_rma,
)
from actions.store.returns_models import Refund, Return, ReturnLabel, ReturnLine
from tests.actions.returns_fixtures import LONDON, policy

NOW = datetime(2026, 11, 22, 10, 0)  # a Sunday
LABEL = ReturnLabel(
    "Royal Mail",
    "RT123456785GB",
    "https://www.royalmail.com/track-your-item#/tracking-results/RT123456785GB",
    datetime(2026, 11, 20, 19, 40),
    date(2026, 12, 4),
)
BASE = Return(
    id=1,
    rma="RMA-20001",
    order_number="10002",
    customer_id=1,
    status="label_created",
    reason="doesnt_fit",
    reason_note=None,
    method="carrier",
    store_name=None,
    store_address=None,
    refund_method="original_payment",
    currency="GBP",
    items_value=Decimal("68.00"),
    return_fee=Decimal("3.95"),
    refund_amount=Decimal("64.05"),
    created_at=datetime(2026, 11, 20, 19, 40),
    return_by=date(2026, 12, 4),
    shipped_at=None,
    received_at=None,
    inspected_at=None,
    rejected_at=None,
    rejection_reason=None,
    payment_method="Visa ending 4242",
    lines=(ReturnLine(2, "Lambswool crew jumper, navy", 1, Decimal("68.00")),),
    label=LABEL,
)


def answer(ret: Return) -> tuple[str, dict[str, str]]:
    reply = describe_return(ret, policy(), NOW, LONDON, lambda rma: f"https://b.example/{rma}")
    return reply.response, reply.params


def test_requested_drop_off_says_where_and_by_when() -> None:
    response, facts = answer(
        replace(
            BASE,
            status="requested",
            method="drop_off",
            label=None,
            store_name="Lumen & Loom Glasgow",
            store_address="154 Buchanan Street, Glasgow G1 2LW",
        )
    )
    assert response == "utter_refund_status_requested"
    assert facts["store_name"] == "Lumen & Loom Glasgow"
    assert facts["return_by"] == "Friday 4 December"


def test_label_created_gives_the_label_again() -> None:
    response, facts = answer(BASE)
    assert response == "utter_refund_status_label_created"
    assert facts["label_url"] == "https://b.example/RMA-20001"
    assert facts["tracking_number"] == "RT123456785GB"


def test_in_transit_by_carrier_or_from_a_store() -> None:
    response, facts = answer(
        replace(BASE, status="in_transit", shipped_at=datetime(2026, 11, 21, 12, 15))
    )
    assert response == "utter_refund_status_in_transit_carrier"
    assert facts["shipped_date"] == "yesterday"
    assert facts["tracking_url"].endswith("RT123456785GB")
    response, facts = answer(
        replace(
            BASE,
            status="in_transit",
            label=None,
            method="drop_off",
            store_name="Lumen & Loom Leeds",
            shipped_at=datetime(2026, 11, 20, 12, 0),
        )
    )
    assert response == "utter_refund_status_in_transit_store"
    assert facts["store_name"] == "Lumen & Loom Leeds"


def test_received_says_it_is_being_checked() -> None:
    response, facts = answer(
        replace(BASE, status="received", received_at=datetime(2026, 11, 20, 10, 20))
    )
    assert response == "utter_refund_status_received"
    assert facts["received_date"] == "Friday 20 November"
    assert facts["amount"] == "£64.05"
    assert facts["refund_destination"] == "your Visa ending 4242"


def test_inspected_says_when_the_money_arrives_in_working_days() -> None:
    response, facts = answer(
        replace(BASE, status="inspected", inspected_at=datetime(2026, 11, 20, 16, 0))
    )
    assert response == "utter_refund_status_inspected"
    # Friday + 5 working days = the next Friday
    assert facts["expected_date"] == "Friday 27 November"


def test_refunded_says_how_much_where_and_when() -> None:
    paid = Refund(
        Decimal("64.05"),
        "GBP",
        "original_payment",
        "Visa ending 4242",
        datetime(2026, 11, 11, 14, 35),
    )
    response, facts = answer(replace(BASE, status="refunded", refund=paid))
    assert response == "utter_refund_status_refunded"
    assert (facts["amount"], facts["refund_destination"], facts["refunded_date"]) == (
        "£64.05",
        "Visa ending 4242",
        "Wednesday 11 November",
    )
    credit = replace(paid, method="store_credit", destination="store credit")
    response, facts = answer(
        replace(BASE, status="refunded", refund_method="store_credit", refund=credit)
    )
    assert response == "utter_refund_status_refunded_credit"


def test_rejected_says_why() -> None:
    response, facts = answer(
        replace(
            BASE,
            status="rejected",
            rejected_at=datetime(2026, 10, 18, 15, 30),
            rejection_reason="the lamp had been used",
        )
    )
    assert response == "utter_refund_status_rejected"
    assert facts["rejection_reason"] == "the lamp had been used"
    assert facts["rejected_date"] == "Sunday 18 October"


def test_an_order_with_several_returns_gets_a_line_each() -> None:
    replies = describe_returns([BASE, replace(BASE, rma="RMA-20002")], policy(), NOW, LONDON, str)
    assert replies[0].response == "utter_refund_status_several"
    assert replies[0].params["count"] == "2"


@pytest.mark.parametrize(
    "text, rma",
    [
        ("RMA-20001", "RMA-20001"),
        ("rma 20001", "RMA-20001"),
        ("has RMA#20001 arrived", "RMA-20001"),
        ("rma:20001", "RMA-20001"),
        ("RMA-2001", None),
        ("10001", None),
        ("RMA-20001 or RMA-20002", None),
        (None, None),
    ],
)
def test_return_numbers_however_they_are_typed(text: object, rma: object) -> None:
    assert normalize_rma(text) == rma


def test_working_days_skip_weekends() -> None:
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Fri → Mon
    assert add_working_days(date(2026, 11, 22), 5) == date(2026, 11, 27)  # Sun → Fri
