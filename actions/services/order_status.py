"""Where an order is, told from the shop's own data.

Each state gets its own answer with the facts a customer needs next: the carrier, the
tracking link, the latest scan and the ETA once shipped; an apology and the new date when
late; date and place when delivered; the expected dispatch before shipping; what happened to
the money when cancelled. Orders in several parcels get one line per parcel.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from actions.services import shop_text
from actions.services.formatting import day, local, moment, money
from actions.services.i18n import text
from actions.services.replies import Reply
from actions.store.models import Order, Shipment

# Order states that mean "not handed to a carrier yet".
_PRE_SHIPPING = {
    "placed": "utter_order_placed",
    "paid": "utter_order_paid",
    "packed": "utter_order_packed",
}

_PARCEL_RESPONSES = {
    "label_created": "utter_parcel_label_created",
    "in_transit": "utter_parcel_in_transit",
    "out_for_delivery": "utter_parcel_out_for_delivery",
    "delivered": "utter_parcel_delivered",
    "delayed": "utter_parcel_delayed",
    "lost": "utter_parcel_lost",
}

_SINGLE_RESPONSES = {
    "label_created": "utter_order_label_created",
    "in_transit": "utter_order_shipped",
    "out_for_delivery": "utter_order_out_for_delivery",
    "delivered": "utter_order_delivered",
    "delayed": "utter_order_delayed",
    "lost": "utter_order_lost",
}


def _contents(shipment: Shipment, lang: str) -> str:
    parts = [
        name if qty == 1 else text("qty", lang, qty=qty, name=name)
        for name, qty in shipment.contents
    ]
    return text("list_sep", lang).join(parts) if parts else text("items", lang)


def _parcel_facts(
    order: Order, s: Shipment, now: datetime, tz: ZoneInfo, lang: str
) -> dict[str, str]:
    today = local(now, tz).date()
    facts = {
        "order_number": order.number,
        "carrier": s.carrier,
        "tracking_number": s.tracking_number,
        "tracking_url": s.tracking_url,
        "contents": _contents(s, lang),
        "eta": day(s.estimated_delivery, today, lang)
        if s.estimated_delivery
        else text("eta_unknown", lang),
        "promised_date": day(order.promised_delivery, today, lang)
        if order.promised_delivery
        else "",
    }
    latest = s.latest_event
    if latest is not None:
        facts.update(
            event_description=shop_text.scan(latest.description, latest.status, lang),
            event_location=latest.location,
            event_time=moment(latest.occurred_at, tz, today, lang),
        )
    else:
        facts.update(event_description=text("no_scans", lang), event_location="", event_time="")
    if s.delivered_at is not None:
        facts.update(
            delivered_time=moment(s.delivered_at, tz, today, lang),
            delivered_to=shop_text.delivered_to(s.delivered_to, lang)
            if s.delivered_to
            else text("delivered", lang),
            place=f"{order.shipping_address.line1}, {order.shipping_address.city}",
        )
    return facts


def describe_order(order: Order, now: datetime, tz: ZoneInfo, lang: str = "en") -> list[Reply]:
    """The answer to "where is my order?" for one order the customer may see, in ``lang``;
    when its delivery address was changed through Baton, a line says when and to where."""
    replies = _describe(order, now, tz, lang)
    if order.address_changed_at is None or order.status == "cancelled":
        return replies
    a = order.shipping_address
    changed = {
        "order_number": order.number,
        "changed_date": day(
            local(order.address_changed_at, tz).date(), local(now, tz).date(), lang
        ),
        "address": ", ".join(p for p in (a.line1, a.line2, a.city, a.postal_code) if p),
    }
    return [*replies, Reply("utter_order_address_changed", changed)]


def _describe(order: Order, now: datetime, tz: ZoneInfo, lang: str) -> list[Reply]:
    today = local(now, tz).date()
    base = {"order_number": order.number, "total": money(order.total, order.currency, lang)}

    if order.status == "cancelled":
        facts = {
            **base,
            "cancelled_date": day(local(order.cancelled_at, tz).date(), today, lang)
            if order.cancelled_at
            else text("recently", lang),
            "reason": shop_text.cancellation(order.cancellation_reason, lang)
            if order.cancellation_reason
            else text("cancelled_reason", lang),
            "payment_method": shop_text.payment_method(order.payment_method, lang),
        }
        if order.payment_status == "refunded":
            refunded = order.refunded_at or order.cancelled_at
            facts["refunded_date"] = (
                day(local(refunded, tz).date(), today, lang) if refunded else ""
            )
            return [Reply("utter_order_cancelled_refunded", facts)]
        if order.payment_status == "paid":
            return [Reply("utter_order_cancelled_refund_pending", facts)]
        return [Reply("utter_order_cancelled_not_charged", facts)]

    if order.status in _PRE_SHIPPING or not order.shipments:
        facts = {
            **base,
            "dispatch_date": day(order.expected_dispatch, today, lang)
            if order.expected_dispatch
            else text("next_few_days", lang),
        }
        return [Reply(_PRE_SHIPPING.get(order.status, "utter_order_paid"), facts)]

    if len(order.shipments) == 1:
        s = order.shipments[0]
        return [
            Reply(
                _SINGLE_RESPONSES.get(s.status, "utter_order_shipped"),
                _parcel_facts(order, s, now, tz, lang),
            )
        ]

    replies = [Reply("utter_order_split", {**base, "parcel_count": str(len(order.shipments))})]
    for index, s in enumerate(order.shipments, start=1):
        facts = {**_parcel_facts(order, s, now, tz, lang), "parcel_index": str(index)}
        replies.append(Reply(_PARCEL_RESPONSES.get(s.status, "utter_parcel_in_transit"), facts))
    return replies
