"""One dialogue, three channels: the same conversation on web chat, WhatsApp and Slack is
understood the same way (the same intents, read back from the tracker store) and answered
with the same facts; only the rendering differs (buttons as numbered options on WhatsApp and
Block Kit on Slack).

Each script is played on every channel by the same customer (identified on each channel the
channel's own way: a signed web token, a Twilio-verified number, a Slack account's e-mail) or
by an anonymous visitor. A script step is ``("say", text)`` or ``("choose", title prefix)``.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any, Optional

import aiohttp
import pytest

from connectors.identity import make_customer_token
from connectors.whatsapp import conversation_id_for
from fakes import slack as fake_slack
from fakes.clients import SlackCustomer, WhatsAppCustomer
from tests.support.servers import CHANNEL_ID_SECRET, CUSTOMER_TOKEN_SECRET, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e

Script = list[tuple[str, str]]


@dataclass(frozen=True)
class Person:
    customer_id: Optional[int]
    phone: str
    slack_user: str


JANE = Person(1, "+447700900001", "U01JANE")
LIAM = Person(2, "+353851234567", "U02LIAM")
PRIYA = Person(3, "+447700900003", "U03PRIYA")


def anonymous() -> Person:
    return Person(None, f"+1555020{secrets.randbelow(10_000):04d}", f"U8{secrets.token_hex(4)}")


SCRIPTS: dict[str, tuple[Any, Script, list[str]]] = {
    # name: (who, steps, facts every channel must show)
    "order status, identified customer": (
        JANE,
        [("say", "hi"), ("say", "where is my order?"), ("choose", "10002"), ("say", "thanks!")],
        ["Hi Jane!", "Order 10002 was delivered", "14 Abbey Road, London"],
    ),
    "order status, anonymous visitor": (
        anonymous,
        [
            ("say", "where's my order 10003??"),
            ("say", "liam.murphy@example.ie"),
            ("say", "thank you"),
        ],
        ["order 10003 is running late", "An Post now expects to deliver it"],
    ),
    "return, identified customer, cancelled before anything is created": (
        LIAM,
        [
            ("say", "I want to return something"),
            ("choose", "10010"),
            ("choose", "Percale pillowcase pair"),
            ("choose", "Doesn't fit"),
            ("choose", "Drop off"),
            ("choose", "Lumen & Loom"),
            ("say", "no"),
        ],
        ["Which items from order 10010", "Stoneware table lamp", "nothing has been created"],
    ),
    "return refused outside the return window": (
        PRIYA,
        [("say", "what's your returns policy?"), ("say", "I'd like to return order 10013")],
        ["within 30 days", "can't set up a return for order 10013", "return window ended"],
    ),
}


@dataclass
class Seen:
    text: str  # what the customer read, whitespace-normalised
    options: list[str]  # titles of the buttons offered


def _norm(text: str) -> str:
    return " ".join(text.split())


class Web:
    def __init__(self, baton: Baton, person: Person) -> None:
        token = (
            make_customer_token(person.customer_id, CUSTOMER_TOKEN_SECRET)
            if person.customer_id
            else None
        )
        self.client = WebChatCustomer(baton.rasa_url, customer_token=token)
        self.buttons: list[dict[str, Any]] = []

    async def start(self) -> None:
        await self.client.connect()

    async def say(self, text: str) -> Seen:
        turn = await self.client.say(text)
        self.buttons = turn.buttons
        return Seen(_norm(" ".join(turn.texts)), [b["title"] for b in turn.buttons])

    async def choose(self, prefix: str) -> Seen:
        button = next(b for b in self.buttons if b["title"].startswith(prefix))
        return await self.say(button["payload"])

    @property
    def conversation_id(self) -> str:
        return str(self.client.session_id).split(".")[0]

    async def close(self) -> None:
        await self.client.close()


_OPTION = re.compile(r"^(\d+)\. (.+)$")


class WhatsApp:
    def __init__(self, baton: Baton, http: aiohttp.ClientSession, person: Person) -> None:
        self.client = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, person.phone)
        self.options: list[str] = []

    async def start(self) -> None:
        pass

    async def say(self, text: str) -> Seen:
        turn = await self.client.say(text)
        kept, options = [], []
        for line in turn.text.splitlines():
            m = _OPTION.match(line)
            if m:
                options.append(m.group(2))
            elif not line.startswith("Reply with a number"):
                kept.append(line)
        self.options = options
        return Seen(_norm(" ".join(kept)), options)

    async def choose(self, prefix: str) -> Seen:
        index = next(i for i, t in enumerate(self.options) if t.startswith(prefix))
        return await self.say(str(index + 1))  # as a customer answers numbered options

    @property
    def conversation_id(self) -> str:
        return conversation_id_for(self.client.address, CHANNEL_ID_SECRET)

    async def close(self) -> None:
        pass


class Slack:
    def __init__(self, baton: Baton, http: aiohttp.ClientSession, person: Person) -> None:
        self.client = SlackCustomer(http, baton.rasa_url, baton.slack_url, person.slack_user)
        self.last: list[Any] = []

    async def start(self) -> None:
        pass

    def _seen(self, turn: Any) -> Seen:
        self.last = turn.posts
        return Seen(
            _norm(html.unescape(" ".join(turn.texts))),
            [b["text"]["text"] for b in turn.buttons],
        )

    async def say(self, text: str) -> Seen:
        return self._seen(await self.client.say(text))

    async def choose(self, prefix: str) -> Seen:
        post = next(p for p in self.last if p.buttons)
        return self._seen(await self.client.click(post, prefix))

    @property
    def conversation_id(self) -> str:
        return f"slack-{fake_slack.TEAM}-{self.client.user}"

    async def close(self) -> None:
        pass


def intents(baton: Baton, conversation_id: str, last: int) -> list[str]:
    path = baton.tracker_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (conversation_id,),
        ).fetchall()
    names = [(json.loads(r[0]).get("parse_data") or {}).get("intent", {}).get("name") for r in rows]
    return names[-last:]


@pytest.mark.parametrize("script_name", list(SCRIPTS))
async def test_the_same_conversation_gets_the_same_answers_on_every_channel(
    baton: Baton, http: aiohttp.ClientSession, script_name: str
) -> None:
    who, steps, facts = SCRIPTS[script_name]
    person = who() if callable(who) else who
    channels = {
        "web chat": Web(baton, person),
        "WhatsApp": WhatsApp(baton, http, person),
        "Slack": Slack(baton, http, person),
    }
    seen: dict[str, list[Seen]] = {name: [] for name in channels}
    try:
        for channel in channels.values():
            await channel.start()
        for kind, value in steps:
            for name, channel in channels.items():
                turn = await (channel.say(value) if kind == "say" else channel.choose(value))
                seen[name].append(turn)
    finally:
        for channel in channels.values():
            await channel.close()

    web = seen["web chat"]
    for name in ("WhatsApp", "Slack"):
        for i, (theirs, ours) in enumerate(zip(seen[name], web, strict=True)):
            assert theirs.text == ours.text, f"{name}, step {i + 1}: {steps[i]}"
            assert theirs.options == ours.options, f"{name}, step {i + 1}: {steps[i]}"
    everything = " ".join(t.text for t in web)
    for fact in facts:
        assert fact in everything

    understood = {
        name: intents(baton, channel.conversation_id, len(steps))
        for name, channel in channels.items()
    }
    assert understood["WhatsApp"] == understood["web chat"] == understood["Slack"], understood
