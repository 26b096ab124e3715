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
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from connectors import conversations
from connectors.background import TurnRunner, dialogue_slot
from connectors.channel_settings import SlackSettings
from connectors.dedupe import Deduplicator, default_deduplicator
from connectors.delivery import (
    DeliveringOutput,
    DeliveryFailed,
    PlatformRejected,
    RecipientUnknown,
    TurnCollector,
)
from connectors.identity import channel_metadata
from connectors.logsafe import describe
from connectors.render import chosen_blocks, render_slack, slack_escape
from connectors.text import as_object, as_str
from connectors.text import clean_text as normalise

logger = logging.getLogger(__name__)

CHANNEL = "slack"
MAX_MESSAGE_CHARS = 5000
MEMORY = 10_000
THREAD_HOURS = 24  # how long the bot follows a channel thread it answered in
# Everyone in a channel reads its threads: the bot answers a channel message in a DM.
MOVED_TO_DM = (
    "To keep your orders private I've answered you in a direct message. Let's carry on there."
)
DM_NEEDED = (
    "To keep your orders private I only answer in a direct message. "
    "Please write to me there and I'll help."
)
USER_CACHE_SECONDS = 3600
API_TIMEOUT = 10
EMPTY_HINT = "What can I help with? You can ask where your order is, or about returns and refunds."
APOLOGY = (
    "I'm sorry, something went wrong on our side. Please try again in a moment, "
    "or ask for a person and a colleague will help."
)
_HANDLED_SUBTYPES = (None, "file_share", "thread_broadcast")
_LABELLED = re.compile(r"<(?:mailto:|tel:)?[^<>|]+\|([^<>]+)>")
_BARE = re.compile(r"<(?:mailto:|tel:)?([^<>|@#!][^<>|]*)>")


@dataclass(frozen=True)
class Address:
    channel: str
    thread_ts: Optional[str]  # None: the top level of a DM


@dataclass(frozen=True)
class Person:
    email: Optional[str]
    name: Optional[str]
    is_bot: bool = False


@dataclass(frozen=True)
class Inbound:
    team: str
    user: str
    text: str
    address: Address
    ts: str


def clean_text(text: str, bot_user_id: Optional[str]) -> str:
    """What the customer typed, without Slack's markup: the bot's mention removed, links and
    auto-linked e-mail addresses back to the words the customer wrote, entities unescaped."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    else:
        text = re.sub(r"^\s*<@[UW][A-Z0-9]+>", " ", text)
    text = _LABELLED.sub(r"\1", text)
    text = _BARE.sub(r"\1", text)
    text = normalise(html.unescape(text))  # no NUL, controls or lone surrogates
    return " ".join(text.split())[:MAX_MESSAGE_CHARS]


class _Bounded(OrderedDict):
    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MEMORY:
            self.popitem(last=False)


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


class SlackInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        settings = SlackSettings.from_env()
        overrides = {k: v for k, v in (credentials or {}).items() if v and hasattr(settings, k)}
        if overrides:
            settings = replace(settings, **overrides)
            settings = replace(
                settings,
                missing=tuple(
                    n
                    for n, v in (
                        ("SLACK_BOT_TOKEN", settings.bot_token),
                        ("SLACK_SIGNING_SECRET", settings.signing_secret),
                    )
                    if not v
                ),
            )
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
        self._addresses = _Bounded()
        self._threads = _Bounded()  # (channel, thread_ts) -> until when the bot follows it
        self._people = _Bounded()  # user id -> (expires, Person)
        self._dms = _Bounded()  # user id -> their DM channel with the bot
        self._noted = _Bounded()  # (channel, thread) already told the answer is in a DM
        self._client: Optional[AsyncWebClient] = None
        self._session: Optional[aiohttp.ClientSession] = None

    @staticmethod
    def conversation_id(team: str, user: str) -> str:
        return f"slack-{team}-{user}"

    # --- Slack Web API ---------------------------------------------------------------------

    def web(self) -> AsyncWebClient:
        if self._client is None:  # on the running loop: keep-alive session for every call
            self._session = aiohttp.ClientSession()
            self._client = AsyncWebClient(
                token=self.settings.bot_token,
                base_url=self.settings.api_url,
                timeout=API_TIMEOUT,
                session=self._session,
            )
        return self._client

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._client = self._session = None

    async def person(self, user_id: str) -> Person:
        """Who a Slack user is (``users.info``, cached). The e-mail counts only for a real,
        active account with a confirmed address."""
        now = self.clock()
        cached = self._people.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            found = await self.web().users_info(user=user_id)
        except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.warning("users.info failed, treating the user as anonymous: %s", describe(exc))
            self._people.put(user_id, (now + 60, Person(None, None)))
            return Person(None, None)
        user = found.get("user") or {}
        profile = user.get("profile") or {}
        trusted = (
            not user.get("is_bot")
            and not user.get("deleted")
            and user.get("is_email_confirmed", True)
        )
        person = Person(
            email=profile.get("email") if trusted else None,
            name=profile.get("display_name") or profile.get("real_name") or user.get("real_name"),
            is_bot=bool(user.get("is_bot")),
        )
        self._people.put(user_id, (now + USER_CACHE_SECONDS, person))
        return person

    async def dm_with(self, user_id: str) -> Optional[str]:
        """The DM channel between the bot and ``user_id`` (``conversations.open``, cached)."""
        known: Optional[str] = self._dms.get(user_id)
        if known is not None:
            return known
        try:
            opened = await self.web().conversations_open(users=user_id)
        except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.warning("could not open a DM to answer privately: %s", describe(exc))
            return None
        channel = as_str(as_object(opened.get("channel")).get("id"))
        if channel:
            self._dms.put(user_id, channel)
        return channel

    async def _private_address(self, inbound: Inbound, conversation_id: str) -> Optional[Address]:
        """Where to answer: the DM it came from, or — for a message in a channel, where
        everyone reads the thread — the customer's DM, after saying so in the thread once.
        None when no DM can be opened (the thread is told to write in a DM instead)."""
        if inbound.address.channel.startswith("D"):
            return inbound.address
        dm = await self.dm_with(inbound.user)
        thread = (inbound.address.channel, inbound.address.thread_ts)
        if dm is None or thread not in self._noted:
            self._noted.put(thread, True)
            with contextlib.suppress(DeliveryFailed):
                await self.deliver(
                    conversation_id, [{"text": MOVED_TO_DM if dm else DM_NEEDED}], inbound.address
                )
        return Address(dm, None) if dm else None

    async def own_user_id(self) -> Optional[str]:
        if self.bot_user_id is None:
            try:
                self.bot_user_id = (await self.web().auth_test()).get("user_id")
            except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                logger.warning("auth.test failed: %s", describe(exc))
        return self.bot_user_id

    # --- sending ---------------------------------------------------------------------------

    def get_output_channel(self) -> OutputChannel:
        return SlackOutput(self)

    async def address_of(self, conversation_id: str) -> Optional[Address]:
        known: Optional[Address] = self._addresses.get(conversation_id)
        if known is not None:
            return known
        stored = await conversations.last_inbound(self.app, conversation_id, CHANNEL)
        if stored is None or not stored.metadata.get("slack_channel"):
            return None
        found = Address(stored.metadata["slack_channel"], stored.metadata.get("slack_thread_ts"))
        self._addresses.put(conversation_id, found)
        return found

    def _follow(self, address: Address) -> None:
        if address.thread_ts and not address.channel.startswith("D"):
            self._threads.put(
                (address.channel, address.thread_ts), self.clock() + THREAD_HOURS * 3600
            )

    def _following(self, channel: str, thread_ts: Optional[str]) -> bool:
        until = self._threads.get((channel, thread_ts)) if thread_ts else None
        return until is not None and until > self.clock()

    async def deliver(
        self,
        conversation_id: str,
        messages: list[dict[str, Any]],
        address: Optional[Address] = None,
    ) -> list[str]:
        """Render ``messages`` as Block Kit and post them; returns the posts' ``ts``.

        Raises ``RecipientUnknown`` or ``PlatformRejected`` (with Slack's error code)."""
        posts = render_slack(messages)
        if not posts:
            return []
        address = address or await self.address_of(conversation_id)
        if address is None:
            raise RecipientUnknown(
                CHANNEL, conversation_id, "this conversation has no Slack thread"
            )
        sent = []
        for post in posts:
            try:
                result = await self.web().chat_postMessage(
                    channel=address.channel,
                    thread_ts=address.thread_ts,
                    text=post.text,
                    blocks=post.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except SlackApiError as exc:
                error = exc.response.get("error") if exc.response is not None else "unknown"
                raise PlatformRejected(
                    CHANNEL, conversation_id, f"Slack refused the message ({error})"
                ) from exc
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise PlatformRejected(
                    CHANNEL, conversation_id, "Slack could not be reached"
                ) from exc
            sent.append(str(result.get("ts")))
        self._follow(address)
        return sent

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
        authorizations = payload.get("authorizations")
        first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
        me = as_str(as_object(first).get("user_id"))
        if me and not self.bot_user_id:
            self.bot_user_id = me
        user, channel, ts = (
            as_str(event.get("user")),
            as_str(event.get("channel")),
            as_str(event.get("ts")),
        )
        if (
            event.get("bot_id")
            or event.get("subtype") not in _HANDLED_SUBTYPES
            or event.get("hidden")
            or not isinstance(user, str)
            or user in (me, self.bot_user_id)
            or not isinstance(channel, str)
            or not isinstance(ts, str)
        ):
            return None
        direct = event.get("channel_type") == "im" or channel.startswith("D")
        thread_ts = as_str(event.get("thread_ts"))
        if event["type"] == "message" and not direct and not self._following(channel, thread_ts):
            return None  # a channel conversation the bot was not asked into
        reply_in = thread_ts or (None if direct else ts)
        team = as_str(payload.get("team_id")) or as_str(event.get("team")) or "T"
        text = event.get("text")
        text = text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else ""
        return Inbound(team, user, text, Address(channel, reply_in), ts)

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
            actions = payload.get("actions")
            first = as_object(actions[0]) if isinstance(actions, list) and actions else {}
            user = as_object(payload.get("user"))
            container = as_object(payload.get("container"))
            message = as_object(payload.get("message"))
            channel = as_str(as_object(payload.get("channel")).get("id")) or as_str(
                container.get("channel_id")
            )
            ts = as_str(container.get("message_ts")) or as_str(message.get("ts"))
            user_id = as_str(user.get("id"))
            if (
                not as_str(first.get("value"), MAX_MESSAGE_CHARS)
                or not user_id
                or not channel
                or not ts
            ):
                return response.empty(status=200)
            if not self.runner.has_room():
                return response.text("Busy, try again.", status=503)
            if not await self.dedupe.first_time(f"slack-choice:{channel}:{ts}"):
                # one answer per question, however often it is clicked
                return response.empty(status=200)
            team = as_str(as_object(payload.get("team")).get("id")) or as_str(user.get("team_id"))
            thread_ts = as_str(message.get("thread_ts")) or as_str(container.get("thread_ts"))
            inbound = Inbound(team or "T", user_id, "", Address(channel, thread_ts), ts)
            conversation_id = self.conversation_id(team or "T", user_id)
            self._submit(
                inbound, lambda: self._choice(inbound, conversation_id, payload, on_new_message)
            )
            return response.empty(status=200)

        return bp
