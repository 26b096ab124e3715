"""Read conversations and tickets for a date range from the two databases Baton keeps.

* The tracker store (``TRACKER_DATABASE_URL``): one row per Rasa event. Only customer
  messages (their intent is a column), session starts, pauses and resumes, a self-service
  flow's form activation, and six slots are read (the channel, set by
  ``action_session_start`` from the message metadata; the language; the return's reason and
  method; ``last_rma``, set when a return was opened; ``flow_outcome``, how a flow ended), so
  the large JSON of a message is never decoded. A full read goes customer by customer (the
  order of :mod:`analytics.events_index`, which holds exactly those rows); the cache's reads
  of what is new go by id. A conversation whose session has no channel slot (the action
  server was down) takes the channel from its customer's first message, looked up
  afterwards by sender. A conversation is one session.
* The handoff database (``HANDOFF_DATABASE_URL``): tickets with their reason, times, agent
  and rating, and when the first agent reply was written.

Each ticket belongs to the session of its conversation that was running when it opened.

The reading is in :mod:`analytics.event_rows` (the query), :mod:`analytics.reader` (rows into
records), :mod:`analytics.tickets` (tickets, and matching them) and :mod:`analytics.engines`;
this module puts them together and keeps their names importable from here.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.engines import dispose_engines, engine_for, sync_url
from analytics.event_rows import (
    CHANNEL,
    CHANNEL_SLOT,
    LANGUAGE,
    LANGUAGE_SLOT,
    LAST_RMA,
    MESSAGE,
    NEW_SESSION,
    NOT_A_TOPIC,
    NOT_UNDERSTOOD,
    PAUSE,
    RESUME,
    RETURN_METHOD,
    RETURN_REASON,
    SHOP_TOPICS,
    SLACK_SECONDS,
    SLOT_KINDS,
    SMALL_TALK,
    _fetch_raw,
    events_query,
)
from analytics.events_index import ensure_analytics_index
from analytics.facts import ConversationFacts
from analytics.reader import UNKNOWN_CHANNEL, Reader, first_message_channels
from analytics.tickets import attach_tickets, read_tickets
from infra.events_table import events

__all__ = [
    "CHANNEL",
    "CHANNEL_SLOT",
    "LANGUAGE",
    "LANGUAGE_SLOT",
    "LAST_RMA",
    "MESSAGE",
    "NEW_SESSION",
    "NOT_A_TOPIC",
    "NOT_UNDERSTOOD",
    "PAUSE",
    "RESUME",
    "RETURN_METHOD",
    "RETURN_REASON",
    "SHOP_TOPICS",
    "SLACK_SECONDS",
    "SLOT_KINDS",
    "SMALL_TALK",
    "UNKNOWN_CHANNEL",
    "Reader",
    "_fetch_raw",
    "attach_tickets",
    "dispose_engines",
    "engine_for",
    "events_query",
    "first_message_channels",
    "load",
    "read_conversations",
    "read_sessions",
    "read_tickets",
    "sync_url",
]


def read_conversations(url: str, start_ts: float, end_ts: float) -> list[ConversationFacts]:
    """Every conversation whose first customer message falls in ``[start_ts, end_ts)``."""
    return [c for c in read_sessions(url, start_ts, end_ts) if start_ts <= c.started_at < end_ts]


def read_sessions(url: str, start_ts: float, end_ts: float) -> list[ConversationFacts]:
    """Every conversation with a customer message in the range widened by a day each side."""
    engine = engine_for(url)
    if not sa.inspect(engine).has_table("events"):
        return []
    ensure_analytics_index(engine)
    reader = Reader()
    since, until = start_ts - SLACK_SECONDS, end_ts + SLACK_SECONDS
    reader.feed(_fetch_raw(engine, events_query(engine.dialect.name, since, until)))
    if reader.midway:
        _read_again_from_session_start(engine, reader, since, until)
    reader.fill_channels(engine)
    return reader.conversations


def _read_again_from_session_start(
    engine: Engine, reader: Reader, since: float, until: float
) -> None:
    """Customers who were in the middle of a conversation when the read began are read
    again from the start of that session.

    A conversation handed to a person stays paused until the agent gives it back, which
    can be days (a handoff on Saturday evening, answered on Monday): read from a day before
    the range only, its messages to the agent looked like a new conversation with the bot.
    Read from its session start, it is what the dashboard's cache (which reads far back)
    makes of it: one conversation, dated by its first message.
    """
    c = events.c
    starts: dict[str, float] = {}
    midway = sorted(reader.midway)
    with engine.connect() as conn:
        for i in range(0, len(midway), 500):
            found = conn.execute(
                sa.select(c.sender_id, sa.func.max(c.timestamp))
                .where(
                    c.sender_id.in_(midway[i : i + 500]),
                    c.type_name.in_(("session_started", "restart")),
                    c.timestamp < since,
                )
                .group_by(c.sender_id)
            )
            starts.update((sender, float(ts)) for sender, ts in found if ts is not None)
    if not starts:
        return
    again = Reader()
    statement = events_query(engine.dialect.name, min(starts.values()), until, senders=starts)
    again.feed(_fetch_raw(engine, statement))
    reader.conversations = [
        conv for conv in reader.conversations if conv.conversation_id not in starts
    ] + again.conversations
    reader.without_channel = [
        conv for conv in reader.without_channel if conv.conversation_id not in starts
    ] + again.without_channel
    reader.senders.update(again.senders)


def load(
    tracker_url: str, handoff_url: str, start_ts: float, end_ts: float
) -> list[ConversationFacts]:
    """Conversations started in the range, each with its tickets (straight from SQL)."""
    conversations = read_sessions(tracker_url, start_ts, end_ts)
    tickets = read_tickets(handoff_url, start_ts, end_ts)
    # the records are this call's own: no copies (a tenth of the join's time)
    return attach_tickets(conversations, tickets, start_ts, end_ts, in_place=True)
