"""Slack for customers: Events API at ``POST /webhooks/slack/webhook``, buttons at
``POST /webhooks/slack/actions``.

What changes from Rasa 3.6's ``SlackInput`` (which finishes the whole turn before answering,
so Slack retries after 3 s, and drops a message silently when the turn raises):

* Every request is checked with slack-sdk's ``SignatureVerifier`` (signing secret, 5-minute
  replay window) and gets 403 before anything else happens; ``url_verification`` is answered.
* The request is acknowledged at once and the turn runs in the background
  (:mod:`connectors.background`); a failing turn is logged and the customer gets an apology.
* Each post is answered once: a repeated ``event_id`` (which covers Slack's retries with
  ``X-Slack-Retry-Num``) and the ``app_mention`` + ``message`` pair Slack sends for one post
  that mentions the bot (same channel and ``ts``) are dropped (:mod:`connectors.dedupe`).
* Bot messages (ours and others'), edits, deletions and other subtypes are ignored.
* Direct messages are answered in the DM. A mention in a channel is answered in the
  customer's DM — everyone in a channel reads its threads, and answers carry order details —
  with one line in a thread under the mention saying so; later messages in that thread are
  followed (and answered in the DM) without another mention. The app needs ``im:write``
  for that; without it the thread is asked to write in a DM instead.
* Buttons are Block Kit (:func:`connectors.render.render_slack`); a click is answered once
  and the buttons are replaced by "You chose: …".
* The Slack user's e-mail (``users.info``, cached) identifies the customer: the connector
  puts it in the metadata as ``verified_email`` and ``action_session_start`` looks it up.
* Replies go through slack-sdk's ``AsyncWebClient``; ``SLACK_API_URL`` points it elsewhere.

Conversations are per Slack user: ``slack-<team>-<user>``.

The Web API side (users, DMs, posting) is :mod:`connectors.slack_api`; addresses, people and
the text without markup are :mod:`connectors.slack_common`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from connectors.background import TurnRunner, dialogue_slot
from connectors.channel_settings import Bounded, SlackSettings
from connectors.dedupe import Deduplicator, default_deduplicator
from connectors.delivery import DeliveringOutput, TurnCollector
from connectors.identity import channel_metadata
from connectors.logsafe import describe
from connectors.render import chosen_blocks, slack_escape
from connectors.slack_api import SlackWebApi
from connectors.slack_common import (
    APOLOGY,
    CHANNEL,
    EMPTY_HINT,
    MAX_MESSAGE_CHARS,
    Address,
    Inbound,
    Person,
    clean_text,
    settings_with,
)
from connectors.slack_events import bot_user_in, choice_inbound, message_inbound
from connectors.text import as_object, as_str
from connectors.text import clean_text as normalise

# Importable from here as before (connectors.slack_common has them).
__all__ = ["CHANNEL", "Address", "Inbound", "Person", "SlackInput", "SlackOutput", "clean_text"]

logger = logging.getLogger(__name__)


class SlackOutput(DeliveringOutput):
    """Sends to a conversation's latest Slack DM or thread; raises
    :class:`~connectors.delivery.DeliveryFailed` when it cannot."""

    def __init__(self, channel: SlackInput) -> None:
        super().__init__(channel)
        self.channel: SlackInput = channel

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_agent_message(self, recipient_id: str, text: str, agent_name: str) -> None:
        """An agent's reply (connectors.relay): the agent's name above their words."""
        byline = {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"*{slack_escape(agent_name)}* · our team"}],
        }
        await self.channel.deliver(
            recipient_id, [{"custom": {"slack": {"blocks": [byline]}}}, {"text": text}]
        )


class SlackInput(SlackWebApi, InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        settings = settings_with(credentials)
        if settings.enabled:
            logger.info(
                "Slack channel on: events at %s/webhooks/slack/webhook", settings.public_url
            )
        else:
            logger.info("Slack channel off: set %s to turn it on", ", ".join(settings.missing))
        return cls(settings)

    def __init__(
        self,
        settings: SlackSettings,
        dedupe: Optional[Deduplicator] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.dedupe: Deduplicator = dedupe or default_deduplicator(ttl_seconds=3600)
        self.clock = clock
        self.verifier = (
            SignatureVerifier(settings.signing_secret) if settings.signing_secret else None
        )
        self.runner = TurnRunner(CHANNEL)
        self.app: Optional[Sanic] = None
        self.bot_user_id: Optional[str] = None
        self._addresses = Bounded()
        self._threads = Bounded()  # (channel, thread_ts) -> until when the bot follows it
        self._people = Bounded()  # user id -> (expires, Person)
        self._dms = Bounded()  # user id -> their DM channel with the bot
        self._noted = Bounded()  # (channel, thread) already told the answer is in a DM
        self._client: Optional[AsyncWebClient] = None
        self._session: Optional[aiohttp.ClientSession] = None

    @staticmethod
    def conversation_id(team: str, user: str) -> str:
        return f"slack-{team}-{user}"

    def get_output_channel(self) -> OutputChannel:
        return SlackOutput(self)

    # --- receiving -------------------------------------------------------------------------

    def signature_is_valid(self, request: Request) -> bool:
        if self.verifier is None:
            return False
        try:
            return self.verifier.is_valid(
                body=request.body,
                timestamp=request.headers.get("X-Slack-Request-Timestamp"),
                signature=request.headers.get("X-Slack-Signature"),
            )
        except (ValueError, TypeError):  # a timestamp that is not a number
            return False

    def _inbound(self, payload: dict[str, Any]) -> Optional[Inbound]:
        """The customer message in an event, or None for anything the bot should not answer."""
        event = as_object(payload.get("event"))
        if event.get("type") not in ("message", "app_mention"):
            return None
        me = bot_user_in(payload)
        if me and not self.bot_user_id:
            self.bot_user_id = me
        return message_inbound(payload, event, (me, self.bot_user_id), self._following)

    async def _turn(
        self,
        inbound: Inbound,
        conversation_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Optional[str] = None,
    ) -> None:
        person = await self.person(inbound.user)
        if person.is_bot:
            return
        if text is None:
            text = clean_text(inbound.text, await self.own_user_id())
        address = await self._private_address(inbound, conversation_id)
        if address is None:
            return
        if not text.strip():
            await self.deliver(conversation_id, [{"text": EMPTY_HINT}], address)
            return
        metadata = channel_metadata(
            CHANNEL,
            f"{inbound.team}:{inbound.user}",
            display_name=person.name,
            verified_email=person.email,
            slack_team=inbound.team,
            slack_channel=address.channel,
            slack_thread_ts=address.thread_ts,
        )
        collector = TurnCollector(CHANNEL)
        async with dialogue_slot():
            await on_new_message(
                UserMessage(
                    text, collector, conversation_id, input_channel=CHANNEL, metadata=metadata
                )
            )
        self._addresses.put(conversation_id, address)
        await self.deliver(conversation_id, collector.messages, address)

    async def _choice(
        self,
        inbound: Inbound,
        conversation_id: str,
        payload: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        message = as_object(payload.get("message"))
        action = as_object(payload["actions"][0])
        title = as_str(as_object(action.get("text")).get("text")) or "your choice"
        if isinstance(message.get("blocks"), list):
            try:
                await self.web().chat_update(
                    channel=inbound.address.channel,
                    ts=inbound.ts,
                    text=as_str(message.get("text"), 4000) or title,
                    blocks=chosen_blocks(message["blocks"], title),
                )
            except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                logger.warning("could not mark the choice in Slack: %s", describe(exc))
        value = as_str(action.get("value"), MAX_MESSAGE_CHARS) or ""
        await self._turn(inbound, conversation_id, on_new_message, text=normalise(value))

    def _submit(
        self,
        inbound: Inbound,
        work: Callable[[], Awaitable[None]],
    ) -> None:
        conversation_id = self.conversation_id(inbound.team, inbound.user)
        self._addresses.put(conversation_id, inbound.address)

        async def apologise(_: BaseException) -> None:
            await self.deliver(conversation_id, [{"text": APOLOGY}], inbound.address)

        self.runner.submit(conversation_id, work, on_error=apologise)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("baton_slack", __name__)

        @bp.listener("before_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self.app = app

        @bp.listener("before_server_stop")
        async def finish_turns(_app: Sanic, _loop: Any) -> None:
            await self.runner.drain()

        @bp.listener("after_server_stop")
        async def close_clients(_app: Sanic, _loop: Any) -> None:
            await self.close()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @bp.route("/webhook", methods=["POST"])
        async def events(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("Slack is not configured on this server.", status=503)
            if not self.signature_is_valid(request):
                return response.text("Invalid Slack signature.", status=403)
            try:
                payload = json.loads(request.body)
            except ValueError:
                return response.text("Expected JSON.", status=400)
            if not isinstance(payload, dict):
                return response.text("Expected a JSON object.", status=400)
            if payload.get("type") == "url_verification":
                return response.json({"challenge": as_str(payload.get("challenge"), 500)})
            if payload.get("type") != "event_callback":
                return response.empty(status=200)
            inbound = self._inbound(payload)
            if inbound is None:
                return response.empty(status=200)
            if not self.runner.has_room():
                return response.text("Busy, try again.", status=503)
            event_id = as_str(payload.get("event_id"))
            if event_id and not await self.dedupe.first_time(f"slack-event:{event_id}"):
                return response.empty(status=200)
            post = f"slack-post:{inbound.address.channel}:{inbound.ts}"
            if not await self.dedupe.first_time(post):
                return response.empty(status=200)  # the app_mention + message pair for one post
            conversation_id = self.conversation_id(inbound.team, inbound.user)
            self._submit(inbound, lambda: self._turn(inbound, conversation_id, on_new_message))
            return response.empty(status=200)

        @bp.route("/actions", methods=["POST"])
        async def actions(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("Slack is not configured on this server.", status=503)
            if not self.signature_is_valid(request):
                return response.text("Invalid Slack signature.", status=403)
            try:
                payload = json.loads(request.form.get("payload") or "")
            except ValueError:
                return response.text("Expected a payload.", status=400)
            if not isinstance(payload, dict) or payload.get("type") != "block_actions":
                return response.empty(status=200)
            inbound = choice_inbound(payload)
            if inbound is None:
                return response.empty(status=200)
            if not self.runner.has_room():
                return response.text("Busy, try again.", status=503)
            if not await self.dedupe.first_time(
                f"slack-choice:{inbound.address.channel}:{inbound.ts}"
            ):
                # one answer per question, however often it is clicked
                return response.empty(status=200)
            conversation_id = self.conversation_id(inbound.team, inbound.user)
            self._submit(
                inbound, lambda: self._choice(inbound, conversation_id, payload, on_new_message)
            )
            return response.empty(status=200)

        return bp
