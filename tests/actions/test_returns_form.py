"""The return form's decisions without a tracker: which questions, what an assessment means,
how answers are read (actions/services/returns_form.py)."""

from datetime import datetime
from decimal import Decimal

from actions.services.returns import assess_order
from actions.services.returns_form import (
    Step,
    change_slots,
    items_answer,
    method_answer,
    next_step,
    reason_answer,
    refund_answer,
    slots_for_order,
    slots_without_order,
)
from bot import names
from tests.actions.returns_fixtures import (
    CANDLE,
    LONDON,
    SCARF,
    TEE,
    all_delivered,
    delivered_order,
    policy,
)

POLICY = policy()
NOW = datetime(2026, 11, 22, 10, 0)


def test_the_proof_is_asked_only_when_needed_and_the_store_only_for_a_drop_off() -> None:
    assert names.SLOT_VERIFICATION not in slots_without_order(
        [names.SLOT_RETURN_ORDER, names.SLOT_VERIFICATION, names.SLOT_RETURN_ITEMS]
    )
    carrier = slots_for_order(needs_proof=False, method="carrier")
    assert names.SLOT_VERIFICATION not in carrier and names.SLOT_RETURN_STORE not in carrier
    drop_off = slots_for_order(needs_proof=True, method="drop_off")
    assert drop_off[:2] == [names.SLOT_RETURN_ORDER, names.SLOT_VERIFICATION]
    assert names.SLOT_RETURN_STORE in drop_off
    assert drop_off[-1] == names.SLOT_RETURN_CONFIRMED


def test_what_an_assessment_means_for_the_form() -> None:
    late = delivered_order(TEE, delivered_at=datetime(2026, 10, 19, 12, 0))
    decided = next_step(assess_order(late, all_delivered(late), {}, POLICY, NOW, LONDON), POLICY)
    assert decided.step is Step.LATE and decided.late is not None
    assert decided.late.days_over == 4

    big = delivered_order(TEE, delivered_at=datetime(2026, 11, 20, 12, 0), total="250.01")
    decided = next_step(assess_order(big, all_delivered(big), {}, POLICY, NOW, LONDON), POLICY)
    assert decided.step is Step.HIGH_VALUE and decided.limit == Decimal("250.00")

    one = delivered_order(TEE, SCARF, delivered_at=datetime(2026, 11, 20, 12, 0))
    decided = next_step(assess_order(one, all_delivered(one), {}, POLICY, NOW, LONDON), POLICY)
    assert decided.step is Step.CHOOSE_ITEMS and decided.auto_items == f"{TEE.id}x1"


def test_items_named_that_cannot_go_back_are_told_apart_from_no_answer() -> None:
    o = delivered_order(CANDLE, SCARF, delivered_at=datetime(2026, 11, 20, 12, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, NOW, LONDON)
    assert items_answer("the candles", a, loose=True).selection == f"{CANDLE.id}x2"
    scarf = items_answer("the scarf", a, loose=True)
    assert scarf.selection is None and scarf.named_refused
    assert [c.item.id for c in scarf.refused] == [SCARF.id]
    assert not items_answer("what time is it", a, loose=False).named_refused


def test_answers_are_read_as_codes_or_none() -> None:
    assert reason_answer("wrong_item", loose=True) == ("wrong_item", None)
    assert method_answer("carrier") == "carrier"
    assert method_answer("banana") is None
    assert refund_answer("store_credit", ["original_payment"]) is None
    assert refund_answer("yes", ["store_credit"]) == "store_credit"
    assert change_slots(names.SLOT_RETURN_METHOD) == {
        names.SLOT_RETURN_CONFIRMED: None,
        names.SLOT_RETURN_METHOD: None,
        names.SLOT_RETURN_STORE: None,
    }
