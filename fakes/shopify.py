"""A local fake of the Shopify Admin GraphQL API holding the demo shop ("Lumen & Loom").

Baton's side, as Shopify answers it:

* ``POST /admin/api/{version}/graphql.json`` with ``{"query", "variables", "operationName"}``
  and the ``X-Shopify-Access-Token`` header (wrong or missing: 401 and Shopify's
  ``{"errors": "[API] Invalid API key or access token …"}``). Every answer carries
  ``extensions.cost`` with a ``throttleStatus`` from a real leaky bucket (2,000 points,
  100/s).

  **Not a GraphQL engine**: it dispatches on the operation name (``operationName``, else the
  name after ``query``/``mutation``) of the documents :mod:`actions.shop.shopify_queries`
  sends, and answers with a superset of the fields those select; it does not parse
  selections, fragments or arguments other than the variables. Search strings understood:
  ``name:"#10001"``, ``email:"…"``, ``phone:"…"``. State changes: ``orderCancel`` (refund:
  the order becomes refunded, or voided if unpaid), ``orderUpdate`` (shipping address),
  ``returnCreate``, ``refundCreate`` (lines cancelled or refunded, :mod:`fakes.shopify_refunds`);
  each is logged.

Control (``/_fake/``, not Shopify): ``POST faults {"mode": "down"|"timeout"|"throttled"|
"unauthorized"|"error500"|"rate_limit_429"|"none", "count": n, "retry_after": s,
"seconds": s}`` for the next n API requests ("down" closes the connection; "timeout" does
what was asked and answers ``seconds`` late, as Shopify finishes a mutation whose client gave
up waiting); ``POST delay
{"ms": 100}``; ``POST scopes {"scopes": [...]}``; ``POST orders/<number> {"status":
"delivered"|"delayed"|"lost_in_transit"|"packed"}``; ``GET log``; ``POST webhook {"topic",
"number", "address", "secret"}`` (posts a signed REST-shaped payload, answers its status);
``GET health``.

    python -m fakes.shopify --port 5103
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import date
from typing import Any, Optional

import aiohttp
from aiohttp import web

from fakes.common import Recorder, base_parser, serve
from fakes.shopify_state import DEMO_SHOP_DOMAIN, ShopState
from fakes.shopify_webhooks import rest_order, rest_refund, signed

__all__ = ["DEMO_ACCESS_TOKEN", "DEMO_SHOP_DOMAIN", "DEMO_WEBHOOK_SECRET", "FakeShopify", "main"]

DEMO_ACCESS_TOKEN = "shpat_demo_not_a_secret"  # noqa: S105 - the fake's
DEMO_WEBHOOK_SECRET = "demo-shopify-webhook-secret-not-a-secret"  # noqa: S105 - the fake's
#: Shopify's 401 body, word for word (an error text, not a secret)
AUTH_ERROR = "[API] Invalid API key or access token (unrecognized login or wrong password)"
COST = {"BatonOrderByName": 252, "BatonOrderById": 250, "BatonReturnContext": 80}


class FakeShopify:
    def __init__(self, anchor: Optional[date] = None, token: str = DEMO_ACCESS_TOKEN) -> None:
        self.token = token
        self.log = Recorder()
        self.state = ShopState(self.log, anchor)
        self.fault: dict[str, Any] = {"mode": "none", "count": 0}
        self.delay_ms = 0
        self.available, self.refilled = 2000.0, time.monotonic()

    # --- the API -----------------------------------------------------------------------

    def _cost(self, requested: int) -> dict[str, Any]:
        now = time.monotonic()
        self.available = min(2000.0, self.available + (now - self.refilled) * 100.0)
        self.refilled = now
        actual = max(1, requested // 6)
        self.available = max(0.0, self.available - actual)
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": 2000.0,
                "currentlyAvailable": self.available,
                "restoreRate": 100.0,
            },
        }

    async def graphql(self, request: web.Request) -> web.StreamResponse:
        if self.delay_ms:
            await asyncio.sleep(self.delay_ms / 1000)
        token_ok = request.headers.get("X-Shopify-Access-Token") == self.token
        try:
            body = await request.json()
        except ValueError:
            body = {}
        query, variables = str(body.get("query") or ""), dict(body.get("variables") or {})
        op = (
            body.get("operationName")
            or (re.findall(r"(?:query|mutation)\s+(\w+)", query) or ["?"])[0]
        )
        self.log.add(
            {
                "kind": "request",
                "operation": op,
                "variables": variables,
                "token_ok": token_ok,
                "version": request.match_info["version"],
            }
        )
        mode = self.fault["mode"] if self.fault.get("count", 0) > 0 else "none"
        if mode != "none":
            self.fault["count"] -= 1
            faulted = await self._fault(request, mode, COST.get(op, 10))
            if faulted is not None:
                return faulted
        answer = self._answer(op, variables, token_ok)
        if mode == "timeout":  # done as asked, answered late: Shopify does not undo a mutation
            await asyncio.sleep(float(self.fault.get("seconds", 10)))  # when the client gives up
        return answer

    def _answer(self, op: str, variables: dict[str, Any], token_ok: bool) -> web.Response:
        if not token_ok:
            return web.json_response({"errors": AUTH_ERROR}, status=401)
        handler = getattr(self.state, f"op_{op}", None)
        cost = self._cost(COST.get(op, 10))
        if handler is None:
            error = {
                "message": f"Operation {op} is not supported by the fake",
                "extensions": {"code": "undefinedField"},
            }
            return web.json_response({"errors": [error], "extensions": {"cost": cost}})
        data = handler(variables)
        return web.json_response({"data": data, "extensions": {"cost": cost}})

    async def _fault(
        self, request: web.Request, mode: str, cost: int
    ) -> Optional[web.StreamResponse]:
        if mode == "down":
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)
        if mode == "unauthorized":
            return web.json_response({"errors": AUTH_ERROR}, status=401)
        if mode == "error500":
            return web.json_response({"errors": "Internal Server Error"}, status=500)
        if mode == "rate_limit_429":
            headers = {"Retry-After": str(self.fault.get("retry_after", 1.0))}
            return web.json_response(
                {
                    "errors": "Exceeded 2 calls per second for api client. "
                    "Reduce request rates to resume uninterrupted service."
                },
                status=429,
                headers=headers,
            )
        if mode == "throttled":
            status = {
                "maximumAvailable": 2000.0,
                "currentlyAvailable": float(cost - 30),
                "restoreRate": 100.0,
            }
            return web.json_response(
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": {
                        "cost": {
                            "requestedQueryCost": cost,
                            "actualQueryCost": None,
                            "throttleStatus": status,
                        }
                    },
                }
            )
        return None

    # --- control -----------------------------------------------------------------------

    async def set_faults(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.fault = {"count": 1, **data}
        return web.json_response(self.fault)

    async def set_delay(self, request: web.Request) -> web.Response:
        self.delay_ms = int((await request.json()).get("ms", 0))
        return web.json_response({"ms": self.delay_ms})

    async def set_scopes(self, request: web.Request) -> web.Response:
        self.state.scopes = list((await request.json()).get("scopes", []))
        return web.json_response({"scopes": self.state.scopes})

    async def change_order(self, request: web.Request) -> web.Response:
        status = str((await request.json()).get("status"))
        problem = self.state.set_status(request.match_info["number"], status)
        if problem:
            return web.json_response({"error": problem}, status=409)
        return web.json_response({"number": request.match_info["number"], "status": status})

    async def get_log(self, _: web.Request) -> web.Response:
        return web.json_response({"items": self.log.items})

    async def send_webhook(self, request: web.Request) -> web.Response:
        data = await request.json()
        topic = str(data.get("topic", "orders/updated"))
        fake = self.state.orders.get(str(data.get("number")))
        if fake is None:
            return web.json_response({"error": "no such order"}, status=404)
        refunds = [*fake.order.refunds, *fake.extra_refunds]
        if topic == "refunds/create" and not refunds:
            return web.json_response({"error": "the order has no refund"}, status=409)
        payload = rest_refund(fake, refunds[-1]) if topic == "refunds/create" else rest_order(fake)
        secret = str(data.get("secret") or DEMO_WEBHOOK_SECRET)
        body, headers = signed(payload, topic, secret)
        async with (
            aiohttp.ClientSession() as session,
            session.post(str(data["address"]), data=body, headers=headers) as resp,
        ):
            status = resp.status
        self.log.add(
            {"kind": "webhook", "topic": topic, "order": fake.order.number, "status": status}
        )
        return web.json_response({"status": status, "webhook_id": headers["X-Shopify-Webhook-Id"]})

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "orders": len(self.state.orders)})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/admin/api/{version}/graphql.json", self.graphql)
        app.router.add_post("/_fake/faults", self.set_faults)
        app.router.add_post("/_fake/delay", self.set_delay)
        app.router.add_post("/_fake/scopes", self.set_scopes)
        app.router.add_post("/_fake/orders/{number}", self.change_order)
        app.router.add_get("/_fake/log", self.get_log)
        app.router.add_post("/_fake/webhook", self.send_webhook)
        app.router.add_get("/_fake/health", self.health)
        return app


def main() -> None:
    parser = base_parser("A local fake of Shopify's Admin GraphQL API (the demo shop).", 5103)
    parser.add_argument(
        "--anchor",
        type=date.fromisoformat,
        default=None,
        help="the demo's 'today' (default: the shop's today)",
    )
    args = parser.parse_args()
    serve(FakeShopify(anchor=args.anchor).app(), args.host, args.port, "fake Shopify")


if __name__ == "__main__":
    main()
