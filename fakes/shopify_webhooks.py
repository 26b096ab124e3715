"""The fake Shopify's webhooks: REST-shaped payloads (snake_case, numeric ids, as Shopify
still sends them for GraphQL apps) and Shopify's signature headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

from actions.shop.platform import PlatformRefund
from actions.shop.shopify import API_VERSION
from fakes.shopify_render import FakeOrder, Json, gid, iso
from fakes.shopify_state import DEMO_SHOP_DOMAIN


def rest_order(fake: FakeOrder) -> Json:
    """A trimmed ``orders/*`` webhook payload (REST shape: snake_case, numeric ids)."""
    o = fake.order
    return {
        "id": int(o.ref),
        "admin_graphql_api_id": gid("Order", o.ref),
        "name": f"#{o.number}",
        "order_number": int(o.number),
        "created_at": iso(o.placed_at),
        "cancelled_at": iso(o.cancelled_at),
        "cancel_reason": (fake.cancel_reason or "").lower() or None,
        "financial_status": o.payment_status,
        "currency": o.currency,
        "total_price": str(o.total),
        "subtotal_price": str(o.subtotal),
        "customer": {
            "id": int(o.customer.ref),
            "admin_graphql_api_id": gid("Customer", o.customer.ref),
        },
        "fulfillments": [
            {
                "id": int(s.ref),
                "shipment_status": s.status,
                "tracking_number": s.tracking_number,
                "tracking_company": s.carrier,
            }
            for s in o.shipments
        ],
        "line_items": [{"id": int(i.ref), "sku": i.sku, "quantity": i.quantity} for i in o.items],
    }


def rest_refund(fake: FakeOrder, refund: PlatformRefund) -> Json:
    """A ``refunds/create`` payload: it names the order only by ``order_id``."""
    return {
        "id": int(refund.ref),
        "admin_graphql_api_id": gid("Refund", refund.ref),
        "order_id": int(fake.order.ref),
        "created_at": iso(refund.refunded_at),
        "note": None,
        "transactions": [
            {"kind": "refund", "amount": str(refund.amount), "currency": refund.currency}
        ],
    }


def signed(payload: Json, topic: str, secret: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers Shopify sends with it (HMAC-SHA256 of the body, base64)."""
    body = json.dumps(payload).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return body, {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature.decode(),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Shop-Domain": DEMO_SHOP_DOMAIN,
        "X-Shopify-API-Version": API_VERSION,
    }
