"""The fake Shopify's ``refundCreate`` (see :mod:`fakes.shopify_state`), as Shopify answers
what Baton sends: ``refundLineItems`` with restock type CANCEL (unfulfilled lines cancelled) or
NO_RESTOCK (a claim's lines, lost or broken), or none (a refund by amount), at most one REFUND
transaction whose parent is the order's sale, a ``note`` and ``shipping``.

Refused with ``userErrors`` the way Shopify refuses: an unknown order or line item, a
quantity beyond what is left of the line, CANCEL on a fulfilled line, a transaction that is
not a REFUND of this order's sale, an order never charged, or more money than is left to
refund (every refund counts: cancellations', returns' and claims'). Accepted: a Refund with
its note (its lines' ``subtotalSet`` is the line's price less its share of the order's
discount, as Shopify allocates it), stock back for CANCEL, and the order PARTIALLY_REFUNDED —
or REFUNDED once the refunds reach its total.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Optional

from actions.shop.platform import PlatformItem, PlatformOrder, PlatformRefund
from fakes import shopify_render as r
from fakes.common import Recorder

CENT = Decimal("0.01")


def _error(field: list[str], message: str) -> dict[str, Any]:
    return {"refundCreate": {"refund": None, "userErrors": [{"field": field, "message": message}]}}


def _subtotal(o: PlatformOrder, item: PlatformItem, quantity: int) -> Decimal:
    value = item.unit_price * quantity
    discount = max(Decimal("0.00"), o.subtotal + o.shipping_fee - o.total)
    if o.subtotal <= 0:
        return value.quantize(CENT)
    share = (discount * value / o.subtotal).quantize(CENT, ROUND_HALF_UP)
    return max(Decimal("0.00"), value - share).quantize(CENT)


def refunded_quantity(fake: r.FakeOrder, item_ref: str) -> int:
    return sum(
        q for lines in fake.refund_lines.values() for ref, q, _, _ in lines if ref == item_ref
    )


class RefundOps:
    """Mixed into :class:`fakes.shopify_state.ShopState`."""

    log: Recorder
    _next_id: int

    def _by_gid(self, value: str) -> Optional[r.FakeOrder]:
        raise NotImplementedError

    def op_BatonRefundCreate(self, v: dict[str, Any]) -> dict[str, Any]:
        data = v.get("input") or {}
        fake = self._by_gid(str(data.get("orderId", "")))
        if fake is None:
            return _error(["orderId"], "Order does not exist.")
        o = fake.order
        items = {i.ref: i for i in o.items}
        shipped = {ref for s in o.shipments for ref, _ in s.contents}
        lines = []
        for n, line in enumerate(data.get("refundLineItems") or []):
            ref = str(line.get("lineItemId", "")).rsplit("/", 1)[-1]
            quantity = int(line.get("quantity") or 0)
            restock = str(line.get("restockType") or "NO_RESTOCK")
            where = ["refundLineItems", str(n)]
            if ref not in items:
                return _error([*where, "lineItemId"], "Line item does not exist.")
            if quantity < 1 or refunded_quantity(fake, ref) + quantity > items[ref].quantity:
                return _error(
                    [*where, "quantity"], "Quantity cannot refund more items than were purchased"
                )
            if restock == "CANCEL" and ref in shipped:
                return _error([*where, "restockType"], "Cannot cancel a fulfilled line item.")
            lines.append((ref, quantity, restock, _subtotal(o, items[ref], quantity)))
        refunded = sum((x.amount for x in (*o.refunds, *fake.extra_refunds)), Decimal("0.00"))
        amount = Decimal("0.00")
        for n, t in enumerate(data.get("transactions") or []):
            where = ["transactions", str(n)]
            if t.get("kind") != "REFUND" or t.get("parentId") != r.gid(
                "OrderTransaction", int(o.ref) * 10 + 1
            ):
                return _error(
                    [*where, "parentId"], "Parent transaction is not a sale of the order."
                )
            try:
                amount += Decimal(str(t.get("amount")))
            except InvalidOperation:
                return _error([*where, "amount"], "Amount is invalid.")
        if amount and (o.payment_status not in ("paid", "partially_refunded")):
            return _error(["transactions"], "The order has no payment to refund.")
        if amount + refunded > o.total:
            return _error(["transactions"], "Amount cannot exceed the refundable amount.")
        if not lines and not amount:
            return _error(["refundLineItems"], "Refund must include line items or an amount.")
        self._next_id += 1
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        refund = PlatformRefund(str(self._next_id), amount, o.currency, now, o.payment_method)
        fake.extra_refunds.append(refund)
        fake.refund_lines[refund.ref] = lines
        if data.get("note"):
            fake.refund_notes[refund.ref] = str(data["note"])[:255]
        if amount:
            full = amount + refunded >= o.total
            fake.order = dataclasses.replace(
                o, payment_status="refunded" if full else "partially_refunded", refunded_at=now
            )
        self.log.add(
            {
                "kind": "mutation",
                "operation": "refundCreate",
                "order": o.number,
                "amount": str(amount),
                "lines": [(ref, q, restock) for ref, q, restock, _ in lines],
                "note": data.get("note"),
                "shipping": data.get("shipping"),
            }
        )
        return {
            "refundCreate": {
                "refund": {
                    "id": r.gid("Refund", refund.ref),
                    "totalRefundedSet": r.bag(amount, o.currency),
                },
                "userErrors": [],
            }
        }
