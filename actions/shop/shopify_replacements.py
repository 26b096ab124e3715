"""A claim's replacement order on Shopify (Admin GraphQL 2024-10, where ``orderCreate`` arrived).

``orderCreate`` with the claimed lines as the product variants of their SKUs (looked up with
``productVariants``, as stock is) at a price of 0.00, the original order's customer
(``customer.toAssociate``) and shipping address, ``financialStatus: PAID`` (nothing to pay),
the tags ``baton-claim`` and the claim's number, and the note "Baton claim CLM-…: damaged
(replaces order 10011)". Options: ``inventoryBehaviour: DECREMENT_OBEYING_POLICY`` (Shopify takes
the units off, and refuses what it does not have), no receipt e-mailed (the chat said it).

Before one is made, ``orders(query: 'tag:"CLM-…"')`` finds one made before (after a crash or a
timeout Shopify carried out anyway). ``userErrors`` raise
:class:`~actions.shop.shopify_client.ShopifyUserError`; nothing was made then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Optional

from actions.shop import shopify_mapping as m
from actions.shop import shopify_queries as q
from actions.shop.claim_replacement import PlatformReplacement
from actions.shop.platform import PlatformOrder
from actions.shop.shopify_client import ShopifyUserError, mutation_payload
from actions.shop.shopify_stock import search

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
TAG = "baton-claim"


async def replacement_of(call: Call, claim: str) -> Optional[PlatformOrder]:
    """The order tagged with the claim's number, if Shopify has one."""
    data = await call(q.ORDER_BY_NAME, {"query": f'tag:"{claim}"'})
    for node in m.nodes(data.get("orders") or {}):
        if claim in (node.get("tags") or []):  # search is fuzzy; the tag is not
            return m.order(node)
    return None


async def variants(call: Call, skus: list[str]) -> dict[str, str]:
    """The variant id of each SKU (the first variant found with it)."""
    data = await call(q.VARIANT_STOCK, {"query": search(skus), "first": 4 * len(skus)})
    found: dict[str, str] = {}
    for node in (data.get("productVariants") or {}).get("nodes") or []:
        if node.get("sku") in skus:
            found.setdefault(str(node["sku"]), str(node["id"]))
    return found


def order_input(
    order: PlatformOrder, send: PlatformReplacement, ids: dict[str, str]
) -> dict[str, Any]:
    """The ``OrderCreateOrderInput`` for ``send``, a replacement of ``order``."""
    address = order.shipping_address
    zero = {"shopMoney": {"amount": "0.00", "currencyCode": order.currency}}
    return {
        "currency": order.currency,
        "customer": {"toAssociate": {"id": order.customer.ref}},
        "financialStatus": "PAID",
        "lineItems": [
            {"variantId": ids[sku], "quantity": quantity, "priceSet": zero}
            for sku, _, quantity in send.lines
        ],
        "shippingAddress": {
            "firstName": order.customer.first_name,
            "lastName": order.customer.last_name,
            "address1": address.line1,
            "address2": address.line2 or "",
            "city": address.city,
            "zip": address.postal_code,
            "countryCode": address.country,
        },
        "tags": [TAG, send.claim],
        "note": send.note,
    }


async def send_replacement(call: Call, order: PlatformOrder, send: PlatformReplacement) -> str:
    """Make the order; its gid."""
    skus = sorted({sku for sku, _, _ in send.lines})
    ids = await variants(call, skus)
    missing = [sku for sku in skus if sku not in ids]
    if missing:
        raise ShopifyUserError(f"no product variant with SKU {', '.join(missing)}")
    options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": False}
    data = await call(q.ORDER_CREATE, {"order": order_input(order, send, ids), "options": options})
    made = mutation_payload(data, "orderCreate", "userErrors").get("order") or {}
    return str(made["id"])
