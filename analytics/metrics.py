"""Figures from conversation records: containment, handoffs, waiting, CSAT, fallbacks, returns.

Definitions (docs/leads.md repeats them for the people reading the dashboard):

* a **conversation** is one session of one customer on one channel that started in the range;
* **contained**: no handoff ticket was opened during it; the containment rate is per
  conversation, overall, per channel, per language and per *topic* (the first intent that says
  what the customer wanted; greetings, thanks, yes/no, bare order numbers and fallbacks do not);
* **handoff rate**: conversations with a ticket; reasons are counted per ticket;
* **waiting**: ticket opened → first agent message, and ticket opened → closed (median, 90th
  percentile, mean; tickets without a reply or still open are left out of each);
* **CSAT**: the share of ratings that are 4 or 5; the **response rate** is rated / closed;
* **fallback rate**: customer messages the bot did not understand / the customer messages it
  handled (those written to an agent while the bot was paused are not the bot's);
* **failing**: the topics that went to people or were not understood, most such first — where
  the bot keeps failing (the messages themselves are in the NLU inbox).

A rate whose denominator is zero is ``None`` (shown as "—"), never 0.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

from analytics.cut import Cut
from analytics.facts import (
    NO_TOPIC,
    NOT_UNDERSTOOD,
    SMALL_TALK,
    ConversationFacts,
    TicketFacts,
)
from analytics.flows import flow_figures
from contracts.packet import REASONS, reason_text

TOP_INTENTS = 10
RATINGS = (1, 2, 3, 4, 5)


def rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of a sorted, non-empty sequence."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def durations(values: Iterable[Optional[float]]) -> dict[str, Any]:
    found = sorted(v for v in values if v is not None)
    if not found:
        return {"count": 0, "median_seconds": None, "p90_seconds": None, "mean_seconds": None}
    n = len(found)
    middle = found[n // 2] if n % 2 else (found[n // 2 - 1] + found[n // 2]) / 2
    return {
        "count": n,
        "median_seconds": round(middle, 1),
        "p90_seconds": round(_percentile(found, 0.9), 1),
        "mean_seconds": round(sum(found) / n, 1),
    }


def csat(tickets: Sequence[TicketFacts]) -> dict[str, Any]:
    closed = 0
    counts = [0, 0, 0, 0, 0, 0]  # index = rating
    for t in tickets:
        if t.close_seconds is not None:
            closed += 1
        if t.rating is not None:
            counts[t.rating] += 1
    ratings = [r for r in RATINGS for _ in range(counts[r])]
    happy = counts[4] + counts[5]
    return {
        "closed": closed,
        "rated": len(ratings),
        "response_rate": rate(len(ratings), closed),
        "satisfied": happy,
        "csat": rate(happy, len(ratings)),
        "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "distribution": {str(r): counts[r] for r in RATINGS},
    }


def _tickets(conversations: Iterable[ConversationFacts]) -> list[TicketFacts]:
    return [t for c in conversations for t in c.tickets]


class _Tally:
    """Running sums of one slice (everything, a channel, a language, a day, a topic), all
    filled in compute's single pass over the conversations."""

    __slots__ = ("conversations", "fallbacks", "handed", "messages", "misunderstood", "tickets")

    def __init__(self) -> None:
        self.conversations = self.handed = self.messages = self.fallbacks = 0
        self.misunderstood = 0  # handed-off conversations with a "misunderstood" ticket
        self.tickets: list[TicketFacts] = []

    def add(self, other: _Tally) -> None:
        self.conversations += other.conversations
        self.handed += other.handed
        self.messages += other.messages
        self.fallbacks += other.fallbacks
        self.misunderstood += other.misunderstood
        self.tickets.extend(other.tickets)


def _tally(conversations: Iterable[ConversationFacts]) -> _Tally:
    tally = _Tally()
    for c in conversations:
        tally.conversations += 1
        tally.messages += c.messages
        tally.fallbacks += c.fallbacks
        if c.tickets:
            tally.handed += 1
            tally.tickets.extend(c.tickets)
    return tally


def summary(conversations: Sequence[ConversationFacts]) -> dict[str, Any]:
    """The headline figures of one slice (a channel, a language, a week...), in one pass."""
    return _summary(_tally(conversations))


def _summary(tally: _Tally) -> dict[str, Any]:
    n, handed = tally.conversations, tally.handed
    messages, fallbacks = tally.messages, tally.fallbacks
    satisfaction = csat(tally.tickets)
    return {
        "conversations": n,
        "contained": n - handed,
        "containment_rate": rate(n - handed, n),
        "handoffs": handed,
        "handoff_rate": rate(handed, n),
        "messages": messages,
        "fallbacks": fallbacks,
        "fallback_rate": rate(fallbacks, messages),
        "csat": satisfaction["csat"],
        "rated": satisfaction["rated"],
        "median_first_reply_seconds": durations(t.first_reply_seconds for t in tally.tickets)[
            "median_seconds"
        ],
    }


EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _period_of(granularity: str) -> Any:
    """``timestamp -> first day of its period``, remembering each day it has seen."""
    days: dict[int, date] = {}

    def period(ts: float) -> date:
        day_number = int(ts // 86_400)
        found = days.get(day_number)
        if found is None:
            day = date.fromordinal(EPOCH_ORDINAL + day_number)
            found = days[day_number] = (
                day - timedelta(days=day.weekday()) if granularity == "week" else day
            )
        return found

    return period


def _periods(cut: Cut) -> list[date]:
    first = (
        cut.start - timedelta(days=cut.start.weekday()) if cut.granularity == "week" else cut.start
    )
    step = timedelta(days=7 if cut.granularity == "week" else 1)
    found = []
    while first <= cut.end:
        found.append(first)
        first += step
    return found


def select(conversations: Iterable[ConversationFacts], cut: Cut) -> list[ConversationFacts]:
    """The conversations of ``cut``: in its dates, on its channel, in its language."""
    start, end = cut.start_ts, cut.end_ts
    return [
        c
        for c in conversations
        if start <= c.started_at < end
        and (cut.channel is None or c.channel == cut.channel)
        and (cut.language is None or c.language == cut.language)
    ]


def _topic_row(topic: str, tally: _Tally) -> dict[str, Any]:
    n, handed = tally.conversations, tally.handed
    return {
        "intent": topic,
        "conversations": n,
        "contained": n - handed,
        "containment_rate": rate(n - handed, n),
        "handoffs": handed,
        "misunderstood": tally.misunderstood,
        "fallbacks": tally.fallbacks,
    }


def compute(all_conversations: Iterable[ConversationFacts], cut: Cut) -> dict[str, Any]:
    """Every figure for ``cut`` (see the module docstring for the definitions)."""
    conversations = select(all_conversations, cut)

    # every slice's sums in one pass over the conversations (topic_of and the day inlined:
    # a function call per conversation would cost more than the sums)
    total = _Tally()
    by_topic: dict[str, _Tally] = defaultdict(_Tally)
    by_channel: dict[str, _Tally] = defaultdict(_Tally)
    by_language: dict[str, _Tally] = defaultdict(_Tally)
    by_day: dict[int, _Tally] = defaultdict(_Tally)
    with_fallback = 0
    returns: list[tuple[str, str]] = []
    asked: dict[str, _Tally] = defaultdict(_Tally)
    asking = 0  # conversations with at least one shop topic
    for c in conversations:
        messages, fallbacks, own = c.messages, c.fallbacks, c.tickets
        topic = c.topic
        if topic == NO_TOPIC and messages:
            topic = NOT_UNDERSTOOD if fallbacks else SMALL_TALK
        misunderstood = False
        if own:
            for t in own:
                if t.reason == "misunderstood":
                    misunderstood = True
                    break
        for tally in (
            total,
            by_topic[topic],
            by_channel[c.channel],
            by_language[c.language],
            by_day[int(c.started_at // 86_400)],
        ):
            tally.conversations += 1
            tally.messages += messages
            tally.fallbacks += fallbacks
            if own:
                tally.handed += 1
                tally.tickets.extend(own)
                if misunderstood:
                    tally.misunderstood += 1
        if fallbacks:
            with_fallback += 1
        if c.returns:
            returns.extend(c.returns)
        if c.asked:
            asking += 1
        for shop_topic in c.asked:
            tally = asked[shop_topic]
            tally.conversations += 1
            if own:
                tally.handed += 1
    tickets = total.tickets
    head = _summary(total)
    period = _period_of(cut.granularity)
    by_period: dict[date, _Tally] = defaultdict(_Tally)
    for day_number, day in sorted(by_day.items()):
        by_period[period(day_number * 86_400.0)].add(day)
    containment_by_intent = sorted(
        (_topic_row(topic, tally) for topic, tally in by_topic.items()),
        key=lambda row: (-row["conversations"], row["intent"]),
    )
    failing = sorted(
        (row for row in containment_by_intent if row["handoffs"] or row["fallbacks"]),
        key=lambda row: (-(row["handoffs"] + row["fallbacks"]), row["intent"]),
    )

    reasons = Counter(t.reason for t in tickets)
    known = list(REASONS)
    reason_rows = [
        {
            "code": code,
            "label": reason_text(code),
            "count": count,
            "share": rate(count, len(tickets)),
        }
        for code, count in sorted(
            reasons.items(),
            # unknown codes (not in REASONS) by name, whatever order the tickets came in
            key=lambda kv: (-kv[1], known.index(kv[0]) if kv[0] in known else len(known), kv[0]),
        )
    ]

    topics = {topic: tally.conversations for topic, tally in by_topic.items()}
    messages = head["messages"]
    fallback_messages = head["fallbacks"]
    by_agent = _grouped_tickets(tickets, lambda t: t.agent or "unassigned")
    by_ticket_channel = _grouped_tickets(tickets, lambda t: t.channel)

    series = [
        {"period": first.isoformat(), **_summary(by_period.get(first) or _Tally())}
        for first in _periods(cut)
    ]

    return {
        "range": cut.public(),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{k: head[k] for k in ("conversations", "messages")},
        "containment": {
            "contained": head["contained"],
            "rate": head["containment_rate"],
            "by_intent": containment_by_intent,
        },
        "handoff": {
            "conversations": head["handoffs"],
            "rate": head["handoff_rate"],
            "tickets": len(tickets),
            "reasons": reason_rows,
        },
        "waiting": {
            "first_reply": durations(t.first_reply_seconds for t in tickets),
            "close": durations(t.close_seconds for t in tickets),
        },
        "csat": {
            **csat(tickets),
            "by_channel": [
                {"channel": ch, **csat(group)} for ch, group in sorted(by_ticket_channel.items())
            ],
            "by_agent": [
                {
                    "agent": agent,
                    **csat(group),
                    "median_first_reply_seconds": durations(t.first_reply_seconds for t in group)[
                        "median_seconds"
                    ],
                }
                for agent, group in sorted(by_agent.items())
            ],
        },
        "fallback": {
            "messages": fallback_messages,
            "rate": rate(fallback_messages, messages),
            "conversations": with_fallback,
            "conversation_rate": rate(with_fallback, len(conversations)),
        },
        "top_intents": [
            {"intent": topic, "conversations": count, "share": rate(count, len(conversations))}
            for topic, count in sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_INTENTS]
        ],
        "failing": failing,
        "not_automated": _not_automated(asked, asking, len(conversations)),
        "returns": {
            "opened": len(returns),
            "by_reason": _counted(r for r, _ in returns),
            "by_method": _counted(m for _, m in returns),
        },
        "flows": flow_figures(conversations),
        "channels": [
            {"channel": ch, **_summary(tally)} for ch, tally in sorted(by_channel.items())
        ],
        "languages": [
            {"language": lang, **_summary(tally)} for lang, tally in sorted(by_language.items())
        ],
        "series": series,
    }


def _not_automated(asked: dict[str, _Tally], asking: int, conversations: int) -> dict[str, Any]:
    """Shop topics customers asked about that Baton answers but does not settle itself yet,
    each with the conversations that asked (at any point) and how many went to a person: what
    to automate next."""
    ordered = sorted(asked.items(), key=lambda kv: (-kv[1].conversations, kv[0]))
    rows = [
        {
            "topic": topic,
            "conversations": tally.conversations,
            "share": rate(tally.conversations, conversations),
            "to_a_person": tally.handed,
        }
        for topic, tally in ordered
    ]
    return {"conversations": asking, "share": rate(asking, conversations), "topics": rows}


def _grouped_tickets(tickets: Iterable[TicketFacts], key: Any) -> dict[str, list[TicketFacts]]:
    groups: dict[str, list[TicketFacts]] = defaultdict(list)
    for ticket in tickets:
        groups[key(ticket)].append(ticket)
    return groups


def _counted(values: Iterable[str]) -> list[dict[str, Any]]:
    counts = Counter(values)
    total = sum(counts.values())
    return [
        {"value": value, "count": count, "share": rate(count, total)}
        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
