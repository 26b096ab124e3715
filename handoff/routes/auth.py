"""Who is calling: an agent (session cookie or bearer token) or the bot (service token).

Runs as request middleware, before any route and before a WebSocket handshake, so nothing
under ``/api/`` answers without a login: agents get 401 until they log in, and the bot's
endpoints under ``/api/bot/`` want the service token. Cookie-authenticated requests from a
browser must come from the console's own origin and, when they change something, carry JSON
(which a cross-site form cannot send), so another site cannot act for a logged-in agent.
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from handoff.security import bearer_token, same_secret

COOKIE = "baton_agent"
PUBLIC = ("/api/login",)
# Support analytics: a lead's login, or the BI tools' own token (METRICS_API_TOKEN).
METRICS = "/api/metrics"


def _unauthorized(message: str = "login required") -> HTTPResponse:
    return response.json({"error": message}, status=401, headers={"WWW-Authenticate": "Bearer"})


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == request.host


async def authenticate(request: Request) -> Optional[HTTPResponse]:
    path = request.path
    if not path.startswith("/api/") or path in PUBLIC:
        return None
    service = request.app.ctx.service
    presented = bearer_token(request.headers.get("authorization"))
    if path.startswith("/api/bot/"):
        if not same_secret(presented, service.settings.service_token):
            return _unauthorized("service token required")
        return None
    if path == METRICS and same_secret(presented, service.settings.metrics_token or ""):
        request.ctx.agent = None  # a BI tool, not a person
        request.ctx.token = None
        return None
    from_cookie = presented is None
    token = presented or request.cookies.get(COOKIE)
    agent = await service.agent_for_token(token) if token else None
    if agent is None:
        return _unauthorized()
    if from_cookie:
        if not _same_origin(request):
            return response.json({"error": "cross-origin request refused"}, status=403)
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not (
            request.content_type or ""
        ).startswith("application/json"):
            return response.json({"error": "send JSON"}, status=415)
    request.ctx.agent = agent
    request.ctx.token = token
    return None
