"""The rules of handing a case on: who may release or transfer it, which team a new case is
routed to, and when a case has waited too long.

Plain values and functions — no database, no HTTP — like :mod:`handoff.domain`, so the rules
are tested on their own; :mod:`handoff.handing_on` and :mod:`handoff.teams_admin` apply them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from handoff.domain import ACTIVE, WAITING, Agent, Ticket, iso

#: A reason an agent gives for a release or transfer: shown in the timeline, kept short.
MAX_REASON = 300
MAX_TEAM_NAME = 60
MAX_RULES = 50
#: The languages a rule may name: the ones the bot and the console speak.
LANGUAGES = ("en", "ko", "zh")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,59}$")

#: Which cases the console's queue shows: the agent's own, their teams' (and nobody's), all.
SCOPES = ("all", "mine", "teams")


class AssignmentInvalid(ValueError):
    """A request that cannot be carried out as sent (HTTP 400, ``str()`` is the reason)."""


class NotAllowed(Exception):
    """The case is someone else's (HTTP 409, ``str()`` says whose and who may)."""


def clean_reason(reason: object) -> str:
    """The agent's reason as the timeline shows it: text only, one line, at most 300
    characters; ``""`` when none was given."""
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise AssignmentInvalid("reason is text")
    return " ".join(reason.split())[:MAX_REASON]


def clean_team_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise AssignmentInvalid("a team needs a name")
    cleaned = " ".join(name.split())
    if len(cleaned) > MAX_TEAM_NAME:
        raise AssignmentInvalid(f"a team name is at most {MAX_TEAM_NAME} characters")
    return cleaned


def may_hand_on(ticket: Ticket, agent: Agent, action: str) -> None:
    """Raise :class:`NotAllowed` unless ``agent`` may release or transfer ``ticket``: a
    claimed case only by its owner or a lead (someone else is talking to the customer), an
    unclaimed one by anyone who sees the queue."""
    if ticket.claimed_by is None or ticket.claimed_by == agent.id or agent.is_lead:
        return
    owner = ticket.claimed_by_name or "another agent"
    raise NotAllowed(f"{owner} has claimed this case: only {owner} or a lead may {action} it")


def line(actor: str, what: str, reason: str) -> str:
    """A system line for the case's timeline: "Ann transferred this case to Bo: why"."""
    return f"{actor} {what}: {reason}" if reason else f"{actor} {what}"


# --- routing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingRule:
    """``language`` and/or ``topic`` → ``team_id``; ``None`` matches anything."""

    team_id: int
    language: Optional[str] = None
    topic: Optional[str] = None

    def matches(self, language: str, topics: Iterable[str]) -> bool:
        if self.language is not None and self.language != language:
            return False
        return self.topic is None or self.topic in set(topics)


def route(rules: Sequence[RoutingRule], language: str, topics: Iterable[str]) -> Optional[int]:
    """The team of the first rule that matches (rules in their order), or ``None``."""
    seen = list(topics)
    for rule in rules:
        if rule.matches(language, seen):
            return rule.team_id
    return None


def packet_topics(reason_code: str, intents: Sequence[Any]) -> list[str]:
    """What a rule's topic is compared with: the handoff reason and the latest intent the
    NLU recognised (an earlier "greet" says nothing about the case)."""
    topics = [reason_code]
    latest = next((i.intent for i in reversed(intents) if getattr(i, "intent", None)), None)
    if latest:
        topics.append(str(latest))
    return topics


def validate_rules(raw: object, team_ids: set[int]) -> list[RoutingRule]:
    """A lead's rules as sent (``[{language, topic, team_id}]``, in order), checked: each
    names a language and/or a topic and a team that exists and is not archived."""
    if not isinstance(raw, list):
        raise AssignmentInvalid("send rules as a list of {language, topic, team_id}")
    if len(raw) > MAX_RULES:
        raise AssignmentInvalid(f"at most {MAX_RULES} rules")
    rules = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise AssignmentInvalid(f"rule {number} is not an object")
        language = item.get("language") or None
        topic = item.get("topic") or None
        team_id = item.get("team_id")
        if language is not None and language not in LANGUAGES:
            raise AssignmentInvalid(f"rule {number}: language is one of {', '.join(LANGUAGES)}")
        if topic is not None and (not isinstance(topic, str) or not _TOPIC.match(topic)):
            raise AssignmentInvalid(
                f"rule {number}: a topic is a reason code or an intent name, e.g. complaint"
            )
        if language is None and topic is None:
            raise AssignmentInvalid(f"rule {number} needs a language, a topic or both")
        if not isinstance(team_id, int) or isinstance(team_id, bool) or team_id not in team_ids:
            raise AssignmentInvalid(f"rule {number}: no such team (or it is archived)")
        rules.append(RoutingRule(team_id=team_id, language=language, topic=topic))
    return rules


# --- waiting too long --------------------------------------------------------------------


def waiting_since(
    ticket: Ticket, last_customer_at: Optional[datetime], last_agent_at: Optional[datetime]
) -> Optional[datetime]:
    """Since when the customer has been waiting for a person, or ``None`` (they are not):

    * an unclaimed case: since it (last) went into the queue;
    * a claimed one: since the customer's last word — the handoff itself counts as one —
      when no agent has answered after it.
    """
    if ticket.status == WAITING:
        return ticket.queued_at or ticket.created_at
    if ticket.status != ACTIVE:
        return None
    customer_word = max(ticket.created_at, last_customer_at or ticket.created_at)
    if last_agent_at is not None and last_agent_at >= customer_word:
        return None
    return customer_word


def waiting_flag(
    ticket: Ticket,
    last_customer_at: Optional[datetime],
    last_agent_at: Optional[datetime],
    now: datetime,
    alert_after: timedelta,
) -> dict[str, Any]:
    """What the queue shows about waiting: since when and whether it is too long."""
    since = waiting_since(ticket, last_customer_at, last_agent_at)
    return {
        "waiting_since": iso(since),
        "waiting_too_long": since is not None and now - since > alert_after,
        "waiting_alert_seconds": int(alert_after.total_seconds()),
    }


def in_scope(summary: dict[str, Any], scope: str, agent_id: int, team_ids: set[int]) -> bool:
    """Whether a case belongs in the queue ``scope``: "mine" (claimed by the agent), "teams"
    (in one of the agent's teams, or in no team: everyone's) or "all"."""
    if scope == "mine":
        return bool(summary.get("claimed_by") == agent_id)
    if scope == "teams":
        team = summary.get("team_id")
        return team is None or team in team_ids or summary.get("claimed_by") == agent_id
    return True
