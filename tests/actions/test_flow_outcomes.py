"""The flow-outcome event the analytics counts: plain JSON, no person in it, only known names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.services.outcomes import outcome_event, outcome_value


def test_a_settled_cancellation_carries_its_refund_as_a_string_amount() -> None:
    assert outcome_value("cancel", "done", Decimal("49.90"), "GBP") == {
        "flow": "cancel",
        "outcome": "done",
        "amount": "49.90",
        "currency": "GBP",
    }


def test_the_event_sets_the_flow_outcome_slot() -> None:
    event = outcome_event("address", "refused", detail="on_its_way")
    assert event["event"] == "slot" and event["name"] == "flow_outcome"
    assert event["value"] == {"flow": "address", "outcome": "refused", "detail": "on_its_way"}


def test_an_unknown_flow_or_outcome_is_refused() -> None:
    with pytest.raises(ValueError):
        outcome_value("teleport", "done")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        outcome_value("cancel", "maybe")  # type: ignore[arg-type]
