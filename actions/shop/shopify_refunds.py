"""Refunds Baton makes on a Shopify order (Admin GraphQL 2024-10): cancelling some line items of
an unfulfilled order, and paying a claim's refund.

Shopify's way to cancel lines that have not been fulfilled is a refund of those lines with
restock type ``CANCEL`` (``refundCreate``): the items go back to stock, the lines read as
refunded on the order, and the order's ``refunds`` keep the record, so every later read sees
them cancelled (:func:`actions.shop.shopify_mapping.cancelled_lines`). The money is Baton's
figure (:mod:`actions.services.cancel_items`: the items' price less their share of a discount;
the shipping fee and the rest of the total when they are the last lines), sent as one
``REFUND`` transaction to the gateway of the order's successful sale, with that sale as parent.
An order never charged gets the line refund without a transaction: nothing goes back.

When the lines are the last ones left, ``orderCancel`` follows with ``refund: false`` (the
money already went back with the lines), so the order reads cancelled as a whole.

A claim's refund (:func:`refund_claim`) is ``refundCreate`` too: the claimed lines with
restock type ``NO_RESTOCK`` (lost or broken, nothing goes back to stock), or none for a parcel
refunded by its amount, one ``REFUND`` transaction of Baton's amount to the sale's gateway, the
shipping (``fullRefund``) when it is all that was left, and a note naming the claim ("Baton
claim CLM-30001: damaged"), which every later read maps back to the claim. Such a refund
cancels nothing: the order reads PARTIALLY_REFUNDED, or REFUNDED.

``userErrors`` (an unknown line, more than is left to refund, an amount over what was paid)
raise :class:`~actions.shop.shopify_client.ShopifyUserError`; nothing was refunded then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Optional

from actions.shop import shopify_queries as q
from actions.shop.platform import ClaimPayment, ItemsCancellation, PlatformOrder
from actions.shop.shopify_client import ShopifyUserError, mutation_payload

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Sale = Optional[dict[str, Any]]


def _transactions(order: PlatformOrder, amount: Decimal, sale: Sale) -> list[dict[str, Any]]:
    """One REFUND of ``amount`` to the gateway of the order's sale, its parent (none for 0)."""
    if amount <= 0:
        return []
    if sale is None:
        raise ShopifyUserError(f"order {order.number} has no successful payment to refund")
    return [
        {
            "orderId": order.ref,
            "parentId": sale["id"],
            "gateway": sale["gateway"],
            "kind": "REFUND",
            "amount": str(amount),
        }
    ]


def refund_input(order: PlatformOrder, cancel: ItemsCancellation, sale: Sale) -> dict[str, Any]:
    """The ``RefundInput`` for cancelling ``cancel``'s lines of ``order``."""
    data: dict[str, Any] = {
        "orderId": order.ref,
        "note": f"Baton: items cancelled before dispatch: {cancel.reason}"[:255],
        "notify": True,
        "refundLineItems": [
            {"lineItemId": line.ref, "quantity": line.quantity, "restockType": "CANCEL"}
            for line in cancel.lines
        ],
        "transactions": _transactions(order, cancel.amount, sale),
    }
    if cancel.whole:
        data["shipping"] = {"fullRefund": True}
    return data


def claim_input(order: PlatformOrder, pay: ClaimPayment, sale: Sale) -> dict[str, Any]:
    """The ``RefundInput`` for paying a claim's refund on ``order``."""
    data: dict[str, Any] = {
        "orderId": order.ref,
        "note": pay.note[:255],
        "notify": True,
        "refundLineItems": [
            {"lineItemId": line.ref, "quantity": line.quantity, "restockType": "NO_RESTOCK"}
            for line in pay.lines
        ],
        "transactions": _transactions(order, pay.amount, sale),
    }
    if pay.whole:
        data["shipping"] = {"fullRefund": True}
    return data


async def _sale(call: Call, order: PlatformOrder) -> Sale:
    """The order's successful sale (or capture): what a refund's transaction goes back to."""
    context = await call(q.REFUND_CONTEXT, {"id": order.ref})
    transactions = (context.get("order") or {}).get("transactions") or []
    return next(
        (
            t
            for t in transactions
            if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"
        ),
        None,
    )


async def _create(call: Call, data: dict[str, Any]) -> str:
    result = await call(q.REFUND_CREATE, {"input": data})
    payload = mutation_payload(result, "refundCreate", "userErrors")
    return str((payload.get("refund") or {}).get("id"))


async def refund_lines(call: Call, order: PlatformOrder, cancel: ItemsCancellation) -> str:
    """``refundCreate`` for the lines; returns the refund's gid."""
    return await _create(call, refund_input(order, cancel, await _sale(call, order)))


async def refund_claim(call: Call, order: PlatformOrder, pay: ClaimPayment) -> str:
    """``refundCreate`` for a claim; returns the refund's gid."""
    return await _create(call, claim_input(order, pay, await _sale(call, order)))
