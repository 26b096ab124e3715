"""Event rows (:mod:`analytics.event_rows`) into conversation records, one customer at a
time: :class:`Reader`, and the channel of a conversation whose session set none."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.event_rows import (
    CHANNEL,
    FLOW_OUTCOME,
    FLOW_STARTED,
    LANGUAGE,
    MESSAGE,
    NEW_SESSION,
    NOT_UNDERSTOOD,
    PAUSE,
    RESUME,
    RETURN_METHOD,
    RETURN_REASON,
    SHOP_TOPICS,
)
from analytics.events_index import FLOW_FORMS
from analytics.facts import DEFAULT_LANGUAGE, NO_TOPIC, ConversationFacts
from infra.events_table import events

UNKNOWN_CHANNEL = "unknown"
FLOWS = frozenset(FLOW_FORMS.values())
OUTCOMES = frozenset(("done", "refused", "handoff", "stopped"))


class _Sender:
    """What is known of one customer between rows (and between reads)."""

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


def flow_outcome(value: Any) -> Optional[tuple[str, str, str, str]]:
    """``(flow, outcome, amount, currency)`` of a ``flow_outcome`` slot's value; None for
    anything else (the slot reset, or a value no flow wrote). An amount that is not a number
    is left out rather than trusted."""
    if not isinstance(value, dict):
        return None
    flow, outcome = value.get("flow"), value.get("outcome")
    if flow not in FLOWS or outcome not in OUTCOMES:
        return None
    amount, currency = value.get("amount"), value.get("currency")
    try:
        if not Decimal(str(amount)).is_finite():
            amount = None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not isinstance(currency, str) or not currency.isalpha():
        return (flow, outcome, "", "")
    return (flow, outcome, str(amount), currency.upper()[:3])


class Reader:
    """Turns event rows into conversation records; can be fed more rows later.

    Rows may come in any order that keeps each customer's events in id order: customer by
    customer (a full read) or by id (what is new). Every customer's last session stays open
    (a session ends only when the next one starts), so records are complete at any moment:
    a topic that is still ``other`` is decided by :func:`analytics.facts.topic_of` when
    figures are computed.
    """

    def __init__(self) -> None:
        self.senders: dict[str, _Sender] = {}
        self.conversations: list[ConversationFacts] = []
        self.without_channel: list[ConversationFacts] = []  # for :func:`fill_channels`
        # customers whose first row read was not a session start: mid-conversation when the
        # read began (see :func:`read_sessions`)
        self.midway: set[str] = set()

    def feed(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Rows of :func:`events_query`; returns the highest id seen (0 if none).

        The customer's state lives in local variables while their rows follow one another
        (all of them, in a full read) and goes back to :attr:`senders` when another
        customer's row comes: a dictionary look-up per customer, not per row.
        """
        senders, conversations = self.senders, self.conversations
        without_channel = self.without_channel
        last_id = 0
        sender_id: Optional[str] = None
        state: Optional[_Sender] = None
        current: Optional[ConversationFacts] = None
        channel = language = reason = method = None
        paused = False
        for event_id, sender, kind, ts, intent, value, raw in rows:
            if event_id > last_id:
                last_id = event_id
            if sender != sender_id:
                if state is not None:
                    state.current, state.channel, state.paused = current, channel, paused
                    state.language, state.reason, state.method = language, reason, method
                state = senders.get(sender)
                if state is None:
                    state = senders[sender] = _Sender()
                    if kind != NEW_SESSION:
                        self.midway.add(sender)
                sender_id = sender
                current, channel, paused = state.current, state.channel, state.paused
                language, reason, method = state.language, state.reason, state.method
            if kind <= NOT_UNDERSTOOD:  # a customer message
                if paused:
                    continue
                if current is None:
                    current = ConversationFacts(
                        sender,
                        float(ts or 0.0),
                        channel or UNKNOWN_CHANNEL,
                        language or DEFAULT_LANGUAGE,
                    )
                    conversations.append(current)
                    if channel is None:
                        without_channel.append(current)
                current.messages += 1
                if kind == NOT_UNDERSTOOD:
                    current.fallbacks += 1
                elif kind == MESSAGE:
                    if current.topic == NO_TOPIC:
                        current.topic = intent
                    if intent in SHOP_TOPICS and intent not in current.asked:
                        current.asked += (intent,)
            elif kind == FLOW_STARTED:  # a self-service flow's form was activated
                if current is not None and intent in FLOW_FORMS:
                    current.flows += (FLOW_FORMS[intent],)
            elif kind >= CHANNEL:  # a slot
                if raw is not None:
                    value = _slot_value(raw)
                if kind == CHANNEL:
                    if value:
                        channel = str(value)
                        if current is not None:
                            current.channel = channel
                elif kind == LANGUAGE:
                    language = str(value) if value else None
                    if current is not None:
                        current.language = language or DEFAULT_LANGUAGE
                elif kind == RETURN_REASON:
                    reason = str(value) if value else reason
                elif kind == RETURN_METHOD:
                    method = str(value) if value else method
                elif kind == FLOW_OUTCOME:
                    ended = flow_outcome(value)
                    if ended is not None and current is not None:
                        current.outcomes += (ended,)
                elif value and current is not None:  # last_rma: a return was opened
                    current.returns.append((reason or "other", method or "unknown"))
                    reason = method = None
            elif kind == PAUSE:
                paused = True
            elif kind == RESUME:
                paused = False
            else:  # a new session (or a restart) ends the conversation; its slots start empty
                current = None
                paused = False
                language = reason = method = None
        if state is not None:
            state.current, state.channel, state.paused = current, channel, paused
            state.language, state.reason, state.method = language, reason, method
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


def _message_channel(data: Optional[str]) -> Optional[str]:
    try:
        event = json.loads(data or "{}")
    except json.JSONDecodeError:
        return None
    meta = event.get("metadata") or {}
    return meta.get("channel") or event.get("input_channel")
