"""The return form: which order, proof of ownership, items, reason, method, store, refund,
and an explicit yes before anything is created.

Thin by design: the rules are in :mod:`actions.services.returns` (eligibility, money, the
idempotency key), :mod:`actions.services.returns_parsing` (answers) and
:mod:`actions.services.returns_replies` (what is said). ``required_slots`` narrows the
domain's slot list per conversation: the proof only for someone who has not shown the order
is theirs, the store only for a drop-off, and nothing at all once the form has an outcome
(refused, a person needed, cancelled) so it ends and ``action_submit_return`` closes it.
"""

from __future__ import annotations

import abc
import re
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.common import customer_id, language, send, verified_orders
from actions.failures import apologise_on_failure
from actions.returns_common import (
    HANDOFF_REASON_POLICY,
    OUTCOME_CANCELLED,
    OUTCOME_PERSON,
    OUTCOME_REFUSED,
    ReturnContext,
    hand_back,
    is_aside,
    load_context,
    offer_person,
    record_for_person,
    return_order_number,
    run_handing_back,
    wants_person,
)
from actions.services import verification
from actions.services.formatting import money
from actions.services.i18n import text
from actions.services.order_numbers import normalize_order_number
from actions.services.replies import Reply
from actions.services.returns import (
    ItemCheck,
    OrderRefusal,
    PersonNeeded,
    decode_selection,
    encode_selection,
    quote,
    valid_selection,
)
from actions.services.returns_parsing import (
    is_cancel,
    parse_confirmation,
    parse_items,
    parse_method,
    parse_reason,
    parse_refund_method,
    parse_store,
)
from actions.services.returns_policy import REASON_CODES, REFUND_METHODS, load_policy
from actions.services.returns_replies import (
    ask_items,
    ask_method,
    ask_reason,
    ask_refund_method,
    auto_selected,
    items_text,
    order_buttons,
    order_refusal,
    partial_refusals,
    person_buttons,
    refusal_line,
    store_options,
    summary,
)
from actions.services.stores import Place, locate, nearest_stores
from actions.shop.current import get_shop
from actions.store.uow import unit_of_work
from bot import names

_CANONICAL_ITEMS = re.compile(r"^\d+x\d+(?:,\d+x\d+)*$")
_CANCELLED = {names.SLOT_RETURN_OUTCOME: OUTCOME_CANCELLED}


def _order_changing(tracker: Tracker) -> bool:
    """The customer named another order in this very message: later answers are void."""
    return names.SLOT_RETURN_ORDER in tracker.slots_to_validate()


def _fresh_answers() -> dict[str, Any]:
    return {slot: None for slot in names.RETURN_ANSWERS} | {names.SLOT_RETURN_OUTCOME: None}


def _carrier_for(ctx: ReturnContext) -> Optional[str]:
    carrier = ctx.policy.carrier_for(ctx.order.shipping_address.country)
    return carrier.name if carrier else None


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
            return [s for s in domain_slots if s != names.SLOT_VERIFICATION]
        slots = [names.SLOT_RETURN_ORDER]
        owner = await get_shop().order_owner(number)
        if owner is None:
            return slots
        if verification.needs_proof(owner, customer_id(tracker), number, verified_orders(tracker)):
            slots.append(names.SLOT_VERIFICATION)
        slots += [names.SLOT_RETURN_ITEMS, names.SLOT_RETURN_REASON, names.SLOT_RETURN_METHOD]
        if tracker.get_slot(names.SLOT_RETURN_METHOD) == "drop_off":
            slots.append(names.SLOT_RETURN_STORE)
        return [*slots, names.SLOT_RETURN_REFUND_METHOD, names.SLOT_RETURN_CONFIRMED]

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
            if is_aside(tracker):
                return hand_back(names.SLOT_RETURN_ORDER)
            dispatcher.utter_message(response="utter_order_number_invalid")
            return {names.SLOT_RETURN_ORDER: None}
        assessed = tracker.get_slot(names.SLOT_RETURN_ASSESSED_ORDER)
        if number == assessed:  # coming back to the same return: answers stand
            return {names.SLOT_RETURN_ORDER: number}
        owner = await get_shop().order_owner(number)
        if owner is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return {names.SLOT_RETURN_ORDER: None}
        slots = {names.SLOT_RETURN_ORDER: number, **_fresh_answers()}
        if verification.needs_proof(owner, customer_id(tracker), number, verified_orders(tracker)):
            if await proof.is_locked(tracker, number):
                return {**slots, **await self._locked(tracker, dispatcher, number)}
            return {**slots, names.SLOT_RETURN_ASSESSED_ORDER: None}
        return {**slots, **await self._assess(tracker, dispatcher, number)}

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
            return {**slots, **await self._locked(tracker, dispatcher, number)}
        if check.status in (proof.ProofStatus.VERIFIED, proof.ProofStatus.NOT_NEEDED) and number:
            slots[names.SLOT_VERIFIED_ORDERS] = check.verified_orders
            tracker.slots[names.SLOT_VERIFIED_ORDERS] = check.verified_orders
            return {**slots, **await self._assess(tracker, dispatcher, number)}
        return slots

    async def _locked(
        self, tracker: Tracker, dispatcher: CollectingDispatcher, number: str
    ) -> dict[str, Any]:
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

    async def _assess(
        self, tracker: Tracker, dispatcher: CollectingDispatcher, number: str
    ) -> dict[str, Any]:
        """Say what can't be returned and why; end the form when nothing can."""
        ctx = await load_context(number)
        if ctx is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return {names.SLOT_RETURN_ORDER: None}
        a = ctx.assessment
        lang = language(tracker)
        slots: dict[str, Any] = {names.SLOT_RETURN_ASSESSED_ORDER: number}
        if a.order_refusal is OrderRefusal.LOST:
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
        if a.order_refusal in (OrderRefusal.CANCELLED, OrderRefusal.NOT_DELIVERED):
            send(dispatcher, order_refusal(a, ctx.policy, ctx.today, lang))
            return {**slots, names.SLOT_RETURN_OUTCOME: OUTCOME_REFUSED}
        if a.order_refusal is OrderRefusal.NOTHING_RETURNABLE:
            send(dispatcher, order_refusal(a, ctx.policy, ctx.today, lang))
            if a.person is PersonNeeded.LATE_RETURN:
                late = min((c for c in a.refused if c.days_over > 0), key=lambda c: c.days_over)
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
            dispatcher.utter_message(response="utter_return_refused_help")
            return {**slots, names.SLOT_RETURN_OUTCOME: OUTCOME_REFUSED}
        if a.person is PersonNeeded.HIGH_VALUE:
            limit = ctx.policy.person_order_value_over[ctx.order.currency]
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
        returnable = a.returnable
        if len(returnable) == 1 and returnable[0].returnable == 1:
            send(dispatcher, auto_selected(a))
            slots[names.SLOT_RETURN_ITEMS] = encode_selection({returnable[0].item.id: 1})
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
        returnable = ctx.assessment.returnable
        if isinstance(value, str) and _CANONICAL_ITEMS.match(value):
            selection: Optional[dict[int, int]] = decode_selection(value)
        else:
            selection = parse_items(value, returnable, loose=not is_aside(tracker))
        valid = valid_selection(selection or {}, ctx.assessment)
        if valid:
            return {names.SLOT_RETURN_ITEMS: encode_selection(valid)}
        refused = [c for c in ctx.assessment.refused if c.item.quantity > 0]
        named = (
            parse_items(value, [_as_returnable(c) for c in refused], loose=False)
            if refused
            else None
        )
        if named:
            for check in refused:
                if check.item.id in named:
                    send(dispatcher, [refusal_line(check, ctx.today, language(tracker))])
        elif is_aside(tracker):
            return hand_back(names.SLOT_RETURN_ITEMS)
        else:
            dispatcher.utter_message(response="utter_return_items_not_understood")
        return {names.SLOT_RETURN_ITEMS: None}

    async def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_REASON: None, **_CANCELLED}
        if wants_person(tracker):
            return hand_back(names.SLOT_RETURN_REASON)
        aside = is_aside(tracker)
        parsed = (value, None) if value in REASON_CODES else parse_reason(value, loose=not aside)
        if parsed is None or parsed[0] not in REASON_CODES:
            if aside:
                return hand_back(names.SLOT_RETURN_REASON)
            dispatcher.utter_message(response="utter_return_reason_not_understood")
            return {names.SLOT_RETURN_REASON: None}
        reason, note = parsed
        slots: dict[str, Any] = {names.SLOT_RETURN_REASON: reason}
        if note:
            slots[names.SLOT_RETURN_REASON_NOTE] = note
        policy = load_policy()
        if policy.reason(reason).needs_person:
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
                    f"{items_en} from order {number} arrived damaged or faulty"
                    + (f': "{note}"' if note else "."),
                    ctx.order if ctx else None,
                ),
            }
        return slots

    async def validate_return_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_METHOD: None, **_CANCELLED}
        method = value if value in ("drop_off", "carrier") else parse_method(value)
        if method not in ("drop_off", "carrier") or wants_person(tracker):
            if is_aside(tracker):
                return hand_back(names.SLOT_RETURN_METHOD)
            dispatcher.utter_message(response="utter_return_method_not_understood")
            return {names.SLOT_RETURN_METHOD: None}
        slots: dict[str, Any] = {names.SLOT_RETURN_METHOD: method}
        if method == "carrier":
            ctx = await load_context(return_order_number(tracker))
            if ctx is not None and _carrier_for(ctx) is None:
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
        picked = int(value) if isinstance(value, str) and value.isdigit() else None
        picked = picked if picked is not None else parse_store(value, stores)
        if picked is not None and any(s.id == picked for s in stores) and not wants_person(tracker):
            return {names.SLOT_RETURN_STORE: str(picked)}
        if locate(value) is not None and not wants_person(tracker):  # another place
            return {names.SLOT_RETURN_STORE: None, names.SLOT_RETURN_PLACE: value}
        if is_aside(tracker):
            return hand_back(names.SLOT_RETURN_STORE)
        dispatcher.utter_message(response="utter_return_place_unknown")
        return {names.SLOT_RETURN_STORE: None}

    async def validate_return_refund_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _order_changing(tracker):
            return {}
        if is_cancel(value):
            return {names.SLOT_RETURN_REFUND_METHOD: None, **_CANCELLED}
        offered = [r.code for r in load_policy().refund_methods]
        method = value if value in REFUND_METHODS else parse_refund_method(value)
        if method is None and len(offered) == 1 and parse_confirmation(value)[0]:
            method = offered[0]
        if method not in offered or wants_person(tracker):
            if is_aside(tracker):
                return hand_back(names.SLOT_RETURN_REFUND_METHOD)
            dispatcher.utter_message(response="utter_return_refund_not_understood")
            return {names.SLOT_RETURN_REFUND_METHOD: None}
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
            slots: dict[str, Any] = {names.SLOT_RETURN_CONFIRMED: None, change: None}
            if change == names.SLOT_RETURN_METHOD:
                slots[names.SLOT_RETURN_STORE] = None
            return slots
        if is_aside(tracker):
            return hand_back(names.SLOT_RETURN_CONFIRMED)
        dispatcher.utter_message(response="utter_return_confirm_not_understood")
        return {names.SLOT_RETURN_CONFIRMED: None}


def _as_returnable(check: ItemCheck) -> ItemCheck:
    """A refused item seen as if it could be picked, to recognise it when named."""
    return ItemCheck(check.item, check.item.quantity)


# --- the questions ----------------------------------------------------------------------------


class ActionAskReturnOrderNumber(Action):
    """Which order? Recent deliveries as buttons when we know who the customer is."""

    def name(self) -> str:
        return names.ACTION_ASK_RETURN_ORDER

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cid = customer_id(tracker)
        if cid is not None:
            recent = await get_shop().recent_delivered_orders(cid, limit=5)
            if recent:
                send(
                    dispatcher,
                    [
                        Reply(
                            "utter_choose_return_order",
                            {},
                            order_buttons(recent, language(tracker)),
                        )
                    ],
                )
                return []
        dispatcher.utter_message(response="utter_ask_return_order_number")
        return []


class _AskAboutTheOrder(Action, abc.ABC):
    """A question of the return form that needs the order being returned.

    Subclasses name the action and say how to ask; loading the order (and saying nothing
    when it has gone) is done once, here.
    """

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ctx = await load_context(return_order_number(tracker))
        if ctx is not None:
            await self.ask(ctx, dispatcher, tracker)
        return []

    @abc.abstractmethod
    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        """Send the question for ``ctx``."""


class ActionAskReturnItems(_AskAboutTheOrder):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_ITEMS

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        if ctx.assessment.returnable:
            send(dispatcher, ask_items(ctx.assessment, ctx.today, language(tracker)))


class ActionAskReturnReason(Action):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_REASON

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        send(dispatcher, [ask_reason(load_policy(), language(tracker))])
        return []


class ActionAskReturnMethod(_AskAboutTheOrder):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_METHOD

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        reason = tracker.get_slot(names.SLOT_RETURN_REASON)
        lang = language(tracker)
        send(dispatcher, [ask_method(ctx.order, reason, ctx.policy, _carrier_for(ctx), lang)])


class ActionAskReturnStore(_AskAboutTheOrder):
    """The stores nearest where the customer said, or else the delivery address."""

    def name(self) -> str:
        return names.ACTION_ASK_RETURN_STORE

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        address = ctx.order.shipping_address
        place: Optional[Place] = (
            locate(tracker.get_slot(names.SLOT_RETURN_PLACE))
            or locate(address.postal_code)
            or locate(address.city)
        )
        if place is None:  # a postcode and town we have no centroid for: ask where
            dispatcher.utter_message(response="utter_ask_return_place")
            return
        async with unit_of_work() as repo:
            stores = await repo.stores()
        nearby = nearest_stores(stores, place, ctx.policy.nearest_stores)
        send(dispatcher, store_options(nearby, place, ctx.today, language(tracker)))


class ActionAskReturnRefundMethod(_AskAboutTheOrder):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_REFUND_METHOD

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
        q = quote(
            ctx.order,
            selection,
            str(tracker.get_slot(names.SLOT_RETURN_REASON)),
            str(tracker.get_slot(names.SLOT_RETURN_METHOD)),
            ctx.policy,
        )
        lang = language(tracker)
        send(dispatcher, [ask_refund_method(ctx.order, q.refund_amount, ctx.policy, lang)])


class ActionAskReturnConfirmed(_AskAboutTheOrder):
    """The summary, and the explicit question before anything is created."""

    def name(self) -> str:
        return names.ACTION_ASK_RETURN_CONFIRMED

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
        reason = str(tracker.get_slot(names.SLOT_RETURN_REASON))
        method = str(tracker.get_slot(names.SLOT_RETURN_METHOD))
        refund = str(tracker.get_slot(names.SLOT_RETURN_REFUND_METHOD))
        store = None
        store_id = tracker.get_slot(names.SLOT_RETURN_STORE)
        if method == "drop_off" and str(store_id).isdigit():
            async with unit_of_work() as repo:
                store = await repo.store_by_id(int(store_id))
        q = quote(ctx.order, selection, reason, method, ctx.policy)
        send(
            dispatcher,
            [
                summary(
                    ctx.order,
                    selection,
                    reason,
                    method,
                    store,
                    _carrier_for(ctx),
                    q,
                    refund,
                    ctx.policy,
                    language(tracker),
                )
            ],
        )
