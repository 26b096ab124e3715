"""The console's API (agents, logged in) and the bot's API (service token).

Agents: ``/api/login``, ``/api/logout``, ``/api/me``, ``/api/status``, ``/api/tickets``
(queue, oldest first), ``/api/tickets/<id>`` (the case with its context), ``claim``,
``messages`` (reply to the customer; 409 with ``window_closed`` after WhatsApp's 24 hours),
``template`` (WhatsApp's re-opening template), ``notes`` (private), ``close`` and the live feed
``/api/live`` (WebSocket). Canned replies: handoff/routes/canned.py; release, transfer, teams
and routing rules: handoff/routes/assign.py.

The bot: ``POST /api/bot/tickets`` (open a handoff with its context packet), ``POST
/api/bot/messages`` (a customer message while paused, with its attachment references;
idempotent by ``key``) and ``POST
/api/bot/tickets/<id>/csat`` (the rating).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from contracts.packet import PacketError
from contracts.relayed import parse_relayed_message
from handoff.routes.auth import COOKIE
from handoff.services import Conflict, HandoffService, LoginThrottled, NotFound, WindowClosed

logger = logging.getLogger(__name__)

api = Blueprint("handoff_api", url_prefix="/api")


def client_of(request: Request) -> str:
    """A keyed hash of who is logging in: the peer, or behind our proxy nginx's X-Real-IP."""
    from connectors.identity import client_key
    from connectors.webchat import peer_address

    address = peer_address(
        {"sanic.request": request, "HTTP_X_REAL_IP": request.headers.get("x-real-ip")}
    )
    return client_key(_service(request).settings.service_token, "ip", address or "unknown")


def _service(request: Request) -> HandoffService:
    return request.app.ctx.service


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def _text(body: dict[str, Any], key: str = "text") -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


#: Ticket ids are 32-bit integers on PostgreSQL: a larger one names no handoff (and must not
#: reach the database, which would answer with an error, not "no such row").
MAX_TICKET_ID = 2**31 - 1


def _no_such_ticket(ticket_id: int) -> Optional[HTTPResponse]:
    if 0 < ticket_id <= MAX_TICKET_ID:
        return None
    return response.json({"error": "no such handoff"}, status=404)


async def _guard(coro: Any) -> HTTPResponse:
    """Domain errors as HTTP answers."""
    try:
        result = await coro
    except NotFound:
        return response.json({"error": "no such handoff"}, status=404)
    except WindowClosed as exc:
        return response.json({"error": str(exc), "window_closed": True}, status=409)
    except Conflict as exc:
        return response.json({"error": str(exc)}, status=409)
    except ValueError as exc:
        return response.json({"error": str(exc)}, status=400)
    return response.json(result)


# --- agents ----------------------------------------------------------------------------


@api.post("/login")
async def login(request: Request) -> HTTPResponse:
    body = _body(request)
    username, password = _text(body, "username"), _text(body, "password")
    service = _service(request)
    try:
        result = (
            await service.login(username.strip(), password, client_of(request))
            if username and password
            else None
        )
    except LoginThrottled as throttled:
        return response.json(
            {"error": str(throttled)},
            status=429,
            headers={"Retry-After": str(throttled.retry_after)},
        )
    if result is None:
        await asyncio.sleep(0.2)  # blunt guessing a little
        return response.json({"error": "wrong username or password"}, status=401)
    token, agent = result
    logger.info("agent %s logged in", agent.id)
    # The session lives in an HttpOnly cookie that page scripts cannot read; the token is in
    # the answer only for a client that asks for a bearer token (a script with the password).
    answer: dict[str, Any] = {
        "agent": agent.public(),
        "preferences": (await service.preferences(agent.id)).public(),
    }
    if body.get("bearer") is True:
        answer["token"] = token
    resp = response.json(answer)
    resp.cookies[COOKIE] = token
    cookie = resp.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = service.settings.session_hours * 3600
    if service.settings.cookie_secure:
        cookie["secure"] = True
    return resp


@api.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    await _service(request).logout(request.ctx.token, request.ctx.agent)
    resp = response.json({"ok": True})
    del resp.cookies[COOKIE]
    return resp


@api.get("/me")
async def me(request: Request) -> HTTPResponse:
    """The agent, with their console preferences (handoff/routes/preferences.py)."""
    agent = request.ctx.agent
    found = await _service(request).preferences(agent.id)
    return response.json({"agent": agent.public(), "preferences": found.public()})


@api.get("/status")
async def status(request: Request) -> HTTPResponse:
    service = _service(request)
    hours = service.settings.business_hours
    now = service.now()
    return response.json(
        {
            "agents_online": await service.agents_online(),
            "open_now": hours.is_open(now),
            "business_hours": hours.describe(),
            "next_opening": hours.describe_next_opening(now),
            "slack": service.slack is not None,
        }
    )


@api.get("/tickets")
async def tickets(request: Request) -> HTTPResponse:
    """The queue; ``?scope=mine|teams|all`` (handoff/assignment.py, ``in_scope``)."""
    status = request.args.get("status", "open")
    scope = request.args.get("scope", "all")
    return await _guard(_wrap_list(_service(request), status, request.ctx.agent, scope))


async def _wrap_list(
    service: HandoffService, status: str, agent: Any, scope: str
) -> dict[str, Any]:
    return {"tickets": await service.queue(status, agent, scope)}


@api.get("/tickets/<ticket_id:int>")
async def ticket(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    agent_name = request.ctx.agent.display_name
    return await _guard(_service(request).ticket_detail(ticket_id, agent_name))


@api.post("/tickets/<ticket_id:int>/claim")
async def claim(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    return await _guard(_service(request).claim(ticket_id, request.ctx.agent))


@api.post("/tickets/<ticket_id:int>/messages")
async def reply(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    text = _text(_body(request))
    return await _guard(_service(request).reply(ticket_id, request.ctx.agent, text))


@api.post("/tickets/<ticket_id:int>/template")
async def reopen_template(request: Request, ticket_id: int) -> HTTPResponse:
    """WhatsApp after 24 hours: send the approved re-opening template."""
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    return await _guard(_service(request).send_reopen_template(ticket_id, request.ctx.agent))


@api.post("/tickets/<ticket_id:int>/notes")
async def note(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    text = _text(_body(request))
    return await _guard(_service(request).note(ticket_id, request.ctx.agent, text))


@api.post("/tickets/<ticket_id:int>/close")
async def close(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    return await _guard(_service(request).close(ticket_id, request.ctx.agent))


@api.websocket("/live")
async def live(request: Request, ws: Any) -> None:
    """Live updates for one console: a hello, then every event as it happens."""
    service = _service(request)
    agent = request.ctx.agent
    service.hub.add(ws, agent.id)
    try:
        await ws.send(json.dumps({"type": "hello", "agent": agent.public()}))
        while True:
            incoming: Optional[str] = await ws.recv()
            if incoming is None:
                break
    finally:
        service.hub.remove(ws)


# --- the bot ---------------------------------------------------------------------------

bot = Blueprint("handoff_bot_api", url_prefix="/api/bot")


@bot.post("/tickets")
async def open_ticket(request: Request) -> HTTPResponse:
    body = _body(request)
    if not body:
        return response.json({"error": "send the context packet as JSON"}, status=400)
    return await _guard(_service(request).open_ticket(body))


@bot.post("/messages")
async def customer_message(request: Request) -> HTTPResponse:
    """One relayed message (:class:`contracts.relayed.RelayedMessage`); 400 with the reason
    for a body of the wrong shape or an attachment reference the case will not keep."""
    try:
        message = parse_relayed_message(_body(request))
    except PacketError as exc:
        return response.json({"error": str(exc)}, status=400)
    return await _guard(
        _service(request).customer_message(
            message.conversation_id,
            message.key,
            message.text,
            message.sent_at,
            attachments=message.attachments,
        )
    )


@bot.post("/tickets/<ticket_id:int>/csat")
async def csat(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _no_such_ticket(ticket_id)) is not None:
        return refused
    body = _body(request)
    rating = body.get("rating")
    if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool)):
        return response.json({"error": "rating is a whole number from 1 to 5"}, status=400)
    comment = body.get("comment") if isinstance(body.get("comment"), str) else None
    return await _guard(_csat(_service(request), ticket_id, rating, comment))


async def _csat(
    service: HandoffService, ticket_id: int, rating: Optional[int], comment: Optional[str]
) -> dict[str, Any]:
    ticket = await service.record_csat(ticket_id, rating, comment)
    return {
        "ticket_id": ticket.id,
        "csat_rating": ticket.csat_rating,
        "csat_comment": ticket.csat_comment,
    }
