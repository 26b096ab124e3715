"""The WhatsApp connector's Twilio side (:mod:`connectors.whatsapp`): where a conversation's
customer writes from and whether the 24-hour window is open, sending through Twilio, and
fetching the photos and files customers send.

A mixin of :class:`connectors.whatsapp.WhatsAppInput`, which sets the state annotated here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any, Optional

import aiohttp
from sanic import Sanic
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from connectors import conversations
from connectors.attachments import keep_media
from connectors.channel_settings import Bounded, WhatsAppSettings
from connectors.delivery import (
    DeliveryFailed,
    OutsideMessagingWindow,
    PlatformRejected,
    RecipientUnknown,
)
from connectors.render import Option, render_whatsapp
from connectors.whatsapp_common import (
    CHANNEL,
    SEND_TIMEOUT,
    WINDOW_HOURS,
    Address,
    Inbound,
    _TimedTwilioHttpClient,
)

logger = logging.getLogger("connectors.whatsapp")

#: Twilio's error for a free-form message outside WhatsApp's 24-hour window.
OUTSIDE_WINDOW_ERROR = 63016


def _refused(conversation_id: str, exc: TwilioRestException) -> DeliveryFailed:
    """Twilio's refusal as a ``DeliveryFailed``: 63016 (the window closed, e.g. our clock and
    WhatsApp's disagree) as :class:`OutsideMessagingWindow`, so the agent is told why."""
    if exc.code == OUTSIDE_WINDOW_ERROR:
        reason = (
            "not sent: WhatsApp refused a free-form message because the customer's last "
            f"message is more than {WINDOW_HOURS:.0f} hours old (Twilio error 63016). Send the "
            "re-opening template instead."
        )
        logger.warning("whatsapp send to conversation %s %s", conversation_id, reason)
        return OutsideMessagingWindow(CHANNEL, conversation_id, reason, None)
    return PlatformRejected(
        CHANNEL, conversation_id, f"Twilio refused the message (error {exc.code})"
    )


class WhatsAppTwilio:
    """Addresses, the messaging window, and Twilio, for one connector."""

    settings: WhatsAppSettings
    clock: Callable[[], float]
    app: Optional[Sanic]
    _addresses: Bounded  # conversation id -> Address
    _options: Bounded  # conversation id -> the numbered options last sent
    _client: Optional[Client]
    _twilio_http: Optional[_TimedTwilioHttpClient]
    _session: Optional[aiohttp.ClientSession]

    def note_inbound(self, conversation_id: str, sender: str, at: Optional[float] = None) -> None:
        """Remember where a conversation's customer writes from, and when they last wrote."""
        self._addresses.put(conversation_id, Address(sender, self.clock() if at is None else at))

    async def address_of(self, conversation_id: str) -> Optional[Address]:
        known: Optional[Address] = self._addresses.get(conversation_id)
        if known is not None and self._in_window(known):
            return known
        stored = await conversations.last_inbound(self.app, conversation_id, CHANNEL)
        if stored is not None and stored.metadata.get("channel_user_id"):
            found = Address(str(stored.metadata["channel_user_id"]), stored.timestamp)
            if known is None or found.last_inbound > known.last_inbound:
                self._addresses.put(conversation_id, found)
                return found
        return known

    def _in_window(self, address: Address) -> bool:
        return self.clock() - address.last_inbound < WINDOW_HOURS * 3600

    async def _options_for(self, conversation_id: str) -> list[Option]:
        if conversation_id in self._options:
            return list(self._options[conversation_id])
        return await conversations.offered_options(self.app, conversation_id)

    # --- sending ---------------------------------------------------------------------------

    def _twilio(self) -> Client:
        if self._client is None:  # created on the running loop: the SDK opens an aiohttp session
            self._twilio_http = _TimedTwilioHttpClient(timeout=SEND_TIMEOUT)
            client = Client(
                self.settings.account_sid, self.settings.auth_token, http_client=self._twilio_http
            )
            client.api.base_url = self.settings.api_url
            self._client = client
        return self._client

    async def deliver(self, conversation_id: str, messages: list[dict[str, Any]]) -> list[str]:
        """Render ``messages`` for WhatsApp and send them; returns Twilio's message sids.

        Raises ``RecipientUnknown``, ``OutsideMessagingWindow`` (nothing sent) or
        ``PlatformRejected`` (Twilio refused or could not be reached)."""
        turn = render_whatsapp(messages)
        if not turn.messages:
            return []
        address = await self.address_of(conversation_id)
        if address is None:
            raise RecipientUnknown(
                CHANNEL, conversation_id, "this conversation has no WhatsApp number"
            )
        if not self._in_window(address):
            hours = (self.clock() - address.last_inbound) / 3600
            reason = (
                f"not sent: the customer last wrote {hours:.0f} hours ago, and WhatsApp allows "
                f"free-form messages only within {WINDOW_HOURS:.0f} hours of the customer's last "
                "message. Ask them to get in touch again, or use an approved template."
            )
            logger.warning("whatsapp send to conversation %s %s", conversation_id, reason)
            raise OutsideMessagingWindow(CHANNEL, conversation_id, reason, hours)
        self._options.put(conversation_id, turn.options)
        client = self._twilio()
        sids = []
        for message in turn.messages:
            kwargs: dict[str, Any] = {"from_": self.settings.whatsapp_number, "to": address.sender}
            if message.body:
                kwargs["body"] = message.body
            if message.media_url:
                kwargs["media_url"] = [message.media_url]
            try:
                created = await asyncio.wait_for(
                    client.messages.create_async(**kwargs), SEND_TIMEOUT + 1
                )
            except TwilioRestException as exc:
                raise _refused(conversation_id, exc) from exc
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise PlatformRejected(
                    CHANNEL, conversation_id, "Twilio could not be reached"
                ) from exc
            sids.append(str(created.sid))
        return sids

    async def deliver_template(
        self, conversation_id: str, content_sid: str, variables: dict[str, str]
    ) -> str:
        """Send an approved Content template (allowed outside the 24-hour window); returns
        Twilio's message sid. Raises ``RecipientUnknown`` or ``PlatformRejected``."""
        address = await self.address_of(conversation_id)
        if address is None:
            raise RecipientUnknown(
                CHANNEL, conversation_id, "this conversation has no WhatsApp number"
            )
        client = self._twilio()
        try:
            created = await asyncio.wait_for(
                client.messages.create_async(
                    content_sid=content_sid,
                    content_variables=json.dumps(variables),
                    from_=self.settings.whatsapp_number,
                    to=address.sender,
                ),
                SEND_TIMEOUT + 1,
            )
        except TwilioRestException as exc:
            raise PlatformRejected(
                CHANNEL, conversation_id, f"Twilio refused the template (error {exc.code})"
            ) from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise PlatformRejected(CHANNEL, conversation_id, "Twilio could not be reached") from exc
        return str(created.sid)

    async def close(self) -> None:
        if self._twilio_http is not None:
            await self._twilio_http.close()
        if self._session is not None:
            await self._session.close()
        self._client = self._twilio_http = self._session = None

    # --- receiving media ---------------------------------------------------------------------

    async def _keep_media(self, inbound: Inbound, conversation_id: str) -> list[dict[str, Any]]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        auth = aiohttp.BasicAuth(self.settings.account_sid, self.settings.auth_token)
        return [
            await keep_media(
                self._session,
                media,
                conversation_id,
                f"{inbound.message_sid}-{i}",
                self.settings.api_url,
                auth,
            )
            for i, media in enumerate(inbound.media)
        ]
