"""Refund status: "where is my refund?" by return number (RMA) or by order.

The same ownership proof as orders and returns (actions/proof.py): a return shows what was
bought and where the money goes, so an anonymous customer proves the order is theirs first.
An identified customer picks from their latest returns.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.common import customer_id, language, send, utc_now, verified_orders
from actions.failures import apologise_on_failure
from actions.returns_common import hand_back, is_aside, run_handing_back, wants_person
from actions.returns_submit import link_for
from actions.services import order_status, verification
from actions.services.cancel_items import cancelled_items_refund
from actions.services.i18n import text
from actions.services.order_numbers import normalize_order_number
from actions.services.refunds import (
    describe_claim_refunds,
    describe_return,
    describe_returns,
    normalize_rma,
)
from actions.services.replies import Button, Reply
from actions.services.returns_parsing import is_cancel
from actions.services.returns_policy import load_policy
from actions.services.returns_replies import status_words
from actions.settings import get_settings
from actions.shop.current import get_shop
from actions.store.models import Order
from bot import names

_STOPPED = "cancelled"
_LOCKED = "refused"


async def _order_of(reference: Any) -> Optional[str]:
    """The order a reference (an RMA or an order number) is about, if it exists."""
    rma = normalize_rma(reference)
    shop = get_shop()
    if rma is not None:
        found = await shop.get_return(rma)
        return found.order_number if found else None
    number = normalize_order_number(reference)
    if number is not None and await shop.order_owner(number) is not None:
        return number
    return None


def _order_refunds(order: Order, lang: str) -> list[Reply]:
    """What came back on an order without a return: its claims' refunds, its cancelled items."""
    tz = get_settings().shop_timezone
    replies = [describe_claim_refunds(order, utc_now(), tz, lang)] if order.claim_refunds else []
    if any(i.cancelled_at for i in order.items):
        replies.append(cancelled_items_refund(order, lang))
    return replies


def _reset() -> list[EventType]:
    return [
        SlotSet(names.SLOT_REFUND_REFERENCE, None),
        SlotSet(names.SLOT_VERIFICATION, None),
        SlotSet(names.SLOT_RETURN_OUTCOME, None),
        SlotSet("requested_slot", None),
    ]


class ValidateRefundStatusForm(FormValidationAction):
    def name(self) -> str:
        return names.ACTION_VALIDATE_REFUND_STATUS_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(names.SLOT_RETURN_OUTCOME):
            return []
        number = await _order_of(tracker.get_slot(names.SLOT_REFUND_REFERENCE))
        if number is None:
            return [names.SLOT_REFUND_REFERENCE]
        owner = await get_shop().order_owner(number)
        if owner is not None and verification.needs_proof(
            owner, customer_id(tracker), number, verified_orders(tracker)
        ):
            return [names.SLOT_REFUND_REFERENCE, names.SLOT_VERIFICATION]
        return [names.SLOT_REFUND_REFERENCE]

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        run = super().run
        return await run_handing_back(
            names.FORM_REFUND_STATUS, lambda: run(dispatcher, tracker, domain)
        )

    async def validate_refund_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, list):
            value = value[-1] if value else None
        if is_cancel(value):
            return {names.SLOT_REFUND_REFERENCE: None, names.SLOT_RETURN_OUTCOME: _STOPPED}
        if wants_person(tracker):
            return hand_back(names.SLOT_REFUND_REFERENCE)
        rma = normalize_rma(value)
        if rma is not None:
            found = await get_shop().get_return(rma)
            if found is None:
                dispatcher.utter_message(response="utter_return_not_found", rma=rma)
                return {names.SLOT_REFUND_REFERENCE: None}
            return await self._check_lock(dispatcher, tracker, rma, found.order_number)
        number = normalize_order_number(value)
        if number is None:
            if is_aside(tracker):
                return hand_back(names.SLOT_REFUND_REFERENCE)
            dispatcher.utter_message(response="utter_refund_reference_invalid")
            return {names.SLOT_REFUND_REFERENCE: None}
        if await _order_of(number) is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return {names.SLOT_REFUND_REFERENCE: None}
        return await self._check_lock(dispatcher, tracker, number, number)

    async def _check_lock(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, reference: str, number: str
    ) -> dict[str, Any]:
        owner = await get_shop().order_owner(number)
        needs = owner is not None and verification.needs_proof(
            owner, customer_id(tracker), number, verified_orders(tracker)
        )
        if needs and await proof.is_locked(tracker, number):
            dispatcher.utter_message(response="utter_order_locked", order_number=number)
            return {names.SLOT_REFUND_REFERENCE: reference, names.SLOT_RETURN_OUTCOME: _LOCKED}
        return {names.SLOT_REFUND_REFERENCE: reference}

    async def extract_verification_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return proof.proof_given_up_front(tracker)

    async def validate_verification_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_cancel(value):
            return {names.SLOT_VERIFICATION: None, names.SLOT_RETURN_OUTCOME: _STOPPED}
        if is_aside(tracker) and not proof.proofs_in_message(tracker):
            return hand_back(names.SLOT_VERIFICATION)  # a question, not a proof: rules answer it
        number = await _order_of(tracker.get_slot(names.SLOT_REFUND_REFERENCE))
        check = await proof.check_proof(tracker, dispatcher, number, value)
        if check.status is proof.ProofStatus.VERIFIED:
            return {
                names.SLOT_VERIFICATION: None,
                names.SLOT_VERIFIED_ORDERS: check.verified_orders,
            }
        if check.status is proof.ProofStatus.LOCKED and number:
            dispatcher.utter_message(response="utter_order_locked", order_number=number)
            return {names.SLOT_VERIFICATION: None, names.SLOT_RETURN_OUTCOME: _LOCKED}
        if check.status is proof.ProofStatus.NO_ORDER:
            return {names.SLOT_VERIFICATION: None, names.SLOT_REFUND_REFERENCE: None}
        return {names.SLOT_VERIFICATION: None}


class ActionAskRefundReference(Action):
    """Which return? The customer's latest returns as buttons when we know who they are."""

    def name(self) -> str:
        return names.ACTION_ASK_REFUND_REFERENCE

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cid = customer_id(tracker)
        lang = language(tracker)
        buttons: list[Button] = []
        if cid is not None:
            returns = await get_shop().returns_for_customer(cid, limit=5)
            for r in returns:
                first = r.lines[0].product_name if r.lines else text("items", lang)
                buttons.append(
                    Button(
                        f"{r.rma} · {first} ({status_words(r.status, lang)})",
                        "/inform" + json.dumps({"rma_number": r.rma}, separators=(",", ":")),
                    )
                )
        last = tracker.get_slot(names.SLOT_LAST_RMA)
        if not buttons and isinstance(last, str) and last:
            payload = "/inform" + json.dumps({"rma_number": last}, separators=(",", ":"))
            buttons.append(Button(last, payload))
        if buttons:
            send(dispatcher, [Reply("utter_choose_return", {}, tuple(buttons))])
        else:
            dispatcher.utter_message(response="utter_ask_refund_reference")
        return []


class ActionRefundStatus(Action):
    """Answer "where is my refund?" once the form has a return the customer may see."""

    def name(self) -> str:
        return names.ACTION_REFUND_STATUS

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outcome = tracker.get_slot(names.SLOT_RETURN_OUTCOME)
        if outcome == _STOPPED:
            dispatcher.utter_message(response="utter_ok_stopped")
            return _reset()
        if outcome:
            return _reset()
        reference = tracker.get_slot(names.SLOT_REFUND_REFERENCE)
        number = await _order_of(reference)
        if number is None:
            dispatcher.utter_message(response="utter_ask_refund_reference")
            return _reset()
        shop = get_shop()
        owner = await shop.order_owner(number)
        rma = normalize_rma(reference)
        if rma is not None:
            found = await shop.get_return(rma)
            returns = [found] if found else []
        else:
            returns = await shop.returns_for_order(number)
        if owner is None or verification.needs_proof(
            owner, customer_id(tracker), number, verified_orders(tracker)
        ):
            # Never reached through the form; kept so no path shows a stranger's return.
            dispatcher.utter_message(response="utter_order_locked", order_number=number)
            return _reset()
        lang = language(tracker)
        if not returns:
            order = await shop.order(number)
            if order is not None and order.status == "cancelled":
                # A cancelled order's refund is the order's own: its answer says what was
                # refunded, to where and when (or that nothing was charged).
                tz = get_settings().shop_timezone
                send(dispatcher, order_status.describe_order(order, utc_now(), tz, lang))
                return _reset()
            if order is not None and (
                order.claim_refunds or any(i.cancelled_at for i in order.items)
            ):
                # A claim's refund, items cancelled on their own: the order's, not a return's.
                send(dispatcher, _order_refunds(order, lang))
                return _reset()
            payload = "/return_item" + json.dumps({"order_number": number}, separators=(",", ":"))
            send(
                dispatcher,
                [
                    Reply(
                        "utter_order_has_no_returns",
                        {"order_number": number},
                        (
                            Button(text("btn_start_return", lang), payload),
                            Button(text("btn_no_thanks", lang), "/deny"),
                        ),
                    )
                ],
            )
            return _reset()
        policy = load_policy()
        tz = get_settings().shop_timezone
        now = utc_now()
        if len(returns) == 1:
            send(dispatcher, [describe_return(returns[0], policy, now, tz, link_for, lang)])
        else:
            send(dispatcher, describe_returns(returns, policy, now, tz, link_for, lang))
        order = await shop.order(number) if rma is None else None
        if order is not None and order.claim_refunds:  # asked by order: its claims' refunds too
            send(dispatcher, [describe_claim_refunds(order, now, tz, lang)])
        return [*_reset(), SlotSet(names.SLOT_LAST_RMA, returns[-1].rma)]
