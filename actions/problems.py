"""Reporting a delivery problem, once the problem form (:mod:`actions.problem_form`) has what it
needs: the action that opens the claim once and settles it through the shop — sends the
replacement order when the items are in stock (the refund instead when they sold out since the
question), or pays the refund — or says what happens instead: wait and look, the other parcel
is on its way, a person, too late, nothing to claim.

Thin: the rules are :func:`actions.services.problems.decide` (``policy/problems.yml``), the
questions and answers :mod:`actions.services.problems_choice`, the words
:mod:`actions.services.problems_replies`. The claim is recorded in Baton's store under its
idempotency key (order, kind, item; :mod:`actions.store.claims`): a double tap, a retried
message or the same report from a second chat finds the first claim and says its number.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import proof
from actions.common import customer_id, language, send, utc_now
from actions.failures import apologise_on_failure
from actions.problem_report import Report, claimed_by_key, stocked_report
from actions.returns_common import customer_messages
from actions.services import problems_replies
from actions.services.outcomes import Outcome, outcome_event
from actions.services.problems_decision import Decision
from actions.settings import get_settings
from actions.shop.backend import OrderNotChangeable
from actions.shop.claim_payment import ClaimRefund
from actions.shop.claim_replacement import ClaimReplacement, ReplacementSent
from actions.shop.current import get_shop
from actions.shop.platform import ShopUnavailable
from actions.store import claims
from actions.store.claims import Claim, NewClaim
from actions.store.returns_models import HandoffRequest
from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)

#: action_handoff adds the case recorded here to the packet.
REASON_POLICY = "policy"
TOPIC = "claim"  # handoff_requests.topic
_SLOTS = (
    names.SLOT_PROBLEM_KIND,
    names.SLOT_PROBLEM_ITEM,
    names.SLOT_PROBLEM_PHOTO,
    names.SLOT_PROBLEM_CONFIRMED,
)


def _reset(
    number: Optional[str],
    outcome: Optional[Outcome],
    decision: Optional[Decision] = None,
    detail: str = "",
) -> list[EventType]:
    events = proof.order_flow_ended(number, *_SLOTS)
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
        report = await stocked_report(order, tracker)
        if report is None:  # the form was left before it knew what went wrong
            dispatcher.utter_message(response="utter_problem_kept", order_number=number)
            return _reset(number, "stopped")
        existing = await claimed_by_key(report.key)
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
        if decision.outcome == "claim_replacement":
            return await self._replace(dispatcher, tracker, report, decision, claim, lang)
        refunds = claim.remedy == "refund" and decision.outcome == "claim_refund"
        if refunds and not await _pay(claim, decision):
            # Recorded, not paid: a person pays it, with the case in front of them.
            await _record_for_person(tracker, report, decision)
            send(dispatcher, [problems_replies.refund_pending(claim)])
            return _reset(order.number, "done", decision, detail="refund_pending")
        send(dispatcher, [problems_replies.claimed(claim, decision, order, lang)])
        return _reset(order.number, "done", decision, detail=decision.outcome)

    async def _replace(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        report: Report,
        decision: Decision,
        claim: Claim,
        lang: str,
    ) -> list[EventType]:
        """Sends the replacement through the shop (once per claim). Sold out since the question:
        the refund is paid instead. Refused or unreachable otherwise: a person sends it."""
        order = report.order
        sent = await _send(claim, decision)
        if isinstance(sent, ReplacementSent):
            reply = problems_replies.claimed(claim, decision, order, lang, sent.number)
            send(dispatcher, [reply])
            return _reset(order.number, "done", decision, detail="claim_replacement")
        if sent == "out_of_stock" and await _pay(claim, decision):
            async with unit_of_work() as repo:
                await claims.change_remedy(repo.conn, claim.number, "refund")
            send(dispatcher, [problems_replies.refund_instead(claim, decision, order, lang)])
            return _reset(order.number, "done", decision, detail="refund_instead")
        await _record_for_person(tracker, report, decision)
        pending = problems_replies.replacement_pending(claim)
        if sent == "out_of_stock":  # and the refund did not go through either
            pending = problems_replies.refund_pending(claim)
        send(dispatcher, [pending])
        return _reset(order.number, "done", decision, detail="replacement_pending")


async def _send(claim: Claim, decision: Decision) -> ReplacementSent | str:
    """Sends the claim's replacement through the shop; why not when it made nothing (a refusal
    reason, or "unavailable")."""
    try:
        return await get_shop().send_replacement(
            claim.order_number, ClaimReplacement.for_claim(claim, decision.lines)
        )
    except (OrderNotChangeable, ShopUnavailable) as problem:
        reason = getattr(problem, "reason", "unavailable")
        logger.warning(
            "claim replacement not sent", extra={"claim": claim.number, "reason": reason}
        )
        return str(reason)


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
