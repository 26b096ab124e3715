"""The fake Shopify's product variants and their stock (``productVariants`` searched by SKU),
mixed into :class:`fakes.shopify_state.ShopState`.

One variant per SKU of the demo's catalogue, tracked with the seed's units where the seed
counts it (:func:`actions.shop.demo.demo_stock`), untracked otherwise — so the Shopify backend
offers the same replacements as the built-in one. A replacement order sent takes its units off
(:meth:`take`), as Shopify does when an order is created with inventory behaviour DECREMENT.
"""

from __future__ import annotations

import re
from typing import Any

from actions.shop.demo import demo_stock
from actions.store.demo_data import demo_shop

SKU = re.compile(r'sku:\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))')


class StockOps:
    """Variants by SKU: ``{"sku", "inventoryQuantity", "inventoryItem": {"tracked"}}``."""

    variants: dict[str, dict[str, Any]]

    def _seed_stock(self) -> None:
        levels = demo_stock()
        self.variants = {}
        for n, product in enumerate(demo_shop().catalogue, start=1):
            tracked = product.sku in levels
            self.variants[product.sku] = {
                "id": f"gid://shopify/ProductVariant/{7000 + n}",
                "sku": product.sku,
                "title": product.name,
                "inventoryQuantity": levels.get(product.sku, 0),
                "inventoryItem": {"tracked": tracked},
            }

    def take(self, sku: str, quantity: int) -> None:
        variant = self.variants.get(sku)
        if variant is not None and variant["inventoryItem"]["tracked"]:
            variant["inventoryQuantity"] -= quantity

    def op_BatonVariantStock(self, v: dict[str, Any]) -> dict[str, Any]:
        wanted = [
            (quoted.replace('\\"', '"') if quoted else bare)
            for quoted, bare in SKU.findall(str(v.get("query") or ""))
        ]
        nodes = [self.variants[sku] for sku in wanted if sku in self.variants]
        return {"productVariants": {"nodes": nodes[: int(v.get("first") or 50)]}}
