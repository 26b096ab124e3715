"""Shopify's enums and scalars in Baton's words and back: statuses, cancel and return reasons,
payment wording, money bags, ISO times. Used by :mod:`actions.shop.shopify_mapping` and the
adapter; the why of each choice is in :mod:`actions.shop.shopify`'s table.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

Json = dict[str, Any]

SHIPMENT_STATUS = {
    "LABEL_PRINTED": "label_created",
    "LABEL_PURCHASED": "label_created",
    "LABEL_VOIDED": "label_created",
    "CONFIRMED": "label_created",
    "SUBMITTED": "label_created",
    "READY_FOR_PICKUP": "out_for_delivery",
    "IN_TRANSIT": "in_transit",
    "FULFILLED": "in_transit",
    "MARKED_AS_FULFILLED": "in_transit",
    "CARRIER_PICKED_UP": "in_transit",
    "OUT_FOR_DELIVERY": "out_for_delivery",
    "ATTEMPTED_DELIVERY": "out_for_delivery",
    "DELIVERED": "delivered",
    "PICKED_UP": "delivered",
    "DELAYED": "delayed",
    "FAILURE": "delayed",
    "NOT_DELIVERED": "delayed",
}

PAYMENT_STATUS = {
    "PAID": "paid",
    "PARTIALLY_REFUNDED": "partially_refunded",
    "REFUNDED": "refunded",
    "VOIDED": "voided",
}

#: OrderCancelReason → the sentence Baton shows (the demo's own wording where it has one).
CANCEL_REASON_TEXT = {
    "CUSTOMER": "Cancelled at the customer's request",
    "INVENTORY": "An item went out of stock before dispatch",
    "DECLINED": "Payment could not be authorised",
    "FRAUD": "Cancelled as suspected fraud",
    "STAFF": "Cancelled by the shop",
    "OTHER": "Cancelled by the shop",
}

#: Baton's return reason codes (actions/services/returns_policy.py) → Shopify ReturnReason.
#: Shopify has no plain "doesn't fit" (only too small / too large), so that goes as OTHER
#: with the customer's words in the note.
RETURN_REASON = {
    "damaged": "DEFECTIVE",
    "wrong_item": "WRONG_ITEM",
    "doesnt_fit": "OTHER",
    "changed_mind": "UNWANTED",
    "other": "OTHER",
}

CARD_BRANDS = {"American Express": "Amex"}
WALLETS = {
    "APPLE_PAY": "Apple Pay",
    "GOOGLE_PAY": "Google Pay",
    "ANDROID_PAY": "Google Pay",
    "SHOPIFY_PAY": "Shop Pay",
}
GATEWAYS = {
    "paypal": "PayPal",
    "gift_card": "gift card",
    "store_credit": "store credit",
    "shopify_store_credit": "store credit",
    "manual": "manual payment",
}


def cancel_reason_enum(reason: str) -> str:
    """Baton's free-text reason → OrderCancelReason (customer-initiated unless it says so)."""
    text = reason.lower()
    for word, enum in (
        ("fraud", "FRAUD"),
        ("stock", "INVENTORY"),
        ("inventory", "INVENTORY"),
        ("payment", "DECLINED"),
        ("declin", "DECLINED"),
        ("staff", "STAFF"),
    ):
        if word in text:
            return enum
    return "CUSTOMER"


def parse_time(value: Optional[str]) -> Optional[datetime]:
    """Shopify's ISO-8601 DateTime → naive UTC (Baton's convention)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def parse_day(value: Optional[str]) -> Optional[date]:
    moment = parse_time(value)
    return moment.date() if moment else None


def money(bag: Optional[Json]) -> Decimal:
    try:
        return Decimal(str(((bag or {}).get("shopMoney") or {}).get("amount") or "0"))
    except InvalidOperation:
        return Decimal("0")


def nodes(connection: Any) -> list[Json]:
    """A connection's nodes (``{"nodes": [...]}``) or a plain list, never None."""
    if isinstance(connection, dict):
        return list(connection.get("nodes") or [])
    return list(connection or [])


def payment_text(transaction: Json) -> str:
    details = transaction.get("paymentDetails") or {}
    wallet = details.get("wallet")
    if wallet in WALLETS:
        return WALLETS[wallet]
    if details.get("number"):
        company = details.get("company") or "Card"
        last4 = str(details["number"]).replace(" ", "")[-4:]
        return f"{CARD_BRANDS.get(company, company)} ending {last4}"
    gateway = str(transaction.get("gateway") or "")
    return GATEWAYS.get(gateway, transaction.get("formattedGateway") or gateway)
