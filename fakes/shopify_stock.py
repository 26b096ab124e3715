"""The fake Shopify's product variants and their stock (``productVariants`` searched by SKU),
and orders made by ``orderCreate`` (a claim's replacement), mixed into
:class:`fakes.shopify_state.ShopState`.

One variant per SKU of the demo's catalogue, tracked with the seed's units where the seed
counts it (:func:`actions.shop.demo.demo_stock`), untracked otherwise — so the Shopify backend
offers the same replacements as the built-in one. A replacement order sent takes its units off
(:meth:`take`), as Shopify does when an order is created with inventory behaviour DECREMENT;
one it does not have is refused (``userErrors``), nothing made.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from actions.shop.demo import demo_stock
from actions.shop.platform import PlatformAddress, PlatformItem, PlatformOrder
from actions.store.demo_data import demo_shop
from fakes import shopify_render as r
from fakes.common import Recorder

SKU = re.compile(r'sku:\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))')


class StockOps:
    """Variants by SKU: ``{"sku", "inventoryQuantity", "inventoryItem": {"tracked"}}``."""

    variants: dict[str, dict[str, Any]]
    orders: dict[str, r.FakeOrder]
    log: Recorder

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

    def op_BatonOrderCreate(self, v: dict[str, Any]) -> dict[str, Any]:
        data, options = dict(v.get("order") or {}), dict(v.get("options") or {})
        customer_ref = str((data.get("customer") or {}).get("toAssociate", {}).get("id", ""))
        owner = next(
            (
                f.order
                for f in self.orders.values()
                if r.gid("Customer", f.order.customer.ref) == customer_ref
            ),
            None,
        )
        if owner is None:
            return _error(["order", "customer"], "Customer does not exist.")
        by_id = {variant["id"]: variant for variant in self.variants.values()}
        lines = list(data.get("lineItems") or [])
        for line in lines:
            variant = by_id.get(line.get("variantId"))
            if variant is None:
                return _error(["order", "lineItems"], "Product variant does not exist.")
            short = variant["inventoryQuantity"] < int(line.get("quantity", 0))
            if (
                variant["inventoryItem"]["tracked"]
                and short
                and options.get("inventoryBehaviour", "BYPASS").endswith("OBEYING_POLICY")
            ):
                return _error(["order", "lineItems"], f"{variant['sku']} is out of stock.")
        for line in lines:
            if options.get("inventoryBehaviour", "BYPASS") != "BYPASS":
                self.take(by_id[line["variantId"]]["sku"], int(line["quantity"]))
        made = self._replacement_order(owner, data, [(by_id[x["variantId"]], x) for x in lines])
        self.orders[made.order.number] = made
        self.log.add(
            {
                "kind": "mutation",
                "operation": "orderCreate",
                "order": made.order.number,
                "tags": made.tags,
                "total": str(made.order.total),
                "lines": [
                    (x["variantId"], x["quantity"], x["priceSet"]["shopMoney"]["amount"])
                    for x in lines
                ],
            }
        )
        gid = r.gid("Order", made.order.ref)
        return {
            "orderCreate": {"order": {"id": gid, "name": f"#{made.order.number}"}, "userErrors": []}
        }

    def _replacement_order(
        self,
        owner: PlatformOrder,
        data: dict[str, Any],
        lines: list[tuple[dict[str, Any], dict[str, Any]]],
    ) -> r.FakeOrder:
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        number = str(max(int(n) for n in self.orders if n.isdigit()) + 1)
        ref = str(max(int(f.order.ref) for f in self.orders.values()) + 1)
        catalogue = {p.sku: p for p in demo_shop().catalogue}
        items = tuple(
            PlatformItem(
                f"{ref}{n:03d}",
                variant["sku"],
                variant["title"],
                catalogue[variant["sku"]].category if variant["sku"] in catalogue else "",
                int(line["quantity"]),
                Decimal(str(line["priceSet"]["shopMoney"]["amount"])),
            )
            for n, (variant, line) in enumerate(lines, start=1)
        )
        ship = dict(data.get("shippingAddress") or {})
        address = PlatformAddress(
            ship.get("address1", ""),
            ship.get("address2") or None,
            ship.get("city", ""),
            ship.get("zip", ""),
            ship.get("countryCode", ""),
        )
        total = sum((i.unit_price * i.quantity for i in items), Decimal("0.00"))
        order = dataclasses.replace(
            owner,
            ref=ref,
            number=number,
            status="paid" if data.get("financialStatus") == "PAID" else "placed",
            placed_at=now,
            paid_at=now,
            subtotal=total,
            shipping_fee=Decimal("0.00"),
            total=total,
            expected_dispatch=None,
            promised_delivery=None,
            cancelled_at=None,
            cancellation_reason=None,
            payment_status="paid" if data.get("financialStatus") == "PAID" else "pending",
            refunded_at=None,
            shipping_address=address,
            items=items,
            shipments=(),
            refunds=(),
        )
        return r.FakeOrder(order, tags=list(data.get("tags") or []), note=data.get("note"))


def _error(field: list[str], message: str, root: str = "orderCreate") -> dict[str, Any]:
    return {
        root: {"order": None, "userErrors": [{"field": field, "message": message, "code": None}]}
    }


def tagged(orders: dict[str, r.FakeOrder], tag: str) -> Optional[r.FakeOrder]:
    """The newest order carrying ``tag`` (Shopify's ``tag:`` search)."""
    found = [f for f in orders.values() if tag in f.tags]
    return found[-1] if found else None
