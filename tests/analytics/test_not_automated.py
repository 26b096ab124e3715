"""'Asked, not automated yet': the shop topics customers ask about, counted per conversation,
with how many of those conversations still needed a person — what to automate next.

No database: the reader fed rows by hand and the figures computed from records.
"""

from __future__ import annotations

import calendar
from datetime import date

from analytics.cut import Cut
from analytics.facts import ConversationFacts, TicketFacts
from analytics.flat import rows as flat_rows
from analytics.metrics import compute
from analytics.sources import MESSAGE, NEW_SESSION, SMALL_TALK, Reader

DAY = date(2026, 11, 10)
NOON = float(calendar.timegm(DAY.timetuple())) + 12 * 3600


def conversation(cid: str, *asked: str, handed: bool = False) -> ConversationFacts:
    facts = ConversationFacts(cid, NOON, "webchat", "en", messages=3, topic="order_status")
    facts.asked = tuple(asked)
    if handed:
        facts.tickets.append(TicketFacts(1, cid, "webchat", "shop_topic", NOON + 60))
    return facts


def test_each_topic_counts_the_conversations_that_asked_and_those_that_needed_a_person() -> None:
    figures = compute(
        [
            conversation("a", "cancel_order", "invoice"),
            conversation("b", "cancel_order", handed=True),
            conversation("c"),
            conversation("d", "product_question"),
        ],
        Cut(DAY, DAY),
    )
    asked = figures["not_automated"]
    assert (asked["conversations"], asked["share"]) == (3, 0.75)
    assert [(r["topic"], r["conversations"], r["to_a_person"]) for r in asked["topics"]] == [
        ("cancel_order", 2, 1),
        ("invoice", 1, 0),
        ("product_question", 1, 0),
    ]
    assert ("asked_not_automated", "topic", "cancel_order", 2) in list(flat_rows(figures))


def test_the_reader_keeps_every_shop_topic_once_in_the_order_asked() -> None:
    reader = Reader()
    reader.feed(
        [
            (1, "web-1", NEW_SESSION, None, None, None, None),
            (2, "web-1", SMALL_TALK, NOON, None, None, None),
            (3, "web-1", MESSAGE, NOON + 5, "order_status", None, None),
            (4, "web-1", MESSAGE, NOON + 9, "change_address", None, None),
            (5, "web-1", MESSAGE, NOON + 20, "cancel_order", None, None),
            (6, "web-1", MESSAGE, NOON + 30, "change_address", None, None),
            (7, "web-1", MESSAGE, NOON + 40, "out_of_scope", None, None),
        ]
    )
    [facts] = reader.conversations
    assert facts.topic == "order_status"  # still the first thing the customer came for
    assert facts.asked == ("change_address", "cancel_order")


def test_a_range_without_shop_topics_says_so_with_zero_not_an_error() -> None:
    asked = compute([conversation("c")], Cut(DAY, DAY))["not_automated"]
    assert asked == {"conversations": 0, "share": 0.0, "topics": []}
