"""The return form's decisions, as plain functions over values.

Which questions the form still has to ask, what an order's assessment means for the
conversation, and how each answer is read. No tracker and no dispatcher: the form
(:mod:`actions.returns`) asks the shop and the store, calls these, and says what they decided.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Optional

from actions.services.returns import (
    Assessment,
    ItemCheck,
    OrderRefusal,
    PersonNeeded,
    decode_selection,
    encode_selection,
    valid_selection,
)
from actions.services.returns_parsing import (
    parse_confirmation,
    parse_items,
    parse_method,
    parse_reason,
    parse_refund_method,
    parse_store,
)
from actions.services.returns_policy import REASON_CODES, REFUND_METHODS, ReturnPolicy
from actions.store.models import Order, Store
from bot import names

CANONICAL_ITEMS = re.compile(r"^\d+x\d+(?:,\d+x\d+)*$")
METHODS = ("drop_off", "carrier")


# --- which questions ------------------------------------------------------------------------


def slots_without_order(domain_slots: Sequence[str]) -> list[str]:
    """No order named yet: every question but the proof (which depends on the order)."""
    return [s for s in domain_slots if s != names.SLOT_VERIFICATION]


def slots_for_order(needs_proof: bool, method: Optional[str]) -> list[str]:
    """The questions for an order the shop knows: the proof only for someone who has not
    shown it is theirs, the store only for a drop-off."""
    slots = [names.SLOT_RETURN_ORDER]
    if needs_proof:
        slots.append(names.SLOT_VERIFICATION)
    slots += [names.SLOT_RETURN_ITEMS, names.SLOT_RETURN_REASON, names.SLOT_RETURN_METHOD]
    if method == "drop_off":
        slots.append(names.SLOT_RETURN_STORE)
    return [*slots, names.SLOT_RETURN_REFUND_METHOD, names.SLOT_RETURN_CONFIRMED]


def fresh_answers() -> dict[str, Any]:
    """Slot values forgetting the answers given for another order."""
    return {slot: None for slot in names.RETURN_ANSWERS} | {names.SLOT_RETURN_OUTCOME: None}


def carrier_name(policy: ReturnPolicy, order: Order) -> Optional[str]:
    """The carrier that collects returns from the order's delivery country, if any."""
    carrier = policy.carrier_for(order.shipping_address.country)
    return carrier.name if carrier else None


# --- what an order's assessment means -------------------------------------------------------


class Step(str, Enum):
    """What the form does once it knows which order is being returned."""

    LOST = "lost"  # refuse, record the case for a person and offer one
    REFUSED = "refused"  # refuse: cancelled or not delivered
    LATE = "late"  # nothing returnable, but a person may take it just past the window
    NOTHING_RETURNABLE = "nothing_returnable"  # refuse, and say where help is
    HIGH_VALUE = "high_value"  # above the self-service limit: offer a person
    CHOOSE_ITEMS = "choose_items"  # go on: say what can't go back, ask for the items


@dataclass(frozen=True)
class NextStep:
    step: Step
    late: Optional[ItemCheck] = None  # LATE: the item closest to its window
    limit: Optional[Decimal] = None  # HIGH_VALUE: the self-service limit
    auto_items: Optional[str] = None  # CHOOSE_ITEMS: the only item, picked for them


def next_step(assessment: Assessment, policy: ReturnPolicy) -> NextStep:
    a = assessment
    if a.order_refusal is OrderRefusal.LOST:
        return NextStep(Step.LOST)
    if a.order_refusal in (OrderRefusal.CANCELLED, OrderRefusal.NOT_DELIVERED):
        return NextStep(Step.REFUSED)
    if a.order_refusal is OrderRefusal.NOTHING_RETURNABLE:
        if a.person is PersonNeeded.LATE_RETURN:
            late = min((c for c in a.refused if c.days_over > 0), key=lambda c: c.days_over)
            return NextStep(Step.LATE, late=late)
        return NextStep(Step.NOTHING_RETURNABLE)
    if a.person is PersonNeeded.HIGH_VALUE:
        return NextStep(Step.HIGH_VALUE, limit=policy.person_order_value_over[a.order.currency])
    returnable = a.returnable
    auto = None
    if len(returnable) == 1 and returnable[0].returnable == 1:
        auto = encode_selection({returnable[0].item.id: 1})
    return NextStep(Step.CHOOSE_ITEMS, auto_items=auto)


# --- reading the answers --------------------------------------------------------------------


@dataclass(frozen=True)
class ItemsAnswer:
    selection: Optional[str] = None  # the slot value, when something returnable was picked
    named_refused: bool = False  # no: but the message named items that can't go back
    refused: tuple[ItemCheck, ...] = ()  # those items, to say why each can't


def _as_returnable(check: ItemCheck) -> ItemCheck:
    """A refused item seen as if it could be picked, to recognise it when named."""
    return ItemCheck(check.item, check.item.quantity)


def items_answer(value: Any, assessment: Assessment, loose: bool) -> ItemsAnswer:
    """Which returnable items an answer picks, or which refused ones it names instead."""
    if isinstance(value, str) and CANONICAL_ITEMS.match(value):
        selection: Optional[dict[int, int]] = decode_selection(value)
    else:
        selection = parse_items(value, assessment.returnable, loose=loose)
    valid = valid_selection(selection or {}, assessment)
    if valid:
        return ItemsAnswer(selection=encode_selection(valid))
    refused = [c for c in assessment.refused if c.item.quantity > 0]
    named = (
        parse_items(value, [_as_returnable(c) for c in refused], loose=False) if refused else None
    )
    if not named:
        return ItemsAnswer()
    return ItemsAnswer(named_refused=True, refused=tuple(c for c in refused if c.item.id in named))


def reason_answer(value: Any, loose: bool) -> Optional[tuple[str, Optional[str]]]:
    """A reason code and the customer's own words, or ``None`` when the answer is none."""
    parsed = (value, None) if value in REASON_CODES else parse_reason(value, loose=loose)
    if parsed is None or parsed[0] not in REASON_CODES:
        return None
    return parsed


def damaged_summary(items: str, number: str, note: Optional[str]) -> str:
    """What an agent reads about items that arrived damaged."""
    return f"{items} from order {number} arrived damaged or faulty" + (
        f': "{note}"' if note else "."
    )


def method_answer(value: Any) -> Optional[str]:
    """``drop_off`` or ``carrier``, or ``None``."""
    method = value if value in METHODS else parse_method(value)
    return method if method in METHODS else None


def store_answer(value: Any, stores: Sequence[Store]) -> Optional[int]:
    """The id of one of ``stores`` that the answer picks (by button or by name)."""
    picked = int(value) if isinstance(value, str) and value.isdigit() else None
    picked = picked if picked is not None else parse_store(value, stores)
    if picked is not None and any(s.id == picked for s in stores):
        return picked
    return None


def refund_answer(value: Any, offered: Sequence[str]) -> Optional[str]:
    """One of the ``offered`` refund methods; a plain yes when only one is offered."""
    method = value if value in REFUND_METHODS else parse_refund_method(value)
    if method is None and len(offered) == 1 and parse_confirmation(value)[0]:
        method = offered[0]
    return method if method in offered else None


def change_slots(change: str) -> dict[str, Any]:
    """Slot values to ask again the answer the customer wants to change (and the store
    with the method)."""
    slots: dict[str, Any] = {names.SLOT_RETURN_CONFIRMED: None, change: None}
    if change == names.SLOT_RETURN_METHOD:
        slots[names.SLOT_RETURN_STORE] = None
    return slots
