"""Stock on WooCommerce (REST v3): ``GET /products?sku=A,B`` (comma-separated SKUs), each product
with ``manage_stock``, ``stock_quantity`` and ``stock_status``.

A product whose stock WooCommerce manages answers its ``stock_quantity`` (0 when negative:
backorders); one it does not manage says only ``instock`` / ``outofstock``: out of stock reads
0, anything else None (stock unknown: the claim is a refund, never a replacement promised on a
guess). A SKU no product has reads None. Lossy: a variation's SKU is not searched (variations are
another collection, ``/products/<id>/variations``); the demo shop sells simple products only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

Json = dict[str, Any]

#: SKUs asked per request (WooCommerce pages at 100 products).
BATCH = 50


def units(product: Json) -> Optional[int]:
    """What one product says about its stock (module docstring)."""
    if product.get("manage_stock") is True:
        return max(int(product.get("stock_quantity") or 0), 0)
    return 0 if product.get("stock_status") == "outofstock" else None


def levels(products: Sequence[Json], skus: Sequence[str]) -> dict[str, Optional[int]]:
    found: dict[str, Optional[int]] = dict.fromkeys(skus)
    for product in products:
        sku = product.get("sku")
        if sku in found and found[sku] is None:
            found[sku] = units(product)
    return found


def batches(skus: Sequence[str]) -> list[list[str]]:
    """The SKUs in requests' worth (a comma inside a SKU could not be asked: it is left out)."""
    asked = [sku for sku in skus if "," not in sku]
    return [asked[i : i + BATCH] for i in range(0, len(asked), BATCH)]
