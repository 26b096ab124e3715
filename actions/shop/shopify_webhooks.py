"""Shopify webhooks: is it really from Shopify, and which order is it about."""

from __future__ import annotations

from typing import Any, Optional

from actions.shop.webhooks import signature_valid


def verify_webhook(body: bytes, hmac_header: str, secret: str) -> bool:
    """Shopify's check: ``X-Shopify-Hmac-Sha256`` is base64(HMAC-SHA256(raw body, client
    secret)). Compare in constant time, on the raw bytes (re-serialised JSON would differ)."""
    return signature_valid(body, hmac_header, secret)


def webhook_order_number(payload: dict[str, Any]) -> Optional[str]:
    """The order number an ``orders/*`` webhook is about (``name`` "#10001", else
    ``order_number``). ``refunds/create`` carries no number, only ``order_id``: None here;
    use :func:`webhook_order_ref` and :meth:`ShopifyPlatform.order_by_ref` for those."""
    name = payload.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip().lstrip("#")
    number = payload.get("order_number")
    return str(number) if isinstance(number, (int, str)) and str(number) else None


def webhook_order_ref(payload: dict[str, Any]) -> Optional[str]:
    """The order's gid for any of the four topics (``admin_graphql_api_id`` or ``order_id``)."""
    if "order_id" in payload and payload["order_id"] is not None:  # refunds/create
        return f"gid://shopify/Order/{payload['order_id']}"
    gid = payload.get("admin_graphql_api_id")
    return str(gid) if gid else None
