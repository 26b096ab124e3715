"""Recording a return Baton created on a Shopify order (Admin GraphQL 2024-10): ``returnCreate``,
once per RMA.

The RMA travels in every return line's ``returnReasonNote`` ("Baton RMA RMA-20001: …"), which
is how a later read (:func:`actions.shop.shopify_mapping.return_rmas`) and a retry find it: a
return whose lines carry this RMA is reused, never made twice. Each Baton line becomes the
fulfillment line items that shipped it (Shopify returns what was fulfilled); more than was
fulfilled raises :class:`~actions.shop.shopify_client.ShopifyUserError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from actions.shop import shopify_mapping as m
from actions.shop import shopify_queries as q
from actions.shop.platform import PlatformOrder, ReturnRequest
from actions.shop.shopify_client import ShopifyUserError, mutation_payload

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


async def record_return(call: Call, order: PlatformOrder, request: ReturnRequest) -> str:
    """``returnCreate`` for ``request`` (or the return already made for its RMA); its gid."""
    data = await call(q.RETURN_CONTEXT, {"id": order.ref})
    context = data.get("order") or {}
    for ret_id, rma in m.return_rmas(context).items():
        if rma == request.rma:
            return ret_id
    by_item: dict[str, list[dict[str, Any]]] = {}
    for f in context.get("fulfillments") or []:
        for fli in m.nodes(f.get("fulfillmentLineItems")):
            by_item.setdefault(str((fli.get("lineItem") or {}).get("id")), []).append(fli)
    note = f"Baton RMA {request.rma}" + (f": {request.note}" if request.note else "")
    lines = []
    for item_ref, quantity in request.lines:
        left = quantity
        for fli in by_item.get(item_ref, []):
            take = min(left, int(fli.get("quantity") or 0))
            if take > 0:
                lines.append(
                    {
                        "fulfillmentLineItemId": fli["id"],
                        "quantity": take,
                        "returnReason": m.RETURN_REASON.get(request.reason, "OTHER"),
                        "returnReasonNote": note[:255],
                    }
                )
                left -= take
        if left > 0:
            raise ShopifyUserError(f"item {item_ref} has not been fulfilled {quantity} times")
    result = await call(
        q.RETURN_CREATE,
        {"returnInput": {"orderId": order.ref, "returnLineItems": lines, "notifyCustomer": False}},
    )
    payload = mutation_payload(result, "returnCreate", "userErrors")
    return str((payload.get("return") or {}).get("id"))
