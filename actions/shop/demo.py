"""The demo shop ("Lumen & Loom") as a platform would hold it.

The Shopify and WooCommerce fakes (``fakes/shopify.py``, ``fakes/woocommerce.py``) serve these
orders in their platform's JSON, so ``SHOP_BACKEND=shopify make run`` shows the same shop as
the built-in tables and the same conversation tests run on every backend. Built from the rows
the seed inserts (:func:`actions.store.seed.build_rows`), for the same anchor date.

Platform references are the demo rows' ids as strings (``"7"``); each fake dresses them in
its own id format.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Optional

from actions.shop.platform import (
    PlatformAddress,
    PlatformCustomer,
    PlatformItem,
    PlatformOrder,
    PlatformRefund,
    PlatformShipment,
    PlatformTrackingEvent,
)
from actions.store.demo_data import demo_shop
from actions.store.seed import build_rows, shop_today
from actions.store.seed_returns import build_return_rows


def demo_stock() -> dict[str, int]:
    """Units in stock by SKU, as the seed writes them to ``stock_levels`` (a SKU not here is not
    tracked): the fakes serve the same, so every backend offers the same replacements."""
    return dict(demo_shop().stock)


def demo_platform_orders(anchor: Optional[date] = None) -> list[PlatformOrder]:
    """Every demo order, oldest number first."""
    shop = build_rows(anchor or shop_today())
    returns = build_return_rows(shop)
    customers = {c["id"]: _customer(c) for c in shop["customers"]}
    addresses = {a["id"]: a for a in shop["addresses"]}
    items_by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in shop["order_items"]:
        items_by_order[item["order_id"]].append(item)
    events: dict[int, list[PlatformTrackingEvent]] = defaultdict(list)
    for e in sorted(shop["tracking_events"], key=lambda e: (e["occurred_at"], e["id"])):
        events[e["shipment_id"]].append(
            PlatformTrackingEvent(e["occurred_at"], e["status"], e["description"], e["location"])
        )
    contents: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for si in sorted(shop["shipment_items"], key=lambda s: s["order_item_id"]):
        contents[si["shipment_id"]].append((str(si["order_item_id"]), si["quantity"]))
    shipments_by_order: dict[int, list[PlatformShipment]] = defaultdict(list)
    for s in sorted(shop["shipments"], key=lambda s: s["id"]):
        shipments_by_order[s["order_id"]].append(
            PlatformShipment(
                ref=str(s["id"]),
                carrier=s["carrier"],
                tracking_number=s["tracking_number"],
                tracking_url=s["tracking_url"],
                status=s["status"],
                shipped_at=s["shipped_at"],
                estimated_delivery=s["estimated_delivery"],
                delivered_at=s["delivered_at"],
                delivered_to=s["delivered_to"],
                events=tuple(events[s["id"]]),
                contents=tuple(contents[s["id"]]),
            )
        )
    rmas = {r["id"]: r for r in returns["returns"]}
    refunds_by_order: dict[int, list[PlatformRefund]] = defaultdict(list)
    for refund in returns["refunds"]:
        ret = rmas[refund["return_id"]]
        refunds_by_order[ret["order_id"]].append(
            PlatformRefund(
                ref=str(refund["id"]),
                amount=refund["amount"],
                currency=refund["currency"],
                refunded_at=refund["refunded_at"],
                destination=refund["destination"],
                rma=ret["rma"],
            )
        )
    out = []
    for o in sorted(shop["orders"], key=lambda o: int(o["number"])):
        a = addresses[o["shipping_address_id"]]
        out.append(
            PlatformOrder(
                ref=str(o["id"]),
                number=o["number"],
                customer=customers[o["customer_id"]],
                status=o["status"],
                placed_at=o["placed_at"],
                paid_at=o["paid_at"],
                currency=o["currency"],
                subtotal=o["subtotal"],
                shipping_fee=o["shipping_fee"],
                total=o["total"],
                expected_dispatch=o["expected_dispatch"],
                promised_delivery=o["promised_delivery"],
                cancelled_at=o["cancelled_at"],
                cancellation_reason=o["cancellation_reason"],
                payment_status=o["payment_status"],
                refunded_at=o["refunded_at"],
                payment_method=o["payment_method"],
                shipping_address=PlatformAddress(
                    a["line1"], a["line2"], a["city"], a["postal_code"], a["country"]
                ),
                items=tuple(_item(i) for i in items_by_order[o["id"]]),
                shipments=tuple(shipments_by_order[o["id"]]),
                refunds=tuple(refunds_by_order[o["id"]]),
            )
        )
    return out


def _customer(c: dict[str, Any]) -> PlatformCustomer:
    return PlatformCustomer(
        ref=str(c["id"]),
        first_name=c["first_name"],
        last_name=c["last_name"],
        email=c["email"],
        phone=c["phone"],
        postal_code=c["postal_code"],
    )


def _item(i: dict[str, Any]) -> PlatformItem:
    return PlatformItem(
        ref=str(i["id"]),
        sku=i["sku"],
        product_name=i["product_name"],
        category=i["category"],
        quantity=i["quantity"],
        unit_price=i["unit_price"],
        final_sale=bool(i["final_sale"]),
    )
