"""WhatsApp through Twilio at ``POST /webhooks/whatsapp/webhook``.

What changes from Rasa 3.6's ``TwilioInput`` (which checks no signature, so anyone could
write as any phone number, and blocks the event loop while it sends):

* **Signature first.** ``X-Twilio-Signature`` is checked with the twilio SDK's
  ``RequestValidator`` against ``PUBLIC_URL`` + the request path (the URL Twilio was given,
  also behind a proxy). A missing or wrong signature gets 403 before anything else happens.
  Because it is verified, the sender's number identifies the customer: the connector puts
  it in the metadata as ``verified_phone`` and ``action_session_start`` looks it up.
* **Answer at once, talk in the background** (:mod:`connectors.background`): Twilio gives up
  after 15 s. A repeated ``MessageSid`` is answered once (:mod:`connectors.dedupe`).
* **Replies through the twilio SDK without blocking**: ``Client`` with the SDK's aiohttp-based
  ``AsyncTwilioHttpClient`` and ``messages.create_async``, from ``TWILIO_WHATSAPP_NUMBER``;
  ``TWILIO_API_URL`` points the SDK at a fake for tests and demos.
* **Rendering** (:mod:`connectors.render`): buttons become numbered options answered by
  number or words, long texts are split at 1,600 characters, images go as media.
* **A photo** is acknowledged and kept with the conversation (:mod:`connectors.attachments`).
* **The 24-hour window.** WhatsApp allows free-form messages only within 24 hours of the
  customer's last message. Outside it a send is not attempted: it raises
  :class:`~connectors.delivery.OutsideMessagingWindow`, logged with the reason, for whoever
  sent it (the bot, or the handoff relay through :meth:`WhatsAppInput.get_output_channel`).
  Twilio's own refusal for it (error 63016: our clock and WhatsApp's disagree) raises the
  same. What may go outside it is an approved Content template
  (:meth:`WhatsAppOutput.send_template`, ``ContentSid`` + ``ContentVariables``), which the
  handoff console offers as "Send the re-opening template".

Conversation ids are ``wa-`` + an HMAC of the number (``CHANNEL_ID_SECRET``), so logs and
tracker keys do not spell out phone numbers; the number itself is kept in each message's
metadata (``channel_user_id``), which is how a relay finds where to send.

Twilio's side (addresses, the window, sending, fetching media) is
:mod:`connectors.whatsapp_twilio`; ids, the inbound
message and the settings are :mod:`connectors.whatsapp_common`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from connectors import conversations
from connectors.attachments import FILE_ACK, PHOTO_ACK, PHOTO_TEXT
from connectors.background import TurnRunner, dialogue_slot
from connectors.channel_settings import Bounded, WhatsAppSettings
from connectors.dedupe import Deduplicator, default_deduplicator
from connectors.delivery import (
    DeliveringOutput,
    TurnCollector,
)
from connectors.identity import channel_metadata
from connectors.inbound import durable_inbox
from connectors.logsafe import log_failure
from connectors.render import pick_option
from connectors.whatsapp_common import (
    _EMPTY_TWIML,
    APOLOGY,
    CHANNEL,
    EMPTY_HINT,
    Address,
    Inbound,
    _TimedTwilioHttpClient,
    conversation_id_for,
    settings_with,
    twilio_form,
)
from connectors.whatsapp_twilio import WhatsAppTwilio
from infra.secrets import secret_from_env

# Importable from here as before (connectors.whatsapp_common has them).
__all__ = [
    "CHANNEL",
    "PHOTO_ACK",
    "Address",
    "Inbound",
    "WhatsAppInput",
    "WhatsAppOutput",
    "conversation_id_for",
]

logger = logging.getLogger(__name__)


class WhatsAppOutput(DeliveringOutput):
    """Sends to a conversation's WhatsApp number: every call is one delivery, and raises
    :class:`~connectors.delivery.DeliveryFailed` when it cannot be made."""

    def __init__(self, channel: WhatsAppInput) -> None:
        super().__init__(channel)
        self.channel: WhatsAppInput = channel

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_agent_message(self, recipient_id: str, text: str, agent_name: str) -> None:
        """An agent's reply (connectors.relay), signed with their name in WhatsApp bold."""
        await self.channel.deliver(recipient_id, [{"text": f"*{agent_name}*: {text}"}])

    async def send_template(
        self, recipient_id: str, content_sid: str, variables: dict[str, str]
    ) -> None:
        """An approved template (connectors.relay): the way back after the 24-hour window."""
        await self.channel.deliver_template(recipient_id, content_sid, variables)


class WhatsAppInput(WhatsAppTwilio, InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        settings = settings_with(credentials)
        if settings.enabled:
            logger.info("WhatsApp channel on: Twilio webhook %s", settings.webhook_url)
        else:
            logger.info("WhatsApp channel off: set %s to turn it on", ", ".join(settings.missing))
        return cls(settings)

    def __init__(
        self,
        settings: WhatsAppSettings,
        dedupe: Optional[Deduplicator] = None,
        id_secret: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.dedupe: Deduplicator = dedupe or default_deduplicator(ttl_seconds=24 * 3600)
        self.id_secret = id_secret or secret_from_env("CHANNEL_ID_SECRET")
        self.clock = clock
        self.runner = TurnRunner(CHANNEL)
        # Several replicas: accepted webhooks survive the replica that took them.
        self.inbound = durable_inbox(CHANNEL)
        self.app: Optional[Sanic] = None
        self._validator = RequestValidator(settings.auth_token) if settings.auth_token else None
        self._addresses = Bounded()
        self._options = Bounded()
        self._client: Optional[Client] = None
        self._twilio_http: Optional[_TimedTwilioHttpClient] = None
        self._session: Optional[aiohttp.ClientSession] = None

    # --- identity ---------------------------------------------------------------------------

    def conversation_id(self, sender: str) -> str:
        return conversation_id_for(sender, self.id_secret)

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self)

    # --- receiving -------------------------------------------------------------------------

    form = staticmethod(twilio_form)

    def signature_is_valid(self, request: Request) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if not signature or self._validator is None:
            return False
        url = self.settings.public_url + request.path
        if request.query_string:
            url += "?" + request.query_string
        try:
            return bool(self._validator.validate(url, self.form(request), signature))
        except Exception:  # a malformed body is as good as a wrong signature
            return False

    async def _turn(
        self,
        inbound: Inbound,
        conversation_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        metadata = channel_metadata(
            CHANNEL, inbound.sender, display_name=inbound.profile_name, verified_phone=inbound.phone
        )
        text = inbound.text
        collector = TurnCollector(CHANNEL)
        if inbound.media:
            metadata["attachments"] = await self._keep_media(inbound, conversation_id)
            photo = any(m.content_type.startswith("image/") for m in inbound.media)
            ack = PHOTO_ACK if photo else FILE_ACK
            await self.deliver(conversation_id, [{"text": ack}])
            if not text.strip():
                # No words to understand: keep it in the transcript without a dialogue turn
                # (a paused conversation logs it the normal way, for the agent).
                async with dialogue_slot():
                    paused = await conversations.is_paused(self.app, conversation_id)
                    if paused or not await conversations.record_without_reply(
                        self.app, conversation_id, PHOTO_TEXT, metadata, ack, collector
                    ):
                        await on_new_message(
                            UserMessage(
                                PHOTO_TEXT,
                                collector,
                                conversation_id,
                                input_channel=CHANNEL,
                                metadata=metadata,
                            )
                        )
                await self.deliver(conversation_id, collector.messages)
                return
        if not text.strip():
            await self.deliver(conversation_id, [{"text": EMPTY_HINT}])
            return
        option = pick_option(text, await self._options_for(conversation_id))
        if option is not None:
            text = option.payload
        async with dialogue_slot():
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    conversation_id,
                    input_channel=CHANNEL,
                    message_id=inbound.message_sid,
                    metadata=metadata,
                )
            )
        await self.deliver(conversation_id, collector.messages)

    async def _first_time(self, key: str, conversation_id: str, form: Any) -> bool:
        """Whether to run this webhook (False: a repeat).

        One process: the dedupe key alone. Several replicas: a repeat is a message already
        finished (dedupe key, set when its turn ends) or one written in the durable inbox and
        not finished yet (its replica, or the one taking over from it, will finish it). The
        inbox row is written *before* the 200, so a replica dying right after it loses
        nothing, and a retry nginx sends to the other replica is not run twice."""
        if self.inbound is None:
            return await self.dedupe.first_time(key)
        if await self.dedupe.seen(key):
            return False
        try:
            return await self.inbound.accept(key, conversation_id, dict(form))
        except Exception as exc:
            log_failure(logger, "durable inbox", conversation_id, exc)
            return await self.dedupe.first_time(key)

    def _submit(
        self,
        key: str,
        inbound: Inbound,
        conversation_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Run the turn in the background; the durable inbox forgets it once it has ended."""

        async def finished() -> None:
            if self.inbound is not None:
                try:
                    # The "answered" mark first: if deleting the row then fails (database
                    # down), the replica claiming it when its lease runs out sees the mark.
                    await self.dedupe.first_time(key)  # a later retry: already answered
                    await self.inbound.done(key)
                except Exception as exc:
                    log_failure(logger, "durable inbox", conversation_id, exc)

        async def turn() -> None:
            await self._turn(inbound, conversation_id, on_new_message)
            await finished()

        async def apologise(_: BaseException) -> None:
            await self.deliver(conversation_id, [{"text": APOLOGY}])
            await finished()

        self.runner.submit(conversation_id, turn, on_error=apologise)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("baton_whatsapp", __name__)

        @bp.listener("before_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self.app = app

        @bp.listener("after_server_start")
        async def start_inbox(_app: Sanic, _loop: Any) -> None:
            if self.inbound is not None:

                async def replay(key: str, conversation_id: str, payload: dict[str, Any]) -> None:
                    inbound = Inbound.from_form(RequestParameters(payload))
                    self.note_inbound(conversation_id, inbound.sender)
                    self._submit(key, inbound, conversation_id, on_new_message)

                # A row whose turn set the dedupe key but could not be deleted is not re-run.
                await self.inbound.start(replay, answered=self.dedupe.seen)

        @bp.listener("before_server_stop")
        async def finish_turns(_app: Sanic, _loop: Any) -> None:
            await self.runner.drain()
            if self.inbound is not None:
                await self.inbound.stop()

        @bp.listener("after_server_stop")
        async def close_clients(_app: Sanic, _loop: Any) -> None:
            await self.close()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("WhatsApp is not configured on this server.", status=503)
            if not self.signature_is_valid(request):
                return response.text("Invalid Twilio signature.", status=403)
            form = self.form(request)
            sid, sender = form.get("MessageSid") or form.get("SmsMessageSid"), form.get("From")
            if not sid or not isinstance(sender, str) or not sender.startswith("whatsapp:"):
                return response.text(_EMPTY_TWIML, content_type="text/xml")  # not a message
            if not self.runner.has_room():
                return response.text("Busy, try again.", status=503)
            key = f"twilio:{sid}"
            inbound = Inbound.from_form(form)
            conversation_id = self.conversation_id(inbound.sender)
            if not await self._first_time(key, conversation_id, form):
                return response.text(_EMPTY_TWIML, content_type="text/xml")
            self.note_inbound(conversation_id, inbound.sender)
            self._submit(key, inbound, conversation_id, on_new_message)
            return response.text(_EMPTY_TWIML, content_type="text/xml")

        return bp
