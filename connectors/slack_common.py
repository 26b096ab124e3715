"""What the Slack connector (:mod:`connectors.slack`) works with: where a conversation is
answered, who wrote, one customer message, and the text without Slack's markup."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Optional

from connectors.channel_settings import SlackSettings, with_credentials
from connectors.text import clean_text as normalise

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
    auto-linked e-mail addresses back to the words the customer wrote, entities unescaped.
    Spaces are collapsed within a line; the line breaks stay (a postal address typed with
    Shift+Enter is one part a line, as on the other channels)."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    else:
        text = re.sub(r"^\s*<@[UW][A-Z0-9]+>", " ", text)
    text = _LABELLED.sub(r"\1", text)
    text = _BARE.sub(r"\1", text)
    text = normalise(html.unescape(text))  # no NUL, controls or lone surrogates
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_MESSAGE_CHARS]


def settings_with(credentials: Optional[dict[str, Any]]) -> SlackSettings:
    """The environment's settings, with what credentials.yml gives instead."""
    return with_credentials(
        SlackSettings.from_env(),
        credentials,
        {"SLACK_BOT_TOKEN": "bot_token", "SLACK_SIGNING_SECRET": "signing_secret"},
    )
