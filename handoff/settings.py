"""Typed settings for the handoff service, read once from the environment.

Every variable is listed with a comment in ``.env.example``. In local mode (``make run``)
the two shared secrets — the token the bot uses to call this service and the token this
service uses to call the Rasa server's relay — are generated once and kept in
``var/secrets`` (mode 0600) so all three processes agree without any setup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from handoff.hours import BusinessHours
from infra.secrets import secret_from_env

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CANNED_REPLIES = (
    "Hi {first_name}, I'm {agent} from the {shop} team. I've read your conversation with our "
    "assistant, so there's no need to repeat anything. Give me a moment to look into it.",
    "Thanks for waiting. I'm checking this with our warehouse and carrier now.",
    "I'm sorry about this. I've arranged a replacement at no cost to you; you'll get a "
    "confirmation e-mail shortly.",
    "I've issued a full refund to your original payment method. Banks usually take 3–5 "
    "working days to show it.",
    "Is there anything else I can help you with today?",
)


#: The re-opening template's text as approved in Twilio's Content Template Builder, for the
#: console's preview and the transcript (the demo's; WHATSAPP_REOPEN_TEMPLATE_TEXT for yours).
DEFAULT_REOPEN_TEMPLATE_TEXT = (
    "Hi {{1}}, this is {{3}} about your order {{2}}. We have an update for you: reply to this "
    "message and we'll carry on where we left off."
)
#: What fills {{1}}, {{2}}, … of the re-opening template, in order.
REOPEN_TEMPLATE_VALUES = ("first_name", "order_number", "shop", "agent")


@dataclass(frozen=True)
class ReopenTemplate:
    """The approved WhatsApp template an agent may send after the 24-hour window closed."""

    content_sid: str
    text: str = DEFAULT_REOPEN_TEMPLATE_TEXT
    variables: tuple[str, ...] = ("first_name", "order_number", "shop")

    @classmethod
    def from_env(cls) -> Optional[ReopenTemplate]:
        content_sid = (os.environ.get("WHATSAPP_REOPEN_TEMPLATE_SID") or "").strip()
        if not content_sid:
            return None
        names = os.environ.get("WHATSAPP_REOPEN_TEMPLATE_VARIABLES") or ""
        variables = tuple(n.strip() for n in names.split(",") if n.strip())
        unknown = [n for n in variables if n not in REOPEN_TEMPLATE_VALUES]
        if unknown:
            raise ValueError(
                "WHATSAPP_REOPEN_TEMPLATE_VARIABLES names values Baton does not have: "
                + ", ".join(unknown)
                + " (it has "
                + ", ".join(REOPEN_TEMPLATE_VALUES)
                + ")"
            )
        text = os.environ.get("WHATSAPP_REOPEN_TEMPLATE_TEXT") or DEFAULT_REOPEN_TEMPLATE_TEXT
        return cls(content_sid, text, variables or cls.variables)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _var_dir() -> Path:
    return Path(os.environ.get("BATON_VAR_DIR", ROOT / "var"))


@dataclass(frozen=True)
class HandoffSettings:
    database_url: str
    host: str
    port: int
    public_url: str
    # bot (action server, Rasa server) -> this service
    service_token: str
    # this service -> the Rasa server's relay endpoint
    relay_url: str
    relay_token: str
    shop_name: str
    business_hours: BusinessHours
    # an agent counts as online this long after their last request (or while a console
    # WebSocket is open)
    presence_seconds: int = 120
    session_hours: int = 12
    cookie_secure: bool = False
    demo_agent: bool = False
    demo_username: str = "demo"
    demo_display_name: str = "Sam"
    demo_password: Optional[str] = None
    # minutes per waiting customer when there is no history to estimate from
    default_minutes_per_customer: float = 4.0
    relay_timeout_seconds: float = 3.0
    slack_api_url: Optional[str] = None
    slack_bot_token: Optional[str] = None
    slack_signing_secret: Optional[str] = None
    slack_channel: Optional[str] = None
    canned_replies: tuple[str, ...] = field(default=DEFAULT_CANNED_REPLIES)
    # a shop's BI tools read GET /api/metrics with this bearer token (None: leads only)
    metrics_token: Optional[str] = None
    # WhatsApp after 24 hours: the approved template that re-opens the conversation
    reopen_template: Optional[ReopenTemplate] = None
    # a case unclaimed, or a customer unanswered, this long is flagged in the queue
    waiting_alert_seconds: int = 300

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_channel and self.slack_signing_secret)


def load_settings() -> HandoffSettings:
    var = _var_dir()
    port = int(os.environ.get("HANDOFF_PORT", "5080"))
    rasa_port = os.environ.get("RASA_PORT", "5005")
    demo = _bool("HANDOFF_DEMO_AGENT", False)
    demo_password = os.environ.get("HANDOFF_DEMO_PASSWORD") or None
    if demo and not demo_password:
        demo_password = secret_from_env("HANDOFF_DEMO_PASSWORD")[:16]
    return HandoffSettings(
        database_url=os.environ.get("HANDOFF_DATABASE_URL") or f"sqlite:///{var / 'handoff.db'}",
        host=os.environ.get("HANDOFF_HOST", "127.0.0.1"),
        port=port,
        public_url=os.environ.get("HANDOFF_PUBLIC_URL") or f"http://localhost:{port}",
        service_token=secret_from_env("HANDOFF_SERVICE_TOKEN"),
        relay_url=(
            os.environ.get("RASA_RELAY_URL") or f"http://127.0.0.1:{rasa_port}/webhooks/relay"
        ).rstrip("/"),
        relay_token=secret_from_env("HANDOFF_RELAY_TOKEN"),
        shop_name=os.environ.get("SHOP_NAME", "Lumen & Loom"),
        business_hours=BusinessHours.parse(
            os.environ.get("HANDOFF_BUSINESS_HOURS", "mon-sat 09:00-18:00"),
            os.environ.get("HANDOFF_TIMEZONE") or os.environ.get("SHOP_TIMEZONE", "Europe/London"),
        ),
        presence_seconds=int(os.environ.get("HANDOFF_PRESENCE_SECONDS", "120")),
        session_hours=int(os.environ.get("HANDOFF_SESSION_HOURS", "12")),
        cookie_secure=_bool("HANDOFF_COOKIE_SECURE", False),
        demo_agent=demo,
        demo_password=demo_password,
        slack_api_url=os.environ.get("SLACK_API_URL") or None,
        slack_bot_token=os.environ.get("SLACK_AGENT_BOT_TOKEN")
        or os.environ.get("SLACK_BOT_TOKEN")
        or None,
        slack_signing_secret=os.environ.get("SLACK_AGENT_SIGNING_SECRET")
        or os.environ.get("SLACK_SIGNING_SECRET")
        or None,
        slack_channel=os.environ.get("SLACK_AGENT_CHANNEL") or None,
        metrics_token=os.environ.get("METRICS_API_TOKEN") or None,
        reopen_template=ReopenTemplate.from_env(),
        waiting_alert_seconds=int(os.environ.get("HANDOFF_WAITING_ALERT_SECONDS") or 300),
    )
