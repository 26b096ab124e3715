"""WooCommerce REST v3 JSON → Baton's ``Platform*`` values (pure functions, no I/O).

Mapping (WooCommerce → Baton):

=====================================  ==========================================================
order ``id``                           ``PlatformOrder.ref`` (str)
order ``number``                       ``number`` (differs from ``id`` with numbering plugins)
``status`` + parcels (below)           ``status``: pending/on-hold/failed → placed; processing →
                                       paid, or packed when meta ``baton_fulfilment_stage`` is
                                       ``packed``; cancelled → cancelled; completed → from the
                                       parcels (any lost → lost_in_transit, any delayed → delayed,
                                       all delivered → delivered, any out_for_delivery →
                                       out_for_delivery, else shipped); refunded → from the
                                       parcels, else cancelled. Any status with parcels → from
                                       the parcels.
``date_created_gmt``/``date_paid_gmt``  ``placed_at``/``paid_at`` (naive UTC)
``currency``, ``shipping_total``,      ``currency``, ``shipping_fee``, ``total``; ``subtotal`` is
``total``, ``line_items[].subtotal``    the sum of line subtotals (+ their tax when
                                       ``prices_include_tax``)
``billing`` + ``customer_id``          ``customer``: first/last name, email, phone (E.164, from
                                       the billing country), postcode; ref = ``customer_id``, or
                                       ``guest:<email>`` for a guest (``customer_id`` 0)
``shipping``                           ``shipping_address`` (address_1/2, city, postcode, country)
``line_items[]``                       ``items``: id, sku, name, quantity, subtotal/quantity;
                                       category = the product's first category slug and
                                       final_sale = a ``final-sale`` product tag, both from a
                                       ``GET /products?include=`` lookup ("" / False without one)
``payment_method_title``               ``payment_method``
``GET /orders/<id>/refunds``           ``refunds``: id, amount, date_created_gmt; ``rma`` when the
                                       reason names one (``RMA-20007``), ``claim`` when it says
                                       ``Baton claim CLM-30001``; destination = refund meta
                                       ``baton_refund_destination``, else the payment method title
refunds with ``line_items``, no RMA    items ``cancelled_at``/``refunded`` for each line they
or claim                               cover whole (:mod:`actions.shop.woocommerce_refunds`)
status + refunds + ``date_paid_gmt``   ``payment_status``: refunded (status refunded, or refunds
                                       not tied to a return cover the total), voided (cancelled,
                                       never paid), pending (not paid), partially_refunded
                                       (some order-level refund), else paid. Return refunds and
                                       refunds of cancelled lines do not change it: the rest of
                                       the order stands paid.
notes "Order status changed from …     ``cancelled_at`` (the newest such system note; else
to Cancelled."                          ``date_modified_gmt``: lossy)
note "Cancellation reason: …"          ``cancellation_reason`` (the newest; else None)
meta ``baton_expected_dispatch``,      ``expected_dispatch``, ``promised_delivery`` (YYYY-MM-DD):
``baton_promised_delivery``             WooCommerce has no field for either
=====================================  ==========================================================

Parcels (carrier, tracking number and link, parcel status, events, contents) and the
``baton_parcels`` meta convention: :mod:`actions.shop.woocommerce_tracking`.

Lossy: a completed order with no parcel is "shipped" (WooCommerce cannot say it arrived); a
"failed" payment reads as placed; ``cancelled_at`` without the system note is the last
modification time; tax-inclusive prices are exact only to the cent WooCommerce rounded to.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from actions.shop.platform import (
    PlatformAddress,
    PlatformCustomer,
    PlatformItem,
    PlatformOrder,
    PlatformRefund,
    PlatformShipment,
    claim_named,
)
from actions.shop.woocommerce_refunds import cancelled_lines, cancels_lines
from actions.shop.woocommerce_tracking import (
    TRACKING_META,
    Json,
    day,
    meta,
    parcel_status,
    shipments,
    utc,
)

__all__ = ["Json", "e164", "money", "needs_notes", "order", "product_facts", "utc"]
STAGE_META = "baton_fulfilment_stage"
FINAL_SALE_TAG = "final-sale"
_CENT = Decimal("0.01")
_CANCELLED_NOTE = re.compile(r"Order status changed from .+ to Cancelled\.", re.IGNORECASE)
_REASON_NOTE = re.compile(r"^Cancellation reason:\s*(?P<reason>.+)$", re.IGNORECASE | re.DOTALL)
_RMA = re.compile(r"\bRMA-\d+\b")
# Calling codes for turning a national number into E.164, by billing country. A country not
# listed keeps only numbers already written internationally (+… or 00…).
CALLING_CODES = {
    "GB": "44",
    "IE": "353",
    "US": "1",
    "CA": "1",
    "AU": "61",
    "NZ": "64",
    "DE": "49",
    "FR": "33",
    "NL": "31",
    "BE": "32",
    "ES": "34",
    "PT": "351",
    "IT": "39",
    "AT": "43",
    "CH": "41",
    "SE": "46",
    "DK": "45",
    "NO": "47",
    "FI": "358",
    "PL": "48",
}
_KEEPS_TRUNK_ZERO = {"IT"}  # Italian numbers keep their leading 0 after +39


def money(value: Any) -> Decimal:
    return Decimal(str(value or "0")).quantize(_CENT)


def e164(raw: Optional[str], country: Optional[str] = None) -> Optional[str]:
    """``raw`` as E.164 (``+447700900001``), or None when it cannot be made one."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    written = raw.strip()
    if written.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    else:
        code = CALLING_CODES.get((country or "").upper())
        if code is None:
            return None
        if digits.startswith(code) and len(digits) > 10:  # international without the +
            number = digits
        else:
            if digits.startswith("0") and (country or "").upper() not in _KEEPS_TRUNK_ZERO:
                digits = digits[1:]
            number = code + digits
    return f"+{number}" if 8 <= len(number) <= 15 else None


def customer(data: Json, ref: str, email: Optional[str] = None) -> PlatformCustomer:
    """From an order's or a customer's JSON: names, e-mail, phone and postcode of ``billing``."""
    billing = data.get("billing") or {}
    country = billing.get("country") or (data.get("shipping") or {}).get("country")
    return PlatformCustomer(
        ref=ref,
        first_name=data.get("first_name") or billing.get("first_name") or "",
        last_name=data.get("last_name") or billing.get("last_name") or "",
        email=email or data.get("email") or billing.get("email") or "",
        phone=e164(billing.get("phone"), country),
        postal_code=billing.get("postcode") or "",
    )


def order_customer(order: Json) -> PlatformCustomer:
    billing = order.get("billing") or {}
    customer_id = int(order.get("customer_id") or 0)
    email = billing.get("email") or ""
    ref = str(customer_id) if customer_id else f"guest:{email.lower()}"
    return customer({"billing": billing, "shipping": order.get("shipping")}, ref, email)


def account_customer(data: Json) -> PlatformCustomer:
    return customer(data, str(data["id"]))


def _items(
    order: Json,
    products: dict[int, tuple[str, bool]],
    cancelled: dict[str, tuple[int, Decimal, datetime]],
) -> tuple[tuple[PlatformItem, ...], Decimal]:
    """The line items and the order's subtotal (their line subtotals, exact); a line that
    refunds of lines cover whole reads cancelled."""
    with_tax = bool(order.get("prices_include_tax"))
    out, subtotal = [], Decimal("0.00")
    for li in order.get("line_items") or []:
        quantity = int(li["quantity"])
        line = money(li.get("subtotal")) + (money(li.get("subtotal_tax")) if with_tax else 0)
        subtotal += line
        category, final_sale = products.get(int(li.get("product_id") or 0), ("", False))
        gone, refunded, at = cancelled.get(str(li["id"]), (0, None, None))
        whole_line = quantity > 0 and gone >= quantity
        out.append(
            PlatformItem(
                ref=str(li["id"]),
                sku=li.get("sku") or "",
                product_name=li.get("name") or "",
                category=category,
                quantity=quantity,
                unit_price=(line / quantity).quantize(_CENT) if quantity else line,
                final_sale=final_sale,
                cancelled_at=at if whole_line else None,
                refunded=refunded if whole_line else None,
            )
        )
    return tuple(out), subtotal


def product_facts(product: Json) -> tuple[str, bool]:
    """(category slug, final sale) of a ``GET /products`` entry."""
    categories = product.get("categories") or []
    tags = {t.get("slug") for t in product.get("tags") or []}
    return (categories[0].get("slug") or "" if categories else "", FINAL_SALE_TAG in tags)


def baton_status(order: Json, parcels: tuple[PlatformShipment, ...]) -> str:
    woo = order.get("status")
    if woo == "cancelled":
        return "cancelled"
    from_parcels = parcel_status(parcels)
    if from_parcels:
        return from_parcels
    if woo == "refunded":
        return "cancelled"
    if woo == "completed":
        return "shipped"
    if woo == "processing":
        return "packed" if meta(order, STAGE_META) == "packed" else "paid"
    return "placed"


def refunds(order: Json, listed: list[Json]) -> tuple[PlatformRefund, ...]:
    method = order.get("payment_method_title") or ""
    out = []
    for r in sorted(listed, key=lambda r: (r.get("date_created_gmt") or "", r["id"])):
        rma = _RMA.search(r.get("reason") or "")
        out.append(
            PlatformRefund(
                ref=str(r["id"]),
                amount=money(r.get("amount")).copy_abs(),
                currency=order.get("currency") or "",
                refunded_at=utc(r.get("date_created_gmt")) or datetime.min,
                destination=meta(r, "baton_refund_destination") or method,
                rma=rma.group(0) if rma else None,
                claim=claim_named(r.get("reason")),
            )
        )
    return tuple(out)


def _cancellation(order: Json, notes: list[Json]) -> tuple[Optional[datetime], Optional[str]]:
    newest = sorted(notes, key=lambda n: (n.get("date_created_gmt") or "", n["id"]), reverse=True)
    at = next((n for n in newest if _CANCELLED_NOTE.search(n.get("note") or "")), None)
    reason = next((m for n in newest if (m := _REASON_NOTE.match(n.get("note") or ""))), None)
    cancelled_at = utc(at["date_created_gmt"]) if at else utc(order.get("date_modified_gmt"))
    return cancelled_at, reason["reason"].strip() if reason else None


def order(
    data: Json, notes: list[Json], refund_list: list[Json], products: dict[int, tuple[str, bool]]
) -> PlatformOrder:
    """The whole order; ``notes``/``refund_list`` may be empty when they were not needed."""
    parcels = shipments(data, notes)
    status = baton_status(data, parcels)
    money_back = refunds(data, refund_list)
    total = money(data.get("total"))
    lines_only = {str(r["id"]) for r in refund_list if cancels_lines(r)}
    not_returns = [r for r in money_back if r.rma is None]
    order_level = [r for r in not_returns if r.ref not in lines_only]
    paid_at = utc(data.get("date_paid_gmt"))
    back_sum = sum((r.amount for r in not_returns), Decimal(0))
    if data.get("status") == "refunded" or (not_returns and back_sum >= total > 0):
        payment = "refunded"
    elif paid_at is None:
        payment = "voided" if status == "cancelled" else "pending"
    else:
        payment = "partially_refunded" if order_level else "paid"
    refund_times = [r.refunded_at for r in (order_level or money_back)]
    refunded_at = max(refund_times) if payment != "paid" and refund_times else None
    cancelled_at, reason = _cancellation(data, notes) if status == "cancelled" else (None, None)
    ship = data.get("shipping") or {}
    items, subtotal = _items(data, products, cancelled_lines(refund_list))
    return PlatformOrder(
        ref=str(data["id"]),
        number=str(data["number"]),
        customer=order_customer(data),
        status=status,
        placed_at=utc(data["date_created_gmt"]) or datetime.min,
        paid_at=paid_at,
        currency=data.get("currency") or "",
        subtotal=subtotal,
        shipping_fee=money(data.get("shipping_total"))
        + (money(data.get("shipping_tax")) if data.get("prices_include_tax") else 0),
        total=total,
        expected_dispatch=day(meta(data, "baton_expected_dispatch")),
        promised_delivery=day(meta(data, "baton_promised_delivery")),
        cancelled_at=cancelled_at,
        cancellation_reason=reason,
        payment_status=payment,
        refunded_at=refunded_at,
        payment_method=data.get("payment_method_title") or "",
        shipping_address=PlatformAddress(
            ship.get("address_1") or "",
            ship.get("address_2") or None,
            ship.get("city") or "",
            ship.get("postcode") or "",
            ship.get("country") or "",
        ),
        items=items,
        shipments=parcels,
        refunds=money_back,
    )


def needs_notes(data: Json) -> bool:
    """Notes are read only when they can say something: a cancellation, or parcels that the
    tracking plugin does not list."""
    status = data.get("status")
    if status in ("cancelled", "refunded"):
        return True
    return status in ("processing", "completed") and not meta(data, TRACKING_META)
