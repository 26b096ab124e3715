"""Order status: the form that collects an order number and an ownership proof, and the
action that answers from the shop's data.

These are thin: the rules live in :mod:`actions.services`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.common import client_key, customer_id, language, send, utc_now, verified_orders
from actions.failures import apologise_on_failure
from actions.services import i18n, order_status, verification
from actions.services.order_numbers import normalize_order_number
from actions.services.replies import Button, Reply
from actions.settings import get_settings
from actions.shop.current import get_shop
from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)


def _status_words(status: str, lang: str) -> str:
    key = f"status_{status}"
    return i18n.text(key, lang) if key in i18n.CATALOGUE else status


def _window() -> timedelta:
    return timedelta(minutes=get_settings().verification_window_minutes)


class ActionAskOrderNumber(Action):
    """Ask which order — with buttons of recent orders when we know who the customer is."""

    def name(self) -> str:
        return names.ACTION_ASK_ORDER_NUMBER

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cid = customer_id(tracker)
        lang = language(tracker)
        if cid is not None:
            recent = await get_shop().recent_orders(cid, limit=5)
            if recent:
                buttons = tuple(
                    Button(
                        title=f"{o.number} · {o.first_item}"
                        + (
                            i18n.text("more_items", lang, n=o.item_count - 1)
                            if o.item_count > 1
                            else ""
                        )
                        + f" ({_status_words(o.status, lang)})",
                        payload=f'/inform{{"order_number":"{o.number}"}}',
                    )
                    for o in recent
                )
                send(dispatcher, [Reply("utter_choose_order", {}, buttons)])
                return []
        dispatcher.utter_message(response="utter_ask_order_number")
        return []


class ValidateOrderStatusForm(FormValidationAction):
    """Checks the order number and the ownership proof as the customer gives them."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_ORDER_STATUS_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        if number is None:
            return domain_slots
        if tracker.get_slot(names.SLOT_ORDER_LOCKED):
            return [names.SLOT_ORDER_NUMBER]
        owner = await get_shop().order_owner(number)
        if owner is None:
            return domain_slots
        if verification.needs_proof(owner, customer_id(tracker), number, verified_orders(tracker)):
            return domain_slots
        return [names.SLOT_ORDER_NUMBER]

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await super().run(dispatcher, tracker, domain)

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, list):  # two numbers in one message: take the last one said
            value = value[-1] if value else None
        number = normalize_order_number(value)
        if number is None:
            dispatcher.utter_message(response="utter_order_number_invalid")
            return {names.SLOT_ORDER_NUMBER: None}
        settings = get_settings()
        owner = await get_shop().order_owner(number)
        if owner is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return {names.SLOT_ORDER_NUMBER: None}
        needs = verification.needs_proof(
            owner, customer_id(tracker), number, verified_orders(tracker)
        )
        locked = False
        if needs:
            async with unit_of_work() as repo:  # the lockout is Baton's own record
                locked = await verification.is_locked(
                    repo,
                    number,
                    tracker.sender_id,
                    utc_now(),
                    settings.verification_max_failures,
                    _window(),
                    client_key(tracker),
                )
        return {names.SLOT_ORDER_NUMBER: number, names.SLOT_ORDER_LOCKED: locked}

    async def extract_verification_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return proof.proof_given_up_front(tracker)

    async def validate_verification_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        # The same proof step as the returns forms (actions/proof.py).
        check = await proof.check_proof(tracker, dispatcher, number, value)
        if check.status is proof.ProofStatus.NO_ORDER:
            return {names.SLOT_VERIFICATION: None, names.SLOT_ORDER_NUMBER: None}
        if check.status is proof.ProofStatus.VERIFIED:
            verified = check.verified_orders
            return {names.SLOT_VERIFICATION: None, names.SLOT_VERIFIED_ORDERS: verified}
        if check.status is proof.ProofStatus.LOCKED:
            return {names.SLOT_VERIFICATION: None, names.SLOT_ORDER_LOCKED: True}
        return {names.SLOT_VERIFICATION: None}


class ActionOrderStatus(Action):
    """Answer "where is my order?" once the form has a number the customer may see."""

    def name(self) -> str:
        return names.ACTION_ORDER_STATUS

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        owned = await proof.owned_order(dispatcher, tracker)
        if isinstance(owned, proof.NotShown):
            return proof.order_flow_ended(None)
        order, number = owned.order, owned.number
        settings = get_settings()
        replies = order_status.describe_order(
            order, utc_now(), settings.shop_timezone, language(tracker)
        )
        send(dispatcher, replies)
        return proof.order_flow_ended(number)
