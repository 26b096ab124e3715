"""Order webhooks from the shop's platform: is it really the platform, and which order changed?

Shopify signs a webhook with the app's client secret (``X-Shopify-Hmac-Sha256``), WooCommerce
with the webhook's secret (``X-WC-Webhook-Signature``); both are the base64 HMAC-SHA256 of the
raw body. The receiver (:mod:`connectors.shop_webhooks`) only ever *invalidates* Baton's copy
of an order: the next read asks the platform itself, so a webhook's contents are never
trusted as order data and a replayed one costs a platform call, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Optional

#: Per platform: the signature header, the topic header, the secret's variable.
SIGNATURE_HEADERS = {
    "shopify": "X-Shopify-Hmac-Sha256",
    "woocommerce": "X-WC-Webhook-Signature",
}
TOPIC_HEADERS = {"shopify": "X-Shopify-Topic", "woocommerce": "X-WC-Webhook-Topic"}
SECRET_VARIABLES = {
    "shopify": "SHOPIFY_WEBHOOK_SECRET",
    "woocommerce": "WOOCOMMERCE_WEBHOOK_SECRET",
}


def signature_valid(body: bytes, signature: Optional[str], secret: str) -> bool:
    """The platform's signature over exactly these bytes, compared in constant time."""
    if not signature or not secret:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode())


def sign(body: bytes, secret: str) -> str:
    """What the platform puts in the signature header (the fakes and tests use it)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class ChangedOrder:
    """The order a webhook is about: its number when the payload says it, else the platform's
    id (a Shopify refund names only ``order_id``)."""

    number: Optional[str]
    platform_id: Optional[str]


def changed_order(payload: Any) -> Optional[ChangedOrder]:
    """Which order a Shopify ``orders/*``/``refunds/create`` or WooCommerce ``order.*``
    payload is about (None: not an order webhook we understand)."""
    if not isinstance(payload, dict):
        return None
    number: Optional[str] = None
    name = payload.get("name")
    if isinstance(name, str) and name.lstrip("#").isdigit():
        number = name.lstrip("#")  # Shopify: "#10001"
    elif isinstance(payload.get("number"), (str, int)) and str(payload["number"]).isdigit():
        number = str(payload["number"])  # WooCommerce
    platform_id = payload.get("order_id") if "order_id" in payload else payload.get("id")
    if isinstance(platform_id, bool) or not isinstance(platform_id, (int, str)):
        platform_id = None
    if number is None and platform_id is None:
        return None
    return ChangedOrder(number, str(platform_id) if platform_id is not None else None)
