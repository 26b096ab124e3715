"""A claim's replacement order on WooCommerce (REST v3).

``POST /orders`` with the claimed lines as the products of their SKUs (``GET /products?sku=``)
at ``subtotal``/``total`` 0.00, the original order's customer (``customer_id``; 0 and the billing
e-mail for a guest), billing and shipping copied, ``set_paid: true`` (nothing to pay; WooCommerce
marks it processing and reduces the stock it manages), the payment method title "No charge
(replacement)" and ``meta_data`` ``_baton_claim: CLM-…``; then a private order note naming the
claim for the shop's staff. A 400 is a refusal (:class:`~actions.shop.platform.PlatformRefused`).

WooCommerce searches no meta data, so an order made before (after a crash or a timeout) is found
among the customer's newest orders (``GET /orders?customer=`` — or ``search=`` the e-mail for a
guest) by its ``_baton_claim``.
"""

from __future__ import annotations

from typing import Any, Optional

from actions.shop.claim_replacement import PlatformReplacement
from actions.shop.platform import PlatformOrder, PlatformRefused
from actions.shop.woocommerce_http import WooHttp, checked

Json = dict[str, Any]
META = "_baton_claim"
#: The customer's newest orders searched for one made before.
LOOK_BACK = 50


def names_claim(order: Json, claim: str) -> bool:
    return any(
        m.get("key") == META and m.get("value") == claim for m in order.get("meta_data") or []
    )


def _customer(order: PlatformOrder) -> tuple[int, Optional[str]]:
    """(customer_id, guest e-mail): a guest has no account, only the e-mail on its orders."""
    ref = order.customer.ref
    if ref.startswith("guest:"):
        return 0, ref.removeprefix("guest:")
    return int(ref), None


async def replacement_of(http: WooHttp, order: PlatformOrder, claim: str) -> Optional[Json]:
    """The customer's order whose meta data names the claim, if WooCommerce has one."""
    customer_id, email = _customer(order)
    params: Json = {"per_page": LOOK_BACK, "orderby": "date", "order": "desc"}
    params.update({"search": email} if email else {"customer": customer_id})
    for found in await http._list("orders", params):
        if names_claim(found, claim):
            return found
    return None


def order_body(order: PlatformOrder, send: PlatformReplacement, products: dict[str, int]) -> Json:
    customer_id, _ = _customer(order)
    c, a = order.customer, order.shipping_address
    shipping = {
        "first_name": c.first_name,
        "last_name": c.last_name,
        "address_1": a.line1,
        "address_2": a.line2 or "",
        "city": a.city,
        "postcode": a.postal_code,
        "country": a.country,
    }
    return {
        "customer_id": customer_id,
        "billing": {**shipping, "email": c.email},
        "shipping": shipping,
        "line_items": [
            {"product_id": products[sku], "quantity": quantity, "subtotal": "0.00", "total": "0.00"}
            for sku, _, quantity in send.lines
        ],
        "set_paid": True,
        "payment_method": "",
        "payment_method_title": "No charge (replacement)",
        "meta_data": [{"key": META, "value": send.claim}],
    }


async def send_replacement(http: WooHttp, order: PlatformOrder, send: PlatformReplacement) -> Json:
    """Make the order and note it; the order's JSON."""
    skus = sorted({sku for sku, _, _ in send.lines})
    listed = await http._list("products", {"sku": ",".join(skus), "per_page": 100})
    products = {str(p["sku"]): int(p["id"]) for p in listed if p.get("sku") in skus}
    missing = [sku for sku in skus if sku not in products]
    if missing:
        raise PlatformRefused(f"no product with SKU {', '.join(missing)}")
    status, data, _ = await http._send("POST", "orders", body=order_body(order, send, products))
    if status == 400:
        message = data.get("message") if isinstance(data, dict) else None
        raise PlatformRefused(str(message or "WooCommerce refused the order"))
    made: Json = checked("POST", "orders", status, data, False)
    note = {"note": send.note, "customer_note": False}
    await http._call("POST", f"orders/{int(made['id'])}/notes", body=note)
    return made
