"""Search in the console (a login, like all of ``/api/``; agents and leads alike).

* ``GET /api/search?q=…&page=N`` — past and open cases matched by order number (with or
  without ``#``), e-mail (any case), phone (its last nine digits), customer name or the words
  of a message or private note; newest first, 20 a page with ``has_more``; page 1 also lists
  the identified customers among them (``customers``).
* ``GET /api/customers/<customer_id>/cases?page=N`` — one customer's cases on every channel,
  newest first, with channel, dates, reason and status.

A search that cannot run (nothing typed, one character, over 100 characters, a page that is
not a number from 1 to 50) gets 400 with the reason. The query is never logged.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from handoff.search import page_number
from handoff.search_keys import QueryInvalid
from handoff.services import HandoffService

search_routes = Blueprint("handoff_search", url_prefix="/api")


def _service(request: Request) -> HandoffService:
    return request.app.ctx.service


async def _answer(coro: Any) -> HTTPResponse:
    try:
        return response.json(await coro)
    except QueryInvalid as exc:
        return response.json({"error": str(exc)}, status=400)


@search_routes.get("/search")
async def search(request: Request) -> HTTPResponse:
    try:
        page = page_number(request.args.get("page"))
    except QueryInvalid as exc:
        return response.json({"error": str(exc)}, status=400)
    return await _answer(_service(request).search(request.args.get("q", ""), page))


@search_routes.get("/customers/<customer_id:str>/cases")
async def customer_cases(request: Request, customer_id: str) -> HTTPResponse:
    try:
        page = page_number(request.args.get("page"))
    except QueryInvalid as exc:
        return response.json({"error": str(exc)}, status=400)
    return await _answer(_service(request).customer_cases(customer_id, page))
