"""The fake Shopify's shop: the demo orders as Shopify holds them, and the operations the
adapter sends, each a function of GraphQL variables → ``data`` (see :mod:`fakes.shopify`).

Mutations behave like Shopify's where Baton cares: ``orderCancel`` refuses an order that is
already cancelled or has fulfillments, refunds what was paid (the order becomes refunded and
gets a Refund) or voids an unpaid one; ``orderUpdate`` checks the country code;
``returnCreate`` refuses quantities beyond what was fulfilled and not yet returned;
``refundCreate`` is :mod:`fakes.shopify_refunds`'s (cancelling unfulfilled lines).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from actions.shop.demo import demo_platform_orders
from actions.shop.platform import PlatformAddress, PlatformRefund, PlatformTrackingEvent
from actions.shop.shopify import REQUIRED_SCOPES
from actions.shop.shopify_mapping import CANCEL_REASON_TEXT
from actions.store.seed import build_rows, shop_today
from actions.store.seed_returns import build_return_rows
from fakes import shopify_render as r
from fakes.common import Recorder
from fakes.shopify_refunds import RefundOps
from fakes.shopify_stock import StockOps, tagged

DEMO_SHOP_DOMAIN = "lumen-and-loom.myshopify.com"
RETURN_STATUS = {"requested": "REQUESTED", "rejected": "DECLINED", "refunded": "CLOSED"}
SEARCH = re.compile(r'(\w+):\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _search(query: str) -> dict[str, str]:
    return {
        k: (quoted if quoted is not None else bare).replace('\\"', '"')
        for k, quoted, bare in SEARCH.findall(query or "")
    }


class ShopState(StockOps, RefundOps):
    def __init__(self, log: Recorder, anchor: Optional[date] = None) -> None:
        anchor = anchor or shop_today()
        self.log = log
        self.scopes = list(REQUIRED_SCOPES)
        self.orders = {o.number: r.FakeOrder(o) for o in demo_platform_orders(anchor)}
        self._seed_returns(anchor)
        self._seed_stock()
        self._next_id = 5000

    def _seed_returns(self, anchor: date) -> None:
        rows = build_return_rows(build_rows(anchor))
        by_ref = {o.order.ref: o for o in self.orders.values()}
        for ret in rows["returns"]:
            fake = by_ref[str(ret["order_id"])]
            note = f"Baton RMA {ret['rma']}" + (
                f": {ret['reason_note']}" if ret["reason_note"] else ""
            )
            lines = [
                {
                    "fulfillmentLineItemId": r.fli_id(s.ref, str(ri["order_item_id"])),
                    "quantity": ri["quantity"],
                    "returnReason": "OTHER",
                    "returnReasonNote": note,
                }
                for ri in rows["return_items"]
                if ri["return_id"] == ret["id"]
                for s in fake.order.shipments
                if str(ri["order_item_id"]) in dict(s.contents)
            ]
            status = RETURN_STATUS.get(ret["status"], "OPEN")
            name = f"#{fake.order.number}-R{len(fake.returns) + 1}"
            fake.returns.append(r.FakeReturn(r.gid("Return", ret["id"]), name, status, lines))
        for refund in rows["refunds"]:
            ret = next(x for x in rows["returns"] if x["id"] == refund["return_id"])
            by_ref[str(ret["order_id"])].refund_returns[str(refund["id"])] = r.gid(
                "Return", ret["id"]
            )
        for fake in self.orders.values():  # a cancelled, refunded order has a Shopify Refund
            o = fake.order
            if o.cancelled_at:
                fake.cancel_reason = r.CANCEL_ENUM.get(o.cancellation_reason or "", "CUSTOMER")
            if o.cancelled_at and o.refunded_at:
                fake.extra_refunds.append(
                    PlatformRefund(
                        str(100000 + int(o.ref)),
                        o.total,
                        o.currency,
                        o.refunded_at,
                        o.payment_method,
                    )
                )

    def _by_gid(self, value: str) -> Optional[r.FakeOrder]:
        ref = str(value).rsplit("/", 1)[-1]
        return next((o for o in self.orders.values() if o.order.ref == ref), None)

    def op_BatonOrderByName(self, v: dict[str, Any]) -> dict[str, Any]:
        search = _search(v.get("query", ""))
        if "tag" in search:
            found = tagged(self.orders, search["tag"])
            return {"orders": {"nodes": [r.order_node(found)] if found else []}}
        name = search.get("name", "").lstrip("#")
        found = self.orders.get(name)
        return {"orders": {"nodes": [r.order_node(found)] if found else []}}

    def op_BatonOrderById(self, v: dict[str, Any]) -> dict[str, Any]:
        found = self._by_gid(v.get("id", ""))
        return {"order": r.order_node(found) if found else None}

    op_BatonReturnContext = op_BatonOrderById
    op_BatonRefundContext = op_BatonOrderById

    def op_BatonCustomerSearch(self, v: dict[str, Any]) -> dict[str, Any]:
        terms = _search(v.get("query", ""))
        for fake in self.orders.values():
            c = fake.order.customer
            if ("email" in terms and c.email.lower() == terms["email"].lower()) or (
                "phone" in terms and c.phone == terms["phone"]
            ):
                return {"customers": {"nodes": [r.customer_node(fake.order)]}}
        return {"customers": {"nodes": []}}

    def op_BatonCustomerOrders(self, v: dict[str, Any]) -> dict[str, Any]:
        ref = str(v.get("id", "")).rsplit("/", 1)[-1]
        mine = [f.order for f in self.orders.values() if f.order.customer.ref == ref]
        if not mine:
            return {"customer": None}
        mine.sort(key=lambda o: o.placed_at, reverse=True)
        nodes = [{"id": r.gid("Order", o.ref), "name": f"#{o.number}"} for o in mine]
        return {"customer": {"orders": {"nodes": nodes[: int(v.get("first", 10))]}}}

    def op_BatonCheck(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "shop": {"name": "Lumen & Loom", "myshopifyDomain": DEMO_SHOP_DOMAIN},
            "currentAppInstallation": {"accessScopes": [{"handle": s} for s in self.scopes]},
            "ordersCount": (
                {"count": len(self.orders), "precision": "EXACT"}
                if "read_orders" in self.scopes
                else None
            ),
        }

    def op_BatonReturnCreate(self, v: dict[str, Any]) -> dict[str, Any]:
        data = v.get("returnInput") or {}
        fake = self._by_gid(data.get("orderId", ""))
        if fake is None:
            return _user_error("returnCreate", ["returnInput", "orderId"], "Order does not exist.")
        owned = {r.fli_id(s.ref, item): q for s in fake.order.shipments for item, q in s.contents}
        lines = list(data.get("returnLineItems") or [])
        for line in lines:
            returned = sum(
                li["quantity"]
                for ret in fake.returns
                for li in ret.lines
                if li["fulfillmentLineItemId"] == line.get("fulfillmentLineItemId")
            )
            if line.get("fulfillmentLineItemId") not in owned:
                return _user_error(
                    "returnCreate",
                    ["returnInput", "returnLineItems"],
                    "Fulfillment line item does not exist.",
                )
            if returned + int(line.get("quantity", 0)) > owned[line["fulfillmentLineItemId"]]:
                return _user_error(
                    "returnCreate",
                    ["returnInput", "returnLineItems"],
                    "Quantity is not available for return.",
                )
        self._next_id += 1
        ret = r.FakeReturn(
            r.gid("Return", self._next_id),
            f"#{fake.order.number}-R{len(fake.returns) + 1}",
            "OPEN",
            lines,
        )
        fake.returns.append(ret)
        self.log.add(
            {
                "kind": "mutation",
                "operation": "returnCreate",
                "order": fake.order.number,
                "return": ret.gid,
                "lines": lines,
            }
        )
        return {
            "returnCreate": {
                "return": {"id": ret.gid, "name": ret.name, "status": ret.status},
                "userErrors": [],
            }
        }

    def op_BatonOrderCancel(self, v: dict[str, Any]) -> dict[str, Any]:
        fake = self._by_gid(v.get("orderId", ""))
        errors = "orderCancelUserErrors"
        if fake is None:
            return _user_error("orderCancel", ["orderId"], "Order does not exist.", errors)
        o = fake.order
        if o.cancelled_at:
            return _user_error(
                "orderCancel", ["orderId"], "Order has already been cancelled.", errors
            )
        if o.shipments:
            return _user_error(
                "orderCancel", ["orderId"], "Cannot cancel a fulfilled order.", errors
            )
        now, reason = _now(), str(v.get("reason") or "OTHER")
        refund = v.get("refund", True) is not False
        charged = o.payment_status in ("paid", "partially_refunded")
        left = o.total - sum((x.amount for x in fake.extra_refunds), Decimal("0.00"))
        if o.payment_status == "pending":
            payment = "voided"
        elif refund and charged:
            payment = "refunded"
        else:
            payment = o.payment_status  # refund: false leaves the money as it is
        fake.cancel_reason = reason
        fake.order = dataclasses.replace(
            o,
            status="cancelled",
            cancelled_at=now,
            cancellation_reason=CANCEL_REASON_TEXT[reason],
            payment_status=payment,
            refunded_at=now if refund and charged and left > 0 else o.refunded_at,
            expected_dispatch=None,
        )
        if refund and charged and left > 0:
            fake.extra_refunds.append(
                PlatformRefund(str(100000 + int(o.ref)), left, o.currency, now, o.payment_method)
            )
        self.log.add(
            {
                "kind": "mutation",
                "operation": "orderCancel",
                "order": o.number,
                "reason": reason,
                "staffNote": v.get("staffNote"),
            }
        )
        self._next_id += 1
        return {
            "orderCancel": {"job": {"id": r.gid("Job", uuid.uuid4()), "done": True}, errors: []}
        }

    def op_BatonOrderUpdate(self, v: dict[str, Any]) -> dict[str, Any]:
        data = v.get("input") or {}
        fake = self._by_gid(data.get("id", ""))
        if fake is None:
            return _user_error("orderUpdate", ["id"], "Order does not exist.")
        a = data.get("shippingAddress") or {}
        if not re.fullmatch(r"[A-Z]{2}", str(a.get("countryCode", ""))):
            return _user_error(
                "orderUpdate", ["shippingAddress", "countryCode"], "Country is invalid"
            )
        fake.order = dataclasses.replace(
            fake.order,
            shipping_address=PlatformAddress(
                a.get("address1", ""),
                a.get("address2") or None,
                a.get("city", ""),
                a.get("zip", ""),
                a["countryCode"],
            ),
        )
        self.log.add({"kind": "mutation", "operation": "orderUpdate", "order": fake.order.number})
        return {"orderUpdate": {"order": {"id": data["id"]}, "userErrors": []}}

    def set_status(self, number: str, status: str) -> Optional[str]:
        """Move an order on, for tests (``POST /_fake/orders/<number>``); None, or why not."""
        fake = self.orders.get(number)
        if fake is None:
            return "no such order"
        o, now = fake.order, _now()
        if status == "packed" and not o.shipments and not o.cancelled_at:
            fake.order = dataclasses.replace(o, status="packed")
        elif status in ("delivered", "delayed", "lost_in_transit") and o.shipments:
            ship_status = {"lost_in_transit": "lost"}.get(status, status)
            shipments = tuple(
                s
                if s.status == "delivered"
                else dataclasses.replace(
                    s,
                    status=ship_status,
                    delivered_at=now if status == "delivered" else None,
                    delivered_to="Handed to resident" if status == "delivered" else None,
                    events=(
                        *s.events,
                        PlatformTrackingEvent(now, ship_status, ship_status.title(), ""),
                    ),
                )
                for s in o.shipments
            )
            fake.order = dataclasses.replace(o, status=status, shipments=shipments)
        else:
            return f"cannot make {o.number} {status}"
        self.log.add({"kind": "control", "order": o.number, "status": status})
        return None


def _user_error(
    root: str, field: list[str], message: str, key: str = "userErrors"
) -> dict[str, Any]:
    return {root: {key: [{"field": field, "message": message}]}}
