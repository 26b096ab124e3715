"""Which customer messages deserve a trainer's look, from one conversation's events.

A message is picked, with the reasons why, when

- ``fallback``: the FallbackClassifier replaced the intent by ``nlu_fallback``;
- ``low_confidence``: the top intent's confidence was under ``threshold``;
- ``before_handoff``: it is one of the last ``before_handoff`` messages before the conversation
  went to a human (the action ``action_handoff``, or any ``utter_handoff*`` response). A message
  confidently asking for a human is skipped: that one was understood, the one before it perhaps not;
- ``low_rating``: the conversation was rated ``low_rating`` or less -- a rating slot
  (``csat_rating``) set to that value, or a user message with the intent ``rate`` and a ``rating``
  entity. Every message of that session the bot handled itself is picked, except the rating.

Messages sent while the conversation was paused went to a human agent, not to the bot, and are
never picked; nor are button payloads (texts starting with ``/``). The names are
configurable because the handoff and CSAT flows are built elsewhere (``Rules``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import names

FALLBACK = "fallback"
LOW_CONFIDENCE = "low_confidence"
BEFORE_HANDOFF = "before_handoff"
LOW_RATING = "low_rating"


@dataclass(frozen=True)
class Rules:
    threshold: float = 0.7
    before_handoff: int = 2
    handoff_actions: tuple[str, ...] = (names.ACTION_HANDOFF,)
    handoff_utter_prefixes: tuple[str, ...] = ("utter_handoff",)
    rating_slots: tuple[str, ...] = (names.SLOT_CSAT_RATING,)
    rating_intents: tuple[str, ...] = (names.RATE,)
    rating_entity: str = names.ENTITY_RATING
    low_rating: int = 2


@dataclass
class Picked:
    """A customer message the rules picked, with why."""

    sender_id: str
    text: str
    predicted: str
    confidence: float
    timestamp: float
    reasons: set[str] = field(default_factory=set)
    # en, ko or zh: the language the message was detected in (the `language` entity), else the
    # language the conversation was in (a bare "10001" belongs to the customer's language)
    language: str = ""


def _top_intent(event: dict[str, Any]) -> tuple[str, float, bool]:
    """(intent, confidence, was_fallback); for a fallback, the intent the classifier preferred."""
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = str(intent.get("name") or "")
    confidence = float(intent.get("confidence") or 0.0)
    if name != names.NLU_FALLBACK:
        return name, confidence, False
    for ranked in parse.get("intent_ranking") or []:
        if ranked.get("name") != names.NLU_FALLBACK:
            return str(ranked.get("name")), float(ranked.get("confidence") or 0.0), True
    return name, confidence, True


def _rating(value: Any) -> int | None:
    try:
        return round(float(value))
    except (TypeError, ValueError):
        return None


def _is_handoff(event: dict[str, Any], rules: Rules) -> bool:
    if event.get("event") == "action":
        action = str(event.get("name") or "")
        return action in rules.handoff_actions or action.startswith(rules.handoff_utter_prefixes)
    if event.get("event") == "bot":
        utter = str((event.get("metadata") or {}).get("utter_action") or "")
        return utter.startswith(rules.handoff_utter_prefixes)
    return False


def pick(sender_id: str, events: Sequence[dict[str, Any]], rules: Rules) -> list[Picked]:
    """The messages of one conversation the rules pick, in the order they were sent."""
    picked: dict[int, Picked] = {}
    session: list[Picked] = []  # bot-handled customer messages of the current session
    since_handoff: list[Picked] = []
    rating_messages: set[int] = set()
    latest: Picked | None = None
    seen: list[Picked] = []
    paused = False
    language = ""

    def note(message: Picked, reason: str) -> None:
        message.reasons.add(reason)
        picked[id(message)] = message

    for event in events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            session, since_handoff, paused = [], [], False
        elif kind == "pause":
            paused = True
        elif kind == "resume":
            paused, since_handoff = False, []
        elif kind == "user":
            text = " ".join(str(event.get("text") or "").split())
            intent, confidence, fallback = _top_intent(event)
            detected = [
                str(e.get("value"))
                for e in (event.get("parse_data") or {}).get("entities") or []
                if e.get("entity") == names.ENTITY_LANGUAGE and e.get("value")
            ]
            message = Picked(
                sender_id,
                text,
                intent,
                confidence,
                float(event.get("timestamp") or 0),
                language=detected[-1] if detected else language,
            )
            seen.append(message)  # keeps every message alive, so id() stays unique
            latest = message
            parse_intent = str(((event.get("parse_data") or {}).get("intent") or {}).get("name"))
            if parse_intent in rules.rating_intents:
                rating_messages.add(id(message))
                ratings = [
                    e.get("value")
                    for e in (event.get("parse_data") or {}).get("entities", [])
                    if e.get("entity") == rules.rating_entity
                ]
                if any((r := _rating(v)) is not None and r <= rules.low_rating for v in ratings):
                    for earlier in session:
                        note(earlier, LOW_RATING)
                continue
            if paused or not text or text.startswith("/"):
                continue
            session.append(message)
            since_handoff.append(message)
            if fallback:
                note(message, FALLBACK)
            if confidence < rules.threshold:
                note(message, LOW_CONFIDENCE)
        elif kind == "slot" and event.get("name") == names.SLOT_LANGUAGE:
            language = str(event.get("value") or "")
        elif kind == "slot" and event.get("name") in rules.rating_slots:
            rating = _rating(event.get("value"))
            if latest is not None:  # the latest message answered the rating question
                rating_messages.add(id(latest))
            if rating is not None and rating <= rules.low_rating:
                for earlier in session:
                    if id(earlier) not in rating_messages:
                        note(earlier, LOW_RATING)
        elif _is_handoff(event, rules):
            candidates = [
                m
                for m in since_handoff
                if not (m.predicted == names.HUMAN_HANDOFF and m.confidence >= rules.threshold)
            ]
            for message in candidates[-rules.before_handoff :] if rules.before_handoff else []:
                note(message, BEFORE_HANDOFF)
            since_handoff = []
    return [m for m in picked.values() if id(m) not in rating_messages]


def pick_all(
    conversations: Iterable[tuple[str, Sequence[dict[str, Any]]]], rules: Rules
) -> list[Picked]:
    return [m for sender_id, events in conversations for m in pick(sender_id, events, rules)]
