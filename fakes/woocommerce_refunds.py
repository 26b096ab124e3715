"""The WooCommerce fake's ``POST /orders/<id>/refunds`` (see :mod:`fakes.woocommerce`).

As WooCommerce does it: ``amount`` takes precedence over the lines' ``refund_total``; the
amount must not be negative nor more than is left to refund (400
``woocommerce_rest_cannot_create_order_refund`` "Invalid refund amount."); ``line_items``
must name lines of the order with no more than is left of each (400, the fake's wording);
``api_refund`` fails with WooCommerce's 500 when the order's gateway was told not to refund
(no refund is written then); ``api_restock`` (default true) is logged, the fake keeps no
stock. The refund keeps its lines as WooCommerce shows them: negative
``quantity``/``total`` and a ``_refunded_item_id`` meta naming the order's line. A refund of
what is left sets the order to refunded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from fakes.woocommerce_controls import FakeControls, error, now
from fakes.woocommerce_data import Json

CANNOT = "woocommerce_rest_cannot_create_order_refund"


def _refunded_quantity(refunds: list[Json], line_id: int) -> int:
    return sum(
        abs(int(li["quantity"]))
        for r in refunds
        for li in r.get("line_items") or []
        for m in li.get("meta_data") or []
        if m.get("key") == "_refunded_item_id" and int(m["value"]) == line_id
    )


def _money(value: Any) -> Decimal:
    return Decimal(str(value if value not in (None, "") else "0"))


def create_refund(fake: FakeControls, order: Json, body: Json) -> web.Response:
    listed = fake.shop.refunds[order["id"]]
    lines = {li["id"]: li for li in order["line_items"]}
    wanted = body.get("line_items") or []
    try:
        left = _money(order["total"]) - sum((_money(r["amount"]) for r in listed), Decimal(0))
        by_lines = sum((_money(li.get("refund_total")) for li in wanted), Decimal(0))
        amount = _money(body["amount"]) if body.get("amount") not in (None, "") else by_lines
    except (InvalidOperation, TypeError, ValueError):
        return error(400, "rest_invalid_param", "Invalid parameter(s): amount")
    if amount < 0 or amount > left or (amount == 0 and not wanted):
        return error(400, CANNOT, "Invalid refund amount.")
    refund_lines = []
    for li in wanted:
        line = lines.get(int(li.get("id") or 0))
        quantity = int(li.get("quantity") or 0)
        if line is None:
            return error(400, CANNOT, "Invalid line item ID.")
        if quantity < 0 or _refunded_quantity(listed, line["id"]) + quantity > line["quantity"]:
            return error(400, CANNOT, "Invalid refund quantity.")
        total = _money(li.get("refund_total"))
        refund_lines.append(
            {
                "id": fake.shop.next_id(),
                "name": line["name"],
                "product_id": line["product_id"],
                "variation_id": 0,
                "quantity": -quantity,
                "tax_class": "",
                "subtotal": f"{-total:.2f}",
                "subtotal_tax": "0.00",
                "total": f"{-total:.2f}",
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [
                    {
                        "id": fake.shop.next_id(),
                        "key": "_refunded_item_id",
                        "value": str(line["id"]),
                        "display_key": "_refunded_item_id",
                        "display_value": str(line["id"]),
                    }
                ],
                "sku": line["sku"],
                "price": -float(line["price"]),
            }
        )
    api = bool(body.get("api_refund", True))
    if api and order["id"] in fake.no_gateway_refunds:
        return error(
            500, CANNOT, "The payment gateway for this order does not support automatic refunds."
        )
    refund = fake.shop.refund(order["id"], amount, str(body.get("reason") or ""), now(), None, api)
    refund["line_items"] = refund_lines
    listed.append(refund)
    fake.shop.sync_refunds(order["id"])
    if amount == left and amount > 0:
        fake.set_status(order, "refunded")
    fake.log.add(
        {
            "write": "refund",
            "id": order["id"],
            "amount": refund["amount"],
            "api_refund": api,
            "api_restock": bool(body.get("api_restock", True)),  # the fake keeps no stock
            "reason": refund["reason"],
            "lines": [(li["id"], li["quantity"]) for li in wanted],
        }
    )
    return web.json_response(refund, status=201)
