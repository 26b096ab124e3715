"""The handoff service's own database: agents, tickets, messages, deliveries.

SQLAlchemy Core; SQLite by default, PostgreSQL by URL (``HANDOFF_DATABASE_URL``). Times are
naive UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

metadata = MetaData()

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(80), nullable=False),
    # None for agents who only work from Slack
    Column("password_hash", String(200), nullable=True),
    Column("slack_user_id", String(40), nullable=True, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=True),
    # "agent" or "lead" (leads also see the support analytics); added after the first release,
    # so create_schema adds it to older databases.
    Column("role", String(12), nullable=False, server_default="agent"),
    # The console's preferences (handoff/preferences.py): its language (None: the browser's),
    # browser notifications (off until the agent turns them on and the browser allows them)
    # and their short sound.
    Column("console_language", String(8), nullable=True),
    Column("notifications", Boolean, nullable=False, server_default=false()),
    Column("notification_sound", Boolean, nullable=False, server_default=true()),
)

agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the session token
    Column("agent_id", ForeignKey("agents.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# Failed console logins, for throttling (handoff/services.py, login): by username and client.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False),
    Column("client", String(64), nullable=False),  # a keyed hash of the address
    Column("at", DateTime, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_client_at", "client", "at"),
)

# Teams of agents ("returns", "Korean"): leads create, rename and archive them and say who is
# in which (team_members); a case waits in a team's queue (tickets.team_id). Archived teams
# are kept (old cases still name them) but take no new cases.
teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("archived", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("agents.id"), nullable=True),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", ForeignKey("teams.id"), primary_key=True),
    Column("agent_id", ForeignKey("agents.id"), primary_key=True, index=True),
)

# Where a new case from the bot goes: the first rule (by position) whose language and topic
# (the handoff reason or the latest intent) match puts the case in its team's queue.
routing_rules = Table(
    "routing_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("language", String(8), nullable=True),  # None: any language
    Column("topic", String(60), nullable=True),  # None: any topic
    Column("team_id", ForeignKey("teams.id"), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", ForeignKey("agents.id"), nullable=True),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(120), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("customer_id", String(40), nullable=True, index=True),
    Column("customer_name", String(160), nullable=True),
    Column("reason", String(60), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("claimed_at", DateTime, nullable=True),
    Column("claimed_by", ForeignKey("agents.id"), nullable=True),
    Column("closed_at", DateTime, nullable=True),
    Column("closed_by", ForeignKey("agents.id"), nullable=True),
    Column("after_hours", Boolean, nullable=False, default=False),
    Column("context", Text, nullable=False),  # the context packet, JSON
    Column("csat_rating", Integer, nullable=True),
    Column("csat_comment", Text, nullable=True),
    Column("rated_at", DateTime, nullable=True),
    Column("slack_channel", String(40), nullable=True),
    Column("slack_ts", String(40), nullable=True, index=True),
    # The case's order numbers, e-mails and phones, normalised for the console's search
    # (handoff/search_keys.py says the format); written at intake, erased with the ticket.
    Column("search_keys", Text, nullable=True),
    # The team whose queue the case is in (routing rules, transfers); None: everyone's.
    Column("team_id", ForeignKey("teams.id"), nullable=True, index=True),
    # When a released or transferred case went back into a queue (the waiting alert counts
    # from here, not from the handoff); None: it never went back.
    Column("queued_at", DateTime, nullable=True),
    Index("ix_tickets_conversation_status", "conversation_id", "status"),
    Index("ix_tickets_status_created", "status", "created_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),  # customer, agent, note, system
    Column("agent_id", ForeignKey("agents.id"), nullable=True),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    # The bot's outbox key for a forwarded customer message: a retry is recognised and
    # acknowledged without storing the message twice.
    Column("external_key", String(120), nullable=True, unique=True),
    # A customer message's photos and files: a JSON list of references (kind, content_type,
    # bytes, sha256, path under uploads/), checked on receipt (handoff/attachment_refs.py).
    Column("attachments", Text, nullable=True),
)

# Calls to the Rasa server's relay (agent replies, closes), delivered per conversation in
# order and retried until the relay acknowledges them.
outbound = Table(
    "outbound",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False),
    Column("conversation_id", String(120), nullable=False),
    Column("kind", String(12), nullable=False),  # message, close
    Column("message_id", ForeignKey("messages.id"), nullable=True),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("delivered_at", DateTime, nullable=True),
    Column("failed", Boolean, nullable=False, default=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=True),
    Column("last_error", String(200), nullable=True),
    Index("ix_outbound_pending", "delivered_at", "failed", "conversation_id", "id"),
)

# Canned replies agents pick in the console, per language, written by leads (handoff/canned.py
# says which placeholders a body may hold). Seeded from the built-in replies on the first
# start; ``seed_key`` marks those rows, so replicas starting together seed each one once.
# Archived replies are kept (who wrote what stays known) but no longer offered.
canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("language", String(8), nullable=False),  # en, ko, zh
    Column("title", String(80), nullable=False),  # the shortcut agents type in the picker
    Column("body", Text, nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("seed_key", String(40), nullable=True, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("agents.id"), nullable=True),  # None: seeded
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", ForeignKey("agents.id"), nullable=True),
    Index("ix_canned_replies_language_archived", "language", "archived"),
)

# Slack event ids already handled: Slack retries an event it thinks we missed.
slack_events = Table(
    "slack_events",
    metadata,
    Column("event_id", String(80), primary_key=True),
    Column("received_at", DateTime, nullable=False),
)
