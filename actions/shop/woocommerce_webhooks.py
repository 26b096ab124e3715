"""WooCommerce webhooks: is it really from the shop, and which order is it about (the
``order.created``/``order.updated``/``order.deleted`` topics)."""

from __future__ import annotations

from typing import Any, Optional

from actions.shop.webhooks import signature_valid


def verify_webhook(body: bytes, signature_header: str, secret: str) -> bool:
    """``X-WC-Webhook-Signature``: base64 of HMAC-SHA256 of the raw body with the secret."""
    return signature_valid(body, signature_header, secret)


def webhook_order_number(payload: Any) -> Optional[str]:
    """The order number in an ``order.created``/``order.updated`` payload (the REST order
    JSON). ``order.deleted`` sends only ``{"id": …}``: None (see :func:`webhook_order_ref`)."""
    number = payload.get("number") if isinstance(payload, dict) else None
    return str(number) if isinstance(number, (str, int)) and str(number) else None


def webhook_order_ref(payload: Any) -> Optional[str]:
    ref = payload.get("id") if isinstance(payload, dict) else None
    return str(ref) if isinstance(ref, int) else None
