"""The WooCommerce fake's test controls (``/_fake/``, see :mod:`fakes.woocommerce`) and the
state changes they share with the API: faults, delay, changing an order as the shop would,
webhooks signed as WooCommerce signs them, reset."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import date, datetime, timezone
from typing import Any, Optional

import aiohttp
from aiohttp import web

from fakes.common import Recorder
from fakes.woocommerce_data import STATUS_NAMES, Json, Shop, gmt

PARCEL_STATUS = {
    "shipped": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "delayed": "delayed",
    "lost_in_transit": "lost",
}


def error(status: int, code: str, message: str) -> web.Response:
    """WooCommerce's error body."""
    return web.json_response(
        {"code": code, "message": message, "data": {"status": status}}, status=status
    )


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class FakeControls:
    anchor: Optional[date]
    site: str
    shop: Shop
    log: Recorder
    fault: dict[str, Any]
    delay_ms: int
    no_gateway_refunds: set[int]
    deliveries: int

    async def _fault(self) -> Optional[web.StreamResponse]:
        mode = self.fault["mode"]
        if mode == "none" or self.fault["count"] <= 0:
            return None
        self.fault["count"] -= 1
        if mode == "down":
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        if mode == "timeout":
            await asyncio.sleep(30)
            return web.Response(status=504)
        if mode == "unauthorized":
            return error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if mode == "error500":
            return error(
                500, "internal_server_error", "There has been a critical error on this website."
            )
        if mode == "rate_limit_429":
            response = error(429, "too_many_requests", "Too many requests.")
            response.headers["Retry-After"] = str(self.fault.get("retry_after", 1))
            return response
        return web.Response(
            text="<br />\n<b>Warning</b>: Undefined array key in functions.php",
            content_type="application/json",
        )  # bad_json

    def set_status(self, order: Json, status: str) -> None:
        old = order["status"]
        if status == old:
            return
        order["status"] = status
        if status == "completed":
            order["date_completed"] = order["date_completed_gmt"] = gmt(now())
        note = f"Order status changed from {STATUS_NAMES[old]} to {STATUS_NAMES[status]}."
        self.shop._note(self.shop.notes[order["id"]], now(), note)

    def set_meta(self, order: Json, key: str, value: Any) -> None:
        for m in order["meta_data"]:
            if m["key"] == key:
                m["value"] = value
                return
        order["meta_data"].append({"id": self.shop.next_id(), "key": key, "value": value})

    # --- the endpoints -------------------------------------------------------------------------

    async def set_fault(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.fault = {
            "mode": body.get("mode", "none"),
            "count": int(body.get("count", 1)),
            "retry_after": body.get("retry_after", 1),
        }
        return web.json_response(self.fault)

    async def set_delay(self, request: web.Request) -> web.Response:
        self.delay_ms = int((await request.json()).get("ms", 0))
        return web.json_response({"ms": self.delay_ms})

    def by_number(self, number: str) -> Optional[Json]:
        return next((o for o in self.shop.orders.values() if o["number"] == number), None)

    async def change(self, request: web.Request) -> web.Response:
        order = self.by_number(request.match_info["number"])
        if order is None:
            return web.json_response({"error": "no such order"}, status=404)
        body = await request.json()
        if "gateway_refunds" in body:
            (
                self.no_gateway_refunds.discard
                if body["gateway_refunds"]
                else self.no_gateway_refunds.add
            )(order["id"])
        for key, value in (body.get("meta") or {}).items():
            self.set_meta(order, key, value)
        for key in ("shipping_total", "discount_total", "total"):  # a coupon, a delivery fee
            if key in (body.get("totals") or {}):
                order[key] = str(body["totals"][key])
        if status := body.get("status"):
            self._baton_status(order, status)
        return web.json_response(order)

    def _baton_status(self, order: Json, status: str) -> None:
        """Baton's status words become what a shop would have in WooCommerce."""
        woo = {"placed": "pending", "paid": "processing", "packed": "processing"}.get(status)
        self.set_meta(order, "baton_fulfilment_stage", "packed" if status == "packed" else "")
        if status in PARCEL_STATUS:
            meta = {m["key"]: m for m in order["meta_data"]}
            if not meta.get("baton_parcels", {}).get("value"):
                self.set_meta(
                    order,
                    "baton_parcels",
                    [
                        {
                            "tracking_number": f"1550{order['id']}",
                            "carrier": "DPD",
                            "shipped_at": gmt(now()),
                            "events": [],
                            "items": [],
                        }
                    ],
                )
            for parcel in {m["key"]: m for m in order["meta_data"]}["baton_parcels"]["value"]:
                parcel["status"] = PARCEL_STATUS[status]
                if status == "delivered":
                    parcel["delivered_at"], parcel["delivered_to"] = (
                        gmt(now()),
                        "Handed to resident",
                    )
            woo = "completed"
        self.set_status(order, woo or status)

    async def show_log(self, _: web.Request) -> web.Response:
        return web.json_response({"requests": self.log.items})

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        topic = str(body.get("topic", "order.updated"))
        order = self.by_number(str(body.get("number", "")))
        if order is None:
            return web.json_response({"error": "no such order"}, status=404)
        payload = {"id": order["id"]} if topic == "order.deleted" else order
        raw = json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()  # as PHP
        secret = str(body.get("secret", ""))
        self.deliveries += 1
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "WooCommerce/8.9.3 Hookshot (WordPress/6.5.5)",
            "X-WC-Webhook-Source": self.site + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": topic.split(".")[0],
            "X-WC-Webhook-Event": topic.split(".")[-1],
            "X-WC-Webhook-Signature": base64.b64encode(
                hmac.new(secret.encode(), raw, hashlib.sha256).digest()
            ).decode(),
            "X-WC-Webhook-ID": "17",
            "X-WC-Webhook-Delivery-ID": str(self.deliveries),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(str(body["address"]), data=raw, headers=headers) as resp,
        ):
            status = resp.status
        self.log.add({"webhook": topic, "number": order["number"], "status": status})
        return web.json_response({"status": status, "delivery_id": self.deliveries})

    async def reset(self, _: web.Request) -> web.Response:
        self.__init__(self.anchor, self.site)  # type: ignore[misc]
        return web.json_response({"ok": True})
