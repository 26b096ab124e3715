"""What the web chat connector (:mod:`connectors.webchat`) works with: its fixed messages,
how fast one socket may send (:class:`_Flow`), a socket's session, the visitor's address, and
the widget's page and files."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"
CHANNEL = "webchat"
MAX_MESSAGE_CHARS = 5000
EMPTY_HINT = (
    "That message looks empty. What can I help with? You can ask where your order is, "
    "or about returns and refunds."
)
# What stock widgets send when a chat opens: rasa-webchat's default initPayload, its usual
# variants, and an empty or absent message from widgets configured with an empty one. The first
# of them on a connection is a greeting, not a customer who typed nothing; "/get_started" is one
# whenever it comes (the widget's "start again" button sends it too).
INIT_PAYLOADS = frozenset({"/get_started", "get_started", "/start", "/init"})
GREETING = "/greet"
SLOW_DOWN = (
    "You're sending messages faster than I can answer them. Please wait for my reply, "
    "then try again."
)
#: Per socket: turns running or waiting at once, and a token bucket of messages (burst,
#: seconds per message after it). One socket could otherwise queue unlimited full turns.
MAX_TURNS_IN_FLIGHT = 2
BURST_MESSAGES = 10
SECONDS_PER_MESSAGE = 2.0
APOLOGY = (
    "I'm sorry, something went wrong on our side. Please try again in a moment, "
    "or ask for a person and a colleague will help."
)
#: Uploads: the largest file (``WEBCHAT_UPLOAD_MAX_BYTES``; nginx's ``client_max_body_size``
#: for the Rasa server is 12m) and how many files one conversation may keep
#: (``WEBCHAT_UPLOAD_MAX_FILES``).
UPLOAD_MAX_BYTES = 8 * 1024 * 1024
UPLOAD_MAX_FILES = 20
NO_SESSION = "Your chat session has not started yet. Please reload the chat and try again."
BAD_SESSION = "Your chat session is no longer valid. Please reload the chat and try again."


@dataclass
class _Flow:
    """How fast one socket is sending (token bucket) and how many of its turns are running."""

    tokens: float = BURST_MESSAGES
    updated: float = field(default_factory=time.monotonic)
    in_flight: int = 0

    def admit(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST_MESSAGES, self.tokens + (now - self.updated) / SECONDS_PER_MESSAGE)
        self.updated = now
        if self.in_flight >= MAX_TURNS_IN_FLIGHT or self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class _Session:
    conversation_id: str
    customer_id: Optional[str] = None
    owner: str = "-"  # connectors.identity.owner_tag of whoever the conversation belongs to
    client: Optional[str] = None  # connectors.identity.client_key of the socket's address
    spoke: bool = False  # a message (even an empty one) has come on this connection


_PROXIES = ("127.", "::1", "10.", "192.168.", "172.16.", "172.17.", "172.18.", "172.19.")


def peer_address(environ: dict[str, Any]) -> str:
    """The visitor's address: the socket's peer, or behind our own proxy (a loopback or
    private peer, e.g. nginx) the ``X-Real-IP`` it sets — which it overwrites, so a client
    cannot choose it. "" when unknown: a loopback peer without a proxy's header is this
    machine (``make run``, tests), where every visitor would share one address."""
    request = environ.get("sanic.request")
    peer = str(getattr(request, "ip", "") or "")
    forwarded = str(environ.get("HTTP_X_REAL_IP") or "").strip()
    if not peer or peer.startswith(_PROXIES):
        return forwarded[:64]
    return peer[:64]


_ASSETS = {
    "widget.js": "application/javascript; charset=utf-8",
    "socket.io.min.js": "application/javascript; charset=utf-8",
    "index.html": "text/html; charset=utf-8",
}


async def _serve_page(_: Request) -> HTTPResponse:
    return await response.file(STATIC_DIR / "index.html", mime_type=_ASSETS["index.html"])


async def _serve_asset(_: Request, asset: str) -> HTTPResponse:
    if asset not in _ASSETS:
        return response.json({"error": "not found"}, status=404)
    return await response.file(
        STATIC_DIR / asset,
        mime_type=_ASSETS[asset],
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )
