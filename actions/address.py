"""Changing an order's delivery address: the form that finds the order and its proof (the
order-status form's own checks), asks for the new address and reads it back, and the action
that changes it through the shop backend — on the built-in tables, Shopify or WooCommerce
alike — or, once the parcel is with a carrier, gives the carrier's redirect page or offers a
person.

The rules are in :mod:`actions.services.address` (``policy/address.yml``) and the parsing in
:mod:`actions.services.address_parsing`. A double tap or a retried confirmation changes the
address once: the change is recorded under its idempotency key before the backend is asked
(:mod:`actions.store.address_changes`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.after_proof import AfterProofForm, kept_language
from actions.common import utc_now
from actions.failures import apologise_on_failure
from actions.services import address
from actions.services.address_parsing import AddressProblem, one_line, parse_address
from actions.services.order_numbers import normalize_order_number
from actions.services.outcomes import Outcome, outcome_event
from actions.shop.backend import OrderNotChangeable
from actions.shop.current import get_shop
from actions.store import address_changes
from actions.store.models import Address, Order
from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)

# A policy file Baton cannot apply stops the action server as it starts, naming the key.
address.load_policy()

#: handoff_reason codes (contracts/packet.py, REASONS)
REASON_AFTER_DISPATCH = "address_change_after_dispatch"
REASON_UNUSABLE = "address_unusable"
TOO_MANY_ATTEMPTS = "too_many_attempts"
_ASKING = (names.SLOT_NEW_ADDRESS, names.SLOT_ADDRESS_CONFIRMED)


def stored_address(value: Any) -> Optional[Address]:
    """The checked address the form keeps in the ``new_address`` slot (a dict), if any."""
    if not isinstance(value, dict):
        return None
    try:
        return Address(
            line1=str(value["line1"]),
            line2=str(value["line2"]) if value.get("line2") else None,
            city=str(value["city"]),
            postal_code=str(value["postal_code"]),
            country=str(value["country"]),
        )
    except KeyError:
        return None


class ValidateAddressForm(AfterProofForm):
    """The order and its proof are checked exactly as for "where is my order?"; the new
    address and the confirmation are asked only while the shop can still send it elsewhere."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_ADDRESS_FORM

    asking = _ASKING

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
        if tracker.get_slot(names.SLOT_ADDRESS_OUTCOME):
            return found  # too many unusable addresses: action_change_address offers a person
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        order = await get_shop().order(number or "")
        if order is None or address.decide(order, address.load_policy()).kind != "change":
            return found  # the form ends; action_change_address says what can be done
        return [*found, *_ASKING]

    async def extract_verification_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # While the new address is asked, AfterProofForm keeps its postcode from being proof.
        found = await super().extract_verification_value(dispatcher, tracker, domain)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent == names.CHANGE_ADDRESS and "@" not in str(found.get(names.SLOT_VERIFICATION)):
            return {}  # "…send it to D02 X285 instead": the new postcode, not a proof
        return found

    async def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stored_address(value) is not None:
            return {names.SLOT_NEW_ADDRESS: value}
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
        order = await get_shop().order(number)
        policy = address.load_policy()
        parsed = parse_address(value if isinstance(value, str) else "")
        problem = parsed.reason if isinstance(parsed, AddressProblem) else None
        if problem is None and order is not None and isinstance(parsed, Address):
            problem = address.check_country(order, parsed, policy)
        # An address is written in Latin letters whatever the customer's language: it must
        # not switch a Korean or Chinese conversation to English.
        language = kept_language(tracker)
        if problem is None and isinstance(parsed, Address):
            return {names.SLOT_NEW_ADDRESS: asdict(parsed), **language}
        attempts = int(tracker.get_slot(names.SLOT_ADDRESS_ATTEMPTS) or 0) + 1
        if attempts >= policy.max_attempts:
            return {
                names.SLOT_NEW_ADDRESS: None,
                names.SLOT_ADDRESS_ATTEMPTS: float(attempts),
                names.SLOT_ADDRESS_OUTCOME: TOO_MANY_ATTEMPTS,
                **language,
            }
        # Said by action_ask_new_address, which runs once the language is put back.
        return {
            names.SLOT_NEW_ADDRESS: None,
            names.SLOT_ADDRESS_ATTEMPTS: float(attempts),
            names.SLOT_ADDRESS_PROBLEM: problem,
            **language,
        }

    async def validate_address_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {names.SLOT_ADDRESS_CONFIRMED: value if isinstance(value, bool) else None}


class ActionAskNewAddress(Action):
    """Asks for the new address; after one that cannot be used, says why in plain words."""

    def name(self) -> str:
        return names.ACTION_ASK_NEW_ADDRESS

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
        problem = tracker.get_slot(names.SLOT_ADDRESS_PROBLEM)
        if problem in address.PROBLEMS:
            dispatcher.utter_message(
                response=f"utter_address_problem_{problem}", order_number=number
            )
        else:
            dispatcher.utter_message(response="utter_ask_new_address", order_number=number)
        return [SlotSet(names.SLOT_ADDRESS_PROBLEM, None)]


class ActionAskAddressConfirmed(Action):
    """The new address read back on one line, with "Yes, send it there" / "No"."""

    def name(self) -> str:
        return names.ACTION_ASK_ADDRESS_CONFIRMED

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        new = stored_address(tracker.get_slot(names.SLOT_NEW_ADDRESS))
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
        if new is not None:
            dispatcher.utter_message(
                response="utter_confirm_new_address", order_number=number, address=one_line(new)
            )
        return []


def _reset(number: Optional[str], outcome: Optional[Outcome]) -> list[EventType]:
    events = proof.order_flow_ended(number, *_SLOTS)
    return [*events, outcome_event("address", outcome)] if outcome else events


_SLOTS = (
    names.SLOT_NEW_ADDRESS,
    names.SLOT_ADDRESS_CONFIRMED,
    names.SLOT_ADDRESS_ATTEMPTS,
    names.SLOT_ADDRESS_OUTCOME,
    names.SLOT_ADDRESS_PROBLEM,
)


def _offer_person(reason: str) -> SlotSet:
    return SlotSet(names.SLOT_HANDOFF_REASON, reason)


class ActionChangeAddress(Action):
    """Changes the address once confirmed, or says what the customer can do instead."""

    def name(self) -> str:
        return names.ACTION_CHANGE_ADDRESS

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        owned = await proof.owned_order(dispatcher, tracker)
        if isinstance(owned, proof.NotShown):
            return _reset(None, "stopped")
        order, number = owned.order, owned.number
        if tracker.get_slot(names.SLOT_ADDRESS_OUTCOME) == TOO_MANY_ATTEMPTS:
            dispatcher.utter_message(response="utter_address_too_many_attempts")
            return [*_reset(number, "handoff"), _offer_person(REASON_UNUSABLE)]
        decision = address.decide(order, address.load_policy())
        if decision.kind != "change":
            return self._cannot_change(dispatcher, order, decision)
        new = stored_address(tracker.get_slot(names.SLOT_NEW_ADDRESS))
        if new is None or tracker.get_slot(names.SLOT_ADDRESS_CONFIRMED) is not True:
            dispatcher.utter_message(response="utter_address_kept", order_number=number)
            return _reset(number, "stopped")
        return await self._change(dispatcher, tracker, order, new)

    def _cannot_change(
        self, dispatcher: CollectingDispatcher, order: Order, decision: address.Decision
    ) -> list[EventType]:
        number = order.number
        if decision.kind == "cancelled":
            dispatcher.utter_message(response="utter_address_order_cancelled", order_number=number)
            return _reset(number, "refused")
        if decision.kind == "delivered":
            dispatcher.utter_message(response="utter_address_order_delivered", order_number=number)
            return _reset(number, "refused")
        if decision.kind == "redirect":
            for redirect in decision.redirects:
                dispatcher.utter_message(
                    response="utter_address_redirect",
                    order_number=number,
                    carrier=redirect.carrier,
                    redirect_url=redirect.url,
                )
            return [*_reset(number, "refused"), _offer_person(REASON_AFTER_DISPATCH)]
        dispatcher.utter_message(
            response="utter_address_after_dispatch_person", order_number=number
        )
        return [*_reset(number, "handoff"), _offer_person(REASON_AFTER_DISPATCH)]

    async def _change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, new: Address
    ) -> list[EventType]:
        number = order.number
        key = address.idempotency_key(tracker.sender_id, number, new)
        async with unit_of_work() as repo:
            first = await address_changes.claim(
                repo.conn, key, number, tracker.sender_id, utc_now()
            )
        if first:
            try:
                await get_shop().change_address(number, new)
            except OrderNotChangeable:
                await self._release(key)
                fresh = await get_shop().order(number)
                decision = address.decide(fresh or order, address.load_policy())
                if decision.kind == "change":  # refused for another reason: a person
                    decision = address.Decision("person")
                return self._cannot_change(dispatcher, fresh or order, decision)
            except Exception:
                await self._release(key)
                raise
            logger.info(
                "delivery address changed in the chat", extra={"conversation": tracker.sender_id}
            )
        dispatcher.utter_message(
            response="utter_address_changed", order_number=number, address=one_line(new)
        )
        return _reset(number, "done")

    async def _release(self, key: str) -> None:
        async with unit_of_work() as repo:
            await address_changes.release(repo.conn, key)
