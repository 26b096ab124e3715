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
    """The order a webhook is about: its number when the payload says it, and the platform's
    id for it (a Shopify refund, a WooCommerce deletion name only the id)."""

    number: Optional[str]
    platform_ref: Optional[str]


def changed_order(platform: str, payload: Any) -> Optional[ChangedOrder]:
    """Which order a Shopify ``orders/*``/``refunds/create`` or WooCommerce ``order.*``
    payload is about, read the way each platform's adapter reads it (None: not an order)."""
    if not isinstance(payload, dict):
        return None
    if platform == "shopify":
        from actions.shop import shopify_webhooks as shopify

        number, ref = shopify.webhook_order_number(payload), shopify.webhook_order_ref(payload)
    else:
        from actions.shop import woocommerce_webhooks as woo

        number, ref = woo.webhook_order_number(payload), woo.webhook_order_ref(payload)
    if number is not None and not number.isdigit():
        number = None  # not an order number Baton could hold
    if number is None and ref is None:
        return None
    return ChangedOrder(number, ref)
