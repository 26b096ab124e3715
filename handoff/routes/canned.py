"""Canned replies in the console: ``/api/canned-replies`` (a login, like all of ``/api/``).

* ``GET /api/canned-replies`` — every agent: the replies in use, each with its id, language,
  title and body, also grouped by language (``by_language``, bodies only, as before);
  ``?language=ko`` keeps one language; a lead's ``?archived=true`` lists the archived ones too.
* ``POST /api/canned-replies`` ``{language, title, body}`` — leads: add one (201).
* ``PATCH /api/canned-replies/<id>`` ``{language?, title?, body?, archived?}`` — leads: edit,
  archive (``archived: true``) or bring back (``false``).

An agent who is not a lead gets 403 on the writes; a reply a lead may not save (empty, longer
than 2000 characters, a language the console has no set for, a placeholder it does not fill)
gets 400 with the reason (handoff/canned.py).
"""

from __future__ import annotations

from typing import Any, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from handoff import canned
from handoff.services import HandoffService, NotFound

canned_routes = Blueprint("handoff_canned", url_prefix="/api/canned-replies")

#: Reply ids are 32-bit integers on PostgreSQL (as ticket ids, handoff/routes/api.py).
MAX_REPLY_ID = 2**31 - 1


def _service(request: Request) -> HandoffService:
    return request.app.ctx.service


def _not_a_lead(request: Request) -> Optional[HTTPResponse]:
    agent = request.ctx.agent
    if agent is not None and agent.is_lead:
        return None
    return response.json(
        {"error": "only leads change the canned replies; ask a lead to add or edit one"},
        status=403,
    )


def _body(request: Request) -> Optional[dict[str, Any]]:
    try:
        body = request.json
    except Exception:
        return None
    return body if isinstance(body, dict) else None


def _invalid(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


@canned_routes.get("/")
async def listing(request: Request) -> HTTPResponse:
    service = _service(request)
    language = request.args.get("language")
    if language is not None and language not in canned.LANGUAGES:
        return _invalid(f"language is one of {', '.join(canned.LANGUAGES)}")
    with_archived = request.args.get("archived", "").lower() in ("1", "true", "yes")
    if with_archived and (refused := _not_a_lead(request)) is not None:
        return refused
    replies = await service.canned_replies(language, None if with_archived else False)
    in_use = [r for r in replies if not r["archived"]]
    by_language = {
        lang: [r["body"] for r in in_use if r["language"] == lang]
        for lang in canned.LANGUAGES
        if language in (None, lang)
    }
    return response.json(
        {
            "items": replies,
            "by_language": by_language,
            "replies": by_language.get("en", []),
            "shop": service.settings.shop_name,
            "placeholders": list(canned.PLACEHOLDERS),
            "languages": list(canned.LANGUAGES),
            "max_body": canned.MAX_BODY,
            "can_edit": bool(request.ctx.agent is not None and request.ctx.agent.is_lead),
        }
    )


@canned_routes.post("/")
async def create(request: Request) -> HTTPResponse:
    if (refused := _not_a_lead(request)) is not None:
        return refused
    body = _body(request)
    if body is None:
        return _invalid("send {language, title, body} as JSON")
    try:
        reply = await _service(request).create_canned_reply(
            request.ctx.agent, body.get("language"), body.get("title"), body.get("body")
        )
    except canned.CannedReplyInvalid as exc:
        return _invalid(str(exc))
    return response.json({"reply": reply}, status=201)


@canned_routes.patch("/<reply_id:int>")
async def edit(request: Request, reply_id: int) -> HTTPResponse:
    if (refused := _not_a_lead(request)) is not None:
        return refused
    if not 0 < reply_id <= MAX_REPLY_ID:
        return response.json({"error": "no such canned reply"}, status=404)
    body = _body(request)
    if body is None:
        return _invalid("send the fields to change as JSON")
    changes = {k: v for k, v in body.items() if k in ("language", "title", "body", "archived")}
    try:
        reply = await _service(request).edit_canned_reply(request.ctx.agent, reply_id, changes)
    except NotFound:
        return response.json({"error": "no such canned reply"}, status=404)
    except canned.CannedReplyInvalid as exc:
        return _invalid(str(exc))
    return response.json({"reply": reply})
