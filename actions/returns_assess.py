"""What the return form says once it knows the order: locked after failed proofs, refused
(and why), a case for a person, or on to the items.

The decisions are :func:`actions.services.returns_form.next_step`; this module says them
and records the cases a person takes. Both functions return the slot values for the form.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, send
from actions.returns_common import (
    HANDOFF_REASON_POLICY,
    OUTCOME_PERSON,
    OUTCOME_REFUSED,
    load_context,
    offer_person,
    record_for_person,
)
from actions.services.formatting import money
from actions.services.replies import Reply
from actions.services.returns import PersonNeeded
from actions.services.returns_form import Step, next_step
from actions.services.returns_replies import (
    auto_selected,
    order_refusal,
    partial_refusals,
    person_buttons,
)
from bot import names


async def locked(tracker: Tracker, dispatcher: CollectingDispatcher, number: str) -> dict[str, Any]:
    """The order is locked after too many failed ownership checks: offer a person."""
    dispatcher.utter_message(response="utter_order_locked", order_number=number)
    return await offer_person(
        tracker,
        dispatcher,
        PersonNeeded.ORDER_LOCKED,
        {"order_number": number},
        f"Wants to return something from order {number}, which is locked after too many "
        "failed ownership checks.",
        extra={"order_number": number},
    )


async def assess(tracker: Tracker, dispatcher: CollectingDispatcher, number: str) -> dict[str, Any]:
    """Say what can't be returned and why; end the form when nothing can."""
    ctx = await load_context(number)
    if ctx is None:
        dispatcher.utter_message(response="utter_order_not_found", order_number=number)
        return {names.SLOT_RETURN_ORDER: None}
    a = ctx.assessment
    lang = language(tracker)
    slots: dict[str, Any] = {names.SLOT_RETURN_ASSESSED_ORDER: number}
    decided = next_step(a, ctx.policy)
    if decided.step is Step.LOST:
        send(dispatcher, order_refusal(a, ctx.policy, ctx.today, lang))
        await record_for_person(
            tracker,
            PersonNeeded.LOST_IN_TRANSIT,
            f"Asked to return order {number}, which was lost in transit.",
            ctx.order,
        )
        send(dispatcher, [Reply("utter_return_offer_person", {}, person_buttons(lang))])
        return {
            **slots,
            names.SLOT_RETURN_OUTCOME: OUTCOME_PERSON,
            names.SLOT_HANDOFF_REASON: HANDOFF_REASON_POLICY,
        }
    if decided.step is Step.REFUSED:
        send(dispatcher, order_refusal(a, ctx.policy, ctx.today, lang))
        return {**slots, names.SLOT_RETURN_OUTCOME: OUTCOME_REFUSED}
    if decided.step is Step.LATE and decided.late is not None:
        send(dispatcher, order_refusal(a, ctx.policy, ctx.today, lang))
        late = decided.late
        return {
            **slots,
            **await offer_person(
                tracker,
                dispatcher,
                PersonNeeded.LATE_RETURN,
                {
                    "product": late.item.product_name,
                    "days": str(late.days_over),
                    "order_number": number,
                },
                f"Wants to return the {late.item.product_name} from order {number}, "
                f"{late.days_over} day(s) after its return window ended.",
                ctx.order,
                {"days_past_window": late.days_over},
            ),
        }
    if decided.step is Step.NOTHING_RETURNABLE:
        send(dispatcher, order_refusal(a, ctx.policy, ctx.today, lang))
        dispatcher.utter_message(response="utter_return_refused_help")
        return {**slots, names.SLOT_RETURN_OUTCOME: OUTCOME_REFUSED}
    if decided.step is Step.HIGH_VALUE and decided.limit is not None:
        limit = decided.limit
        return {
            **slots,
            **await offer_person(
                tracker,
                dispatcher,
                PersonNeeded.HIGH_VALUE,
                {
                    "threshold": money(limit, ctx.order.currency, lang),
                    "order_number": number,
                },
                f"Wants to return something from order {number} "
                f"({money(ctx.order.total, ctx.order.currency)}), above the "
                f"{money(limit, ctx.order.currency)} self-service limit.",
                ctx.order,
            ),
        }
    send(dispatcher, partial_refusals(a, ctx.today, lang))
    if decided.auto_items is not None:
        send(dispatcher, auto_selected(a))
        slots[names.SLOT_RETURN_ITEMS] = decided.auto_items
    return slots
