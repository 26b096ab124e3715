"""The handoff database's schema at the baseline revision (0001), frozen.

This is ``handoff/store/tables.py`` as it was when migrations began (what ``create_all`` made
until then, with the agents' ``role``). Revision 0001 creates exactly this, and
:func:`handoff.store.migrations.adopt` completes an older database to it before stamping. It
must never follow tables.py again: changes go into new revisions under ``versions/``.
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
)

metadata = MetaData()


agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(80), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("slack_user_id", String(40), nullable=True, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=True),
    Column("role", String(12), nullable=False, server_default="agent"),
)

agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", ForeignKey("agents.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_client_at", "client", "at"),
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
    Column("context", Text, nullable=False),
    Column("csat_rating", Integer, nullable=True),
    Column("csat_comment", Text, nullable=True),
    Column("rated_at", DateTime, nullable=True),
    Column("slack_channel", String(40), nullable=True),
    Column("slack_ts", String(40), nullable=True, index=True),
    Index("ix_tickets_conversation_status", "conversation_id", "status"),
    Index("ix_tickets_status_created", "status", "created_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),
    Column("agent_id", ForeignKey("agents.id"), nullable=True),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("external_key", String(120), nullable=True, unique=True),
)

outbound = Table(
    "outbound",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False),
    Column("conversation_id", String(120), nullable=False),
    Column("kind", String(12), nullable=False),
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

slack_events = Table(
    "slack_events",
    metadata,
    Column("event_id", String(80), primary_key=True),
    Column("received_at", DateTime, nullable=False),
)
