"""Refunds Baton makes on a WooCommerce order through the REST API v3: cancelling some line
items of an order that has not left (and reading those cancellations back), and paying a
claim's refund.

WooCommerce has no line-item cancellation: the way is a refund of those lines,
``POST /orders/<id>/refunds`` with ``line_items: [{id, quantity, refund_total, refund_tax}]``,
``amount`` (Baton's figure, which takes precedence over the line totals), ``api_refund``
(the money really goes back through the gateway; false when nothing was charged) and
``api_restock`` (the items go back to stock). The refund keeps its lines — each with a
negative ``quantity`` and ``total`` and a ``_refunded_item_id`` meta naming the order's line
— so every later read sees them: a refund with lines whose reason names no RMA cancels each
line it covers whole (:func:`cancelled_lines`).

When they are the last lines, the refund carries the shipping fee and the rest of the total
too, then the order is set ``cancelled`` with a ``Cancellation reason: …`` note (WooCommerce
writes its own "Order status changed … to Cancelled." note, the time Baton reads).

A claim's refund (:func:`refund_claim`) is the same ``POST`` with the claimed lines (none for a
parcel refunded by its amount), Baton's amount, ``api_refund: true`` and ``api_restock: false``
(lost or broken: nothing goes back to stock; WooCommerce's PHP calls it ``restock_items``), and
the reason ``Baton claim CLM-30001: …``, which every later read maps back to the claim; such a
refund cancels no line, and the order reads partially refunded (refunded once refunds cover it).

A 400 (an unknown line, more than is left of it, an amount over what is left) is WooCommerce
refusing: :class:`~actions.shop.platform.PlatformRefused` with its message. A gateway that
cannot refund answers 500 and WooCommerce writes no refund: ``ShopUnavailable`` (down), the
lines stay as they were and the customer is offered a person.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from actions.shop.platform import (
    CancelLine,
    ClaimPayment,
    ItemsCancellation,
    PlatformOrder,
    PlatformRefused,
    claim_named,
)
from actions.shop.woocommerce_http import WooHttp, checked
from actions.shop.woocommerce_tracking import Json, utc

REFUNDED_ITEM = "_refunded_item_id"
_RMA = re.compile(r"\bRMA-\d+\b")


def _amount(value: Any) -> Decimal:
    try:
        return abs(Decimal(str(value or "0")))
    except InvalidOperation:
        return Decimal("0")


def cancels_lines(refund: Json) -> bool:
    """A refund of lines that is not a return's nor a claim's: lines cancelled before they left."""
    reason = refund.get("reason") or ""
    return bool(refund.get("line_items")) and not _RMA.search(reason) and not claim_named(reason)


def cancelled_lines(refunds: list[Json]) -> dict[str, tuple[int, Decimal, datetime]]:
    """Order line id → (quantity, amount, latest time) refunded by :func:`cancels_lines`
    refunds."""
    out: dict[str, tuple[int, Decimal, datetime]] = {}
    for refund in refunds:
        if not cancels_lines(refund):
            continue
        at = utc(refund.get("date_created_gmt")) or datetime.min
        for line in refund.get("line_items") or []:
            ids = [
                m.get("value") for m in line.get("meta_data") or [] if m.get("key") == REFUNDED_ITEM
            ]
            if not ids:
                continue
            ref = str(ids[-1])
            quantity, amount, when = out.get(ref, (0, Decimal("0.00"), datetime.min))
            out[ref] = (
                quantity + abs(int(line.get("quantity") or 0)),
                amount + _amount(line.get("total")),
                max(when, at),
            )
    return out


def _lines(lines: tuple[CancelLine, ...]) -> list[Json]:
    return [
        {
            "id": int(line.ref),
            "quantity": line.quantity,
            "refund_total": str(line.refund),
            "refund_tax": [],
        }
        for line in lines
    ]


def refund_body(cancel: ItemsCancellation) -> Json:
    charged = cancel.amount > 0
    return {
        "amount": str(cancel.amount),
        "reason": f"Items cancelled before dispatch: {cancel.reason}",
        "api_refund": charged,  # nothing to send to the gateway for an order never charged
        "api_restock": True,
        "line_items": _lines(cancel.lines),
    }


def claim_body(pay: ClaimPayment) -> Json:
    return {
        "amount": str(pay.amount),
        "reason": pay.note,
        "api_refund": True,
        "api_restock": False,
        "line_items": _lines(pay.lines),
    }


async def _refund(http: WooHttp, order: PlatformOrder, body: Json) -> Json:
    """``POST /orders/<id>/refunds``: the refund made, or :class:`PlatformRefused` on a 400."""
    path = f"orders/{int(order.ref)}/refunds"
    status, data, _ = await http._send("POST", path, body=body)
    if status == 400:
        message = data.get("message") if isinstance(data, dict) else None
        raise PlatformRefused(str(message or "WooCommerce refused the refund"))
    made: Json = checked("POST", path, status, data, False)
    return made


async def refund_claim(http: WooHttp, order: PlatformOrder, pay: ClaimPayment) -> None:
    """A claim's refund, nothing restocked, its reason naming the claim."""
    await _refund(http, order, claim_body(pay))


async def cancel_items(http: WooHttp, order: PlatformOrder, cancel: ItemsCancellation) -> None:
    """The refund of the lines, and the order cancelled when they were the last ones."""
    path = f"orders/{int(order.ref)}"
    await _refund(http, order, refund_body(cancel))
    if cancel.whole:
        await http._call("PUT", path, body={"status": "cancelled"})
        body = {"note": f"Cancellation reason: {cancel.reason}", "customer_note": False}
        await http._call("POST", f"{path}/notes", body=body)
