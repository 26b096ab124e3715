"""One metadata shape for every channel, and the signed tokens that carry identity.

Every connector attaches the same metadata to each message (docs/architecture.md, "Identity: who may
see an order"): ``channel``, ``channel_user_id``, ``display_name`` and, only when the connector
*proved* it, ``customer_id``. Client-supplied metadata is never passed through, so a visitor cannot
claim to be someone else by sending ``{"customer_id": 1}``.

Two kinds of HMAC-SHA256 token live here:

* the **customer token** a shop puts in the widget's ``customData`` for a logged-in shopper:
  ``"<customer_id>.<expires_unix>.<hex hmac of "customer_id.expires">"`` signed with
  ``WEBCHAT_CUSTOMER_TOKEN_SECRET``;
* the **web chat session id** the server issues: ``"<conversation id>.<hmac>"``. Only the
  server can mint one, so an invented id starts a fresh conversation instead of opening
  someone else's, and the conversation id stored in the tracker (and logs) is not itself
  enough to resume a chat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any, Optional, TypedDict


class ChannelMetadata(TypedDict, total=False):
    channel: str
    channel_user_id: str
    display_name: Optional[str]
    customer_id: Optional[str]


def channel_metadata(
    channel: str,
    channel_user_id: str,
    display_name: Optional[str] = None,
    customer_id: Optional[str] = None,
    **extra: Any,
) -> dict[str, Any]:
    """The metadata every connector attaches to a customer message."""
    meta: dict[str, Any] = {
        "channel": channel,
        "channel_user_id": channel_user_id,
        "display_name": display_name,
    }
    if customer_id:
        meta["customer_id"] = str(customer_id)
    meta.update(extra)
    return meta


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def client_key(secret: str, kind: str, who: str) -> str:
    """A keyed hash of who is writing (``kind`` says what ``who`` is; web chat, the only caller,
    passes ``ip``), for the ownership lockout to count failures per client without storing the
    address itself."""
    return _sign(secret, f"client:{kind}:{who}")[:32]


# --- customer tokens (issued by the shop's website) -------------------------------------


def make_customer_token(customer_id: str | int, secret: str, ttl_seconds: int = 3600) -> str:
    """What a shop's backend puts in the widget for a logged-in customer."""
    expires = int(time.time()) + ttl_seconds
    payload = f"{customer_id}.{expires}"
    return f"{payload}.{_sign(secret, payload)}"


def verify_customer_token(
    token: object, secret: Optional[str], now: Optional[float] = None
) -> Optional[str]:
    """The customer id in a valid, unexpired token; ``None`` for anything else."""
    if not secret or not isinstance(token, str) or len(token) > 512:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    customer_id, expires, signature = parts
    if not customer_id.isdigit() or not expires.isdigit():
        return None
    expected = _sign(secret, f"{customer_id}.{expires}")
    if not hmac.compare_digest(expected, signature):
        return None
    if int(expires) < (now if now is not None else time.time()):
        return None
    return customer_id


# --- web chat session ids (issued by the Rasa server) -----------------------------------

#: A session id older than this starts a new conversation (``WEBCHAT_SESSION_HOURS``); each
#: resume issues a fresh one, so a customer who keeps coming back keeps their conversation.
DEFAULT_SESSION_SECONDS = 24 * 3600
ANONYMOUS = "-"


def owner_tag(secret: str, customer_id: Optional[str]) -> str:
    """Who a conversation belongs to, as its session id carries it: a keyed hash of the
    logged-in customer's id, or ``-`` for a visitor who is not logged in."""
    if not customer_id:
        return ANONYMOUS
    return _sign(secret, f"owner:{customer_id}")[:16]


def new_session(
    secret: str,
    customer_id: Optional[str] = None,
    now: Optional[float] = None,
    conversation_id: Optional[str] = None,
) -> tuple[str, str]:
    """A ``(session token, conversation id)`` pair: ``"<conversation>.<issued>.<owner>.<hmac>"``.

    ``conversation_id`` re-issues a token for a conversation being resumed (a fresh expiry)."""
    conversation_id = conversation_id or secrets.token_hex(16)
    issued = str(int(time.time() if now is None else now))
    owner = owner_tag(secret, customer_id)
    body = f"{conversation_id}.{issued}.{owner}"
    return f"{body}.{_sign(secret, 'session:' + body)[:32]}", conversation_id


def session_from_token(
    token: object,
    secret: str,
    max_age: float = DEFAULT_SESSION_SECONDS,
    now: Optional[float] = None,
) -> Optional[tuple[str, str]]:
    """``(conversation id, owner tag)`` of a token this server issued and that has not
    expired; ``None`` for anything else (an old-format id included)."""
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 3:
        return None
    conversation_id, issued, owner, signature = token.split(".")
    body = f"{conversation_id}.{issued}.{owner}"
    expected = _sign(secret, "session:" + body)[:32]
    if len(conversation_id) != 32 or not hmac.compare_digest(expected, signature):
        return None
    if not issued.isdigit():
        return None
    age = (time.time() if now is None else now) - int(issued)
    if age > max_age or age < -300:
        return None
    return conversation_id, owner


def conversation_from_session(token: object, secret: str) -> Optional[str]:
    """The conversation id of a valid, unexpired session token this server issued."""
    found = session_from_token(token, secret)
    return found[0] if found else None
