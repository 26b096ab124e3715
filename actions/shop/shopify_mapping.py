"""Shopify Admin GraphQL (2024-10) JSON → Baton's platform values, and Baton's words → Shopify
enums. Pure functions over the ``BatonOrder`` fragment (:mod:`actions.shop.shopify_queries`);
the table of what maps to what, and what is lost, is in :mod:`actions.shop.shopify`'s
docstring.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from actions.shop.platform import (
    PlatformAddress,
    PlatformCustomer,
    PlatformItem,
    PlatformOrder,
    PlatformRefund,
    PlatformShipment,
    PlatformTrackingEvent,
    claim_named,
)
from actions.shop.shopify_vocab import (
    CANCEL_REASON_TEXT,
    GATEWAYS,
    PAYMENT_STATUS,
    RETURN_REASON,
    SHIPMENT_STATUS,
    Json,
    cancel_reason_enum,
    money,
    nodes,
    parse_day,
    parse_time,
    payment_text,
)

__all__ = [
    "CANCEL_REASON_TEXT",
    "RETURN_REASON",
    "cancel_reason_enum",
    "cancelled_lines",
    "customer",
    "nodes",
    "order",
    "return_rmas",
]

RMA_NOTE = re.compile(r"Baton RMA ([^\s:]+)")


def _payment_method(order: Json) -> str:
    for t in order.get("transactions") or []:
        if t.get("kind") in ("SALE", "AUTHORIZATION", "CAPTURE"):
            return payment_text(t)
    names = order.get("paymentGatewayNames") or []
    return GATEWAYS.get(names[0], names[0]) if names else ""


def _paid_at(order: Json) -> Optional[datetime]:
    times = [
        parse_time(t.get("processedAt"))
        for t in order.get("transactions") or []
        if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"
    ]
    found = [t for t in times if t is not None]
    return min(found) if found else None


def _metafields(order: Json) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in nodes(order.get("metafields")):
        value = field.get("value")
        if field.get("type") == "json" and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        out[str(field.get("key"))] = value
    return out


def customer(data: Json) -> PlatformCustomer:
    return PlatformCustomer(
        ref=str(data.get("id") or ""),
        first_name=data.get("firstName") or "",
        last_name=data.get("lastName") or "",
        email=data.get("email") or "",
        phone=data.get("phone") or None,
        postal_code=((data.get("defaultAddress") or {}).get("zip")) or "",
    )


def _shipment(f: Json, notes: dict[str, Any]) -> PlatformShipment:
    events = tuple(
        PlatformTrackingEvent(
            occurred_at=parse_time(e.get("happenedAt")) or datetime.min,
            status=str(e.get("status") or "").lower(),
            description=e.get("message") or "",
            location=e.get("city") or "",
        )
        for e in nodes(f.get("events"))
    )
    status = SHIPMENT_STATUS.get(str(f.get("displayStatus")), "in_transit")
    if events and events[-1].status == "delayed" and status == "in_transit":
        status = "delayed"
    note = notes.get(str(f.get("legacyResourceId"))) or notes.get(str(f.get("id"))) or {}
    if note.get("status") in ("delayed", "lost") and status != "delivered":
        status = note["status"]
    tracking = (f.get("trackingInfo") or [{}])[0] if f.get("trackingInfo") else {}
    return PlatformShipment(
        ref=str(f.get("id")),
        carrier=tracking.get("company") or "",
        tracking_number=tracking.get("number") or "",
        tracking_url=tracking.get("url") or "",
        status=status,
        shipped_at=parse_time(f.get("inTransitAt") or f.get("createdAt")),
        estimated_delivery=parse_day(f.get("estimatedDeliveryAt")),
        delivered_at=parse_time(f.get("deliveredAt")),
        delivered_to=note.get("delivered_to"),
        events=events,
        contents=tuple(
            (str((li.get("lineItem") or {}).get("id")), int(li.get("quantity") or 0))
            for li in nodes(f.get("fulfillmentLineItems"))
        ),
    )


def _order_status(order: Json, shipments: tuple[PlatformShipment, ...]) -> str:
    if order.get("cancelledAt"):
        return "cancelled"
    statuses = {s.status for s in shipments}
    if statuses:
        if statuses == {"delivered"}:
            return "delivered"
        for baton, wanted in (
            ("lost_in_transit", "lost"),
            ("delayed", "delayed"),
            ("out_for_delivery", "out_for_delivery"),
        ):
            if wanted in statuses:
                return baton
        return "shipped"
    if order.get("displayFulfillmentStatus") == "IN_PROGRESS":
        return "packed"
    paid = order.get("displayFinancialStatus") in ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")
    return "paid" if paid else "placed"


def return_rmas(order: Json) -> dict[str, str]:
    """Return gid → the Baton RMA its line items carry (returns Baton did not create: none)."""
    out = {}
    for ret in nodes(order.get("returns")):
        for line in nodes(ret.get("returnLineItems")):
            found = RMA_NOTE.search(line.get("returnReasonNote") or "")
            if found:
                out[str(ret.get("id"))] = found.group(1)
                break
    return out


def _refund(r: Json, rmas: dict[str, str], fallback: str) -> PlatformRefund:
    transactions = nodes(r.get("transactions"))
    amount = r.get("totalRefundedSet") or {}
    return PlatformRefund(
        ref=str(r.get("id")),
        amount=money(amount),
        currency=str(((amount.get("shopMoney") or {}).get("currencyCode")) or ""),
        refunded_at=parse_time(r.get("createdAt")) or datetime.min,
        destination=payment_text(transactions[0]) if transactions else fallback,
        rma=rmas.get(str((r.get("return") or {}).get("id"))),
        claim=claim_named(r.get("note")),
    )


def cancelled_lines(data: Json) -> dict[str, tuple[int, Decimal, datetime]]:
    """Line item gid → (quantity, subtotal, latest time) refunded with restock type CANCEL:
    lines cancelled before they were fulfilled (Baton's ``cancel_items``, or the shop's)."""
    out: dict[str, tuple[int, Decimal, datetime]] = {}
    for r in data.get("refunds") or []:
        at = parse_time(r.get("createdAt")) or datetime.min
        for line in nodes(r.get("refundLineItems")):
            if line.get("restockType") != "CANCEL":
                continue
            ref = str((line.get("lineItem") or {}).get("id"))
            quantity, amount, when = out.get(ref, (0, Decimal("0.00"), datetime.min))
            out[ref] = (
                quantity + int(line.get("quantity") or 0),
                amount + money(line.get("subtotalSet")),
                max(when, at),
            )
    return out


def _cancels_lines(refund: Json) -> bool:
    return any(line.get("restockType") == "CANCEL" for line in nodes(refund.get("refundLineItems")))


def order(data: Json) -> PlatformOrder:
    """One ``BatonOrder`` fragment → :class:`PlatformOrder`."""
    meta = _metafields(data)
    notes = meta.get("shipments") if isinstance(meta.get("shipments"), dict) else {}
    shipments = tuple(
        _shipment(f, notes or {})
        for f in data.get("fulfillments") or []
        if f.get("displayStatus") != "CANCELED"
    )
    method = _payment_method(data)
    rmas = return_rmas(data)
    refunds = tuple(_refund(r, rmas, method) for r in data.get("refunds") or [])
    financial = str(data.get("displayFinancialStatus") or "")
    raw_refunds = data.get("refunds") or []
    if financial == "PARTIALLY_REFUNDED" and raw_refunds and all(map(_cancels_lines, raw_refunds)):
        financial = "PAID"  # items cancelled one by one: the rest of the order stands paid
    refunded_at = None
    if financial in ("REFUNDED", "PARTIALLY_REFUNDED") and refunds:
        refunded_at = max(r.refunded_at for r in refunds)
    cancelled = cancelled_lines(data)
    open_by = [
        parse_day(fo.get("fulfillBy"))
        for fo in nodes(data.get("fulfillmentOrders"))
        if fo.get("status") in ("OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD")
    ]
    dispatch = min((d for d in open_by if d), default=None) or _meta_day(meta, "expected_dispatch")
    reason = data.get("cancelReason")
    ship = data.get("shippingAddress") or {}
    return PlatformOrder(
        ref=str(data.get("id")),
        number=str(data.get("name") or "").lstrip("#"),
        customer=customer(data.get("customer") or {"email": data.get("email")}),
        status=_order_status(data, shipments),
        placed_at=parse_time(data.get("createdAt")) or datetime.min,
        paid_at=_paid_at(data),
        currency=str(data.get("currencyCode") or ""),
        subtotal=money(data.get("subtotalPriceSet")),
        shipping_fee=money(data.get("totalShippingPriceSet")),
        total=money(data.get("totalPriceSet")),
        expected_dispatch=dispatch if not shipments and not data.get("cancelledAt") else None,
        promised_delivery=_meta_day(meta, "promised_delivery"),
        cancelled_at=parse_time(data.get("cancelledAt")),
        cancellation_reason=(
            (meta.get("cancellation_reason") or CANCEL_REASON_TEXT.get(str(reason), str(reason)))
            if data.get("cancelledAt")
            else None
        ),
        payment_status=PAYMENT_STATUS.get(financial, "pending"),
        refunded_at=refunded_at,
        payment_method=method,
        shipping_address=PlatformAddress(
            line1=ship.get("address1") or "",
            line2=ship.get("address2") or None,
            city=ship.get("city") or "",
            postal_code=ship.get("zip") or "",
            country=ship.get("countryCodeV2") or "",
        ),
        items=tuple(_item(li, cancelled) for li in nodes(data.get("lineItems"))),
        shipments=shipments,
        refunds=refunds,
    )


def _meta_day(meta: dict[str, Any], key: str) -> Optional[date]:
    value = meta.get(key)
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _item(li: Json, cancelled: dict[str, tuple[int, Decimal, datetime]]) -> PlatformItem:
    product = li.get("product") or {}
    quantity = int(li.get("quantity") or 0)
    gone, refunded, at = cancelled.get(str(li.get("id")), (0, None, None))
    whole_line = quantity > 0 and gone >= quantity  # Baton cancels whole lines only
    return PlatformItem(
        ref=str(li.get("id")),
        sku=li.get("sku") or "",
        product_name=li.get("name") or li.get("title") or "",
        category=product.get("productType") or "",
        quantity=quantity,
        unit_price=money(li.get("originalUnitPriceSet")),
        final_sale="final-sale" in (product.get("tags") or []),
        cancelled_at=at if whole_line else None,
        refunded=refunded if whole_line else None,
    )
