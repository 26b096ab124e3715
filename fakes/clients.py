"""Customers on WhatsApp and Slack, for tests and benchmarks.

Each builds the webhook the platform would send, signs it with the platform's own SDK, posts
it to Baton, and reads Baton's replies back from the fake API, waiting until they stop coming.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import aiohttp

from fakes import slack as fake_slack
from fakes import twilio as fake_twilio

QUIET = 0.6  # a turn is over when nothing more arrives for this long


@dataclass
class Ack:
    status: int
    ms: float
    message_sid: str = ""


@dataclass
class WhatsAppTurn:
    messages: list[dict[str, Any]]

    @property
    def bodies(self) -> list[str]:
        return [m["body"] for m in self.messages if m.get("body")]

    @property
    def text(self) -> str:
        return "\n\n".join(self.bodies)

    @property
    def media(self) -> list[str]:
        return [u for m in self.messages for u in m.get("media_urls") or []]


async def _wait_for_more(
    fetch: Any, after: int, timeout: float, quiet: float
) -> list[dict[str, Any]]:
    """Records after the first ``after``: wait for the first, then until quiet."""
    found = await fetch(after, timeout)
    if len(found) <= after:
        return []
    while True:
        more = await fetch(len(found), quiet)
        if len(more) <= len(found):
            return found[after:]
        found = more


@dataclass
class WhatsAppCustomer:
    session: aiohttp.ClientSession
    baton_url: str
    fake_url: str
    phone: str
    profile_name: Optional[str] = None
    public_url: Optional[str] = None  # what the signature covers, if not baton_url
    auth_token: str = fake_twilio.DEMO_AUTH_TOKEN
    account_sid: str = fake_twilio.DEMO_ACCOUNT_SID
    business_number: str = fake_twilio.DEMO_WHATSAPP_NUMBER

    @property
    def address(self) -> str:
        return f"whatsapp:{self.phone}"

    @property
    def webhook_url(self) -> str:
        return (self.public_url or self.baton_url).rstrip("/") + fake_twilio.WEBHOOK_PATH

    def form(self, body: str, message_sid: Optional[str] = None) -> dict[str, str]:
        return fake_twilio.inbound_form(
            self.account_sid,
            self.business_number,
            self.phone,
            body,
            message_sid,
            self.profile_name,
        )

    async def post(self, form: dict[str, str], signature: Optional[str] = "sign") -> Ack:
        """Post a webhook; ``signature="sign"`` signs it properly, ``None`` sends none."""
        headers = {}
        if signature == "sign":
            signature = fake_twilio.signature(self.auth_token, self.webhook_url, form)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        url = self.baton_url.rstrip("/") + fake_twilio.WEBHOOK_PATH
        started = time.perf_counter()
        async with self.session.post(url, data=form, headers=headers) as resp:
            await resp.read()
            status = resp.status
        return Ack(status, (time.perf_counter() - started) * 1000, form.get("MessageSid", ""))

    async def send(self, body: str, message_sid: Optional[str] = None) -> Ack:
        return await self.post(self.form(body, message_sid))

    async def send_photo(self, caption: str = "") -> Ack:
        """A photo, hosted by the fake as Twilio hosts media, sent through the fake."""
        async with self.session.post(
            f"{self.fake_url}/_fake/inbound",
            json={"from": self.phone, "body": caption, "photo": True},
        ) as resp:
            data = await resp.json()
        return Ack(data["status"], data["ack_ms"], data["message_sid"])

    async def send_through_fake(self, body: str) -> Ack:
        """A message sent through the fake, as from the phone: the fake notes that this
        number wrote (its 24-hour window re-opens) and posts the signed webhook."""
        async with self.session.post(
            f"{self.fake_url}/_fake/inbound", json={"from": self.phone, "body": body}
        ) as resp:
            data = await resp.json()
        return Ack(data["status"], data["ack_ms"], data["message_sid"])

    async def age_window(self, hours: float) -> None:
        """The fake Twilio: this number's last message was ``hours`` ago (24+: window shut)."""
        async with self.session.post(
            f"{self.fake_url}/_fake/age", json={"number": self.phone, "hours": hours}
        ) as resp:
            assert resp.status == 200, await resp.text()

    async def sent_to_me(self, after: int = -1, wait: float = 0) -> list[dict[str, Any]]:
        params = {"to": self.address, "after": str(after), "wait": str(wait)}
        async with self.session.get(f"{self.fake_url}/_fake/messages", params=params) as resp:
            return list((await resp.json())["messages"])

    async def replies_after(
        self, count: int, timeout: float = 30, quiet: float = QUIET
    ) -> WhatsAppTurn:
        return WhatsAppTurn(
            await _wait_for_more(
                lambda after, wait: self.sent_to_me(after, wait), count, timeout, quiet
            )
        )

    async def say(self, text: str, timeout: float = 30, quiet: float = QUIET) -> WhatsAppTurn:
        count = len(await self.sent_to_me())
        ack = await self.send(text)
        assert ack.status == 200, ack
        return await self.replies_after(count, timeout, quiet)


@dataclass
class SlackPost:
    call: dict[str, Any]

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.call["args"])

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks") or []
        return list(json.loads(blocks) if isinstance(blocks, str) else blocks)

    @property
    def ts(self) -> str:
        return str(self.call["result"]["ts"])

    @property
    def channel(self) -> str:
        return str(self.call["result"]["channel"])

    @property
    def thread_ts(self) -> Optional[str]:
        return self.args.get("thread_ts")

    @property
    def sections(self) -> list[str]:
        return [b["text"]["text"] for b in self.blocks if b.get("type") == "section"]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [e for b in self.blocks if b.get("type") == "actions" for e in b.get("elements", [])]


@dataclass
class SlackTurn:
    posts: list[SlackPost] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [s for p in self.posts for s in p.sections]

    @property
    def text(self) -> str:
        return "\n\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for p in self.posts for b in p.buttons]


@dataclass
class SlackCustomer:
    session: aiohttp.ClientSession
    baton_url: str
    fake_url: str
    user: str
    signing_secret: str = fake_slack.DEMO_SIGNING_SECRET

    @property
    def dm(self) -> str:
        return fake_slack.dm_channel(self.user)

    async def post_raw(
        self, path: str, body: bytes, content_type: str, headers: Optional[dict[str, str]] = None
    ) -> Ack:
        all_headers = {"Content-Type": content_type}
        all_headers.update(
            headers if headers is not None else fake_slack.signed_headers(self.signing_secret, body)
        )
        started = time.perf_counter()
        async with self.session.post(
            self.baton_url.rstrip("/") + path, data=body, headers=all_headers
        ) as resp:
            await resp.read()
            status = resp.status
        return Ack(status, (time.perf_counter() - started) * 1000)

    async def post_event(
        self,
        payload: dict[str, Any],
        headers: Optional[dict[str, str]] = None,
        extra_headers: Optional[dict[str, str]] = None,
    ) -> Ack:
        body = json.dumps(payload).encode()
        if headers is None:
            headers = fake_slack.signed_headers(self.signing_secret, body)
        return await self.post_raw(
            fake_slack.EVENTS_PATH, body, "application/json", {**headers, **(extra_headers or {})}
        )

    def dm_event(self, text: str, **extra: Any) -> dict[str, Any]:
        return fake_slack.event_callback(
            fake_slack.message_event(self.user, text, self.dm, **extra)
        )

    async def posts_in(
        self, channel: str, after: int = -1, wait: float = 0
    ) -> list[dict[str, Any]]:
        params = {
            "method": "chat.postMessage",
            "channel": channel,
            "after": str(after),
            "wait": str(wait),
        }
        async with self.session.get(f"{self.fake_url}/_fake/calls", params=params) as resp:
            return [c for c in (await resp.json())["calls"] if c["result"].get("ok")]

    async def replies_after(
        self, channel: str, count: int, timeout: float = 30, quiet: float = QUIET
    ) -> SlackTurn:
        calls = await _wait_for_more(
            lambda after, wait: self.posts_in(channel, after, wait), count, timeout, quiet
        )
        return SlackTurn([SlackPost(c) for c in calls])

    async def say(
        self,
        text: str,
        where: str = "dm",
        thread_ts: Optional[str] = None,
        timeout: float = 30,
        quiet: float = QUIET,
    ) -> SlackTurn:
        """Write to the bot in a DM, or mention it in #support (both events, as Slack does)."""
        if where == "dm":
            channel = self.dm
            events = [fake_slack.message_event(self.user, text, channel, thread_ts=thread_ts)]
        else:
            channel = fake_slack.SUPPORT_CHANNEL
            mention = f"<@{fake_slack.BOT_USER}> {text}"
            ts = fake_slack.next_ts()
            events = [
                fake_slack.app_mention_event(self.user, mention, channel, ts, thread_ts),
                fake_slack.message_event(self.user, mention, channel, ts, thread_ts),
            ]
        count = len(await self.posts_in(channel))
        for event in events:
            ack = await self.post_event(fake_slack.event_callback(event))
            assert ack.status == 200, ack
        return await self.replies_after(channel, count, timeout, quiet)

    async def click(
        self, post: SlackPost, title_prefix: str, timeout: float = 30, quiet: float = QUIET
    ) -> SlackTurn:
        """Click the button whose title starts with ``title_prefix`` (via the fake, which knows
        the message as Slack would)."""
        index = next(
            i for i, b in enumerate(post.buttons) if b["text"]["text"].startswith(title_prefix)
        )
        count = len(await self.posts_in(post.channel))
        async with self.session.post(
            f"{self.fake_url}/_fake/click",
            json={"user": self.user, "channel": post.channel, "ts": post.ts, "index": index},
        ) as resp:
            assert resp.status == 200, await resp.text()
            assert (await resp.json())["status"] == 200
        return await self.replies_after(post.channel, count, timeout, quiet)
