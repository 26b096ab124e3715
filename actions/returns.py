"""The return form: which order, proof of ownership, items, reason, method, store, refund,
and an explicit yes before anything is created.

Thin by design: the form's decisions are in :mod:`actions.services.returns_form` (which
questions, what an assessment means, how each answer is read), the rules in
:mod:`actions.services.returns` (eligibility, money, the idempotency key) and what is said in
:mod:`actions.services.returns_replies`. What follows the order's assessment is said by
:mod:`actions.returns_assess`; the questions are :mod:`actions.returns_questions`.
``required_slots`` narrows the domain's slot list per conversation: the proof only for
someone who has not shown the order is theirs, the store only for a drop-off, and nothing at
all once the form has an outcome (refused, a person needed, cancelled) so it ends and
``action_submit_return`` closes it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.common import customer_id, language, send, verified_orders
from actions.failures import apologise_on_failure
from actions.returns_assess import assess, locked
from actions.returns_common import (
    OUTCOME_CANCELLED,
    hand_back,
    is_aside,
    load_context,
    offer_person,
    return_order_number,
    run_handing_back,
    wants_person,
)
from actions.services import verification
from actions.services.i18n import text
from actions.services.order_numbers import normalize_order_number
from actions.services.returns import PersonNeeded, decode_selection
from actions.services.returns_form import (
    carrier_name,
    change_slots,
    damaged_summary,
    fresh_answers,
    items_answer,
    method_answer,
    reason_answer,
    refund_answer,
    slots_for_order,
    slots_without_order,
    store_answer,
)
from actions.services.returns_parsing import is_cancel, parse_confirmation
from actions.services.returns_policy import load_policy
from actions.services.returns_replies import items_text, refusal_line
from actions.services.stores import locate
from actions.shop.current import get_shop
from actions.store.uow import unit_of_work
from bot import names

_CANCELLED = {names.SLOT_RETURN_OUTCOME: OUTCOME_CANCELLED}


def _order_changing(tracker: Tracker) -> bool:
    """The customer named another order in this very message: later answers are void."""
    return names.SLOT_RETURN_ORDER in tracker.slots_to_validate()


def _not_understood(
    tracker: Tracker, dispatcher: CollectingDispatcher, slot: str, response: str
) -> dict[str, Any]:
    """No answer: a question or an aside goes back to the rules, anything else is asked again."""
    if is_aside(tracker):
        return hand_back(slot)
    dispatcher.utter_message(response=response)
    return {slot: None}


class ValidateReturnForm(FormValidationAction):
    """Checks each answer of the return form against the order and the policy."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_RETURN_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(names.SLOT_RETURN_OUTCOME):
            return []
        number = return_order_number(tracker)
        if number is None:
            return slots_without_order(domain_slots)
        owner = await get_shop().order_owner(number)
        if owner is None:
            return [names.SLOT_RETURN_ORDER]
        needs = verification.needs_proof(
            owner, customer_id(tracker), number, verified_orders(tracker)
        )
        return slots_for_order(needs, tracker.get_slot(names.SLOT_RETURN_METHOD))

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        run = super().run
        return await run_handing_back(names.FORM_RETURN, lambda: run(dispatcher, tracker, domain))

    # --- the order ------------------------------------------------------------------------

    async def validate_return_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, list):  # two numbers in one message: the last one said
            value = value[-1] if value else None
        if is_cancel(value):
            return {names.SLOT_RETURN_ORDER: None, **_CANCELLED}
        number = normalize_order_number(value)
        if number is None or wants_person(tracker):
            return _not_understood(
                tracker, dispatcher, names.SLOT_RETURN_ORDER, "utter_order_number_invalid"
            )
        assessed = tracker.get_slot(names.SLOT_RETURN_ASSESSED_ORDER)
        if number == assessed:  # coming back to the same return: answers stand
            return {names.SLOT_RETURN_ORDER: number}
        owner = await get_shop().order_owner(number)
        if owner is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return {names.SLOT_RETURN_ORDER: None}
        slots = {names.SLOT_RETURN_ORDER: number, **fresh_answers()}
        if verification.needs_proof(owner, customer_id(tracker), number, verified_orders(tracker)):
            if await proof.is_locked(tracker, number):
                return {**slots, **await locked(tracker, dispatcher, number)}
            return {**slots, names.SLOT_RETURN_ASSESSED_ORDER: None}
        return {**slots, **await assess(tracker, dispatcher, number)}

    async def extract_verification_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return proof.proof_given_up_front(tracker)

    async def validate_verification_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_cancel(value):
            return {names.SLOT_VERIFICATION: None, **_CANCELLED}
        if is_aside(tracker) and not proof.proofs_in_message(tracker):
            return hand_back(names.SLOT_VERIFICATION)  # a question, not a proof: rules answer it
        number = return_order_number(tracker)
        check = await proof.check_proof(tracker, dispatcher, number, value)
        slots: dict[str, Any] = {names.SLOT_VERIFICATION: None}
        if check.status is proof.ProofStatus.NO_ORDER:
            return {**slots, names.SLOT_RETURN_ORDER: None}
        if check.status is proof.ProofStatus.LOCKED and number is not None:
            return {**slots, **await locked(tracker, dispatcher, number)}
        if check.status in (proof.ProofStatus.VERIFIED, proof.ProofStatus.NOT_NEEDED) and number:
            slots[names.SLOT_VERIFIED_ORDERS] = check.verified_orders
            tracker.slots[names.SLOT_VERIFIED_ORDERS] = check.verified_orders
            return {**slots, **await assess(tracker, dispatcher, number)}
        return slots

    # --- the items, reason, method, store and refund --------------------------------------

    async def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_ITEMS: None, **_CANCELLED}
        if wants_person(tracker):
            return hand_back(names.SLOT_RETURN_ITEMS)
        ctx = await load_context(return_order_number(tracker))
        if ctx is None:
            return {names.SLOT_RETURN_ITEMS: None}
        answer = items_answer(value, ctx.assessment, loose=not is_aside(tracker))
        if answer.selection:
            return {names.SLOT_RETURN_ITEMS: answer.selection}
        if answer.named_refused:
            lang = language(tracker)
            send(dispatcher, [refusal_line(check, ctx.today, lang) for check in answer.refused])
            return {names.SLOT_RETURN_ITEMS: None}
        return _not_understood(
            tracker, dispatcher, names.SLOT_RETURN_ITEMS, "utter_return_items_not_understood"
        )

    async def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_REASON: None, **_CANCELLED}
        if wants_person(tracker):
            return hand_back(names.SLOT_RETURN_REASON)
        parsed = reason_answer(value, loose=not is_aside(tracker))
        if parsed is None:
            return _not_understood(
                tracker, dispatcher, names.SLOT_RETURN_REASON, "utter_return_reason_not_understood"
            )
        reason, note = parsed
        slots: dict[str, Any] = {names.SLOT_RETURN_REASON: reason}
        if note:
            slots[names.SLOT_RETURN_REASON_NOTE] = note
        if not load_policy().reason(reason).needs_person:
            return slots
        ctx = await load_context(return_order_number(tracker))
        selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
        lang = language(tracker)
        items = items_text(ctx.order, selection, lang=lang) if ctx else text("the_items", lang)
        items_en = items_text(ctx.order, selection) if ctx else "your items"  # for the agent
        number = ctx.order.number if ctx else ""
        tracker.slots.update(slots)
        return {
            **slots,
            **await offer_person(
                tracker,
                dispatcher,
                PersonNeeded.DAMAGED_ON_ARRIVAL,
                {"order_number": number, "items": items},
                damaged_summary(items_en, number, note),
                ctx.order if ctx else None,
            ),
        }

    async def validate_return_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_METHOD: None, **_CANCELLED}
        method = method_answer(value)
        if method is None or wants_person(tracker):
            return _not_understood(
                tracker, dispatcher, names.SLOT_RETURN_METHOD, "utter_return_method_not_understood"
            )
        slots: dict[str, Any] = {names.SLOT_RETURN_METHOD: method}
        if method == "carrier":
            ctx = await load_context(return_order_number(tracker))
            if ctx is not None and carrier_name(ctx.policy, ctx.order) is None:
                dispatcher.utter_message(response="utter_return_method_not_understood")
                return {names.SLOT_RETURN_METHOD: None}
            slots[names.SLOT_RETURN_STORE] = None
        elif isinstance(value, str) and locate(value) is not None:
            slots[names.SLOT_RETURN_PLACE] = value  # "I'll drop it off in Leeds"
        return slots

    async def validate_return_store(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_STORE: None, **_CANCELLED}
        async with unit_of_work() as repo:
            stores = [s for s in await repo.stores() if s.accepts_returns]
        picked = store_answer(value, stores)
        if picked is not None and not wants_person(tracker):
            return {names.SLOT_RETURN_STORE: str(picked)}
        if locate(value) is not None and not wants_person(tracker):  # another place
            return {names.SLOT_RETURN_STORE: None, names.SLOT_RETURN_PLACE: value}
        return _not_understood(
            tracker, dispatcher, names.SLOT_RETURN_STORE, "utter_return_place_unknown"
        )

    async def validate_return_refund_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_REFUND_METHOD: None, **_CANCELLED}
        method = refund_answer(value, [r.code for r in load_policy().refund_methods])
        if method is None or wants_person(tracker):
            return _not_understood(
                tracker,
                dispatcher,
                names.SLOT_RETURN_REFUND_METHOD,
                "utter_return_refund_not_understood",
            )
        return {names.SLOT_RETURN_REFUND_METHOD: method}

    async def validate_return_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if value is True:
            return {names.SLOT_RETURN_CONFIRMED: True}
        if is_cancel(value):
            return {names.SLOT_RETURN_CONFIRMED: None, **_CANCELLED}
        if wants_person(tracker):
            return hand_back(names.SLOT_RETURN_CONFIRMED)
        yes, change = parse_confirmation(value)
        if yes:
            return {names.SLOT_RETURN_CONFIRMED: True}
        if change:
            return change_slots(change)
        return _not_understood(
            tracker, dispatcher, names.SLOT_RETURN_CONFIRMED, "utter_return_confirm_not_understood"
        )
