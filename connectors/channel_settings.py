"""Settings for the WhatsApp (Twilio) and Slack channels, read from the environment once.

A channel is *on* only when all of its credentials are set. Without them it stays off: its webhooks
answer 503 and the server logs one clear line saying what to set, so Baton runs offline without any
channel account. ``TWILIO_API_URL`` and ``SLACK_API_URL`` point the real SDKs at another server,
such as the local fakes in ``fakes/``.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Optional, TypeVar

TWILIO_API_URL = "https://api.twilio.com"
SLACK_API_URL = "https://slack.com/api/"

WHATSAPP_REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER")
SLACK_REQUIRED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    return (env.get(name) or default).strip()


def _public_url(env: Mapping[str, str]) -> str:
    port = _get(env, "RASA_PORT", "5005")
    return _get(env, "PUBLIC_URL", f"http://localhost:{port}").rstrip("/")


@dataclass(frozen=True)
class WhatsAppSettings:
    account_sid: str = ""
    auth_token: str = field(default="", repr=False)
    whatsapp_number: str = ""  # the sender, as "whatsapp:+E164"
    api_url: str = TWILIO_API_URL
    public_url: str = "http://localhost:5005"
    missing: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return not self.missing

    @property
    def webhook_url(self) -> str:
        """The URL Twilio calls, and the one its signature covers."""
        return f"{self.public_url}/webhooks/whatsapp/webhook"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> WhatsAppSettings:
        env = os.environ if env is None else env
        number = _get(env, "TWILIO_WHATSAPP_NUMBER")
        if number and not number.startswith("whatsapp:"):
            number = f"whatsapp:{number}"
        return cls(
            account_sid=_get(env, "TWILIO_ACCOUNT_SID"),
            auth_token=_get(env, "TWILIO_AUTH_TOKEN"),
            whatsapp_number=number,
            api_url=_get(env, "TWILIO_API_URL", TWILIO_API_URL).rstrip("/"),
            public_url=_public_url(env),
            missing=tuple(n for n in WHATSAPP_REQUIRED if not _get(env, n)),
        )


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    api_url: str = SLACK_API_URL
    public_url: str = "http://localhost:5005"
    missing: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return not self.missing

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> SlackSettings:
        env = os.environ if env is None else env
        api_url = _get(env, "SLACK_API_URL", SLACK_API_URL)
        return cls(
            bot_token=_get(env, "SLACK_BOT_TOKEN"),
            signing_secret=_get(env, "SLACK_SIGNING_SECRET"),
            api_url=api_url if api_url.endswith("/") else api_url + "/",  # slack-sdk joins by +
            public_url=_public_url(env),
            missing=tuple(n for n in SLACK_REQUIRED if not _get(env, n)),
        )


def describe_channels(env: Mapping[str, str]) -> list[str]:
    """One line per optional channel for the launcher's banner: on (and where) or off (and why)."""
    whatsapp, slack = WhatsAppSettings.from_env(env), SlackSettings.from_env(env)
    lines = []
    if whatsapp.enabled:
        target = "" if whatsapp.api_url == TWILIO_API_URL else f", Twilio API at {whatsapp.api_url}"
        lines.append(f"WhatsApp:      on  — Twilio webhook {whatsapp.webhook_url}{target}")
    else:
        lines.append(f"WhatsApp:      off — set {', '.join(whatsapp.missing)}")
    if slack.enabled:
        target = "" if slack.api_url == SLACK_API_URL else f", Slack API at {slack.api_url}"
        lines.append(
            f"Slack:         on  — events {slack.public_url}/webhooks/slack/webhook, "
            f"interactivity {slack.public_url}/webhooks/slack/actions{target}"
        )
    else:
        lines.append(f"Slack:         off — set {', '.join(slack.missing)}")
    return lines


_Settings = TypeVar("_Settings", "WhatsAppSettings", "SlackSettings")


def with_credentials(
    settings: _Settings, credentials: Optional[Mapping[str, Any]], required: Mapping[str, str]
) -> _Settings:
    """``settings`` with what credentials.yml gives instead of the environment, and ``missing``
    worked out again; ``required`` maps each required variable to its settings field."""
    overrides = {k: v for k, v in (credentials or {}).items() if v and hasattr(settings, k)}
    if not overrides:
        return settings
    settings = replace(settings, **overrides)
    missing = tuple(name for name, attr in required.items() if not getattr(settings, attr))
    return replace(settings, missing=missing)


#: How many conversations (or people, threads…) a channel keeps in memory.
MEMORY = 10_000


class Bounded(OrderedDict):
    """A dictionary that forgets its oldest entries beyond ``MEMORY``."""

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MEMORY:
            self.popitem(last=False)
