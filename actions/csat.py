"""The rating after a person's help: the relay resumes the conversation when the agent closes
the case and asks for a rating; ``action_csat_rating`` stores the 1–5 answer on the handoff
ticket, ``action_csat_comment`` the optional comment. Kept apart from :mod:`actions.handoff`
(the way to a person): the two meet only in the ticket's id, left in a slot.

A customer can answer with a button, a digit, "4/5", "four stars", stars or "full marks", in
any of the three languages; anything that is not a rating is kept as the comment, so nothing
they said is lost.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.handoff import HandoffUnavailable, get_client
from bot import names

logger = logging.getLogger(__name__)

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# Korean and Chinese numbers as customers type them ("다섯 개", "五星", "两分").
_CJK_WORDS = {
    "하나": 1, "한 개": 1, "둘": 2, "두 개": 2, "셋": 3, "세 개": 3, "넷": 4, "네 개": 4,
    "다섯": 5, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
}  # fmt: skip
_FULL_MARKS = ("full marks", "만점", "满分", "滿分")
_NUMBER = re.compile(r"(?<![\d.])([1-5])(?![\d.]|\s*%)")


def parse_rating(text: Optional[str], entities: list[dict[str, Any]]) -> Optional[int]:
    """1–5 from a button payload's entity or from what the customer typed ("4", "4/5",
    "four stars", "⭐⭐⭐⭐", "full marks")."""
    for entity in entities:
        if entity.get("entity") == names.ENTITY_RATING:
            try:
                value = int(float(str(entity.get("value"))))
            except (ValueError, OverflowError):  # "1e999" is inf: not a rating
                continue
            if 1 <= value <= 5:
                return value
    if not text:
        return None
    lowered = text.strip().lower()
    stars = lowered.count("⭐") or lowered.count("★")
    if 1 <= stars <= 5:
        return stars
    if any(words in lowered for words in _FULL_MARKS):
        return 5
    out_of = re.search(r"\b([1-5])\s*(?:/|out of)\s*5\b", lowered)
    if out_of:
        return int(out_of.group(1))
    match = _NUMBER.search(lowered)
    if match:
        return int(match.group(1))
    for word, value in _WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return value
    for word, value in _CJK_WORDS.items():
        if word in lowered:
            return value
    return None


def _ticket_id(tracker: Tracker) -> Optional[int]:
    try:
        return int(tracker.get_slot(names.SLOT_HANDOFF_TICKET) or 0) or None
    except (TypeError, ValueError):
        return None


class ActionCsatRating(Action):
    """Store the 1–5 rating on the ticket, then invite an optional comment."""

    def name(self) -> str:
        return names.ACTION_CSAT_RATING

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket_id = _ticket_id(tracker)
        message = tracker.latest_message or {}
        rating = parse_rating(message.get("text"), message.get("entities") or [])
        if ticket_id is None:
            # A number out of the blue, with no handoff to rate.
            dispatcher.utter_message(response="utter_default")
            return []
        if rating is None:
            # Not a rating: take it as the comment, so nothing they said is lost.
            return await _store_comment(dispatcher, tracker, ticket_id, message.get("text"))
        try:
            await get_client().record_csat(ticket_id, rating=rating)
        except HandoffUnavailable as exc:
            logger.warning("rating not stored: %s", exc, extra={"conversation": tracker.sender_id})
        dispatcher.utter_message(response="utter_ask_csat_comment")
        return [SlotSet(names.SLOT_CSAT_RATING, rating)]


async def _store_comment(
    dispatcher: CollectingDispatcher, tracker: Tracker, ticket_id: int, text: Any
) -> list[EventType]:
    comment = text.strip() if isinstance(text, str) and not text.startswith("/") else ""
    if comment:
        try:
            await get_client().record_csat(ticket_id, comment=comment[:2000])
        except HandoffUnavailable as exc:
            logger.warning("comment not stored: %s", exc, extra={"conversation": tracker.sender_id})
        dispatcher.utter_message(response="utter_csat_thanks")
    else:
        dispatcher.utter_message(response="utter_csat_no_comment")
    return [SlotSet(names.SLOT_HANDOFF_TICKET, None), SlotSet(names.SLOT_HANDOFF_AGENT, None)]


class ActionCsatComment(Action):
    """The optional comment after the rating ("No comment" stores nothing)."""

    def name(self) -> str:
        return names.ACTION_CSAT_COMMENT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket_id = _ticket_id(tracker)
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if ticket_id is None:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        text = None if intent == names.DENY else message.get("text")
        return await _store_comment(dispatcher, tracker, ticket_id, text)
