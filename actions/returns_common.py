"""What the returns actions share: the order being returned, resetting the form, and
recording a case for a person.

A case the policy leaves to a person is written to ``handoff_requests`` (store database)
with everything the customer said in this conversation, and the ``handoff_reason`` slot is
set, so that when the customer accepts the offer (``/human_handoff``) ``action_handoff``
finds both. Nothing is lost if they decline: the request stays open for the team.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import customer_id, language, send, utc_now
from actions.services.formatting import local
from actions.services.order_numbers import normalize_order_number
from actions.services.returns import Assessment, PersonNeeded, assess_order, decode_selection
from actions.services.returns_policy import ReturnPolicy, load_policy
from actions.services.returns_replies import REASON_WORDS, person_offer
from actions.settings import get_settings
from actions.shop.current import get_shop
from actions.store.models import Order
from actions.store.returns_models import HandoffRequest
from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)

OUTCOME_REFUSED = "refused"
OUTCOME_PERSON = "person"
OUTCOME_CANCELLED = "cancelled"
MAX_MESSAGES = 50

# handoff_reason codes action_handoff understands (handoff/domain.py, REASONS)
HANDOFF_REASON_POLICY = "policy"
HANDOFF_REASON_LOCKED = "verification_locked"


# Intents that, when a message is no answer to the form's question, go back to the rules
# (which answer them and return to the form, or stop it). A person is asked for, or a
# complaint made, whatever else the message says.
ASIDE_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "deny",
        "return_policy",
        "order_status",
        "refund_status",
        "human_handoff",
        "complain",
        *names.SHOP_TOPICS,
    }
)
PERSON_INTENTS = frozenset({"human_handoff", "complain"})

_HANDED_BACK: ContextVar[Optional[list[str]]] = ContextVar("baton_handed_back", default=None)


def latest_intent(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def is_aside(tracker: Tracker) -> bool:
    """The latest message was classified as something the rules answer mid-form."""
    return latest_intent(tracker) in ASIDE_INTENTS


def wants_person(tracker: Tracker) -> bool:
    return latest_intent(tracker) in PERSON_INTENTS


def hand_back(slot: str) -> dict[str, Any]:
    """No answer, but a question or an aside: reject the form so the rules take the turn."""
    handed = _HANDED_BACK.get()
    if handed is not None:
        handed.append(slot)
    return {slot: None}


async def run_handing_back(form: str, run: Any) -> list[EventType]:
    """Run a form validation; if a validator handed the message back, reject the form.

    Rasa then lets the rules predict (an interruption rule answers, or the deny rule stops
    the form), exactly as if no slot had been extracted. The slot the text was put in is
    cleared again, and no next question is asked.
    """
    token = _HANDED_BACK.set([])
    try:
        events: list[EventType] = await run()
        if not _HANDED_BACK.get():
            return events
        kept = [
            e
            for e in events
            if not (e.get("event") == "slot" and e.get("name") == "requested_slot")
        ]
        return [*kept, ActionExecutionRejected(form)]
    finally:
        _HANDED_BACK.reset(token)


@dataclass(frozen=True)
class ReturnContext:
    order: Order
    assessment: Assessment
    policy: ReturnPolicy
    today: date


def return_order_number(tracker: Tracker) -> Optional[str]:
    return normalize_order_number(tracker.get_slot(names.SLOT_RETURN_ORDER))


async def load_context(number: Optional[str]) -> Optional[ReturnContext]:
    """The order and what the policy says about each of its items, now."""
    if number is None:
        return None
    policy = load_policy()
    tz = get_settings().shop_timezone
    now = utc_now()
    inputs = await get_shop().return_inputs(number)
    if inputs is None:
        return None
    order = inputs.order
    assessment = assess_order(
        order, inputs.deliveries, inputs.returned, policy, now, tz, inputs.claimed
    )
    return ReturnContext(order, assessment, policy, local(now, tz).date())


def reset_return() -> list[EventType]:
    """Forget the return in progress (the form is over, whatever its outcome)."""
    return [
        SlotSet(names.SLOT_RETURN_ORDER, None),
        SlotSet(names.SLOT_VERIFICATION, None),
        *(SlotSet(slot, None) for slot in names.RETURN_ANSWERS),
        SlotSet(names.SLOT_RETURN_OUTCOME, None),
        SlotSet(names.SLOT_RETURN_ASSESSED_ORDER, None),
        SlotSet("requested_slot", None),
    ]


def customer_messages(tracker: Tracker) -> list[str]:
    """What the customer wrote in this session (button clicks as their payloads)."""
    texts: list[str] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            texts = []
        elif event.get("event") == "user" and event.get("text"):
            texts.append(str(event["text"])[:1000])
    return texts[-MAX_MESSAGES:]


def answers(tracker: Tracker) -> dict[str, Any]:
    """The return form's answers so far, as an agent reads them."""
    reason = tracker.get_slot(names.SLOT_RETURN_REASON)
    return {
        "order_number": tracker.get_slot(names.SLOT_RETURN_ORDER),
        "items": tracker.get_slot(names.SLOT_RETURN_ITEMS),
        "reason": REASON_WORDS.get(str(reason), reason) if reason else None,
        "reason_note": tracker.get_slot(names.SLOT_RETURN_REASON_NOTE),
        "method": tracker.get_slot(names.SLOT_RETURN_METHOD),
        "store_id": tracker.get_slot(names.SLOT_RETURN_STORE),
        "refund_method": tracker.get_slot(names.SLOT_RETURN_REFUND_METHOD),
    }


def _items(order: Optional[Order], selection_value: Any) -> list[dict[str, Any]]:
    if order is None:
        return []
    selection = decode_selection(selection_value)
    return [
        {
            "name": item.product_name,
            "sku": item.sku,
            "category": item.category,
            "quantity": selection.get(item.id, item.quantity),
            "unit_price": str(item.unit_price),
            "currency": order.currency,
            "selected": item.id in selection,
        }
        for item in order.items
        if not selection or item.id in selection
    ]


async def record_for_person(
    tracker: Tracker,
    kind: PersonNeeded,
    summary: str,
    order: Optional[Order] = None,
    extra: Optional[dict[str, Any]] = None,
    selection: Any = None,
) -> int:
    """Write a handoff request with everything the customer said; returns its id."""
    details: dict[str, Any] = {
        "why": kind.value,
        "answers": answers(tracker),
        "items": _items(order, selection or tracker.get_slot(names.SLOT_RETURN_ITEMS)),
        "customer_messages": customer_messages(tracker),
        "channel": tracker.get_slot(names.SLOT_CHANNEL),
        **(extra or {}),
    }
    if order is not None:
        details["order"] = {
            "number": order.number,
            "status": order.status,
            "total": str(order.total),
            "currency": order.currency,
            "payment_method": order.payment_method,
        }
    number = order.number if order else tracker.get_slot(names.SLOT_RETURN_ORDER)
    async with unit_of_work() as repo:
        request_id = await repo.record_handoff_request(
            HandoffRequest(
                conversation_id=tracker.sender_id,
                customer_id=customer_id(tracker) or (order.customer_id if order else None),
                order_number=str(number) if number else None,
                topic="return",
                reason=kind.value,
                summary=summary[:500],
                details=details,
                created_at=utc_now(),
            )
        )
    logger.info(
        "return case recorded for a person",
        extra={"conversation": tracker.sender_id, "handoff_request": request_id},
    )
    return request_id


async def offer_person(
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    kind: PersonNeeded,
    facts: dict[str, str],
    summary: str,
    order: Optional[Order] = None,
    extra: Optional[dict[str, Any]] = None,
    selection: Any = None,
) -> dict[str, Any]:
    """Record the case, tell the customer why a person is needed, offer one.

    Returns slot values that end the return form and leave the reason for action_handoff.
    """
    await record_for_person(tracker, kind, summary, order, extra, selection)
    send(dispatcher, person_offer(kind, facts, language(tracker)))
    reason = HANDOFF_REASON_LOCKED if kind is PersonNeeded.ORDER_LOCKED else HANDOFF_REASON_POLICY
    return {names.SLOT_RETURN_OUTCOME: OUTCOME_PERSON, names.SLOT_HANDOFF_REASON: reason}
