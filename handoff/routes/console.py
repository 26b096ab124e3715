"""The agent console: one static page (HTML, CSS, JS; no CDN, works offline).

The page itself holds no data; everything it shows comes from ``/api/`` after a login.
``GET /`` serves the page. Monitors use ``GET /health`` (answered here, in JSON), ``GET /ready``
and ``GET /metrics`` (:mod:`infra.ops`, installed by :mod:`handoff.ops`), as on every server.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
_ASSETS = {
    "console.js": "application/javascript; charset=utf-8",
    "canned.js": "application/javascript; charset=utf-8",
    "search.js": "application/javascript; charset=utf-8",
    "notify.js": "application/javascript; charset=utf-8",
    "i18n.js": "application/javascript; charset=utf-8",
    "i18n-en.js": "application/javascript; charset=utf-8",
    "i18n-ko.js": "application/javascript; charset=utf-8",
    "i18n-zh.js": "application/javascript; charset=utf-8",
    "assign.js": "application/javascript; charset=utf-8",
    "teams.js": "application/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "inbox.js": "application/javascript; charset=utf-8",
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

console = Blueprint("handoff_console")


@console.get("/")
async def page(_: Request) -> HTTPResponse:
    return await response.file(
        CONSOLE_DIR / "index.html", mime_type="text/html; charset=utf-8", headers=_SECURITY_HEADERS
    )


@console.get("/inbox")
async def inbox_page(_: Request) -> HTTPResponse:
    """The NLU inbox page; its data comes from ``/api/inbox`` (login required)."""
    return await response.file(
        CONSOLE_DIR / "inbox.html", mime_type="text/html; charset=utf-8", headers=_SECURITY_HEADERS
    )


@console.get("/console/<asset:str>")
async def asset(_: Request, asset: str) -> HTTPResponse:
    if asset not in _ASSETS:
        return response.json({"error": "not found"}, status=404)
    return await response.file(
        CONSOLE_DIR / asset, mime_type=_ASSETS[asset], headers=_SECURITY_HEADERS
    )


@console.get("/health")
async def health(_: Request) -> HTTPResponse:
    return response.json({"status": "ok"})
