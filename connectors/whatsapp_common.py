"""What the WhatsApp connector (:mod:`connectors.whatsapp`) works with: conversation ids that
are not phone numbers, one inbound message, where a customer writes from, the Twilio SDK's HTTP
client with a timeout, and the settings."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs

from sanic.request import Request, RequestParameters
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response as TwilioResponse

from connectors.attachments import Media
from connectors.channel_settings import WhatsAppSettings, with_credentials
from connectors.text import clean_text

CHANNEL = "whatsapp"
WINDOW_HOURS = 24.0
MAX_MESSAGE_CHARS = 5000
SEND_TIMEOUT = 15.0
MEMORY = 10_000  # conversations whose address and options are kept in memory
EMPTY_HINT = (
    "I can read text and photos here. What can I help with? You can ask where your order "
    "is, or about returns and refunds."
)
APOLOGY = (
    "I'm sorry, something went wrong on our side. Please try again in a moment, "
    "or ask for a person and a colleague will help."
)
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
_E164 = re.compile(r"\+[1-9]\d{5,14}")

# The SDK logs every request at INFO; nothing there is needed in Baton's log.
_sdk_logger = logging.getLogger("baton.twilio.http")
_sdk_logger.setLevel(logging.WARNING)


def conversation_id_for(sender: str, secret: str) -> str:
    """A WhatsApp sender's conversation id: stable, and not the phone number itself."""
    digest = hmac.new(secret.encode(), sender.encode(), hashlib.sha256).hexdigest()
    return f"wa-{digest[:32]}"


class _TimedTwilioHttpClient(AsyncTwilioHttpClient):
    """The SDK's aiohttp client, with a timeout on every request (it has none by default)."""

    def __init__(self, timeout: float) -> None:
        super().__init__(logger=_sdk_logger)
        self.default_timeout = timeout

    async def request(
        self, method: str, url: str, *args: Any, timeout: Optional[float] = None, **kwargs: Any
    ) -> TwilioResponse:
        return await super().request(
            method, url, *args, timeout=timeout or self.default_timeout, **kwargs
        )


@dataclass(frozen=True)
class Inbound:
    message_sid: str
    sender: str  # "whatsapp:+E164"
    text: str
    profile_name: Optional[str]
    media: list[Media] = field(default_factory=list)

    @property
    def phone(self) -> Optional[str]:
        number = self.sender.removeprefix("whatsapp:")
        return number if _E164.fullmatch(number) else None

    @classmethod
    def from_form(cls, form: Any) -> Inbound:
        text = form.get("ButtonPayload") or form.get("Body") or ""
        try:
            count = min(int(form.get("NumMedia") or 0), 10)
        except ValueError:
            count = 0
        media = [
            Media(str(form.get(f"MediaUrl{i}")), str(form.get(f"MediaContentType{i}") or ""))
            for i in range(count)
            if form.get(f"MediaUrl{i}")
        ]
        return cls(
            message_sid=str(form.get("MessageSid") or form.get("SmsMessageSid")),
            sender=str(form.get("From")),
            text=clean_text(str(text)[:MAX_MESSAGE_CHARS]),
            profile_name=clean_text(str(form.get("ProfileName") or ""))[:120] or None,
            media=media,
        )


@dataclass(frozen=True)
class Address:
    sender: str  # "whatsapp:+E164"
    last_inbound: float  # unix time of the customer's latest message


def settings_with(credentials: Optional[dict[str, Any]]) -> WhatsAppSettings:
    """The environment's settings, with what credentials.yml gives instead."""
    return with_credentials(
        WhatsAppSettings.from_env(),
        credentials,
        {
            "TWILIO_ACCOUNT_SID": "account_sid",
            "TWILIO_AUTH_TOKEN": "auth_token",
            "TWILIO_WHATSAPP_NUMBER": "whatsapp_number",
        },
    )


def twilio_form(request: Request) -> RequestParameters:
    """The webhook's form *with* empty fields: Twilio signs ``Body=`` of a photo without a
    caption too, and Sanic's ``request.form`` drops blank values."""
    if not hasattr(request.ctx, "twilio_form"):
        try:
            fields = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            fields = {}
        request.ctx.twilio_form = RequestParameters(fields)
    return request.ctx.twilio_form
