"""Handoff to a person.

The whole protocol is in docs/architecture.md, "Handoff: to a person and back".
``action_handoff`` builds the context packet (:func:`contracts.packet.build_packet`, from the
parts :mod:`actions.services.context` makes), opens the ticket with the handoff service,
tells the customer honestly what happens next and pauses the conversation. Whatever part of
the bot wants a person to take over — a failed action, a case the return policy leaves to a
person — leaves its reason in the ``handoff_reason`` slot and offers the customer
``/human_handoff``; this action picks the reason up.

The relay resumes the conversation when the agent closes and asks for a rating, which
:mod:`actions.csat` stores on the ticket.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions.clients.conversations import recent_conversations
from actions.clients.handoff import HandoffUnavailable, get_client
from actions.common import customer_id, language, send, utc_now, verified_orders
from actions.services import claims_context, context
from actions.services.handoff import UNAVAILABLE, handoff_reason, reason_text, waiting_reply
from actions.services.order_numbers import normalize_order_number
from actions.services.outcomes import outcome_event
from actions.shop.current import get_shop
from actions.store import tables
from actions.store.models import Order
from actions.store.repository import StoreRepository
from actions.store.uow import unit_of_work
from bot import names
from contracts.packet import ContextPacket, build_packet

logger = logging.getLogger(__name__)

MAX_ORDERS = 10


def _latest_intent(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name")


async def _policy_cases(repo: StoreRepository, conversation_id: str) -> list[dict[str, Any]]:
    """Cases the returns policy recorded for a person in this conversation, if any."""
    table = getattr(tables, "handoff_requests", None)
    if table is None:
        return []
    rows = await repo.conn.execute(
        select(table)
        .where(table.c.conversation_id == conversation_id, table.c.status == "open")
        .order_by(table.c.id.desc())
        .limit(5)
    )
    return [
        {
            "id": r.id,
            "topic": r.topic,
            "reason": r.reason,
            "summary": r.summary,
            "order_number": r.order_number,
            "details": r.details,
            "created_at": r.created_at.isoformat() if r.created_at else None,
        }
        for r in rows
    ]


async def _returns(cid: int) -> list[dict[str, Any]]:
    found = []
    for r in await get_shop().returns_for_customer(cid, limit=10):
        found.append(
            {
                "rma": r.rma,
                "order_number": r.order_number,
                "status": r.status,
                "reason": r.reason,
                "reason_note": r.reason_note,
                "method": r.method,
                "refund_amount": f"{r.refund_amount} {r.currency}",
                "created_at": r.created_at.isoformat() if r.created_at else None,
                "items": [{"name": li.product_name, "quantity": li.quantity} for li in r.lines],
                "label": {"carrier": r.label.carrier, "tracking_url": r.label.tracking_url}
                if r.label
                else None,
                "refund": {
                    "amount": f"{r.refund.amount} {r.refund.currency}",
                    "to": r.refund.destination,
                    "refunded_at": r.refund.refunded_at.isoformat(),
                }
                if r.refund
                else None,
            }
        )
    return found


async def build_context_packet(tracker: Tracker, reason: str) -> ContextPacket:
    """Everything the agent should know, from the tracker, the store and past conversations.

    Each source that fails is noted in the packet instead of failing the handoff: a person
    with half the context is better than no person."""
    events: list[dict[str, Any]] = list(tracker.events)
    slots: dict[str, Any] = dict(tracker.slots)
    channel = tracker.get_slot(names.SLOT_CHANNEL) or tracker.get_latest_input_channel()
    conversation = context.conversation_info(tracker.sender_id, events, channel, utc_now())
    cid = customer_id(tracker)
    notes: list[str] = []
    customer_section: Optional[dict[str, Any]] = None
    orders: list[dict[str, Any]] = []
    refunds: list[dict[str, Any]] = []
    returns: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    shown: list[tuple[Order, bool]] = []  # the orders the packet shows, and whether proven
    try:
        shop = get_shop()
        customer = await shop.customer(cid) if cid is not None else None
        proven = verified_orders(tracker)
        numbers: list[tuple[str, bool]] = []
        if customer is not None:
            numbers = [(o.number, True) for o in await shop.recent_orders(customer.id, MAX_ORDERS)]
        numbers += [(n, True) for n in proven if n not in {x for x, _ in numbers}]
        for slot in (names.SLOT_ORDER_NUMBER, names.SLOT_LAST_ORDER):
            mentioned = normalize_order_number(tracker.get_slot(slot))
            if mentioned and mentioned not in {x for x, _ in numbers}:
                numbers.append((mentioned, False))
        for number, verified in numbers[:MAX_ORDERS]:
            order = await shop.order(number)
            if order is None:
                continue
            mine = customer is not None and order.customer_id == customer.id
            shown.append((order, verified or mine))
            orders.append(context.order_section(order, verified=verified or mine))
        refunds = context.refunds_from_orders(o for o, _ in shown)
        customer_section = context.customer_section(
            customer, conversation["channel"], conversation.get("channel_user_id")
        )
    except Exception:
        logger.exception("handoff context: the shop's orders could not be read")
        notes.append("The shop's order system could not be read: profile and orders are missing.")
    try:
        if cid is not None:
            returns = await _returns(cid)
        async with unit_of_work() as repo:
            cases = await _policy_cases(repo, tracker.sender_id)
    except Exception:
        logger.exception("handoff context: returns could not be read")
        notes.append("Returns and policy cases could not be read.")
    try:
        if shown:
            async with unit_of_work() as repo:
                claims = await claims_context.read_claims(repo, shown)
    except Exception:
        logger.exception("handoff context: claims could not be read")
        notes.append("Delivery-problem claims could not be read.")
    recent: list[dict[str, Any]] = []
    if cid is not None:
        try:
            recent = await recent_conversations(str(cid), exclude=tracker.sender_id)
        except Exception:
            logger.exception("handoff context: earlier conversations could not be read")
            notes.append("Earlier conversations could not be read.")
    if cases and reason in ("customer_asked", "policy"):
        reason = "policy"
    text = reason_text(reason)
    if reason == "policy" and cases:
        text = f"{text}: {cases[0]['summary']}"
    return build_packet(
        reason=reason,
        reason_text=text,
        conversation=conversation,
        language=context.language_section(language(tracker)),
        customer=customer_section,
        orders=orders,
        returns=returns,
        refunds=refunds,
        claims=claims,
        transcript=context.transcript(events),
        recent_conversations=recent,
        bot_knows=context.bot_knowledge(slots),
        intents=context.recognised_intents(events),
        notes=notes,
        policy_cases=cases,
    )


def _flow_handed_over(tracker: Tracker) -> list[EventType]:
    """A self-service flow (cancel, address, claim) that a person takes over mid-way ends as
    ``handoff`` for the analytics."""
    flow = names.FLOW_FORMS.get((tracker.active_loop or {}).get("name") or "")
    return [outcome_event(flow, "handoff", detail="asked")] if flow else []  # type: ignore[arg-type]


class ActionHandoff(Action):
    """Open a handoff with the full context, tell the customer what happens next, pause."""

    def name(self) -> str:
        return names.ACTION_HANDOFF

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason = handoff_reason(
            _latest_intent(tracker), tracker.get_slot(names.SLOT_HANDOFF_REASON)
        )
        leave_form: list[EventType] = (
            [ActiveLoop(None), SlotSet("requested_slot", None)] if tracker.active_loop else []
        )
        try:
            packet = await build_context_packet(tracker, reason)
            ticket = await get_client().open_ticket(packet)
        except HandoffUnavailable as exc:
            logger.warning("handoff not opened: %s", exc, extra={"conversation": tracker.sender_id})
            send(dispatcher, [UNAVAILABLE])
            return [*leave_form, SlotSet(names.SLOT_HANDOFF_REASON, None)]
        except Exception:
            logger.exception("handoff failed", extra={"conversation": tracker.sender_id})
            send(dispatcher, [UNAVAILABLE])
            return [*leave_form, SlotSet(names.SLOT_HANDOFF_REASON, None)]
        logger.info(
            "conversation handed off as ticket %s (%s)",
            ticket.get("ticket_id"),
            packet.reason.code,
            extra={"conversation": tracker.sender_id},
        )
        send(dispatcher, [waiting_reply(ticket, language(tracker))])
        return [
            *leave_form,
            *_flow_handed_over(tracker),
            SlotSet(names.SLOT_HANDOFF_TICKET, str(ticket.get("ticket_id"))),
            SlotSet(names.SLOT_HANDOFF_REASON, None),
            ConversationPaused(),
        ]
