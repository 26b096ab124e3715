"""The demo shop's rows (``actions.store.seed.build_rows``) as the frozen models the actions get.

:class:`tests.support.fake_shop.FakeShop` is built from these, so an in-memory test sees the
same orders, customers and returns as a test on a seeded SQLite store — and the contract test
(tests/shop/test_fake_shop_contract.py) can hold the two side by side. Pure: no database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from actions.store.models import (
    Address,
    Customer,
    Order,
    OrderItem,
    Shipment,
    Store,
    TrackingEvent,
)
from actions.store.repository import rma_for
from actions.store.returns_models import Refund, Return, ReturnLabel, ReturnLine
from actions.store.seed import build_rows
from actions.store.seed_returns import build_return_rows

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class ShopData:
    """Everything a :class:`FakeShop` holds, keyed the way the backend is asked."""

    customers: dict[int, Customer] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    stores: dict[int, Store] = field(default_factory=dict)
    returns: dict[int, Return] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)  # idempotency key -> return id
    # order id -> item id -> the parcels (ids) it travels in, as shipment_items says
    item_parcels: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    # units in stock by SKU, as stock_levels says (a SKU not here is not tracked)
    stock: dict[str, int] = field(default_factory=dict)


def demo_data(anchor: date) -> ShopData:
    """The demo shop for ``anchor``, with its returns in every state."""
    rows = build_rows(anchor)
    return from_rows(rows, build_return_rows(rows))


def _store(r: dict[str, Any]) -> Store:
    return Store(
        id=r["id"],
        name=r["name"],
        line1=r["line1"],
        city=r["city"],
        postal_code=r["postal_code"],
        country=r["country"],
        phone=r.get("phone"),
        latitude=r["latitude"],
        longitude=r["longitude"],
        opening_hours=dict(r["opening_hours"]),
        accepts_returns=bool(r.get("accepts_returns", True)),
    )


def store_address(store: Store) -> str:
    """How a return names its drop-off store (as the repository joins it)."""
    return f"{store.line1}, {store.city} {store.postal_code}"


def from_rows(shop: Rows, returns: Rows) -> ShopData:
    """Models from table rows, ordered as the repository's queries order them."""
    data = ShopData()
    for r in shop["customers"]:
        data.customers[r["id"]] = Customer(
            r["id"], r["first_name"], r["last_name"], r["email"], r.get("phone"), r["postal_code"]
        )
    data.stores = {r["id"]: _store(r) for r in shop["stores"]}
    data.stock = {r["sku"]: r["available"] for r in shop.get("stock_levels", [])}
    addresses = {a["id"]: a for a in shop["addresses"]}
    items: dict[int, list[OrderItem]] = defaultdict(list)
    for r in sorted(shop["order_items"], key=lambda r: r["id"]):
        items[r["order_id"]].append(
            OrderItem(
                r["id"],
                r["sku"],
                r["product_name"],
                r["category"],
                r["quantity"],
                r["unit_price"],
                bool(r.get("final_sale", False)),
            )
        )
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in sorted(shop["tracking_events"], key=lambda e: (e["occurred_at"], e["id"])):
        events[e["shipment_id"]].append(e)
    contents: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for si in sorted(shop["shipment_items"], key=lambda si: si["order_item_id"]):
        contents[si["shipment_id"]].append(si)
    parcels: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in sorted(shop["shipments"], key=lambda s: s["id"]):
        parcels[s["order_id"]].append(s)
    for o in shop["orders"]:
        names = {i.id: i.product_name for i in items[o["id"]]}
        shipments = tuple(
            Shipment(
                id=s["id"],
                carrier=s["carrier"],
                tracking_number=s["tracking_number"],
                tracking_url=s["tracking_url"],
                status=s["status"],
                shipped_at=s.get("shipped_at"),
                estimated_delivery=s.get("estimated_delivery"),
                delivered_at=s.get("delivered_at"),
                delivered_to=s.get("delivered_to"),
                events=tuple(
                    TrackingEvent(e["occurred_at"], e["status"], e["description"], e["location"])
                    for e in events[s["id"]]
                ),
                contents=tuple(
                    (names.get(si["order_item_id"], "item"), si["quantity"])
                    for si in contents[s["id"]]
                ),
            )
            for s in parcels[o["id"]]
        )
        a = addresses[o["shipping_address_id"]]
        data.orders[o["number"]] = Order(
            id=o["id"],
            number=o["number"],
            customer_id=o["customer_id"],
            status=o["status"],
            placed_at=o["placed_at"],
            paid_at=o.get("paid_at"),
            currency=o["currency"],
            subtotal=o["subtotal"],
            shipping_fee=o["shipping_fee"],
            total=o["total"],
            expected_dispatch=o.get("expected_dispatch"),
            promised_delivery=o.get("promised_delivery"),
            cancelled_at=o.get("cancelled_at"),
            cancellation_reason=o.get("cancellation_reason"),
            payment_status=o["payment_status"],
            refunded_at=o.get("refunded_at"),
            payment_method=o["payment_method"],
            shipping_address=Address(
                a["line1"], a.get("line2"), a["city"], a["postal_code"], a["country"]
            ),
            email=data.customers[o["customer_id"]].email,
            items=tuple(items[o["id"]]),
            shipments=shipments,
        )
        item_parcels: dict[int, list[int]] = defaultdict(list)
        for s in parcels[o["id"]]:
            for si in contents[s["id"]]:
                item_parcels[si["order_item_id"]].append(s["id"])
        data.item_parcels[o["id"]] = dict(item_parcels)
    _add_returns(data, returns)
    return data


def _add_returns(data: ShopData, rows: Rows) -> None:
    by_id = {o.id: o for o in data.orders.values()}
    labels = {r["return_id"]: r for r in rows["return_labels"]}
    refunds = {r["return_id"]: r for r in rows["refunds"]}
    lines: dict[int, list[ReturnLine]] = defaultdict(list)
    for ri in sorted(rows["return_items"], key=lambda ri: (ri["return_id"], ri["order_item_id"])):
        order = by_id[next(r["order_id"] for r in rows["returns"] if r["id"] == ri["return_id"])]
        item = next(i for i in order.items if i.id == ri["order_item_id"])
        lines[ri["return_id"]].append(
            ReturnLine(item.id, item.product_name, ri["quantity"], item.unit_price)
        )
    for r in rows["returns"]:
        order = by_id[r["order_id"]]
        store = data.stores.get(r["store_id"]) if r.get("store_id") else None
        label, refund = labels.get(r["id"]), refunds.get(r["id"])
        data.returns[r["id"]] = Return(
            id=r["id"],
            rma=r.get("rma") or rma_for(r["id"]),
            order_number=order.number,
            customer_id=r["customer_id"],
            status=r["status"],
            reason=r["reason"],
            reason_note=r.get("reason_note"),
            method=r["method"],
            store_name=store.name if store else None,
            store_address=store_address(store) if store else None,
            refund_method=r["refund_method"],
            currency=r["currency"],
            items_value=r["items_value"],
            return_fee=r["return_fee"],
            refund_amount=r["refund_amount"],
            created_at=r["created_at"],
            return_by=r.get("return_by"),
            shipped_at=r.get("shipped_at"),
            received_at=r.get("received_at"),
            inspected_at=r.get("inspected_at"),
            rejected_at=r.get("rejected_at"),
            rejection_reason=r.get("rejection_reason"),
            payment_method=order.payment_method,
            lines=tuple(lines[r["id"]]),
            label=_label(label),
            refund=_refund(refund),
        )
        data.keys[r["idempotency_key"]] = r["id"]


def _label(r: Optional[dict[str, Any]]) -> Optional[ReturnLabel]:
    if r is None:
        return None
    return ReturnLabel(
        r["carrier"], r["tracking_number"], r["tracking_url"], r["created_at"], r["valid_until"]
    )


def _refund(r: Optional[dict[str, Any]]) -> Optional[Refund]:
    if r is None:
        return None
    refunded_at: datetime = r["refunded_at"]
    return Refund(r["amount"], r["currency"], r["method"], r["destination"], refunded_at)
