"""The demo shop's orders in Shopify's shapes: Admin GraphQL (2024-10) nodes and REST webhook
payloads. Used by :mod:`fakes.shopify`; webhook payloads are in :mod:`fakes.shopify_webhooks`.

Ids are Shopify gids built from the demo refs (``gid://shopify/Order/7``); a fulfillment line
item has no demo row, so its id is ``fulfillment ref * 1000 + line item ref``. What Shopify has
no field for travels the way a real shop would have to carry it: ``baton`` metafields (see
:mod:`actions.shop.shopify_mapping`). Faithful to the demo rather than to Shopify where the two
disagree: an order with a refunded return keeps ``displayFinancialStatus`` PAID because the
demo row says "paid" (Shopify would say PARTIALLY_REFUNDED), and a delayed parcel's DELAYED
event is rendered IN_TRANSIT because API 2024-10 has no such event status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from actions.shop.platform import PlatformOrder, PlatformRefund, PlatformShipment

Json = dict[str, Any]

FINANCIAL = {
    "paid": "PAID",
    "pending": "PENDING",
    "refunded": "REFUNDED",
    "voided": "VOIDED",
    "partially_refunded": "PARTIALLY_REFUNDED",
}
DISPLAY = {
    "in_transit": "IN_TRANSIT",
    "out_for_delivery": "OUT_FOR_DELIVERY",
    "delivered": "DELIVERED",
    "label_created": "LABEL_PURCHASED",
    "delayed": "IN_TRANSIT",
    "lost": "IN_TRANSIT",
}
EVENT = {"delayed": "IN_TRANSIT"}  # no DELAYED event status before API 2025-01
CANCEL_ENUM = {
    "Cancelled at the customer's request": "CUSTOMER",
    "An item went out of stock before dispatch": "INVENTORY",
    "Payment could not be authorised": "DECLINED",
}
WALLETS = {"Apple Pay": "APPLE_PAY", "Google Pay": "GOOGLE_PAY"}
BRANDS = {"Amex": "American Express"}


@dataclass
class FakeReturn:
    gid: str
    name: str
    status: str
    lines: list[Json]  # {"fulfillmentLineItemId", "quantity", "returnReason", "returnReasonNote"}


@dataclass
class FakeOrder:
    """One order's state: the Baton view plus what only Shopify keeps."""

    order: PlatformOrder
    cancel_reason: Optional[str] = None  # OrderCancelReason
    returns: list[FakeReturn] = field(default_factory=list)
    refund_returns: dict[str, str] = field(default_factory=dict)  # refund ref → return gid
    extra_refunds: list[PlatformRefund] = field(default_factory=list)  # cancellation refunds
    # refund ref → its refundLineItems: (line item ref, quantity, restock type, subtotal)
    refund_lines: dict[str, list[tuple[str, int, str, Decimal]]] = field(default_factory=dict)
    refund_notes: dict[str, str] = field(default_factory=dict)  # refund ref → its note
    tags: list[str] = field(default_factory=list)  # the order's tags ("baton-claim", "CLM-…")
    note: Optional[str] = None


def gid(kind: str, ref: Any) -> str:
    return f"gid://shopify/{kind}/{ref}"


def iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def day(value: Optional[date]) -> Optional[str]:
    return f"{value.isoformat()}T00:00:00Z" if value else None


def bag(amount: Decimal, currency: str) -> Json:
    money = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": money}


def fli_id(shipment_ref: str, item_ref: str) -> str:
    return gid("FulfillmentLineItem", int(shipment_ref) * 1000 + int(item_ref))


def payment(text: str) -> tuple[str, Optional[Json]]:
    """Baton's "Visa ending 4242" / "Apple Pay" / "PayPal" → (gateway, paymentDetails)."""
    if text == "PayPal":
        return "paypal", None
    if text == "store credit":
        return "shopify_store_credit", None
    if text in WALLETS:
        return "shopify_payments", {
            "company": "Visa",
            "number": "•••• •••• •••• 1111",
            "wallet": WALLETS[text],
        }
    brand, _, last4 = text.partition(" ending ")
    return "shopify_payments", {
        "company": BRANDS.get(brand, brand),
        "number": f"•••• •••• •••• {last4}",
        "wallet": None,
    }


def customer_node(order: PlatformOrder) -> Json:
    c = order.customer
    return {
        "id": gid("Customer", c.ref),
        "legacyResourceId": c.ref,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "defaultAddress": {"zip": c.postal_code},
    }


def _transactions(o: PlatformOrder) -> list[Json]:
    gateway, details = payment(o.payment_method)
    base = {
        "id": gid("OrderTransaction", int(o.ref) * 10 + 1),
        "gateway": gateway,
        "formattedGateway": gateway.replace("_", " ").title(),
        "paymentDetails": details,
    }
    if o.payment_status == "pending":
        return [
            {**base, "kind": "AUTHORIZATION", "status": "PENDING", "processedAt": iso(o.placed_at)}
        ]
    if o.payment_status == "voided":
        return [
            {**base, "kind": "AUTHORIZATION", "status": "SUCCESS", "processedAt": iso(o.placed_at)},
            {**base, "kind": "VOID", "status": "SUCCESS", "processedAt": iso(o.cancelled_at)},
        ]
    return [{**base, "kind": "SALE", "status": "SUCCESS", "processedAt": iso(o.paid_at)}]


def _refund(r: PlatformRefund, fake: FakeOrder) -> Json:
    gateway, details = payment(r.destination)
    return_gid, currency = fake.refund_returns.get(r.ref), fake.order.currency
    lines = fake.refund_lines.get(r.ref, [])
    return {
        "id": gid("Refund", r.ref),
        "createdAt": iso(r.refunded_at),
        "note": fake.refund_notes.get(r.ref) or (None if r.rma else "Order cancelled"),
        "totalRefundedSet": bag(r.amount, r.currency),
        "return": {"id": return_gid} if return_gid else None,
        "refundLineItems": {
            "nodes": [
                {
                    "quantity": quantity,
                    "restockType": restock,
                    "lineItem": {"id": gid("LineItem", ref)},
                    "subtotalSet": bag(subtotal, currency),
                }
                for ref, quantity, restock, subtotal in lines
            ]
        },
        "transactions": {
            "nodes": [
                {
                    "kind": "REFUND",
                    "gateway": gateway,
                    "formattedGateway": gateway,
                    "paymentDetails": details,
                }
            ]
        },
    }


def _fulfillment(s: PlatformShipment) -> Json:
    return {
        "id": gid("Fulfillment", s.ref),
        "legacyResourceId": s.ref,
        "displayStatus": DISPLAY.get(s.status, "IN_TRANSIT"),
        "status": "SUCCESS",
        "createdAt": iso(s.shipped_at),
        "inTransitAt": iso(s.shipped_at),
        "deliveredAt": iso(s.delivered_at),
        "estimatedDeliveryAt": day(s.estimated_delivery),
        "trackingInfo": [
            {"company": s.carrier, "number": s.tracking_number, "url": s.tracking_url}
        ],
        "events": {
            "nodes": [
                {
                    "happenedAt": iso(e.occurred_at),
                    "status": EVENT.get(e.status, e.status.upper()),
                    "message": e.description,
                    "city": e.location,
                }
                for e in s.events
            ]
        },
        "fulfillmentLineItems": {
            "nodes": [
                {
                    "id": fli_id(s.ref, item),
                    "quantity": qty,
                    "lineItem": {"id": gid("LineItem", item)},
                }
                for item, qty in s.contents
            ]
        },
    }


def _metafields(o: PlatformOrder, reason_enum: Optional[str]) -> list[Json]:
    out = []
    if o.promised_delivery:
        out.append(
            {"key": "promised_delivery", "type": "date", "value": o.promised_delivery.isoformat()}
        )
    if o.cancellation_reason and o.cancellation_reason not in CANCEL_ENUM:
        out.append(
            {
                "key": "cancellation_reason",
                "type": "single_line_text_field",
                "value": o.cancellation_reason,
            }
        )
    notes: dict[str, Json] = {}
    for s in o.shipments:
        note: Json = {}
        if s.status in ("delayed", "lost"):
            note["status"] = s.status
        if s.delivered_to:
            note["delivered_to"] = s.delivered_to
        if note:
            notes[s.ref] = note
    if notes:
        out.append({"key": "shipments", "type": "json", "value": json.dumps(notes)})
    return [{"namespace": "baton", **f} for f in out]


def order_node(fake: FakeOrder) -> Json:
    """The ``BatonOrder`` fragment's fields (and a few more): a superset, not a selection."""
    o = fake.order
    shipped = sum(q for s in o.shipments for _, q in s.contents)
    ordered = sum(i.quantity for i in o.items)
    fulfilment = (
        "IN_PROGRESS"
        if o.status == "packed"
        else "UNFULFILLED"
        if not shipped
        else "FULFILLED"
        if shipped >= ordered
        else "PARTIALLY_FULFILLED"
    )
    fo_status = (
        "CANCELLED"
        if o.cancelled_at
        else "CLOSED"
        if o.shipments
        else "IN_PROGRESS"
        if o.status == "packed"
        else "OPEN"
    )
    gateway, _ = payment(o.payment_method)
    return {
        "id": gid("Order", o.ref),
        "legacyResourceId": o.ref,
        "name": f"#{o.number}",
        "tags": list(fake.tags),
        "email": o.customer.email,
        "createdAt": iso(o.placed_at),
        "processedAt": iso(o.placed_at),
        "cancelledAt": iso(o.cancelled_at),
        "cancelReason": fake.cancel_reason,
        "currencyCode": o.currency,
        "displayFinancialStatus": FINANCIAL.get(o.payment_status, "PENDING"),
        "displayFulfillmentStatus": fulfilment,
        "paymentGatewayNames": [gateway],
        "subtotalPriceSet": bag(o.subtotal, o.currency),
        "totalShippingPriceSet": bag(o.shipping_fee, o.currency),
        "totalPriceSet": bag(o.total, o.currency),
        "customer": customer_node(o),
        "shippingAddress": {
            "address1": o.shipping_address.line1,
            "address2": o.shipping_address.line2,
            "city": o.shipping_address.city,
            "zip": o.shipping_address.postal_code,
            "countryCodeV2": o.shipping_address.country,
        },
        "metafields": {"nodes": _metafields(o, fake.cancel_reason)},
        "lineItems": {
            "nodes": [
                {
                    "id": gid("LineItem", i.ref),
                    "sku": i.sku,
                    "name": i.product_name,
                    "title": i.product_name,
                    "quantity": i.quantity,
                    "originalUnitPriceSet": bag(i.unit_price, o.currency),
                    "product": {
                        "productType": i.category,
                        "tags": ["final-sale"] if i.final_sale else [],
                    },
                }
                for i in o.items
            ]
        },
        "fulfillmentOrders": {
            "nodes": [
                {
                    "id": gid("FulfillmentOrder", o.ref),
                    "status": fo_status,
                    "fulfillBy": day(o.expected_dispatch)
                    if fo_status in ("OPEN", "IN_PROGRESS")
                    else None,
                }
            ]
        },
        "fulfillments": [_fulfillment(s) for s in o.shipments],
        "transactions": _transactions(o),
        "refunds": [_refund(r, fake) for r in (*o.refunds, *fake.extra_refunds)],
        "returns": {
            "nodes": [
                {
                    "id": r.gid,
                    "name": r.name,
                    "status": r.status,
                    "returnLineItems": {
                        "nodes": [
                            {"returnReasonNote": li["returnReasonNote"], "quantity": li["quantity"]}
                            for li in r.lines
                        ]
                    },
                }
                for r in fake.returns
            ]
        },
    }
