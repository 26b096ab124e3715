"""Read conversations and tickets for a date range from the two databases Baton keeps.

* The tracker store (``TRACKER_DATABASE_URL``): one row per Rasa event. Only customer
  messages (their intent is a column), session starts, pauses and resumes, and five slots
  are read (the channel, set by ``action_session_start`` from the message metadata; the
  language; the return's reason and method; ``last_rma``, set when a return was opened), in
  id order, so the large JSON of a message is never decoded. A conversation whose session
  has no channel slot (the action server was down) takes the channel from its customer's
  first message, looked up afterwards by sender. A conversation is one session.
* The handoff database (``HANDOFF_DATABASE_URL``): tickets with their reason, times, agent
  and rating, and when the first agent reply was written.

Each ticket belongs to the session of its conversation that was running when it opened.
"""

from __future__ import annotations

import bisect
import calendar
import json
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from analytics.events_table import events
from analytics.facts import DEFAULT_LANGUAGE, NO_TOPIC, ConversationFacts, TicketFacts
from bot import names
from handoff.store import tables as h

# Sessions longer than this that started before a range are cut at its start; Rasa's
# sessions expire after an hour without messages, so a day is plenty.
SLACK_SECONDS = 86_400.0
LANGUAGE_SLOT = names.SLOT_LANGUAGE
CHANNEL_SLOT = names.SLOT_CHANNEL
READ_SLOTS = (
    CHANNEL_SLOT,
    LANGUAGE_SLOT,
    names.SLOT_RETURN_REASON,
    names.SLOT_RETURN_METHOD,
    names.SLOT_LAST_RMA,
)
# Intents that do not say what a customer wanted: the conversation's topic is the first other.
NOT_A_TOPIC = frozenset(
    {
        names.GREET,
        names.GOODBYE,
        names.AFFIRM,
        names.DENY,
        names.THANK,
        names.BOT_CHALLENGE,
        names.INFORM,
        names.NLU_FALLBACK,
        names.RATE,
        "",
    }
)


UNKNOWN_CHANNEL = "unknown"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One pooled synchronous engine per URL, reused by every request of the process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = sa.create_engine(sync_url(url), future=True, pool_pre_ping=True)
            _engines[url] = engine
        return engine


def sync_url(url: str) -> str:
    """The blocking driver for a URL that may name an asyncio one (``+aiosqlite``,
    ``+asyncpg``): the analytics run in a worker thread, not on the event loop."""
    parsed = make_url(url)
    driver = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql"}.get(
        parsed.drivername
    )
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _epoch(value: Any) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, str):  # "2026-11-22 10:00:00.000000" (SQLite), or PostgreSQL's text
        value = datetime.fromisoformat(value[:26])
    return calendar.timegm(value.timetuple()) + value.microsecond / 1e6


def events_query(
    since_ts: Optional[float] = None,
    until_ts: Optional[float] = None,
    after_id: int = 0,
) -> Any:
    """The rows a :class:`Reader` wants, in id order: customer messages, session starts and
    restarts, pauses and resumes, and the slots in ``READ_SLOTS``."""
    c = events.c
    statement = (
        sa.select(
            c.id,
            c.sender_id,
            c.type_name,
            c.timestamp,
            c.intent_name,
            c.action_name,
            sa.case((c.type_name == "slot", c.data), else_=None).label("slot"),
        )
        .where(
            sa.or_(
                c.type_name.in_(("user", "session_started", "restart", "pause", "resume")),
                sa.and_(c.type_name == "slot", c.action_name.in_(READ_SLOTS)),
            ),
        )
        .order_by(c.id)
    )
    if since_ts is not None:
        statement = statement.where(c.timestamp >= since_ts)
    if until_ts is not None:
        statement = statement.where(c.timestamp < until_ts)
    if after_id:
        statement = statement.where(c.id > after_id)
    return statement


def _fetch_raw(engine: Engine, statement: Any) -> Iterable[tuple[Any, ...]]:
    """Rows straight from the DB-API cursor: for a million rows, SQLAlchemy's result
    objects would cost more than the query."""
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(str(compiled))
        while True:
            batch = cursor.fetchmany(20_000)
            if not batch:
                break
            yield from batch
        cursor.close()
    finally:
        raw.close()


class _Sender:
    __slots__ = ("channel", "current", "language", "method", "paused", "reason")

    def __init__(self) -> None:
        self.current: Optional[ConversationFacts] = None
        self.channel: Optional[str] = None  # a customer's conversation id is per channel
        self.paused = False  # with a person: messages go to the agent, not to the bot
        self.language: Optional[str] = None
        self.reason: Optional[str] = None
        self.method: Optional[str] = None


def _slot_value(data: Optional[str]) -> Any:
    try:
        return json.loads(data or "{}").get("value")
    except (json.JSONDecodeError, AttributeError):
        return None


class Reader:
    """Turns event rows, in id order, into conversation records; can be fed more rows later.

    Every customer's last session stays open (a session ends only when the next one starts),
    so records are complete at any moment: a topic that is still ``other`` is decided by
    :func:`analytics.facts.topic_of` when figures are computed.
    """

    def __init__(self) -> None:
        self.senders: dict[str, _Sender] = {}
        self.conversations: list[ConversationFacts] = []
        self.without_channel: list[ConversationFacts] = []  # for :func:`fill_channels`

    def feed(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Rows of ``(id, sender_id, type_name, timestamp, intent, slot name, slot JSON)``;
        returns the highest id seen (0 if none)."""
        senders, conversations = self.senders, self.conversations
        fallback = names.NLU_FALLBACK
        last_id = 0
        for event_id, sender_id, kind, ts, intent, slot_name, slot in rows:
            last_id = event_id
            state = senders.get(sender_id)
            if state is None:
                state = senders[sender_id] = _Sender()
            if kind == "user":
                if state.paused:
                    continue
                conversation = state.current
                if conversation is None:
                    conversation = state.current = ConversationFacts(
                        sender_id,
                        float(ts or 0.0),
                        state.channel or UNKNOWN_CHANNEL,
                        state.language or DEFAULT_LANGUAGE,
                    )
                    conversations.append(conversation)
                    if state.channel is None:
                        self.without_channel.append(conversation)
                conversation.messages += 1
                if intent == fallback:
                    conversation.fallbacks += 1
                elif conversation.topic == NO_TOPIC and intent not in NOT_A_TOPIC:
                    conversation.topic = intent
            elif kind == "slot":
                value = _slot_value(slot)
                if slot_name == CHANNEL_SLOT:
                    if value:
                        state.channel = str(value)
                        if state.current is not None:
                            state.current.channel = state.channel
                elif slot_name == LANGUAGE_SLOT:
                    state.language = str(value) if value else None
                    if state.current is not None:
                        state.current.language = state.language or DEFAULT_LANGUAGE
                elif slot_name == names.SLOT_RETURN_REASON:
                    state.reason = str(value) if value else state.reason
                elif slot_name == names.SLOT_RETURN_METHOD:
                    state.method = str(value) if value else state.method
                elif value and state.current is not None:  # last_rma: a return was opened
                    state.current.returns.append(
                        (state.reason or "other", state.method or "unknown")
                    )
                    state.reason = state.method = None
            elif kind == "pause":
                state.paused = True
            elif kind == "resume":
                state.paused = False
            else:  # a new session (or a restart) ends the conversation; its slots start empty
                state.current = None
                state.paused = False
                state.language = state.reason = state.method = None
        return last_id

    def fill_channels(self, engine: Engine) -> None:
        """Channels for conversations whose session set none: from the metadata of the
        customer's first message (one JSON decode per customer, by the sender index)."""
        missing = [c for c in self.without_channel if c.channel == UNKNOWN_CHANNEL]
        self.without_channel = []
        if not missing:
            return
        found = first_message_channels(engine, {c.conversation_id for c in missing})
        for conversation in missing:
            channel = found.get(conversation.conversation_id)
            if channel:
                conversation.channel = channel
                state = self.senders.get(conversation.conversation_id)
                if state is not None and state.channel is None:
                    state.channel = channel


def first_message_channels(engine: Engine, senders: set[str]) -> dict[str, str]:
    """``sender_id -> channel`` from each sender's first customer message."""
    c = events.c
    found: dict[str, str] = {}
    ordered = sorted(senders)
    with engine.connect() as conn:
        for i in range(0, len(ordered), 500):
            chunk = ordered[i : i + 500]
            first = (
                sa.select(sa.func.min(c.id))
                .where(c.type_name == "user", c.sender_id.in_(chunk))
                .group_by(c.sender_id)
            )
            for sender_id, data in conn.execute(
                sa.select(c.sender_id, c.data).where(c.id.in_(first))
            ):
                channel = _message_channel(data)
                if channel:
                    found[sender_id] = channel
    return found


def read_conversations(url: str, start_ts: float, end_ts: float) -> list[ConversationFacts]:
    """Every conversation whose first customer message falls in ``[start_ts, end_ts)``."""
    return [c for c in read_sessions(url, start_ts, end_ts) if start_ts <= c.started_at < end_ts]


def read_sessions(url: str, start_ts: float, end_ts: float) -> list[ConversationFacts]:
    """Every conversation with a customer message in the range widened by a day each side."""
    engine = engine_for(url)
    if not sa.inspect(engine).has_table("events"):
        return []
    reader = Reader()
    reader.feed(_fetch_raw(engine, events_query(start_ts - SLACK_SECONDS, end_ts + SLACK_SECONDS)))
    reader.fill_channels(engine)
    return reader.conversations


def _message_channel(data: Optional[str]) -> Optional[str]:
    try:
        event = json.loads(data or "{}")
    except json.JSONDecodeError:
        return None
    meta = event.get("metadata") or {}
    return meta.get("channel") or event.get("input_channel")


def _text(column: Any) -> Any:
    """A timestamp as text: parsed by ``datetime.fromisoformat`` in C, not by SQLAlchemy's
    per-row regular expression (SQLite) — a tenth of the time for tens of thousands."""
    return sa.cast(column, sa.String)


def read_tickets(url: str, start_ts: float, end_ts: float) -> list[TicketFacts]:
    """Tickets opened in ``[start_ts - 1 day, end_ts + 1 day)`` (matched to conversations later)."""
    engine = engine_for(url)
    if not sa.inspect(engine).has_table("tickets"):
        return []
    first_reply = (
        sa.select(h.messages.c.ticket_id, sa.func.min(h.messages.c.created_at).label("first"))
        .where(h.messages.c.kind == "agent")
        .group_by(h.messages.c.ticket_id)
        .subquery()
    )
    closer = h.agents.alias("closer")
    claimer = h.agents.alias("claimer")
    t = h.tickets.c
    start = datetime.utcfromtimestamp(start_ts - SLACK_SECONDS)
    end = datetime.utcfromtimestamp(end_ts + SLACK_SECONDS)
    statement = (
        sa.select(
            t.id,
            t.conversation_id,
            t.channel,
            t.reason,
            _text(t.created_at).label("created_at"),
            _text(t.closed_at).label("closed_at"),
            t.csat_rating,
            sa.func.coalesce(closer.c.display_name, claimer.c.display_name).label("agent"),
            _text(first_reply.c.first).label("first"),
        )
        .outerjoin(closer, closer.c.id == t.closed_by)
        .outerjoin(claimer, claimer.c.id == t.claimed_by)
        .outerjoin(first_reply, first_reply.c.ticket_id == t.id)
        .where(t.created_at >= start, t.created_at < end)
        .order_by(t.id)
    )
    found: list[TicketFacts] = []
    with engine.connect() as conn:
        for row in conn.execute(statement):
            created = _epoch(row.created_at) or 0.0
            closed, first = _epoch(row.closed_at), _epoch(row.first)
            rating = row.csat_rating
            found.append(
                TicketFacts(
                    id=int(row.id),
                    conversation_id=row.conversation_id,
                    channel=row.channel,
                    reason=row.reason,
                    created_at=created,
                    first_reply_seconds=None if first is None else max(0.0, first - created),
                    close_seconds=None if closed is None else max(0.0, closed - created),
                    agent=row.agent,
                    rating=int(rating) if rating is not None and 1 <= rating <= 5 else None,
                )
            )
    return found


def _with_own_tickets(c: ConversationFacts) -> ConversationFacts:
    """A copy with an empty ticket list of its own (``dataclasses.replace`` is 5× slower)."""
    return ConversationFacts(
        c.conversation_id,
        c.started_at,
        c.channel,
        c.language,
        c.messages,
        c.fallbacks,
        c.topic,
        c.returns,
    )


def attach_tickets(
    conversations: Iterable[ConversationFacts],
    tickets: Iterable[TicketFacts],
    start_ts: float,
    end_ts: float,
) -> list[ConversationFacts]:
    """The conversations that started in ``[start_ts, end_ts)``, each with the tickets opened
    while it was running.

    The records passed in are not changed (they may be a cache's): a conversation that gets
    tickets is a copy. A ticket whose conversation is not in the tracker store (trimmed, or
    opened through the API by another system) still counts, as a conversation of its own.
    """
    tickets = list(tickets)
    wanted = {t.conversation_id for t in tickets}
    low, high = start_ts - SLACK_SECONDS, end_ts + SLACK_SECONDS
    kept: list[ConversationFacts] = []
    sessions_of: dict[str, list[ConversationFacts]] = {}
    for conversation in conversations:
        started = conversation.started_at
        if start_ts <= started < end_ts:
            kept.append(conversation)
        if conversation.conversation_id in wanted and low <= started < high:
            sessions_of.setdefault(conversation.conversation_id, []).append(conversation)
    for found in sessions_of.values():
        found.sort(key=lambda c: c.started_at)
    copies: dict[int, ConversationFacts] = {}
    orphans: list[ConversationFacts] = []
    for ticket in tickets:
        sessions = sessions_of.get(ticket.conversation_id)
        if sessions:
            starts = [c.started_at for c in sessions]
            i = bisect.bisect_right(starts, ticket.created_at + 1.0) - 1
            if i >= 0:
                owner = sessions[i]
                copy = copies.get(id(owner))
                if copy is None:
                    copy = copies[id(owner)] = _with_own_tickets(owner)
                copy.tickets.append(ticket)
                continue
        if start_ts <= ticket.created_at < end_ts:
            orphan = ConversationFacts(ticket.conversation_id, ticket.created_at, ticket.channel)
            orphan.tickets.append(ticket)
            orphans.append(orphan)
    if copies:
        kept = [copies.get(id(c), c) for c in kept]
    return kept + orphans


def load(
    tracker_url: str, handoff_url: str, start_ts: float, end_ts: float
) -> list[ConversationFacts]:
    """Conversations started in the range, each with its tickets (straight from SQL)."""
    conversations = read_sessions(tracker_url, start_ts, end_ts)
    tickets = read_tickets(handoff_url, start_ts, end_ts)
    return attach_tickets(conversations, tickets, start_ts, end_ts)
