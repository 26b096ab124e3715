"""A local fake of the WooCommerce REST API v3, serving the demo shop's orders.

What Baton calls, answered in WooCommerce's shapes (data: :mod:`fakes.woocommerce_data`):

* ``GET /wp-json/`` (site name, no auth), ``GET /wp-json/wc/v3/system_status``;
* ``GET /wp-json/wc/v3/orders`` (``search`` over id, number — as sequential-number plugins
  make it — billing, shipping and item names; ``customer``, ``include``, ``status``,
  ``orderby`` date|id, ``order``, ``page``, ``per_page`` ≤ 100; ``X-WP-Total``,
  ``X-WP-TotalPages``); ``GET``/``PUT /orders/<id>`` (status, shipping, billing, meta_data;
  a status change writes WooCommerce's system note);
* ``GET``/``POST /orders/<id>/notes``, ``GET``/``POST /orders/<id>/refunds`` (with or without
  ``line_items``; a refund of what is left sets the order to refunded; ``api_refund`` fails
  with WooCommerce's 500 when the order's gateway was told not to refund:
  :mod:`fakes.woocommerce_refunds`);
* ``GET /customers?email=``, ``GET /customers/<id>``, ``GET /products?include=``.

Auth is HTTP Basic: :data:`DEMO_KEY`/:data:`DEMO_SECRET` read and write,
:data:`READ_ONLY_KEY`/:data:`READ_ONLY_SECRET` read only (writes get WooCommerce's 401).
Errors are WooCommerce's ``{"code", "message", "data": {"status"}}``.

Test controls (``/_fake/``, no auth): ``POST /_fake/faults {"mode": "down"|"timeout"|
"unauthorized"|"error500"|"rate_limit_429"|"bad_json"|"none", "count": n, "retry_after": s}``;
``POST /_fake/delay {"ms": 100}``; ``POST /_fake/orders/<number> {"status": "delivered"}``
(Baton's or WooCommerce's status words; also ``"gateway_refunds": false``, ``"meta": {…}``,
``"totals": {"shipping_total", "discount_total", "total"}``);
``GET /_fake/log``; ``POST /_fake/webhook {"topic", "number", "address", "secret"}``;
``POST /_fake/reset``; ``GET /_fake/health``.

    python -m fakes.woocommerce --port 5103
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import math
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, Optional

from aiohttp import web

from fakes.common import Recorder, base_parser, serve
from fakes.woocommerce_controls import FakeControls, error, now
from fakes.woocommerce_data import STATUS_NAMES, Json, Shop, gmt
from fakes.woocommerce_orders import create_order
from fakes.woocommerce_refunds import create_refund

DEMO_KEY, DEMO_SECRET = "ck_demo_not_a_secret", "cs_demo_not_a_secret"
READ_ONLY_KEY, READ_ONLY_SECRET = "ck_demo_read_only", "cs_demo_read_only"
KEYS = {DEMO_KEY: (DEMO_SECRET, "read_write"), READ_ONLY_KEY: (READ_ONLY_SECRET, "read")}
API = "/wp-json/wc/v3"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeWooCommerce(FakeControls):
    def __init__(self, anchor: Optional[date] = None, site: str = "http://127.0.0.1") -> None:
        self.anchor, self.site = anchor, site
        self.shop = Shop(anchor, site)
        self.log = Recorder()
        self.fault: dict[str, Any] = {"mode": "none", "count": 0}
        self.delay_ms = 0
        self.no_gateway_refunds: set[int] = set()
        self.deliveries = 0

    # --- the gate every API call passes ---------------------------------------------------

    @web.middleware
    async def gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/wp-json/"):
            return await handler(request)
        entry = self.log.add(
            {"method": request.method, "path": request.path, "query": dict(request.query)}
        )
        if self.delay_ms:
            await asyncio.sleep(self.delay_ms / 1000)
        # (not ``or``: a response is a MutableMapping, empty and so falsy)
        response = await self._fault()
        if response is None:
            response = self._refused(request)
        if response is None:
            response = await handler(request)
        entry["status"] = response.status
        return response

    def _refused(self, request: web.Request) -> Optional[web.Response]:
        if request.path == "/wp-json/":
            return None
        auth = request.headers.get("Authorization", "")
        try:
            key, _, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        except ValueError:
            key = secret = ""
        if not auth.startswith("Basic ") or not key:
            return error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if key not in KEYS:
            return error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        expected, permission = KEYS[key]
        if not hmac.compare_digest(secret, expected):
            return error(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )
        if request.method != "GET" and permission == "read":
            return error(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )
        return None

    # --- WordPress and WooCommerce -----------------------------------------------------------

    async def index(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "name": "Lumen & Loom",
                "description": "Demo shop",
                "url": self.site,
                "home": self.site,
                "namespaces": ["wp/v2", "wc/v3", "wc-shipment-tracking/v3"],
            }
        )

    async def system_status(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "environment": {
                    "home_url": self.site,
                    "site_url": self.site,
                    "version": "8.9.3",
                    "wp_version": "6.5.5",
                    "php_version": "8.2.20",
                },
                "settings": {"api_enabled": True, "currency": "GBP"},
                "active_plugins": [{"plugin": "woocommerce-shipment-tracking", "version": "2.6.0"}],
            }
        )

    def _order(self, request: web.Request) -> Optional[Json]:
        try:
            return self.shop.orders.get(int(request.match_info["id"]))
        except ValueError:
            return None

    def _page(self, request: web.Request, found: list[Json]) -> web.Response:
        try:
            per_page = int(request.query.get("per_page", "10"))
            page = int(request.query.get("page", "1"))
        except ValueError:
            return error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        if not 1 <= per_page <= 100 or page < 1:
            return error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        chunk = found[(page - 1) * per_page : page * per_page]
        response = web.json_response(chunk)
        response.headers["X-WP-Total"] = str(len(found))
        response.headers["X-WP-TotalPages"] = str(max(1, math.ceil(len(found) / per_page)))
        return response

    async def list_orders(self, request: web.Request) -> web.Response:
        q = request.query
        found = list(self.shop.orders.values())
        if term := q.get("search", "").strip().lower():
            found = [o for o in found if term in _searchable(o)]
        if "customer" in q:
            found = [o for o in found if str(o["customer_id"]) == q["customer"]]
        if q.get("include"):
            wanted = {int(i) for i in q["include"].split(",") if i.strip().isdigit()}
            found = [o for o in found if o["id"] in wanted]
        if q.get("status", "any") != "any":
            found = [o for o in found if o["status"] in q["status"].split(",")]
        key = "id" if q.get("orderby") == "id" else "date_created_gmt"
        found.sort(key=lambda o: (o[key], o["id"]), reverse=q.get("order", "desc") == "desc")
        return self._page(request, found)

    async def create_order(self, request: web.Request) -> web.Response:
        return create_order(self, await request.json())

    async def get_order(self, request: web.Request) -> web.Response:
        order = self._order(request)
        if order is None:
            return error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return web.json_response(order)

    async def update_order(self, request: web.Request) -> web.Response:
        order = self._order(request)
        if order is None:
            return error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        body = await request.json()
        if "status" in body:
            if body["status"] not in STATUS_NAMES:
                return error(400, "rest_invalid_param", "Invalid parameter(s): status")
            self.set_status(order, body["status"])
        for part in ("shipping", "billing"):
            order[part].update({k: str(v) for k, v in (body.get(part) or {}).items()})
        for m in body.get("meta_data") or []:
            self.set_meta(order, m["key"], m.get("value"))
        order["date_modified"] = order["date_modified_gmt"] = gmt(now())
        self.log.add({"write": "order", "id": order["id"], "body": body})
        return web.json_response(order)

    async def notes(self, request: web.Request) -> web.Response:
        order = self._order(request)
        if order is None:
            return error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        if request.method == "GET":
            listed = sorted(
                self.shop.notes[order["id"]],
                key=lambda n: (n["date_created_gmt"], n["id"]),
                reverse=True,
            )
            return web.json_response(listed)
        body = await request.json()
        note = self.shop._note(
            self.shop.notes[order["id"]], now(), str(body["note"]), author="WooCommerce"
        )
        note["customer_note"] = bool(body.get("customer_note", False))
        self.log.add({"write": "note", "id": order["id"], "note": note["note"]})
        return web.json_response(note, status=201)

    async def refunds(self, request: web.Request) -> web.Response:
        order = self._order(request)
        if order is None:
            return error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        listed = self.shop.refunds[order["id"]]
        if request.method == "GET":
            return web.json_response(sorted(listed, key=lambda r: r["id"], reverse=True))
        return create_refund(self, order, await request.json())

    async def customers(self, request: web.Request) -> web.Response:
        found = list(self.shop.customers.values())
        if email := request.query.get("email", "").strip().lower():
            found = [c for c in found if c["email"].lower() == email]
        return self._page(request, found)

    async def customer(self, request: web.Request) -> web.Response:
        found = self.shop.customers.get(int(request.match_info["id"]))
        if found is None:
            return error(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
        return web.json_response(found)

    async def products(self, request: web.Request) -> web.Response:
        found = list(self.shop.products.values())
        if request.query.get("include"):
            wanted = {int(i) for i in request.query["include"].split(",") if i.strip().isdigit()}
            found = [p for p in found if p["id"] in wanted]
        if request.query.get("sku"):  # comma-separated, as WooCommerce takes them
            skus = {s.strip() for s in request.query["sku"].split(",")}
            found = [p for p in found if p["sku"] in skus]
        return self._page(request, found)

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "orders": len(self.shop.orders)})

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.gate])
        r = app.router
        r.add_get("/wp-json/", self.index)
        r.add_get(f"{API}/system_status", self.system_status)
        r.add_get(f"{API}/orders", self.list_orders)
        r.add_post(f"{API}/orders", self.create_order)
        r.add_get(API + "/orders/{id}", self.get_order)
        r.add_put(API + "/orders/{id}", self.update_order)
        r.add_route("*", API + "/orders/{id}/notes", self.notes)
        r.add_route("*", API + "/orders/{id}/refunds", self.refunds)
        r.add_get(f"{API}/customers", self.customers)
        r.add_get(API + "/customers/{id}", self.customer)
        r.add_get(f"{API}/products", self.products)
        r.add_post("/_fake/faults", self.set_fault)
        r.add_post("/_fake/delay", self.set_delay)
        r.add_post("/_fake/orders/{number}", self.change)
        r.add_get("/_fake/log", self.show_log)
        r.add_post("/_fake/webhook", self.webhook)
        r.add_post("/_fake/reset", self.reset)
        r.add_get("/_fake/health", self.health)
        return app


def _searchable(order: Json) -> str:
    parts = [str(order["id"]), order["number"]]
    for part in ("billing", "shipping"):
        parts += [str(v) for v in order[part].values()]
    parts += [li["name"] for li in order["line_items"]]
    return " ".join(parts).lower()


def main() -> None:
    parser = base_parser("A local fake of the WooCommerce REST API v3.", 5103)
    parser.add_argument(
        "--anchor",
        type=date.fromisoformat,
        default=None,
        help="the demo shop's 'today' (default: the shop's today)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    fake = FakeWooCommerce(args.anchor, f"http://{args.host}:{args.port}")
    print(f"{len(fake.shop.orders)} orders in {time.monotonic() - started:.1f}s", flush=True)
    serve(fake.app(), args.host, args.port, "fake WooCommerce")


if __name__ == "__main__":
    main()
