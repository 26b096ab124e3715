"""The two records every figure is computed from: a conversation and a handoff ticket.

Plain slotted dataclasses, so 100,000 of them are cheap to build and to walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

DEFAULT_LANGUAGE = "en"
NO_TOPIC = "other"  # until a message says what the customer wanted


@dataclass(slots=True)
class TicketFacts:
    """One handoff: why, how long the customer waited, who helped, and the rating."""

    id: int
    conversation_id: str
    channel: str
    reason: str
    created_at: float  # UNIX seconds (UTC)
    first_reply_seconds: Optional[float] = None  # until the first agent message
    close_seconds: Optional[float] = None  # until the agent gave it back to the bot
    agent: Optional[str] = None  # who closed it (or claimed it, while still open)
    rating: Optional[int] = None  # 1-5, when the customer answered

    @property
    def closed(self) -> bool:
        return self.close_seconds is not None


@dataclass(slots=True)
class ConversationFacts:
    """One conversation (a Rasa session of one customer on one channel)."""

    conversation_id: str
    started_at: float  # UNIX seconds of the first customer message
    channel: str
    language: str = DEFAULT_LANGUAGE
    messages: int = 0  # customer messages
    fallbacks: int = 0  # customer messages the bot did not understand (nlu_fallback)
    topic: str = NO_TOPIC  # the first intent that says what the customer wanted
    returns: list[tuple[str, str]] = field(default_factory=list)  # (reason, method) opened
    tickets: list[TicketFacts] = field(default_factory=list)
    # shop topics the customer asked about that Baton does not settle itself yet (cancel,
    # change an address, invoices...), in the order first asked: "asked, not automated yet"
    asked: tuple[str, ...] = ()
    # self-service flows started (their form activated), e.g. ("cancel",), in order
    flows: tuple[str, ...] = ()
    # how each flow ended: (flow, outcome, amount as text or "", currency or "")
    outcomes: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def handed_off(self) -> bool:
        return bool(self.tickets)


NOT_UNDERSTOOD = "not_understood"  # only messages the bot did not understand
SMALL_TALK = "small_talk"  # greetings, thanks, "are you a bot?" and nothing else


def topic_of(conversation: ConversationFacts) -> str:
    """What the customer came for; for a conversation without a telling intent, whether
    the bot understood nothing, or there was only small talk."""
    if conversation.topic != NO_TOPIC or not conversation.messages:
        return conversation.topic
    return NOT_UNDERSTOOD if conversation.fallbacks else SMALL_TALK
