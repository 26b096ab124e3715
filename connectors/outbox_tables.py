"""The outbox's tables (:mod:`connectors.outbox`), in the Rasa server's own database: the
messages waiting to be forwarded (with their attachment references), those given up on, the
workers' leases, and the relay calls already carried out."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text, func

metadata = MetaData()

outbox = Table(
    "baton_handoff_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("key", String(80), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("sent_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=True),
    Column("last_error", String(200), nullable=True),
    Index("ix_baton_outbox_conversation", "conversation_id", "id"),
)

# The photos and files of a queued message: its attachment references (JSON), by the
# message's key. A table of its own, so an outbox made before it needs no change to
# baton_handoff_outbox (these tables are made by create_all, which adds tables, not columns).
outbox_attachments = Table(
    "baton_handoff_outbox_attachments",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("attachments", Text, nullable=False),
)

# Messages the outbox gave up on (see the module docstring), for an operator to read.
dead_letters = Table(
    "baton_handoff_outbox_dead",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("key", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("sent_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("dead_at", Float, nullable=False),
    Index("ix_baton_outbox_dead_conversation", "conversation_id"),
)

# Which worker forwards a conversation's messages right now (see the module docstring).
leases = Table(
    "baton_outbox_leases",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("owner", String(40), nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Relay calls already carried out (agent messages shown, tickets closed): the handoff service
# retries a call whose answer it did not get, and the customer must not see it twice.
relay_deliveries = Table(
    "baton_relay_deliveries",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("delivered_at", DateTime, nullable=False, server_default=func.now()),
)
