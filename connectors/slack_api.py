"""The Slack connector's side of the Slack Web API (:mod:`connectors.slack`): who a user is,
their DM with the bot, where a conversation is answered, and posting (Block Kit) there.

A mixin of :class:`connectors.slack.SlackInput`, which sets the state annotated here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Optional

import aiohttp
from sanic import Sanic
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from connectors import conversations
from connectors.channel_settings import Bounded, SlackSettings
from connectors.delivery import DeliveryFailed, PlatformRejected, RecipientUnknown
from connectors.logsafe import describe
from connectors.render import render_slack
from connectors.slack_common import (
    API_TIMEOUT,
    CHANNEL,
    DM_NEEDED,
    MOVED_TO_DM,
    THREAD_HOURS,
    USER_CACHE_SECONDS,
    Address,
    Inbound,
    Person,
)
from connectors.text import as_object, as_str

logger = logging.getLogger("connectors.slack")


class SlackWebApi:
    """Calls to Slack for one connector, with what they found cached."""

    settings: SlackSettings
    clock: Callable[[], float]
    app: Optional[Sanic]
    bot_user_id: Optional[str]
    _addresses: Bounded  # conversation id -> where it is answered
    _threads: Bounded  # (channel, thread_ts) -> until when the bot follows it
    _people: Bounded  # user id -> (expires, Person)
    _dms: Bounded  # user id -> their DM channel with the bot
    _noted: Bounded  # (channel, thread) already told the answer is in a DM
    _client: Optional[AsyncWebClient]
    _session: Optional[aiohttp.ClientSession]

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

    # --- sending ---------------------------------------------------------------------------

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
