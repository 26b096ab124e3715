"""Cancelling an order: the form that finds the order and its proof (the order-status form's
own checks), the question "shall I cancel it?" with the refund the customer will get, and the
action that cancels it through the shop backend — on the built-in tables, Shopify or
WooCommerce alike.

The rules are in :mod:`actions.services.cancellation` (``policy/cancellation.yml``). Asking
again, a retry or a double tap never cancels twice: the order is read again before anything
happens, and an order already cancelled is said to be so.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.cancel_items import asks_items, read_items_answer
from actions.common import language, utc_now
from actions.failures import apologise_on_failure
from actions.orders import ValidateOrderStatusForm
from actions.services import cancel_choice, cancellation
from actions.services.cancel_items import items_refund
from actions.services.formatting import day, local, money
from actions.services.order_numbers import normalize_order_number
from actions.services.outcomes import Outcome, outcome_event
from actions.settings import get_settings
from actions.shop.backend import OrderNotChangeable
from actions.shop.current import get_shop
from actions.store.models import Order
from bot import names

logger = logging.getLogger(__name__)

#: What the shop's records say when the customer cancels in the chat.
REASON = "Cancelled at the customer's request"
_REFUSALS = {
    "already_cancelled": "utter_order_already_cancelled",
    "delivered": "utter_cancel_too_late_delivered",
    "on_its_way": "utter_cancel_too_late_on_its_way",
    "packed_too_late": "utter_cancel_too_late_packed",
    "not_accepted": "utter_cancel_not_accepted",
}


def _refusal(refused: OrderNotChangeable) -> str:
    """The answer's key for a refusal at the moment of cancelling: already cancelled, the
    shop's system turning it down for its own reason (a person can finish it), or -- the state
    having moved on since the customer was told it could be cancelled -- on its way."""
    if refused.reason == "already_cancelled":
        return "already_cancelled"
    if refused.reason in ("refused", "items_not_supported"):
        return "not_accepted"
    return "on_its_way"


async def _assessment(number: str) -> tuple[Order | None, cancellation.Assessment | None]:
    order = await get_shop().order(number)
    return (None, None) if order is None else (order, _assess(order))


def _assess(order: Order) -> cancellation.Assessment:
    policy = cancellation.load_policy()
    return cancellation.assess(order, policy, utc_now(), get_settings().shop_timezone)


def _refund_words(order: Order, found: cancellation.Assessment, lang: str) -> dict[str, str]:
    tz = get_settings().shop_timezone
    today = local(utc_now(), tz).date()
    return {
        "order_number": order.number,
        "amount": money(found.refund, order.currency, lang),
        "payment_method": found.refund_to,
        "refund_by": day(found.refund_by, today, lang) if found.refund_by else "",
    }


class ValidateCancelForm(ValidateOrderStatusForm):
    """The order and its proof are checked exactly as for "where is my order?"; then the
    confirmation is asked only for an order the policy still lets the customer cancel."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_CANCEL_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        finding = [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION]
        found = await super().required_slots(finding, dispatcher, tracker, domain)
        if found != [names.SLOT_ORDER_NUMBER] or tracker.get_slot(names.SLOT_ORDER_LOCKED):
            return found  # still finding the order or its proof (or locked: nothing to ask)
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        order, assessed = await _assessment(number or "")
        if order is None or assessed is None or not assessed.allowed:
            return found  # the form ends; action_cancel_order says why not
        if asks_items(order):
            return [*found, names.SLOT_CANCEL_ITEMS, names.SLOT_CANCEL_CONFIRMED]
        return [*found, names.SLOT_CANCEL_CONFIRMED]

    async def validate_cancel_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await read_items_answer(value, dispatcher, tracker)

    async def validate_cancel_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {names.SLOT_CANCEL_CONFIRMED: value if isinstance(value, bool) else None}


class ActionAskCancelConfirmed(Action):
    """ "Shall I cancel it?", with what comes back, to where and by when."""

    def name(self) -> str:
        return names.ACTION_ASK_CANCEL_CONFIRMED

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
        order, found = await _assessment(number)
        if order is None or found is None or not found.allowed:
            return []  # changed meanwhile: the form's next turn ends it and says why
        lang = language(tracker)
        words = _refund_words(order, found, lang)
        ids = cancel_choice.decode(tracker.get_slot(names.SLOT_CANCEL_ITEMS))
        if ids:
            some = items_refund(order, ids)
            words["amount"] = money(some.amount, order.currency, lang)
            words["items"] = cancel_choice.item_names(order.items, ids, lang)
            paid = some.amount > 0
            response = f"utter_ask_cancel_items_confirmed_{'refund' if paid else 'unpaid'}"
        else:
            paid = found.refund > 0
            response = f"utter_ask_cancel_confirmed_{'refund' if paid else 'unpaid'}"
        dispatcher.utter_message(response=response, **words)
        return []


def _reset(number: str | None) -> list[EventType]:
    own = (names.SLOT_CANCEL_CONFIRMED, names.SLOT_CANCEL_ITEMS, names.SLOT_CANCEL_CHOSEN)
    return proof.order_flow_ended(number, *own)


class ActionCancelOrder(Action):
    """Cancels the order once confirmed, or says why it cannot be and what can be done."""

    def name(self) -> str:
        return names.ACTION_CANCEL_ORDER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await self._settle(dispatcher, tracker, domain)
        if not any(e.get("name") == names.SLOT_FLOW_OUTCOME for e in events):
            # the failure path (the shop unreachable, a bug) offered a person instead
            events.append(outcome_event("cancel", "handoff", detail="failure"))
        return events

    @apologise_on_failure
    async def _settle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        owned = await proof.owned_order(dispatcher, tracker)
        if isinstance(owned, proof.NotShown):
            outcome: Outcome = "stopped" if owned is proof.NotShown.NO_NUMBER else "refused"
            return _ended(None, outcome, owned.value)
        order, number = owned.order, owned.number
        found = _assess(order)
        if not found.allowed:
            refusal = found.refusal or "on_its_way"
            dispatcher.utter_message(response=_REFUSALS[refusal], order_number=number)
            return _ended(number, "refused", refusal)
        confirmed = tracker.get_slot(names.SLOT_CANCEL_CONFIRMED)
        if confirmed is not True:
            dispatcher.utter_message(response="utter_order_kept", order_number=number)
            return _ended(number, "stopped", "kept")
        ids = cancel_choice.decode(tracker.get_slot(names.SLOT_CANCEL_ITEMS))
        if ids:
            return await _cancel_items(dispatcher, tracker, order, found, ids)
        try:
            await get_shop().cancel_order(number, REASON)
        except OrderNotChangeable as refused:
            key = _refusal(refused)
            dispatcher.utter_message(response=_REFUSALS[key], order_number=number)
            return _ended(number, "refused", key)
        logger.info("order cancelled in the chat", extra={"conversation": tracker.sender_id})
        words = _refund_words(order, found, language(tracker))
        response = (
            "utter_order_cancelled_refund" if found.refund > 0 else "utter_order_cancelled_unpaid"
        )
        dispatcher.utter_message(response=response, **words)
        done = outcome_event("cancel", "done", found.refund, order.currency)
        return [*_reset(number), done]


async def _cancel_items(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    order: Order,
    found: cancellation.Assessment,
    ids: tuple[int, ...],
) -> list[EventType]:
    """Cancel the chosen items (the whole order when they were the last ones left); a retry
    or a double tap finds them cancelled and says so, refunding nothing twice."""
    number, lang = order.number, language(tracker)
    try:
        done = await get_shop().cancel_items(number, ids, REASON)
    except OrderNotChangeable as refused:
        key = _refusal(refused)
        dispatcher.utter_message(response=_REFUSALS[key], order_number=number)
        return _ended(number, "refused", key)
    words = _refund_words(order, found, lang)
    words["items"] = cancel_choice.item_names(order.items, ids, lang)
    if not done.cancelled:
        dispatcher.utter_message(response="utter_order_items_already_cancelled", **words)
        return _ended(number, "refused", "already_cancelled")
    logger.info("order items cancelled in the chat", extra={"conversation": tracker.sender_id})
    words["amount"] = money(done.refund, order.currency, lang)
    paid = "refund" if done.refund > 0 else "unpaid"
    whole = f"utter_order_cancelled_{paid}"
    dispatcher.utter_message(
        response=whole if done.whole else f"utter_order_items_cancelled_{paid}", **words
    )
    return [*_reset(number), outcome_event("cancel", "done", done.refund, order.currency)]


def _ended(number: str | None, outcome: Outcome, detail: str) -> list[EventType]:
    """The slots reset, and how the cancellation ended for the analytics."""
    return [*_reset(number), outcome_event("cancel", outcome, detail=detail)]
