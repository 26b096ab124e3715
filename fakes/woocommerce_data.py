"""The demo shop's orders dressed as WooCommerce stores them (REST v3 JSON), for the fake.

How each demo fact is written is what :mod:`actions.shop.woocommerce_mapping` reads:

- ids differ from numbers: order id = 5000 + demo ref, line item id = 900 + ref, account
  customer id = 200 + ref; a customer with a single order checked out as a guest
  (``customer_id`` 0, no ``/customers`` record);
- GB phone numbers in national format with a space (``07700 900001``), others international
  with spaces, so the adapter's E.164 normalising is exercised;
- status: placed → pending, paid → processing, packed → processing + meta
  ``baton_fulfilment_stage``, shipped/out for delivery/delayed/lost/delivered → completed,
  cancelled and refunded → refunded (a full refund sets that in WooCommerce), cancelled
  unpaid → cancelled, with the status-change system notes WooCommerce writes;
- parcels: orders with an even id carry the Shipment Tracking plugin's
  ``_wc_shipment_tracking_items`` meta, odd ones a warehouse note "Shipped with …"; both carry
  ``baton_parcels`` meta for the rest;
- products (one per SKU) carry the category and a ``final-sale`` tag.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timezone
from typing import Any, Optional

from actions.shop.demo import demo_platform_orders, demo_stock
from actions.shop.platform import PlatformOrder, PlatformShipment
from actions.store.seed import shop_today

Json = dict[str, Any]
ORDER_ID_OFFSET, ITEM_ID_OFFSET, CUSTOMER_ID_OFFSET = 5000, 900, 200
STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
}
GATEWAYS = {"PayPal": "ppcp-gateway", "Apple Pay": "stripe_applepay", "Google Pay": "stripe_gpay"}


def gmt(value: Optional[datetime]) -> Optional[str]:
    return value.strftime("%Y-%m-%dT%H:%M:%S") if value else None


def local_phone(phone: str) -> str:
    """As a shopper types it: GB national with a space, others international with spaces."""
    if phone.startswith("+44"):
        rest = "0" + phone[3:]
        return f"{rest[:5]} {rest[5:]}"
    return f"{phone[:4]} {phone[4:6]} {phone[6:9]} {phone[9:]}".strip()


def stock_fields(sku: str) -> Json:
    """A product's stock as WooCommerce writes it: managed with the seed's units where the seed
    counts the SKU (:func:`actions.shop.demo.demo_stock`), not managed and in stock otherwise."""
    levels = demo_stock()
    if sku not in levels:
        return {"manage_stock": False, "stock_quantity": None, "stock_status": "instock"}
    left = levels[sku]
    status = "instock" if left > 0 else "outofstock"
    return {"manage_stock": True, "stock_quantity": left, "stock_status": status}


class Shop:
    """All the fake's data: orders, notes, refunds, customers and products, by id."""

    def __init__(self, anchor: Optional[date] = None, site: str = "http://127.0.0.1") -> None:
        self.site = site.rstrip("/")
        self.orders: dict[int, Json] = {}
        self.notes: dict[int, list[Json]] = {}
        self.refunds: dict[int, list[Json]] = {}
        self.customers: dict[int, Json] = {}
        self.products: dict[str, Json] = {}
        self._ids = 70000  # notes, refunds, meta
        demo = demo_platform_orders(anchor or shop_today())
        counts: dict[str, int] = {}
        for o in demo:
            counts[o.customer.ref] = counts.get(o.customer.ref, 0) + 1
        for o in demo:
            self._add(o, guest=counts[o.customer.ref] == 1)

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def link(self, path: str) -> list[Json]:
        return [{"href": f"{self.site}/wp-json/wc/v3/{path}"}]

    def product(self, sku: str, name: str, category: str, final_sale: bool) -> Json:
        if sku not in self.products:
            pid = 300 + len(self.products)
            tags = [{"id": 11, "name": "Final sale", "slug": "final-sale"}] if final_sale else []
            self.products[sku] = {
                "id": pid,
                "name": name.split(",")[0],
                "slug": sku.lower(),
                "sku": sku,
                "type": "simple",
                "status": "publish",
                "categories": [
                    {"id": 20 + len(category), "name": category.title(), "slug": category}
                ],
                "tags": tags,
                **stock_fields(sku),
                "_links": {"self": self.link(f"products/{pid}")},
            }
        return self.products[sku]

    def address(self, o: PlatformOrder, kind: str) -> Json:
        c, a = o.customer, o.shipping_address
        out = {
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company": "",
            "address_1": a.line1,
            "address_2": a.line2 or "",
            "city": a.city,
            "state": "",
            "postcode": a.postal_code if kind == "shipping" else c.postal_code,
            "country": a.country,
        }
        if kind == "billing":
            out["email"] = c.email
            out["phone"] = local_phone(c.phone or "")
        return out

    def _add(self, o: PlatformOrder, guest: bool) -> None:
        oid = ORDER_ID_OFFSET + int(o.ref)
        customer_id = 0 if guest else CUSTOMER_ID_OFFSET + int(o.customer.ref)
        billing, shipping = self.address(o, "billing"), self.address(o, "shipping")
        if customer_id and customer_id not in self.customers:
            self.customers[customer_id] = {
                "id": customer_id,
                "date_created_gmt": gmt(o.placed_at),
                "email": o.customer.email,
                "first_name": o.customer.first_name,
                "last_name": o.customer.last_name,
                "role": "customer",
                "username": o.customer.email.split("@")[0],
                "billing": billing,
                "shipping": shipping,
                "is_paying_customer": True,
                "meta_data": [],
                "_links": {"self": self.link(f"customers/{customer_id}")},
            }
        notes: list[Json] = []
        meta: list[Json] = []
        status = _woo_status(o)
        items = []
        for i in o.items:
            p = self.product(i.sku, i.product_name, i.category, i.final_sale)
            line = f"{i.unit_price * i.quantity:.2f}"
            items.append(
                {
                    "id": ITEM_ID_OFFSET + int(i.ref),
                    "name": i.product_name,
                    "product_id": p["id"],
                    "variation_id": 0,
                    "quantity": i.quantity,
                    "tax_class": "",
                    "subtotal": line,
                    "subtotal_tax": "0.00",
                    "total": line,
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                    "sku": i.sku,
                    "price": float(i.unit_price),
                    "image": {"id": "", "src": ""},
                    "parent_name": None,
                }
            )
        if o.status == "packed":
            meta.append({"key": "baton_fulfilment_stage", "value": "packed"})
        for key, value in (
            ("baton_expected_dispatch", o.expected_dispatch),
            ("baton_promised_delivery", o.promised_delivery),
        ):
            if value:
                meta.append({"key": key, "value": value.isoformat()})
        if o.shipments:
            self._parcels(oid, o.shipments, meta, notes)
        if o.status == "cancelled" and o.cancelled_at:
            was = "Processing" if o.paid_at else "Pending payment"
            self._note(notes, o.cancelled_at, f"Order status changed from {was} to Cancelled.")
            if o.cancellation_reason:
                self._note(notes, o.cancelled_at, f"Cancellation reason: {o.cancellation_reason}")
        refunds: list[Json] = []
        for r in o.refunds:
            refunds.append(
                self.refund(
                    oid,
                    r.amount,
                    f"Return {r.rma}",
                    r.refunded_at,
                    r.destination if r.destination != o.payment_method else None,
                )
            )
        if o.payment_status == "refunded" and o.refunded_at:
            reason = f"Order cancelled: {o.cancellation_reason or ''}".strip()
            refunds.append(self.refund(oid, o.total, reason, o.refunded_at, None))
            self._note(notes, o.refunded_at, "Order status changed from Cancelled to Refunded.")
        for m in meta:
            m["id"] = self.next_id()
        completed = min((s.shipped_at for s in o.shipments if s.shipped_at), default=None)
        self.notes[oid], self.refunds[oid] = notes, refunds
        self.orders[oid] = {
            "id": oid,
            "parent_id": 0,
            "number": o.number,
            "order_key": f"wc_order_{oid:x}",
            "created_via": "checkout",
            "version": "8.9.3",
            "status": status,
            "currency": o.currency,
            "date_created": gmt(o.placed_at),
            "date_created_gmt": gmt(o.placed_at),
            "date_modified": gmt(o.placed_at),
            "date_modified_gmt": gmt(o.placed_at),
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "shipping_total": f"{o.shipping_fee:.2f}",
            "shipping_tax": "0.00",
            "cart_tax": "0.00",
            "total": f"{o.total:.2f}",
            "total_tax": "0.00",
            "prices_include_tax": False,
            "customer_id": customer_id,
            "customer_ip_address": "",
            "customer_user_agent": "",
            "customer_note": "",
            "billing": billing,
            "shipping": shipping,
            "payment_method": GATEWAYS.get(o.payment_method, "stripe"),
            "payment_method_title": o.payment_method,
            "transaction_id": f"pi_{hashlib.sha256(o.number.encode()).hexdigest()[:14]}"
            if o.paid_at
            else "",
            "date_paid": gmt(o.paid_at),
            "date_paid_gmt": gmt(o.paid_at),
            "date_completed": gmt(completed),
            "date_completed_gmt": gmt(completed),
            "cart_hash": "",
            "meta_data": meta,
            "line_items": items,
            "tax_lines": [],
            "shipping_lines": [
                {
                    "id": oid * 10,
                    "method_title": "Flat rate",
                    "method_id": "flat_rate",
                    "total": f"{o.shipping_fee:.2f}",
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
            ],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
            "set_paid": False,
            "_links": {"self": self.link(f"orders/{oid}"), "collection": self.link("orders")},
        }
        if customer_id:
            self.orders[oid]["_links"]["customer"] = self.link(f"customers/{customer_id}")
        self.sync_refunds(oid)

    def _note(self, notes: list[Json], at: datetime, text: str, author: str = "system") -> Json:
        note = {
            "id": self.next_id(),
            "author": author,
            "date_created": gmt(at),
            "date_created_gmt": gmt(at),
            "note": text,
            "customer_note": False,
        }
        notes.append(note)
        return note

    def refund(
        self,
        oid: int,
        amount: Any,
        reason: str,
        at: datetime,
        destination: Optional[str],
        api: bool = True,
    ) -> Json:
        rid = self.next_id()
        meta = [{"id": self.next_id(), "key": "baton_refund_destination", "value": destination}]
        return {
            "id": rid,
            "date_created": gmt(at),
            "date_created_gmt": gmt(at),
            "amount": f"{amount:.2f}",
            "reason": reason,
            "refunded_by": 1,
            "refunded_payment": api,
            "meta_data": meta if destination else [],
            "line_items": [],
            "shipping_lines": [],
            "tax_lines": [],
            "fee_lines": [],
            "_links": {
                "self": self.link(f"orders/{oid}/refunds/{rid}"),
                "up": self.link(f"orders/{oid}"),
            },
        }

    def sync_refunds(self, oid: int) -> None:
        """The order's ``refunds`` summary, as WooCommerce embeds it."""
        self.orders[oid]["refunds"] = [
            {"id": r["id"], "reason": r["reason"], "total": f"-{r['amount']}"}
            for r in sorted(self.refunds[oid], key=lambda r: r["id"], reverse=True)
        ]

    def _parcels(
        self, oid: int, shipments: tuple[PlatformShipment, ...], meta: list[Json], notes: list[Json]
    ) -> None:
        plugin, extra = [], []
        for s in shipments:
            if oid % 2 == 0:
                plugin.append(
                    {
                        "tracking_provider": "",
                        "custom_tracking_provider": s.carrier,
                        "custom_tracking_link": s.tracking_url,
                        "tracking_number": s.tracking_number,
                        "date_shipped": str(
                            int(
                                datetime.combine(
                                    (s.shipped_at or datetime.min).date(), time(), timezone.utc
                                ).timestamp()
                            )
                        ),
                        "tracking_id": hashlib.md5(s.tracking_number.encode()).hexdigest(),  # noqa: S324 - as the plugin does
                    }
                )
            else:
                self._note(
                    notes,
                    s.shipped_at or datetime.min,
                    f"Shipped with {s.carrier}, tracking {s.tracking_number}, {s.tracking_url}",
                    author="warehouse",
                )
            extra.append(
                {
                    "tracking_number": s.tracking_number,
                    "status": s.status,
                    "shipped_at": gmt(s.shipped_at),
                    "estimated_delivery": s.estimated_delivery.isoformat()
                    if s.estimated_delivery
                    else None,
                    "delivered_at": gmt(s.delivered_at),
                    "delivered_to": s.delivered_to,
                    "events": [
                        {
                            "at": gmt(e.occurred_at),
                            "status": e.status,
                            "description": e.description,
                            "location": e.location,
                        }
                        for e in s.events
                    ],
                    "items": [
                        {"line_item_id": ITEM_ID_OFFSET + int(ref), "quantity": q}
                        for ref, q in s.contents
                    ],
                }
            )
        if plugin:
            meta.append({"key": "_wc_shipment_tracking_items", "value": plugin})
        meta.append({"key": "baton_parcels", "value": extra})


def _woo_status(o: PlatformOrder) -> str:
    if o.status == "cancelled":
        return "refunded" if o.payment_status == "refunded" else "cancelled"
    return {"placed": "pending", "paid": "processing", "packed": "processing"}.get(
        o.status, "completed"
    )
