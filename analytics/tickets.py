"""Tickets from the handoff database, and each matched to the conversation session that was
running when it opened (:func:`attach_tickets`)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa

from analytics.engines import engine_for
from analytics.event_rows import SLACK_SECONDS
from analytics.facts import ConversationFacts, TicketFacts
from handoff.store import tables as h

_EPOCH = datetime(1970, 1, 1)


def _epoch(value: Any) -> Optional[float]:
    """UNIX seconds of a naive UTC time (or its text): whole seconds, plus the microseconds
    as a fraction, as ``calendar.timegm`` would give them but without building a time tuple."""
    if value is None:
        return None
    if isinstance(value, str):  # "2026-11-22 10:00:00.000000" (SQLite), or PostgreSQL's text
        value = datetime.fromisoformat(value[:26])
    if value.tzinfo is not None:  # its fields, as ``timetuple`` read them
        value = value.replace(tzinfo=None)
    since = value - _EPOCH
    return since.days * 86_400 + since.seconds + since.microseconds / 1e6


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
        for (
            ticket_id,
            conversation,
            channel,
            reason,
            opened,
            shut,
            rating,
            agent,
            reply,
        ) in conn.execute(statement).all():
            created = _epoch(opened) or 0.0
            closed, first = _epoch(shut), _epoch(reply)
            found.append(
                TicketFacts(
                    int(ticket_id),
                    conversation,
                    channel,
                    reason,
                    created,
                    None if first is None else max(0.0, first - created),
                    None if closed is None else max(0.0, closed - created),
                    agent,
                    int(rating) if rating is not None and 1 <= rating <= 5 else None,
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
        asked=c.asked,
        flows=c.flows,
        outcomes=c.outcomes,
    )


def attach_tickets(
    conversations: Iterable[ConversationFacts],
    tickets: Iterable[TicketFacts],
    start_ts: float,
    end_ts: float,
    in_place: bool = False,
) -> list[ConversationFacts]:
    """The conversations that started in ``[start_ts, end_ts)``, each with the tickets opened
    while it was running.

    The records passed in are not changed (they may be a cache's): a conversation that gets
    tickets is a copy — unless ``in_place``, for records read for this call alone. A ticket
    whose conversation is not in the tracker store (trimmed, or opened through the API by
    another system) still counts, as a conversation of its own.
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
                if in_place:
                    owner.tickets.append(ticket)
                    continue
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
