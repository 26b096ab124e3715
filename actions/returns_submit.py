"""After the return form: create the return (exactly once), cancel it, hand it to a person;
and the return policy, answered from policy/returns.yml.

Creating is idempotent. The key is a hash of the conversation and the confirmed selection
(:func:`actions.services.returns.idempotency_key`), and ``returns.idempotency_key`` is
unique: the same confirmation delivered twice — a double click, a channel's retry, an
action call repeated after a timeout — finds the return the first one made and confirms it
again, instead of creating a second one.
"""

from __future__ import annotations

import logging
from typing import Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import IntegrityError

from actions.common import customer_id, language, send, utc_now, verified_orders
from actions.failures import apologise_on_failure
from actions.returns_common import (
    OUTCOME_CANCELLED,
    ReturnContext,
    load_context,
    record_for_person,
    reset_return,
    return_order_number,
)
from actions.services import verification
from actions.services.order_numbers import normalize_order_number
from actions.services.returns import (
    PersonNeeded,
    decode_selection,
    idempotency_key,
    label_tracking_number,
    quote,
    return_by,
    valid_selection,
)
from actions.services.returns_labels import label_secret, label_url, public_url
from actions.services.returns_policy import load_policy
from actions.services.returns_replies import created, policy_for_order, policy_general, refusal_line
from actions.shop.current import get_shop
from actions.store.returns_models import NewLabel, NewReturn, Return
from bot import names

logger = logging.getLogger(__name__)


def link_for(rma: str) -> str:
    return label_url(public_url(), rma, label_secret())


async def create_return(tracker: Tracker, ctx: ReturnContext) -> Optional[tuple[Return, bool]]:
    """The return for the confirmed answers: ``(return, created_now)``, or ``None`` when the
    items are no longer returnable (someone returned them from another chat meanwhile)."""
    selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
    reason = str(tracker.get_slot(names.SLOT_RETURN_REASON))
    method = str(tracker.get_slot(names.SLOT_RETURN_METHOD))
    refund = str(tracker.get_slot(names.SLOT_RETURN_REFUND_METHOD))
    store_value = tracker.get_slot(names.SLOT_RETURN_STORE)
    store_id = int(store_value) if method == "drop_off" and str(store_value).isdigit() else None
    order = ctx.order
    key = idempotency_key(
        tracker.sender_id, order.number, selection, reason, method, store_id, refund
    )
    existing = await get_shop().return_by_key(key)
    if existing is not None:
        return existing, False
    if not selection or valid_selection(selection, ctx.assessment) != selection:
        return None
    q = quote(order, selection, reason, method, ctx.policy)
    now = utc_now()
    last_day = return_by(ctx.today, method, ctx.policy)
    label = None
    if method == "carrier":
        country = order.shipping_address.country
        carrier = ctx.policy.carrier_for(country)
        assert carrier is not None, f"no return carrier for {country}"
        tracking = label_tracking_number(country)
        label = NewLabel(carrier.name, tracking, carrier.url_for(tracking), now, last_day)
    new = NewReturn(
        order_id=order.id,
        customer_id=order.customer_id,
        conversation_id=tracker.sender_id,
        idempotency_key=key,
        status="label_created" if label else "requested",
        reason=reason,
        reason_note=tracker.get_slot(names.SLOT_RETURN_REASON_NOTE),
        method=method,
        store_id=store_id,
        refund_method=refund,
        currency=q.currency,
        items_value=q.items_value,
        return_fee=q.return_fee,
        refund_amount=q.refund_amount,
        created_at=now,
        return_by=last_day,
        lines=tuple(sorted(selection.items())),
    )
    try:
        made = await get_shop().create_return(new, label)
    except IntegrityError:
        # The same confirmation, processed at the same moment, got there first.
        existing = await get_shop().return_by_key(key)
        if existing is None:
            raise
        return existing, False
    logger.info("return created", extra={"conversation": tracker.sender_id, "rma": made.rma})
    return made, True


class ActionSubmitReturn(Action):
    """Closes the return form: creates the confirmed return, or ends a refused, cancelled or
    person-bound one (its messages were said while validating)."""

    def name(self) -> str:
        return names.ACTION_SUBMIT_RETURN

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outcome = tracker.get_slot(names.SLOT_RETURN_OUTCOME)
        if outcome == OUTCOME_CANCELLED:
            dispatcher.utter_message(response="utter_return_cancelled")
            return reset_return()
        if outcome or tracker.get_slot(names.SLOT_RETURN_CONFIRMED) is not True:
            return reset_return()
        ctx = await load_context(return_order_number(tracker))
        if ctx is None:
            dispatcher.utter_message(response="utter_technical_problem")
            return reset_return()
        result = await create_return(tracker, ctx)
        if result is None:
            selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
            gone = [c for c in ctx.assessment.refused if c.item.id in selection]
            send(dispatcher, [refusal_line(c, ctx.today, language(tracker)) for c in gone])
            dispatcher.utter_message(response="utter_anything_else")
            return reset_return()
        ret, _ = result
        link = link_for(ret.rma) if ret.label else None
        send(dispatcher, [created(ret, link, ctx.policy, ctx.today, language(tracker))])
        return [*reset_return(), SlotSet(names.SLOT_LAST_RMA, ret.rma)]


class ActionCancelReturn(Action):
    def name(self) -> str:
        return names.ACTION_CANCEL_RETURN

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_return_cancelled")
        return reset_return()


class ActionReturnToPerson(Action):
    """The customer asked for a person (or complained) mid-return: keep what they said."""

    def name(self) -> str:
        return names.ACTION_RETURN_TO_PERSON

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        kind = PersonNeeded.COMPLAINT if intent == "complain" else PersonNeeded.CUSTOMER_ASKED
        number = return_order_number(tracker)
        order = None
        if number is not None:
            order = await get_shop().order(number)
            # Only what the customer has shown is theirs goes into the packet.
            if order is not None and verification.needs_proof(
                order.customer_id, customer_id(tracker), number, verified_orders(tracker)
            ):
                order = None
        await record_for_person(
            tracker,
            kind,
            "Asked for a person in the middle of a return"
            + (f" for order {number}." if number else "."),
            order,
        )
        return reset_return()


class ActionReturnPolicy(Action):
    """The return policy from policy/returns.yml, applied to the customer's order if known."""

    def name(self) -> str:
        return names.ACTION_RETURN_POLICY

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        policy = load_policy()
        number = await _known_order(tracker)
        ctx = await load_context(number) if number else None
        currency = ctx.order.currency if ctx else "GBP"
        send(dispatcher, [policy_general(policy, currency, language(tracker))])
        if ctx is not None:
            send(dispatcher, policy_for_order(ctx.assessment, policy, ctx.today, language(tracker)))
        return []


async def _known_order(tracker: Tracker) -> Optional[str]:
    """The order the customer is talking about and may see, if there is one."""
    entities = (tracker.latest_message or {}).get("entities") or []
    candidates = [
        normalize_order_number(e.get("value"))
        for e in entities
        if e.get("entity") == names.ENTITY_ORDER_NUMBER
    ]
    candidates += [
        normalize_order_number(tracker.get_slot(names.SLOT_RETURN_ORDER)),
        normalize_order_number(tracker.get_slot(names.SLOT_LAST_ORDER)),
    ]
    cid = customer_id(tracker)
    shop = get_shop()
    for number in candidates:
        if number is None:
            continue
        owner = await shop.order_owner(number)
        if owner is not None and not verification.needs_proof(
            owner, cid, number, verified_orders(tracker)
        ):
            return number
    if cid is not None:
        recent = await shop.recent_delivered_orders(cid, limit=1)
        if recent:
            return recent[0].number
    return None
