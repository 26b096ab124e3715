"""The erasure API: ``POST /admin/erasures`` forgets a customer, ``GET`` lists what was erased.

For the shop's own systems (a privacy request form, a CRM), not for agents: it wants the admin
token, ``Authorization: Bearer $BATON_ADMIN_TOKEN``, compared in constant time. Without
``BATON_ADMIN_TOKEN`` set the API is off (404 saying so: there is no such endpoint then);
``python -m bot erase`` still works.

    POST /admin/erasures  {"customer_id": 12}
                          {"email": "ann@example.com"} | {"phone": "+447700900123"}
                          {"conversation_ids": ["…", "…"]}   (may be combined)
    → 200 {"erasure_id", "customer_id", "conversations", "matched", "counts"}
    → 400 with the reason for a malformed request, 404 for an unknown customer id

The work is :func:`infra.erasure.erase`: the tracker store, the outbox, this service's
database, the store and the NLU inbox file (all reachable from this service through the same
variables the other servers read).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from handoff.security import bearer_token, same_secret
from infra.erasure import ErasureError, Subject, Targets, erase, recorded

logger = logging.getLogger(__name__)

erasure = Blueprint("baton_erasure")


def _refused(request: Request) -> Optional[HTTPResponse]:
    expected = os.environ.get("BATON_ADMIN_TOKEN")
    if not expected:
        return response.json(
            {"error": "the erasure API is off: set BATON_ADMIN_TOKEN (or use python -m bot erase)"},
            status=404,
        )
    if not same_secret(bearer_token(request.headers.get("authorization")), expected):
        return response.json(
            {"error": "admin token required"}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )
    return None


def _subject(body: Any) -> Subject:
    if not isinstance(body, dict):
        raise ErasureError("send a JSON object")
    unknown = set(body) - {"customer_id", "email", "phone", "conversation_ids"}
    if unknown:
        raise ErasureError(f"unknown field(s): {', '.join(sorted(unknown))}")
    customer_id = body.get("customer_id")
    if customer_id is not None and (
        isinstance(customer_id, bool) or not isinstance(customer_id, int)
    ):
        raise ErasureError("customer_id must be an integer")
    for name in ("email", "phone"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise ErasureError(f"{name} must be a string")
    conversations = body.get("conversation_ids") or []
    if not isinstance(conversations, list) or not all(isinstance(c, str) for c in conversations):
        raise ErasureError("conversation_ids must be a list of strings")
    if len(conversations) > 1000:
        raise ErasureError("at most 1000 conversation_ids per request")
    return Subject(
        customer_id=customer_id,
        email=body.get("email"),
        phone=body.get("phone"),
        conversation_ids=tuple(conversations),
    )


@erasure.post("/admin/erasures")
async def create(request: Request) -> HTTPResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    if not (request.content_type or "").startswith("application/json"):
        return response.json({"error": "send JSON"}, status=415)
    try:
        body = request.json
    except Exception:
        return response.json({"error": "the body is not valid JSON"}, status=400)
    try:
        subject = _subject(body)
    except ErasureError as error:
        return response.json({"error": str(error)}, status=400)
    try:
        report = await erase(subject, Targets.from_env(), requested_by="api")
    except ErasureError as error:
        return response.json({"error": str(error)}, status=404)
    logger.info("erasure %s done: %s conversation(s)", report.erasure_id, report.conversations)
    return response.json(report.as_dict())


@erasure.get("/admin/erasures")
async def listing(request: Request) -> HTTPResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        return response.json({"error": "limit must be a number"}, status=400)
    settings = request.app.ctx.settings
    return response.json({"erasures": await recorded(settings.database_url, limit)})
