"""The parts of the context packet, made from what the producers have.

The packet itself — its typed parts, its version and the one builder every producer calls —
is :mod:`contracts.packet`. The functions here turn tracker events, slots and the store's
models into its parts: ``action_handoff`` uses them (and, when the action server is down,
the Rasa server, from what it has). Sections:

* ``reason`` — why the bot handed off (code and words);
* ``conversation`` — channel, channel user id, display name, when it started and when the
  customer asked (so the console shows how long they have waited);
* ``customer`` — the profile and every linked channel identity (null when anonymous);
* ``orders`` — with items, totals, state, parcels and tracking; ``returns`` and ``refunds``;
* ``claims`` — delivery problems claimed for those orders (:mod:`actions.services.claims_context`);
* ``transcript`` — this conversation, both sides (bot, agent and customer turns);
* ``recent_conversations`` — the customer's other recent conversations, any channel;
* ``bot_knows`` — what the bot had gathered (order number, verified or not, return reason…);
* ``intents`` — what the bot recognised in each customer message, with its confidence.

The functions here are pure: they take tracker events as dicts (the action server's and the
Rasa server's events serialise the same way) and the store's frozen models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Optional

from actions.services import i18n
from actions.services.formatting import money
from actions.store.models import Customer, Order

MAX_TRANSCRIPT = 200

# Slots that are plumbing, not knowledge.
_INTERNAL_SLOTS = {
    "requested_slot",
    "session_started_metadata",
    "handoff_ticket_id",
    "handoff_reason",
    "handoff_agent_name",
    "verification_value",
    "customer_name",
    "customer_id",
    "channel",
}


def _iso(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.fromtimestamp(float(ts), tz=timezone.utc).isoformat(timespec="seconds")


def _button_title(payload: str, buttons: Sequence[dict[str, Any]]) -> Optional[str]:
    for button in buttons:
        if button.get("payload") == payload:
            return str(button.get("title"))
    return None


def transcript(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Customer, bot and agent messages in order; button clicks shown by their titles."""
    lines: list[dict[str, Any]] = []
    buttons: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = str(event.get("text") or "")
            if text.startswith("/"):
                title = _button_title(text, buttons)
                if title is None:
                    continue
                text = title
            intent = ((event.get("parse_data") or {}).get("intent")) or {}
            user_line: dict[str, Any] = {
                "sender": "user",
                "text": text,
                "at": _iso(event.get("timestamp")),
                "intent": intent.get("name"),
                "confidence": _round(intent.get("confidence")),
            }
            files = attachments_of(event.get("metadata"))
            if files:
                user_line["attachments"] = files
            lines.append(user_line)
            buttons = []
        elif kind == "bot":
            data = event.get("data") or {}
            meta = event.get("metadata") or {}
            agent = meta.get("agent_name") if isinstance(meta, dict) else None
            line: dict[str, Any] = {
                "sender": "agent" if agent else "bot",
                "text": event.get("text") or "",
                "at": _iso(event.get("timestamp")),
            }
            if agent:
                line["agent_name"] = agent
            buttons = list(data.get("buttons") or data.get("quick_replies") or [])
            if buttons:
                line["buttons"] = [b.get("title") for b in buttons]
            if line["text"] or buttons:
                lines.append(line)
    return lines[-MAX_TRANSCRIPT:]


def attachments_of(metadata: Any) -> list[dict[str, Any]]:
    """The photos and files a customer message carries (``metadata.attachments``, written by
    the WhatsApp and web chat connectors): what the console needs to show them, no more."""
    found = metadata.get("attachments") if isinstance(metadata, dict) else None
    if not isinstance(found, list):
        return []
    kept = []
    for item in found[:10]:
        if not isinstance(item, dict):
            continue
        entry = {
            key: item[key]
            for key in ("kind", "content_type", "path")
            if isinstance(item.get(key), str)
        }
        if isinstance(item.get("bytes"), int):
            entry["bytes"] = item["bytes"]
        if entry:
            kept.append(entry)
    return kept


def _round(value: Any) -> Optional[float]:
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None


def recognised_intents(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the NLU made of each customer message, with the runner-up intents."""
    found = []
    for event in events:
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        if not intent.get("name"):
            continue
        ranking = [
            {"intent": r.get("name"), "confidence": _round(r.get("confidence"))}
            for r in (parse.get("intent_ranking") or [])[:3]
        ]
        found.append(
            {
                "text": event.get("text"),
                "intent": intent.get("name"),
                "confidence": _round(intent.get("confidence")),
                "ranking": ranking,
                "entities": [
                    {"entity": e.get("entity"), "value": e.get("value")}
                    for e in (parse.get("entities") or [])
                ],
            }
        )
    return found


def bot_knowledge(slots: dict[str, Any]) -> dict[str, Any]:
    """What the bot had gathered: slots with a value, minus the plumbing."""
    known = {
        name: value
        for name, value in sorted(slots.items())
        if name not in _INTERNAL_SLOTS and value not in (None, "", [], {})
    }
    number = slots.get("order_number") or slots.get("last_order_number")
    if number:
        verified = [str(v) for v in slots.get("verified_orders") or []]
        known["order_verified"] = bool(slots.get("customer_identified")) or str(number) in verified
    return known


def conversation_info(
    conversation_id: str,
    events: Sequence[dict[str, Any]],
    channel: Optional[str],
    requested_at: datetime,
) -> dict[str, Any]:
    """Channel, who, and timing of this conversation."""
    meta: dict[str, Any] = {}
    for event in reversed(events):
        if event.get("event") == "user" and isinstance(event.get("metadata"), dict):
            meta = event["metadata"]
            channel = channel or event.get("input_channel")
            break
    timestamps = [e["timestamp"] for e in events if e.get("timestamp")]
    first_user = next(
        (e.get("timestamp") for e in events if e.get("event") == "user" and e.get("timestamp")),
        None,
    )
    started = min(timestamps) if timestamps else None
    requested = requested_at.replace(tzinfo=timezone.utc)
    return {
        "id": conversation_id,
        "channel": channel or meta.get("channel") or "unknown",
        "channel_user_id": meta.get("channel_user_id"),
        "display_name": meta.get("display_name"),
        "started_at": _iso(started),
        "first_message_at": _iso(first_user),
        "requested_at": requested.isoformat(timespec="seconds"),
        "in_conversation_seconds": int(requested.timestamp() - first_user) if first_user else 0,
    }


def customer_section(
    customer: Optional[Customer], channel: Optional[str], channel_user_id: Optional[str]
) -> Optional[dict[str, Any]]:
    """The profile and every channel identity linked to it."""
    if customer is None:
        return None
    identities: list[dict[str, Any]] = [
        {"channel": "slack", "id": customer.email, "note": "matched by the Slack user's e-mail"},
    ]
    if customer.phone:
        identities.append(
            {"channel": "whatsapp", "id": f"whatsapp:{customer.phone}", "note": "matched by phone"}
        )
    identities.append(
        {"channel": "webchat", "id": f"customer #{customer.id}", "note": "signed shop token"}
    )
    if channel and channel_user_id:
        identities.insert(
            0,
            {
                "channel": channel,
                "id": channel_user_id,
                "note": "this conversation",
                "current": True,
            },
        )
    return {
        "id": str(customer.id),
        "name": customer.display_name,
        "first_name": customer.first_name,
        "email": customer.email,
        "phone": customer.phone,
        "postal_code": customer.postal_code,
        "identities": identities,
    }


def _dt(value: Any) -> Optional[str]:
    return value.isoformat() if value is not None else None


def order_section(order: Order, verified: bool = True) -> dict[str, Any]:
    """One order with items, totals, state, parcels and tracking."""
    return {
        "number": order.number,
        "verified": verified,
        "status": order.status,
        "placed_at": _dt(order.placed_at),
        "paid_at": _dt(order.paid_at),
        "currency": order.currency,
        "subtotal": money(order.subtotal, order.currency),
        "shipping_fee": money(order.shipping_fee, order.currency),
        "total": money(order.total, order.currency),
        "payment_status": order.payment_status,
        "payment_method": order.payment_method,
        "expected_dispatch": _dt(order.expected_dispatch),
        "promised_delivery": _dt(order.promised_delivery),
        "cancelled_at": _dt(order.cancelled_at),
        "cancellation_reason": order.cancellation_reason,
        "refunded_at": _dt(order.refunded_at),
        **(
            {
                "address_changed_at": _dt(order.address_changed_at),
                "address_changed_by": order.address_changed_by,
            }
            if order.address_changed_at is not None
            else {}
        ),
        "shipping_address": {
            "line1": order.shipping_address.line1,
            "line2": order.shipping_address.line2,
            "city": order.shipping_address.city,
            "postal_code": order.shipping_address.postal_code,
            "country": order.shipping_address.country,
        },
        "items": [
            {
                "sku": i.sku,
                "name": i.product_name,
                "category": i.category,
                "quantity": i.quantity,
                "unit_price": money(i.unit_price, order.currency),
                "final_sale": i.final_sale,
            }
            for i in order.items
        ],
        "shipments": [
            {
                "carrier": s.carrier,
                "tracking_number": s.tracking_number,
                "tracking_url": s.tracking_url,
                "status": s.status,
                "shipped_at": _dt(s.shipped_at),
                "estimated_delivery": _dt(s.estimated_delivery),
                "delivered_at": _dt(s.delivered_at),
                "delivered_to": s.delivered_to,
                "contents": [{"name": n, "quantity": q} for n, q in s.contents],
                "events": [
                    {
                        "at": _dt(e.occurred_at),
                        "status": e.status,
                        "description": e.description,
                        "location": e.location,
                    }
                    for e in s.events
                ],
            }
            for s in order.shipments
        ],
    }


def refunds_from_orders(orders: Iterable[Order]) -> list[dict[str, Any]]:
    """Money going back to the customer that the order records show: each claim's refund paid
    (what came back, not the order's total), and a cancelled order's refund."""
    refunds = []
    for order in orders:
        for paid in order.claim_refunds:
            refunds.append(
                {
                    "order_number": order.number,
                    "amount": money(paid.amount, paid.currency),
                    "status": "refunded",
                    "refunded_at": _dt(paid.refunded_at),
                    "method": paid.destination,
                }
            )
        if order.claim_refunds and order.status != "cancelled":
            continue  # refunded (in part or whole) by its claims: listed above
        if order.payment_status == "refunded" or (
            order.status == "cancelled" and order.payment_status == "paid"
        ):
            refunds.append(
                {
                    "order_number": order.number,
                    "amount": money(order.total, order.currency),
                    "status": "refunded" if order.payment_status == "refunded" else "pending",
                    "refunded_at": _dt(order.refunded_at),
                    "method": order.payment_method,
                }
            )
    return refunds


def language_section(code: str) -> dict[str, str]:
    """``{"code": "ko", "name": "한국어 (Korean)"}`` for the packet."""
    lang = i18n.normalize(code)
    return {"code": lang, "name": i18n.NAMES[lang]}
