"""Cancelling some line items of an unfulfilled Shopify order (Admin GraphQL 2024-10).

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

``userErrors`` (an unknown line, more than is left to refund, an amount over what was paid)
raise :class:`~actions.shop.shopify_client.ShopifyUserError`; nothing was refunded then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from actions.shop import shopify_queries as q
from actions.shop.platform import ItemsCancellation, PlatformOrder
from actions.shop.shopify_client import ShopifyUserError, mutation_payload

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


def refund_input(
    order: PlatformOrder, cancel: ItemsCancellation, sale: dict[str, Any] | None
) -> dict[str, Any]:
    """The ``RefundInput`` for cancelling ``cancel``'s lines of ``order``."""
    data: dict[str, Any] = {
        "orderId": order.ref,
        "note": f"Baton: items cancelled before dispatch: {cancel.reason}"[:255],
        "notify": True,
        "refundLineItems": [
            {"lineItemId": line.ref, "quantity": line.quantity, "restockType": "CANCEL"}
            for line in cancel.lines
        ],
        "transactions": [],
    }
    if cancel.whole:
        data["shipping"] = {"fullRefund": True}
    if cancel.amount > 0:
        if sale is None:
            raise ShopifyUserError(f"order {order.number} has no successful payment to refund")
        data["transactions"] = [
            {
                "orderId": order.ref,
                "parentId": sale["id"],
                "gateway": sale["gateway"],
                "kind": "REFUND",
                "amount": str(cancel.amount),
            }
        ]
    return data


async def refund_lines(call: Call, order: PlatformOrder, cancel: ItemsCancellation) -> str:
    """``refundCreate`` for the lines; returns the refund's gid."""
    context = await call(q.REFUND_CONTEXT, {"id": order.ref})
    transactions = (context.get("order") or {}).get("transactions") or []
    sale = next(
        (
            t
            for t in transactions
            if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"
        ),
        None,
    )
    result = await call(q.REFUND_CREATE, {"input": refund_input(order, cancel, sale)})
    payload = mutation_payload(result, "refundCreate", "userErrors")
    return str((payload.get("refund") or {}).get("id"))
