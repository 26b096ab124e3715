"""Stock on Shopify (Admin GraphQL 2024-10): ``productVariants`` searched by SKU, each with its
``inventoryQuantity`` (available, summed over the shop's locations) and
``inventoryItem.tracked``.

A variant whose inventory Shopify does not track answers None (stock unknown: the claim is a
refund), as does a SKU no variant has. Shopify does not make SKUs unique: variants sharing one
add up. A negative quantity (oversold) reads 0.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Optional

from actions.shop import shopify_queries as q

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

#: SKUs asked per request (the search string stays short; claims name a few items).
BATCH = 25


def search(skus: Sequence[str]) -> str:
    """Shopify's search syntax for any of ``skus`` (quoted: a SKU may hold a dash or a colon)."""
    quoted = ('"' + sku.replace("\\", "\\\\").replace('"', '\\"') + '"' for sku in skus)
    return " OR ".join(f"sku:{sku}" for sku in quoted)


def levels(nodes: Sequence[dict[str, Any]], skus: Sequence[str]) -> dict[str, Optional[int]]:
    """Units per SKU asked from the variants found (the search may match more loosely)."""
    found: dict[str, Optional[int]] = dict.fromkeys(skus)
    for node in nodes:
        sku = node.get("sku")
        if sku not in found or not (node.get("inventoryItem") or {}).get("tracked"):
            continue
        units = max(int(node.get("inventoryQuantity") or 0), 0)
        found[sku] = (found[sku] or 0) + units
    return found


async def stock(call: Call, skus: Sequence[str]) -> dict[str, Optional[int]]:
    found: dict[str, Optional[int]] = {}
    for start in range(0, len(skus), BATCH):
        batch = list(skus[start : start + BATCH])
        data = await call(q.VARIANT_STOCK, {"query": search(batch), "first": 4 * len(batch)})
        nodes = ((data.get("productVariants") or {}).get("nodes")) or []
        found.update(levels(nodes, batch))
    return found
