"""The fake WooCommerce's ``POST /orders``: an order made through the REST API (Baton sends a
claim's replacement this way), in WooCommerce's JSON.

As WooCommerce does: the line items are the products of ``product_id`` at the ``subtotal`` /
``total`` given, ``set_paid: true`` marks it paid (``date_paid``, status ``processing``) and
reduces the stock of products whose stock is managed, ``meta_data`` is kept as sent (its keys
searched nowhere: a client finds the order again through the customer's orders), ``customer_id``
0 is a guest order found by its billing e-mail.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from fakes.woocommerce_controls import FakeControls, error, now
from fakes.woocommerce_data import Json, gmt

ITEM_IDS = 900000


def create_order(fake: FakeControls, body: Json) -> web.Response:
    shop = fake.shop
    products = {p["id"]: p for p in shop.products.values()}
    customer_id = int(body.get("customer_id") or 0)
    email = str((body.get("billing") or {}).get("email", ""))
    template = next(
        (
            o
            for o in shop.orders.values()
            if (customer_id and o["customer_id"] == customer_id)
            or (not customer_id and not o["customer_id"] and o["billing"].get("email") == email)
        ),
        None,
    )
    if template is None:
        return error(400, "woocommerce_rest_invalid_customer_id", "Invalid customer ID.")
    lines: list[Json] = []
    for n, line in enumerate(body.get("line_items") or []):
        product = products.get(int(line.get("product_id") or 0))
        if product is None:
            return error(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
        try:
            total = Decimal(str(line.get("total", "0")))
        except InvalidOperation:
            return error(400, "rest_invalid_param", "Invalid parameter(s): line_items")
        lines.append(_line(shop.next_id() + ITEM_IDS + n, product, int(line["quantity"]), total))
    if not lines:
        return error(400, "rest_invalid_param", "Invalid parameter(s): line_items")
    oid = max(shop.orders) + 1
    number = str(max(int(o["number"]) for o in shop.orders.values()) + 1)
    moment, paid = gmt(now()), bool(body.get("set_paid"))
    order = copy.deepcopy(template)
    total = sum((Decimal(li["total"]) for li in lines), Decimal("0.00"))
    order.update(
        {
            "id": oid,
            "number": number,
            "order_key": f"wc_order_{oid:x}",
            "created_via": "rest-api",
            "status": "processing" if paid else str(body.get("status") or "pending"),
            "date_created": moment,
            "date_created_gmt": moment,
            "date_modified": moment,
            "date_modified_gmt": moment,
            "date_paid": moment if paid else None,
            "date_paid_gmt": moment if paid else None,
            "date_completed": None,
            "date_completed_gmt": None,
            "shipping_total": "0.00",
            "total": f"{total:.2f}",
            "customer_id": customer_id,
            "billing": {**template["billing"], **(body.get("billing") or {})},
            "shipping": {**template["shipping"], **(body.get("shipping") or {})},
            "payment_method": str(body.get("payment_method") or ""),
            "payment_method_title": str(body.get("payment_method_title") or ""),
            "transaction_id": "",
            "meta_data": [
                {"id": shop.next_id(), "key": m["key"], "value": m.get("value")}
                for m in body.get("meta_data") or []
            ],
            "line_items": lines,
            "shipping_lines": [],
            "refunds": [],
        }
    )
    if paid:
        for line in lines:
            product = products[line["product_id"]]
            if product.get("manage_stock"):
                product["stock_quantity"] -= line["quantity"]
                if product["stock_quantity"] <= 0:
                    product["stock_status"] = "outofstock"
    shop.orders[oid], shop.notes[oid], shop.refunds[oid] = order, [], []
    fake.log.add({"write": "order_created", "id": oid, "number": number, "body": body})
    return web.json_response(order, status=201)


def _line(item_id: int, product: Json, quantity: int, total: Decimal) -> dict[str, Any]:
    figure = f"{total:.2f}"
    return {
        "id": item_id,
        "name": product["name"],
        "product_id": product["id"],
        "variation_id": 0,
        "quantity": quantity,
        "tax_class": "",
        "subtotal": figure,
        "subtotal_tax": "0.00",
        "total": figure,
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": [],
        "sku": product["sku"],
        "price": float(total / quantity) if quantity else 0.0,
        "image": {"id": "", "src": ""},
        "parent_name": None,
    }
