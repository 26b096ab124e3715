"""Web chat: Rasa's socket.io protocol, with the server owning the conversation.

Existing widgets that speak Rasa's protocol (``session_request`` → ``session_confirm``,
``user_uttered`` → ``bot_uttered``) keep working. What changes from Rasa 3.6's
``SocketIOInput``:

* **The server owns the conversation id.** ``session_confirm`` carries a signed session id
  (:func:`connectors.identity.new_session`). A client that presents an id this server did not
  issue gets a fresh conversation, and the ``session_id`` inside ``user_uttered`` is ignored:
  each socket speaks only for the conversation it was confirmed into. Stock Rasa trusts that
  field, so any visitor could write into — and receive — anyone's conversation.
* ``enter_room`` is awaited when python-socketio makes it a coroutine (Rasa 3.6 itself calls it
  without ``await``, which is why pyproject.toml pins python-socketio).
* Identity comes only from a valid signed ``customData.customer_token``, read from *each*
  message (and from ``session_request``); client metadata is never passed through. A
  conversation belongs to whoever started it: its session id carries a keyed hash of the
  logged-in customer (or "anonymous"), and a message or a resume with any other identity —
  the shopper logged out, another shopper logged in on the same browser — starts a new,
  empty conversation instead of showing the last one's transcript and orders.
* Session ids expire (``WEBCHAT_SESSION_HOURS``, default 24, from the last resume).
* A resumed session receives ``baton_history`` (its transcript from the tracker store), so a
  page reload keeps the conversation without the browser storing it.
* Each turn ends with ``baton_turn_end``, so widgets can stop their typing indicator; a turn
  that raises still answers the customer with an apology instead of silence.
* ``GET /webchat`` serves the bundled demo page and the embeddable ``widget.js``.
* **Photos and PDFs** (``POST /webhooks/webchat/upload``, a multipart form with ``file``,
  ``session_id`` and ``customer_token``): authenticated like the socket — the session id
  this server issued, and the same person it belongs to — checked by their first bytes and
  size (``WEBCHAT_UPLOAD_MAX_BYTES``), limited per conversation
  (``WEBCHAT_UPLOAD_MAX_FILES``), kept under ``$BATON_VAR_DIR/uploads`` with a random name
  (:mod:`connectors.attachments`) and logged in the conversation as a customer message
  carrying the ``attachments`` reference, as a WhatsApp photo is.
* **Several replicas** (``REDIS_URL`` set): every event for a conversation also goes to the
  other replicas' sockets (:mod:`connectors.fanout`), so an agent's message relayed through
  any replica reaches the customer, and a second tab on another replica sees the same chat.

The fixed messages, the per-socket flow control, the visitor's address and the widget's files
are :mod:`connectors.webchat_common`.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.inbound_guard import TRUSTED_PAYLOAD
from connectors import conversations, history
from connectors.attachments import (
    FILE_ACK,
    FILE_TEXT,
    PHOTO_ACK,
    PHOTO_TEXT,
    UploadRefused,
    keep_upload,
)
from connectors.fanout import RoomFanout
from connectors.identity import (
    DEFAULT_SESSION_SECONDS,
    channel_metadata,
    client_key,
    new_session,
    owner_tag,
    session_from_token,
    verify_customer_token,
)
from connectors.text import clean_text
from connectors.webchat_common import (
    APOLOGY,
    BAD_SESSION,
    BURST_MESSAGES,
    CHANNEL,
    EMPTY_HINT,
    GREETING,
    INIT_PAYLOADS,
    MAX_MESSAGE_CHARS,
    MAX_TURNS_IN_FLIGHT,
    NO_SESSION,
    SECONDS_PER_MESSAGE,
    SLOW_DOWN,
    STATIC_DIR,
    UPLOAD_MAX_BYTES,
    UPLOAD_MAX_FILES,
    _Flow,
    _serve_asset,
    _serve_page,
    _Session,
    peer_address,
)
from infra.secrets import secret_from_env

# Importable from here as before (connectors.webchat_common has them).
__all__ = [
    "APOLOGY",
    "BURST_MESSAGES",
    "CHANNEL",
    "EMPTY_HINT",
    "MAX_MESSAGE_CHARS",
    "MAX_TURNS_IN_FLIGHT",
    "SECONDS_PER_MESSAGE",
    "SLOW_DOWN",
    "STATIC_DIR",
    "WebChatInput",
    "WebChatOutput",
    "_Flow",
    "peer_address",
]

logger = logging.getLogger(__name__)


class _WebChatBlueprint(SocketBlueprint):
    """Attaches socket.io and serves the widget at the app's root, not under /webhooks."""

    def __init__(self, channel: WebChatInput, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.channel.app = app
        if not getattr(app.ctx, "baton_webchat_routes", False):
            app.ctx.baton_webchat_routes = True
            app.add_route(_serve_page, "/webchat", methods=["GET"], name="baton_webchat_page")
            app.add_route(
                _serve_asset, "/webchat/<asset:str>", methods=["GET"], name="baton_webchat_asset"
            )
        super().register(app, options)


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, emitting through the fan-out so every replica's sockets see it."""

    def __init__(self, fanout: RoomFanout, bot_message_evt: str) -> None:
        super().__init__(fanout.sio, bot_message_evt)
        self.fanout = fanout

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await self.fanout.emit(self.bot_message_evt, response, room=socket_id)

    async def send_agent_message(self, recipient_id: str, text: str, agent_name: str) -> None:
        """An agent's message (the relay): drawn as the agent's bubble by the widget.

        Raises :class:`connectors.fanout.FanoutUnavailable` when it could not reach the
        customer's socket on any replica, so the relay answers "try again" and nothing is lost.
        """
        await self.fanout.emit(
            self.bot_message_evt,
            {"text": text, "metadata": {"agent_name": agent_name}},
            room=recipient_id,
            required=True,
        )


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel with server-owned sessions and verified identity."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            session_secret=credentials.get("session_secret")
            or secret_from_env("WEBCHAT_SESSION_SECRET"),
            customer_token_secret=credentials.get("customer_token_secret")
            or os.environ.get("WEBCHAT_CUSTOMER_TOKEN_SECRET")
            or None,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            cors_allowed_origins=credentials.get("cors_allowed_origins")
            or os.environ.get("WEBCHAT_ALLOWED_ORIGINS", ""),
            session_seconds=float(
                os.environ.get("WEBCHAT_SESSION_HOURS") or DEFAULT_SESSION_SECONDS / 3600
            )
            * 3600,
            upload_max_bytes=int(os.environ.get("WEBCHAT_UPLOAD_MAX_BYTES") or UPLOAD_MAX_BYTES),
            upload_max_files=int(os.environ.get("WEBCHAT_UPLOAD_MAX_FILES") or UPLOAD_MAX_FILES),
        )

    def __init__(
        self,
        session_secret: str,
        customer_token_secret: Optional[str] = None,
        socketio_path: str = "/socket.io",
        cors_allowed_origins: str = "",
        session_seconds: float = DEFAULT_SESSION_SECONDS,
        upload_max_bytes: int = UPLOAD_MAX_BYTES,
        upload_max_files: int = UPLOAD_MAX_FILES,
    ) -> None:
        super().__init__(session_persistence=True, socketio_path=socketio_path)
        self.session_secret = session_secret
        self.upload_max_bytes = upload_max_bytes
        self.upload_max_files = upload_max_files
        self.session_seconds = session_seconds
        self.customer_token_secret = customer_token_secret
        origins = [o.strip() for o in cors_allowed_origins.split(",") if o.strip()]
        self.cors_allowed_origins: Any = origins or []  # [] = accept any origin, as Rasa does
        self.app: Optional[Sanic] = None
        self.fanout: Optional[RoomFanout] = None
        self._sessions: dict[str, _Session] = {}
        self._clients: dict[str, str] = {}  # sid -> client key (the socket's address, keyed)
        self._flows: dict[str, _Flow] = {}  # sid -> its rate

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WebChatOutput(self.fanout, self.bot_message_evt) if self.fanout else None

    async def _enter(self, sid: str, room: str) -> None:
        assert self.sio is not None
        entered = self.sio.enter_room(sid, room)
        if inspect.isawaitable(entered):
            await entered

    def _identity(self, data: Any) -> Optional[str]:
        """The customer a message's (or a session request's) own token proves, else None."""
        custom = data.get("customData") if isinstance(data, dict) else None
        token = custom.get("customer_token") if isinstance(custom, dict) else None
        return verify_customer_token(token, self.customer_token_secret)

    async def _start_session(
        self, sid: str, requested: Any, customer_id: Optional[str] = None
    ) -> _Session:
        """Resume the session the client asked for if we issued it, it has not expired and it
        belongs to the same person (the same logged-in customer, or nobody); else a new one."""
        assert self.sio is not None
        owner = owner_tag(self.session_secret, customer_id)
        found = session_from_token(requested, self.session_secret, self.session_seconds)
        resumed = found is not None and found[1] == owner
        token, conversation_id = new_session(
            self.session_secret,
            customer_id,
            conversation_id=found[0] if resumed and found else None,
        )
        previous = self._sessions.get(sid)
        if previous is not None and previous.conversation_id != conversation_id:
            await self._leave(sid, previous.conversation_id)
        session = _Session(conversation_id, customer_id, owner)
        self._sessions[sid] = session
        await self._enter(sid, conversation_id)
        await self.sio.emit("session_confirm", token, room=sid)
        if resumed and self.app is not None:
            messages = await history.transcript(self.app, conversation_id)
            await self.sio.emit("baton_history", {"messages": messages}, room=sid)
        return session

    async def _leave(self, sid: str, room: str) -> None:
        assert self.sio is not None
        left = self.sio.leave_room(sid, room)
        if inspect.isawaitable(left):
            await left

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        self.sio = sio
        fanout = self.fanout = RoomFanout(sio, os.environ.get("REDIS_URL", "").strip() or None)
        bp = _WebChatBlueprint(self, sio, self.socketio_path, "baton_webchat", __name__)

        @bp.listener("after_server_start")
        async def _start_fanout(_app: Sanic, _loop: Any) -> None:
            await fanout.start()

        @bp.listener("before_server_stop")
        async def _stop_fanout(_app: Sanic, _loop: Any) -> None:
            await fanout.stop()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/upload", methods=["POST"])
        async def upload(request: Request) -> HTTPResponse:
            return await self._upload(request, on_new_message)

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Optional[dict] = None) -> bool:
            address = peer_address(environ)
            if address:
                self._clients[sid] = client_key(self.session_secret, "ip", address)
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self._sessions.pop(sid, None)
            self._clients.pop(sid, None)
            self._flows.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            await self._start_session(sid, requested, self._identity(data))

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            flow = self._flows.setdefault(sid, _Flow())
            if not flow.admit():
                await sio.emit(self.bot_message_evt, {"text": SLOW_DOWN}, room=sid)
                await sio.emit("baton_turn_end", {}, room=sid)
                return
            flow.in_flight += 1
            try:
                await self._handle(sid, data, on_new_message)
            finally:
                flow.in_flight -= 1

        return bp

    async def _handle(
        self, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """One customer message: identity, session, the turn."""
        sio, fanout = self.sio, self.fanout
        assert sio is not None and fanout is not None
        data = data if isinstance(data, dict) else {"message": data}
        customer_id = self._identity(data)  # this message's own token, every time
        session = self._sessions.get(sid)
        if session is None or session.owner != owner_tag(self.session_secret, customer_id):
            # Logged out, or someone else logged in on this browser: not their chat.
            session = await self._start_session(sid, None, customer_id)
        text = data.get("message")
        text = text if isinstance(text, str) else ""
        text = clean_text(text[:MAX_MESSAGE_CHARS])
        opening = not session.spoke
        session.spoke = True
        trusted = False
        if text.strip().lower() in INIT_PAYLOADS or (opening and not text.strip()):
            text = GREETING  # a stock widget opening the chat: greet the customer
            trusted = True  # our own payload: bot/inbound_guard.py lets it through
        elif not text.strip():
            # Nothing to understand: answer at once instead of guessing an intent.
            await sio.emit(self.bot_message_evt, {"text": EMPTY_HINT}, room=sid)
            await sio.emit("baton_turn_end", {}, room=sid)
            return
        output = WebChatOutput(fanout, self.bot_message_evt)
        metadata = channel_metadata(
            CHANNEL, session.conversation_id, customer_id=session.customer_id
        )
        if sid in self._clients:
            metadata["client_key"] = self._clients[sid]
        if trusted:
            metadata[TRUSTED_PAYLOAD] = True
        message = UserMessage(
            text,
            output,
            session.conversation_id,
            input_channel=CHANNEL,
            metadata=metadata,
        )
        try:
            await on_new_message(message)
        except Exception:
            logger.exception(
                "web chat turn failed", extra={"conversation": session.conversation_id}
            )
            await fanout.emit(self.bot_message_evt, {"text": APOLOGY}, room=session.conversation_id)
        finally:
            await fanout.emit("baton_turn_end", {}, room=session.conversation_id)

    def _upload_owner(self, request: Request) -> tuple[Optional[str], Optional[str], int, str]:
        """``(conversation id, customer id, status, reason)`` of an upload's form: the session
        id must be one this server issued, unexpired, and belong to whoever the customer token
        proves (or nobody) — exactly what the socket accepts."""
        form = request.form or {}
        token = form.get("session_id")
        if not token:
            return None, None, 401, NO_SESSION
        customer_id = verify_customer_token(form.get("customer_token"), self.customer_token_secret)
        found = session_from_token(token, self.session_secret, self.session_seconds)
        if found is None or found[1] != owner_tag(self.session_secret, customer_id):
            return None, None, 403, BAD_SESSION
        return found[0], customer_id, 200, ""

    async def _upload(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """A photo or PDF from the widget: kept, acknowledged and logged in the conversation."""
        conversation_id, customer_id, status, reason = self._upload_owner(request)
        if conversation_id is None:
            return response.json({"error": reason}, status=status)
        upload = request.files.get("file") if request.files else None
        if upload is None or not upload.body:
            return response.json({"error": "Choose a photo or a PDF to send."}, status=400)
        try:
            reference = await keep_upload(
                conversation_id,
                upload.body,
                max_bytes=self.upload_max_bytes,
                max_files=self.upload_max_files,
            )
        except UploadRefused as refused:
            return response.json({"error": refused.reason}, status=refused.status)
        photo = reference["kind"] == "image"
        text, ack = (PHOTO_TEXT, PHOTO_ACK) if photo else (FILE_TEXT, FILE_ACK)
        metadata = channel_metadata(CHANNEL, conversation_id, customer_id=customer_id)
        metadata["attachments"] = [reference]
        await self._log_upload(conversation_id, text, ack, metadata, on_new_message)
        shown = {k: reference[k] for k in ("kind", "content_type", "bytes")}
        return response.json({"attachment": shown, "reply": ack})

    async def _log_upload(
        self,
        conversation_id: str,
        text: str,
        ack: str,
        metadata: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Keep the upload in the transcript, as WhatsApp does: without a dialogue turn (the
        bot has nothing to understand), or, while an agent has the conversation, the normal
        way so the handoff service hears of it."""
        assert self.fanout is not None
        output = WebChatOutput(self.fanout, self.bot_message_evt)
        try:
            paused = await conversations.is_paused(self.app, conversation_id)
            if paused or not await conversations.record_without_reply(
                self.app, conversation_id, text, metadata, ack, output
            ):
                await on_new_message(
                    UserMessage(
                        text, output, conversation_id, input_channel=CHANNEL, metadata=metadata
                    )
                )
        except Exception:
            logger.exception("web chat upload not logged", extra={"conversation": conversation_id})
        try:
            await self.fanout.emit(self.bot_message_evt, {"text": ack}, room=conversation_id)
            await self.fanout.emit("baton_turn_end", {}, room=conversation_id)
        except Exception:
            logger.exception("upload not acknowledged", extra={"conversation": conversation_id})
