"""Reporting a delivery problem: the form that finds the order and its proof (the order-status
form's own checks), asks what went wrong, which item and for a photo when the rules need them,
and for an explicit yes before a claim is opened; and the action that opens the claim once —
or says what happens instead: wait and look, the other parcel is on its way, a person, too
late, nothing to claim.

Thin: the rules are :func:`actions.services.problems.decide` (``policy/problems.yml``), the
questions and answers :mod:`actions.services.problems_choice`, the words
:mod:`actions.services.problems_replies`. The claim is recorded in Baton's store under its
idempotency key (order, kind, item; :mod:`actions.store.claims`): a double tap, a retried
message or the same report from a second chat finds the first claim and says its number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.after_proof import AfterProofForm, AskAboutTheOrder, kept_language
from actions.common import customer_id, language, send, utc_now
from actions.failures import apologise_on_failure
from actions.returns_common import customer_messages
from actions.services import problems, problems_choice, problems_replies
from actions.services.cancel_items import open_items
from actions.services.order_numbers import normalize_order_number
from actions.services.outcomes import Outcome, outcome_event
from actions.services.problems_decision import Decision
from actions.services.problems_policy import load_policy
from actions.settings import get_settings
from actions.shop.backend import OrderNotChangeable
from actions.shop.claim_payment import ClaimRefund
from actions.shop.current import get_shop
from actions.shop.platform import ShopUnavailable
from actions.store import claims
from actions.store.claims import Claim, NewClaim
from actions.store.models import Order, OrderItem
from actions.store.returns_models import HandoffRequest
from actions.store.uow import unit_of_work
from bot import names
from infra.uploads import is_reference

logger = logging.getLogger(__name__)

# A policy file Baton cannot apply stops the action server as it starts, naming the key.
load_policy()

#: handoff_reason for a case the policy leaves to a person (contracts/packet.py, REASONS):
#: action_handoff adds the case recorded here to the packet.
REASON_POLICY = "policy"
TOPIC = "claim"  # handoff_requests.topic
_ASKING = (
    names.SLOT_PROBLEM_KIND,
    names.SLOT_PROBLEM_ITEM,
    names.SLOT_PROBLEM_PHOTO,
    names.SLOT_PROBLEM_CONFIRMED,
)


def in_stock(sku: str, quantity: int) -> Optional[bool]:
    """Whether a replacement can be sent: no shop backend reports stock yet, so it cannot be
    told (the rules then settle with a refund)."""
    return None


@dataclass(frozen=True)
class Report:
    """What the customer has told so far about one order."""

    order: Order
    kind: str
    item: Optional[OrderItem]
    photo: Optional[str]

    @property
    def key(self) -> str:
        return problems.idempotency_key(
            self.order.number, self.kind, self.item.id if self.item else None
        )

    def decide(self) -> Decision:
        return problems.decide(
            self.kind,  # type: ignore[arg-type]
            self.order,
            load_policy(),
            utc_now(),
            in_stock,
            self.item,
            photo=self.photo,
        )


def _item(order: Order, value: Any) -> Optional[OrderItem]:
    if not isinstance(value, str) or not value.isdigit():
        return None
    return next((i for i in open_items(order) if i.id == int(value)), None)


def _report(order: Order, tracker: Tracker) -> Optional[Report]:
    """The report in the slots, once it names a kind (and an item, where one is needed)."""
    kind = tracker.get_slot(names.SLOT_PROBLEM_KIND)
    if kind not in problems.KINDS:
        return None
    item = None
    if problems_choice.needs_item(kind):
        item = _item(order, tracker.get_slot(names.SLOT_PROBLEM_ITEM))
        if item is None:
            return None
    photo = tracker.get_slot(names.SLOT_PROBLEM_PHOTO)
    return Report(order, str(kind), item, photo if is_reference(photo) else None)


def _this_report(tracker: Tracker) -> list[dict[str, Any]]:
    """The customer's messages of this report, newest first, back to the one that started it
    (just the latest when the form's start cannot be found)."""
    found: list[dict[str, Any]] = []
    started = False
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == names.FORM_PROBLEM:
            started = True
        elif event.get("event") == "user":
            found.append(event)
            if started:
                return found
    return found[:1]


def _texts(tracker: Tracker) -> list[str]:
    return [str(e.get("text") or "") for e in _this_report(tracker)]


def _photo(tracker: Tracker) -> Optional[str]:
    """The newest photo the customer sent in this report (a photo sent before it was asked for
    is kept in the transcript without a turn, and counts too)."""
    for event in _this_report(tracker):
        found = problems_choice.photo_in(event.get("metadata"))
        if found is not None:
            return found
    return problems_choice.photo_in((tracker.latest_message or {}).get("metadata"))


async def _item_named(tracker: Tracker) -> Optional[OrderItem]:
    """The item this report is about without asking: the order's only one, or the one its
    messages name ("the mugs came smashed")."""
    number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
    order = await get_shop().order(number or "")
    if order is None:
        return None
    items = open_items(order)
    if len(items) == 1:
        return items[0]
    for message in _texts(tracker):
        found = problems_choice.item_in(message, items, by_position=False)
        if found is not None:
            return found
    return None


async def _claimed(key: str) -> Optional[Claim]:
    async with unit_of_work() as repo:
        return await claims.by_key(repo.conn, key)


class ValidateProblemForm(AfterProofForm):
    """The order and its proof are checked exactly as for "where is my order?"; then what went
    wrong, the item and the photo only where the rules need them, and the yes only when a
    claim can be opened."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_PROBLEM_FORM

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
        if tracker.get_slot(names.SLOT_ORDER_LOCKED):
            return found  # locked: nothing to ask, action_report_problem says so
        if found != [names.SLOT_ORDER_NUMBER]:
            # Still finding the order or its proof; what went wrong is heard meanwhile ("it
            # never arrived, order 10060"), and asked only once the order is proven.
            return [*found, names.SLOT_PROBLEM_KIND]
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        order = await get_shop().order(number or "")
        if order is None:
            return found
        slots = [*found, names.SLOT_PROBLEM_KIND]
        kind = tracker.get_slot(names.SLOT_PROBLEM_KIND)
        if problems_choice.needs_item(kind):
            slots.append(names.SLOT_PROBLEM_ITEM)
        report = _report(order, tracker)
        if report is None:
            return slots  # what went wrong, or which item, still to ask
        if await _claimed(report.key) is not None:
            return slots  # claimed before: action_report_problem says its number
        decision = report.decide()
        if decision.outcome == "photo_needed" or report.photo is not None:
            slots.append(names.SLOT_PROBLEM_PHOTO)
        if decision.outcome in problems_replies.CLAIMS:
            slots.append(names.SLOT_PROBLEM_CONFIRMED)
        return slots  # anything else: the form ends, action_report_problem says it

    async def extract_problem_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """What went wrong, from the words of this report ("it arrived smashed"), before the
        question is asked; the answer to the question comes through the domain's mappings."""
        if tracker.get_slot(names.SLOT_PROBLEM_KIND) is not None:
            return {}
        if tracker.get_slot("requested_slot") == names.SLOT_PROBLEM_KIND:
            return {}
        kind = problems_choice.kind_in_any(_texts(tracker))
        if kind is None:
            return {}
        return {names.SLOT_PROBLEM_KIND: f"{problems_choice.KIND}:{kind}"}

    async def extract_problem_photo(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_reference(tracker.get_slot(names.SLOT_PROBLEM_PHOTO)):
            return {}
        photo = _photo(tracker)
        return {names.SLOT_PROBLEM_PHOTO: photo} if photo else {}

    async def validate_problem_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = problems_choice.kind_in(value)
        if kind is None:
            dispatcher.utter_message(response="utter_problem_kind_not_understood")
            return {names.SLOT_PROBLEM_KIND: None}
        found: dict[str, Any] = {names.SLOT_PROBLEM_KIND: kind}
        if problems_choice.needs_item(kind) and tracker.get_slot(names.SLOT_PROBLEM_ITEM) is None:
            item = await _item_named(tracker)
            if item is not None:
                found[names.SLOT_PROBLEM_ITEM] = str(item.id)
        return found

    async def validate_problem_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        order = await get_shop().order(number or "")
        items = open_items(order) if order is not None else ()
        found = problems_choice.item_in(value, items)
        if found is None:
            dispatcher.utter_message(response="utter_problem_item_not_understood")
            return {names.SLOT_PROBLEM_ITEM: None, **kept_language(tracker)}
        return {names.SLOT_PROBLEM_ITEM: str(found.id), **kept_language(tracker)}

    async def validate_problem_photo(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Only what a channel kept counts: a reference typed by the customer is not a photo.
        photo = _photo(tracker)
        if photo is not None and (value == photo or not is_reference(value)):
            return {names.SLOT_PROBLEM_PHOTO: photo, **kept_language(tracker)}
        # asked again by action_ask_problem_photo
        return {names.SLOT_PROBLEM_PHOTO: None, **kept_language(tracker)}

    async def validate_problem_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {names.SLOT_PROBLEM_CONFIRMED: value if isinstance(value, bool) else None}


class ActionAskProblemKind(AskAboutTheOrder):
    """ "What happened?" with a button per kind of problem."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_KIND

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        send(dispatcher, [problems_choice.ask_kind(order.number, lang)])


class ActionAskProblemItem(AskAboutTheOrder):
    """ "Which item?" with a button per item of the order."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_ITEM

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        send(dispatcher, [problems_choice.ask_item(order.number, open_items(order), lang)])


def _asked_before(tracker: Tracker, action: str) -> bool:
    """Whether ``action`` already ran in this report (so the question is being asked again)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == names.FORM_PROBLEM:
            return False
        if event.get("event") == "action" and event.get("name") == action:
            return True
    return False


class ActionAskProblemPhoto(AskAboutTheOrder):
    """A photo of the item, and how to send it; asked again, that it is still needed."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_PHOTO

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        item = _item(order, tracker.get_slot(names.SLOT_PROBLEM_ITEM))
        name = item.product_name if item is not None else ""
        again = _asked_before(tracker, self.name())
        response = "utter_problem_photo_still_needed" if again else "utter_ask_problem_photo"
        dispatcher.utter_message(response=response, item=name)


class ActionAskProblemConfirmed(AskAboutTheOrder):
    """What the claim settles, with what and for how much, and "shall I open it?"."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_CONFIRMED

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        report = _report(order, tracker)
        if report is None:
            return
        decision = report.decide()
        if decision.outcome in problems_replies.CLAIMS:
            send(dispatcher, [problems_replies.confirm(decision, order, lang)])


def _reset(
    number: Optional[str],
    outcome: Optional[Outcome],
    decision: Optional[Decision] = None,
    detail: str = "",
) -> list[EventType]:
    events: list[EventType] = [
        SlotSet(names.SLOT_ORDER_NUMBER, None),
        SlotSet(names.SLOT_VERIFICATION, None),
        SlotSet(names.SLOT_ORDER_LOCKED, False),
        SlotSet(names.SLOT_PROBLEM_KIND, None),
        SlotSet(names.SLOT_PROBLEM_ITEM, None),
        SlotSet(names.SLOT_PROBLEM_PHOTO, None),
        SlotSet(names.SLOT_PROBLEM_CONFIRMED, None),
        SlotSet("requested_slot", None),
    ]
    if number:
        events.append(SlotSet(names.SLOT_LAST_ORDER, number))
    if outcome:
        amount = decision.amount if decision is not None and outcome == "done" else None
        currency = decision.currency if amount is not None and decision is not None else None
        events.append(outcome_event("claim", outcome, amount, currency, detail))
    return events


def _plain(value: object) -> object:
    """A decision's fact as JSON can keep it (for the case a person reads)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _summary(report: Report, decision: Decision) -> str:
    order = report.order
    what = report.kind.replace("_", " ")
    item = f", {report.item.product_name}" if report.item is not None else ""
    why = {
        "high_value": f"the order's total ({order.total} {order.currency}) is above what the "
        "chat settles",
        "contents_unknown": "what the parcel held cannot be told from the order",
        "past_window": "reported after the claims window",
    }.get(decision.reason, decision.reason.replace("_", " "))
    return f"Delivery problem ({what}) on order {order.number}{item}: {why}"


async def _record_for_person(tracker: Tracker, report: Report, decision: Decision) -> None:
    """A case for a person with everything the customer said (action_handoff adds it to the
    context packet; it stays open for the team if they decline)."""
    order = report.order
    details: dict[str, Any] = {
        "kind": report.kind,
        "item": {"id": report.item.id, "name": report.item.product_name}
        if report.item is not None
        else None,
        "photo": report.photo,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "facts": {k: _plain(v) for k, v in decision.facts().items()},
        "order": {
            "number": order.number,
            "status": order.status,
            "total": str(order.total),
            "currency": order.currency,
            "payment_method": order.payment_method,
        },
        "customer_messages": customer_messages(tracker),
        "channel": tracker.get_slot(names.SLOT_CHANNEL),
    }
    async with unit_of_work() as repo:
        request_id = await repo.record_handoff_request(
            HandoffRequest(
                conversation_id=tracker.sender_id,
                customer_id=customer_id(tracker) or order.customer_id,
                order_number=order.number,
                topic=TOPIC,
                reason=decision.reason[:30],
                summary=_summary(report, decision)[:500],
                details=details,
                created_at=utc_now(),
            )
        )
    logger.info(
        "delivery problem recorded for a person",
        extra={"conversation": tracker.sender_id, "handoff_request": request_id},
    )


class ActionReportProblem(Action):
    """Opens the claim once confirmed, or says what happens instead."""

    def name(self) -> str:
        return names.ACTION_REPORT_PROBLEM

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        owned = await proof.owned_order(dispatcher, tracker)
        if isinstance(owned, proof.NotShown):
            return _reset(None, "stopped")
        order, number = owned.order, owned.number
        lang = language(tracker)
        report = _report(order, tracker)
        if report is None:  # the form was left before it knew what went wrong
            dispatcher.utter_message(response="utter_problem_kept", order_number=number)
            return _reset(number, "stopped")
        existing = await _claimed(report.key)
        if existing is not None:
            send(dispatcher, [problems_replies.already_claimed(existing)])
            return _reset(number, "done", detail="already_claimed")
        decision = report.decide()
        if decision.outcome in problems_replies.CLAIMS:
            if tracker.get_slot(names.SLOT_PROBLEM_CONFIRMED) is not True:
                dispatcher.utter_message(response="utter_problem_kept", order_number=number)
                return _reset(number, "stopped")
            return await self._open(dispatcher, tracker, report, decision, lang)
        if decision.outcome == "photo_needed":  # the form was left before the photo came
            dispatcher.utter_message(response="utter_problem_kept", order_number=number)
            return _reset(number, "stopped")
        now, tz = utc_now(), get_settings().shop_timezone
        send(dispatcher, [problems_replies.answer(decision, order, now, tz, lang)])
        if decision.outcome in ("person", "too_late"):
            await _record_for_person(tracker, report, decision)
            outcome: Outcome = "handoff" if decision.outcome == "person" else "refused"
            return [
                *_reset(number, outcome, detail=decision.reason),
                SlotSet(names.SLOT_HANDOFF_REASON, REASON_POLICY),
            ]
        return _reset(number, "refused", detail=decision.outcome)

    async def _open(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        report: Report,
        decision: Decision,
        lang: str,
    ) -> list[EventType]:
        order = report.order
        new = NewClaim(
            idempotency_key=report.key,
            order_number=order.number,
            kind=report.kind,
            reason=decision.reason,
            remedy=decision.remedy or "refund",
            amount=decision.amount if decision.amount is not None else Decimal("0.00"),
            currency=decision.currency or order.currency,
            created_at=utc_now(),
            order_item_id=report.item.id if report.item is not None else None,
            quantity=sum(q for _, q in decision.lines) if report.item is not None else None,
            state="awaiting_return" if decision.outcome == "return" else "open",
            photo_upload_id=report.photo,
            conversation_id=tracker.sender_id,
        )
        async with unit_of_work() as repo:
            claim, made = await repo.create_claim(new)
        if not made:
            send(dispatcher, [problems_replies.already_claimed(claim)])
            return _reset(order.number, "done", detail="already_claimed")
        logger.info(
            "delivery problem claimed in the chat", extra={"conversation": tracker.sender_id}
        )
        refunds = claim.remedy == "refund" and decision.outcome == "claim_refund"
        if refunds and not await _pay(claim, decision):
            # Recorded, not paid: a person pays it, with the case in front of them.
            await _record_for_person(tracker, report, decision)
            send(dispatcher, [problems_replies.refund_pending(claim)])
            return _reset(order.number, "done", decision, detail="refund_pending")
        send(dispatcher, [problems_replies.claimed(claim, decision, order, lang)])
        return _reset(order.number, "done", decision, detail=decision.outcome)


async def _pay(claim: Claim, decision: Decision) -> bool:
    """Pays the claim's refund through the shop (once per claim, whatever retries); False when
    the shop refused or could not be reached, and nothing was paid."""
    try:
        await get_shop().refund_claim(
            claim.order_number, ClaimRefund.for_claim(claim, decision.lines)
        )
    except (OrderNotChangeable, ShopUnavailable) as problem:
        logger.warning(
            "claim refund not paid",
            extra={"claim": claim.number, "reason": getattr(problem, "reason", "unavailable")},
        )
        return False
    return True
