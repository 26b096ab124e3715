"""The ownership proof step, shared by every form that shows an order's details.

An anonymous customer proves an order is theirs with its e-mail address or delivery postcode
(docs/architecture.md, "Identity: who may see an order"). The order status form, the return form and
the refund status form all ask the same question through the shared ``verification_value`` slot;
this module checks the answer the same way for all of them — recording the attempt, counting
failures towards the lock, and telling the customer (without saying which part was wrong) — so the
rule lives in one place: :mod:`actions.services.verification`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import client_key, customer_id, utc_now, verified_orders
from actions.services import verification
from actions.services.order_numbers import normalize_order_number
from actions.settings import get_settings
from actions.shop.current import get_shop
from actions.store.models import Order
from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)


class ProofStatus(str, Enum):
    VERIFIED = "verified"  # proven just now
    NOT_NEEDED = "not_needed"  # their own order, or proven earlier in the conversation
    MISMATCH = "mismatch"  # wrong; the customer was told and may try again
    LOCKED = "locked"  # too many failures: self-service is closed for this order
    NO_ORDER = "no_order"  # the order does not exist (any more)
    EMPTY = "empty"  # nothing usable was given


@dataclass(frozen=True)
class ProofCheck:
    status: ProofStatus
    verified_orders: list[str]


class NotShown(str, Enum):
    """Why an action stopped before acting on the order in the slots (the customer was told)."""

    NO_NUMBER = "no_order"  # no order number in the slots: they are asked for one
    LOCKED = "locked"  # locked for self-service, or not proven to be theirs
    NOT_FOUND = "not_found"  # no such order (any more)


@dataclass(frozen=True)
class OwnedOrder:
    number: str
    order: Order


_PROOF_ENTITIES = (names.ENTITY_EMAIL, names.ENTITY_POSTAL_CODE)


def proof_given_up_front(tracker: Tracker) -> dict[str, Any]:
    """The e-mail or postcode the customer wrote before being asked for it, as the proof slot.

    "Where is my parcel, order #10006, postcode EH1 1YZ": the domain's mappings only take a
    proof as the answer to the form's question, so without this the customer is asked for the
    postcode they just gave. Each form's validation action calls this from its
    ``extract_verification_value``: it runs when the form starts and on every answer, and the
    proof is then checked exactly like an answer (recorded, counted towards the lock).
    """
    if tracker.get_slot(names.SLOT_VERIFICATION) is not None:
        return {}
    if tracker.get_slot("requested_slot") == names.SLOT_VERIFICATION:
        return {}  # the answer to the question: the domain's mappings take it
    given = proofs_in_message(tracker)
    return {names.SLOT_VERIFICATION: given[-1]} if given else {}


def proofs_in_message(tracker: Tracker) -> list[str]:
    """The e-mail addresses and postcodes the NLU found in the customer's latest message."""
    values = [
        entity.get("value")
        for entity in (tracker.latest_message or {}).get("entities") or []
        if entity.get("entity") in _PROOF_ENTITIES
    ]
    return [v for v in values if isinstance(v, str) and v.strip()]


def window() -> timedelta:
    return timedelta(minutes=get_settings().verification_window_minutes)


async def is_locked(tracker: Tracker, number: str) -> bool:
    """Whether this order is locked for self-service for this conversation."""
    settings = get_settings()
    async with unit_of_work() as repo:
        return await verification.is_locked(
            repo,
            number,
            tracker.sender_id,
            utc_now(),
            settings.verification_max_failures,
            window(),
            client_key(tracker),
        )


async def owned_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> OwnedOrder | NotShown:
    """The order in the slots if this customer may act on it; else why not, already said.

    The forms ask for the proof; the action a form ends with checks again, because a rule, a
    story or a "/" payload can reach it without the form, and no path may show or change a
    stranger's order. Order status, cancelling and the address change all start with this.
    """
    number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
    if number is None:
        dispatcher.utter_message(response="utter_ask_order_number")
        return NotShown.NO_NUMBER
    if tracker.get_slot(names.SLOT_ORDER_LOCKED):
        dispatcher.utter_message(response="utter_order_locked", order_number=number)
        return NotShown.LOCKED
    order = await get_shop().order(number)
    if order is None:
        dispatcher.utter_message(response="utter_order_not_found", order_number=number)
        return NotShown.NOT_FOUND
    if verification.needs_proof(
        order.customer_id, customer_id(tracker), number, verified_orders(tracker)
    ):
        dispatcher.utter_message(response="utter_order_locked", order_number=number)
        return NotShown.LOCKED
    return OwnedOrder(number, order)


async def check_proof(
    tracker: Tracker, dispatcher: CollectingDispatcher, number: Optional[str], value: Any
) -> ProofCheck:
    """Check ``value`` as proof of owning order ``number`` and say so when it is wrong."""
    proof = value[-1] if isinstance(value, list) and value else value
    verified = verified_orders(tracker)
    if number is None or not isinstance(proof, str) or not proof.strip():
        return ProofCheck(ProofStatus.EMPTY, verified)
    settings = get_settings()
    order = await get_shop().order(number)
    if order is None:
        return ProofCheck(ProofStatus.NO_ORDER, verified)
    if not verification.needs_proof(order.customer_id, customer_id(tracker), number, verified):
        return ProofCheck(ProofStatus.NOT_NEEDED, verified)
    async with unit_of_work() as repo:
        result = await verification.verify_ownership(
            repo,
            order,
            proof,
            tracker.sender_id,
            utc_now(),
            settings.verification_max_failures,
            window(),
            client_key(tracker),
        )
    if result.outcome is verification.Outcome.VERIFIED:
        logger.info("ownership of an order proven", extra={"conversation": tracker.sender_id})
        return ProofCheck(ProofStatus.VERIFIED, [*verified, number])
    if result.outcome is verification.Outcome.LOCKED:
        return ProofCheck(ProofStatus.LOCKED, verified)
    dispatcher.utter_message(
        response="utter_verification_failed",
        order_number=number,
        attempts_left=str(result.failures_left),
    )
    return ProofCheck(ProofStatus.MISMATCH, verified)


def order_flow_ended(number: Optional[str], *own_slots: str) -> list[EventType]:
    """The slots every flow about one order clears when it ends, however it ends: the order,
    its proof and its lock (so the next question starts afresh and a proof is not reused for
    another order), the form's question and the flow's ``own_slots``; ``number``, when the
    order was shown, becomes ``last_order`` so "and where is it now?" needs no number."""
    events: list[EventType] = [
        SlotSet(names.SLOT_ORDER_NUMBER, None),
        SlotSet(names.SLOT_VERIFICATION, None),
        SlotSet(names.SLOT_ORDER_LOCKED, False),
        *(SlotSet(slot, None) for slot in own_slots),
        SlotSet("requested_slot", None),
    ]
    if number:
        events.append(SlotSet(names.SLOT_LAST_ORDER, number))
    return events
