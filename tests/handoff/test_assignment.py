"""The rules of handing a case on (handoff/assignment.py), with no database and no server:
who may release or transfer, which team a new case is routed to, when a case waits too long."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Optional

import pytest

from contracts.packet import IntentGuess
from handoff.assignment import (
    AssignmentInvalid,
    NotAllowed,
    RoutingRule,
    clean_reason,
    in_scope,
    may_hand_on,
    packet_topics,
    route,
    validate_rules,
    waiting_flag,
)
from handoff.domain import ACTIVE, CLOSED, LEAD_ROLE, WAITING, Agent, Ticket

T0 = datetime(2026, 11, 23, 10, 0)
ANN = Agent(id=1, username="ann", display_name="Ann")
BO = Agent(id=2, username="bo", display_name="Bo")
LEAD = Agent(id=3, username="kim", display_name="Kim", role=LEAD_ROLE)
FIVE_MINUTES = timedelta(seconds=300)


def ticket(
    status: str = WAITING,
    claimed_by: Optional[Agent] = None,
    queued_at: Optional[datetime] = None,
) -> Ticket:
    return Ticket(
        id=7,
        conversation_id="conv-7",
        channel="webchat",
        status=status,
        reason="customer_asked",
        created_at=T0,
        claimed_by=claimed_by.id if claimed_by else None,
        claimed_by_name=claimed_by.display_name if claimed_by else None,
        queued_at=queued_at,
    )


# --- who may hand a case on ----------------------------------------------------------------


def test_the_owner_may_transfer_their_own_case() -> None:
    may_hand_on(ticket(ACTIVE, ANN), ANN, "transfer")


def test_a_lead_may_transfer_anyones_case() -> None:
    may_hand_on(ticket(ACTIVE, ANN), LEAD, "transfer")


def test_anyone_may_transfer_an_unclaimed_case() -> None:
    may_hand_on(ticket(WAITING), BO, "transfer")


def test_another_agent_may_not_release_a_claimed_case_and_is_told_whose_it_is() -> None:
    with pytest.raises(NotAllowed) as refused:
        may_hand_on(ticket(ACTIVE, ANN), BO, "release")
    assert str(refused.value) == "Ann has claimed this case: only Ann or a lead may release it"


def test_a_reason_is_one_line_and_at_most_300_characters() -> None:
    assert clean_reason("  customer\nspeaks   Korean ") == "customer speaks Korean"
    assert len(clean_reason("x" * 1000)) == 300
    assert clean_reason(None) == ""
    with pytest.raises(AssignmentInvalid):
        clean_reason(42)


# --- routing -------------------------------------------------------------------------------

RULES = [
    RoutingRule(team_id=10, language="ko"),
    RoutingRule(team_id=20, topic="complaint"),
    RoutingRule(team_id=30, language="zh", topic="request_return"),
]


@pytest.mark.parametrize(
    ("language", "topics", "team"),
    [
        ("ko", ["complaint"], 10),  # the first matching rule wins
        ("en", ["complaint"], 20),
        ("zh", ["customer_asked", "request_return"], 30),
        ("zh", ["customer_asked", "order_status"], None),
        ("en", ["customer_asked"], None),
    ],
)
def test_a_new_case_goes_to_the_first_matching_rules_team(
    language: str, topics: list[str], team: Optional[int]
) -> None:
    assert route(RULES, language, topics) == team


def test_a_rule_with_language_and_topic_needs_both() -> None:
    both = [RoutingRule(team_id=30, language="zh", topic="request_return")]
    assert route(both, "en", ["request_return"]) is None
    assert route(both, "zh", ["complaint"]) is None


def test_the_topics_are_the_reason_and_the_latest_intent() -> None:
    intents = [IntentGuess(text="hi", intent="greet"), IntentGuess(text="x", intent="complain")]
    assert packet_topics("misunderstood", intents) == ["misunderstood", "complain"]
    assert packet_topics("customer_asked", []) == ["customer_asked"]


def test_rules_as_a_lead_sends_them_are_checked_with_the_reason() -> None:
    good = validate_rules(
        [{"language": "ko", "team_id": 1}, {"topic": "complaint", "team_id": 2}], {1, 2}
    )
    assert good == [RoutingRule(1, "ko", None), RoutingRule(2, None, "complaint")]
    cases: list[tuple[Any, str]] = [
        ({"rules": []}, "send rules as a list"),
        ([{"team_id": 1}], "rule 1 needs a language, a topic or both"),
        ([{"language": "fr", "team_id": 1}], "rule 1: language is one of en, ko, zh"),
        (
            [{"language": "ko", "team_id": 1}, {"topic": "DROP TABLE", "team_id": 1}],
            "rule 2: a topic",
        ),
        ([{"language": "ko", "team_id": 9}], "rule 1: no such team (or it is archived)"),
    ]
    for raw, reason in cases:
        with pytest.raises(AssignmentInvalid) as refused:
            validate_rules(raw, {1, 2})
        assert str(refused.value).startswith(reason)


# --- waiting too long ---------------------------------------------------------------------


def test_an_unclaimed_case_is_flagged_after_the_threshold() -> None:
    case = ticket(WAITING)
    assert not waiting_flag(case, None, None, T0 + timedelta(seconds=300), FIVE_MINUTES)[
        "waiting_too_long"
    ]
    late = waiting_flag(case, None, None, T0 + timedelta(seconds=301), FIVE_MINUTES)
    assert late["waiting_too_long"] is True
    assert late["waiting_since"] == "2026-11-23T10:00:00Z"


def test_a_released_case_waits_from_its_release_not_from_the_handoff() -> None:
    case = ticket(WAITING, queued_at=T0 + timedelta(minutes=30))
    now = T0 + timedelta(minutes=32)
    assert waiting_flag(case, None, None, now, FIVE_MINUTES)["waiting_too_long"] is False


def test_a_claimed_case_is_flagged_when_the_customers_last_message_is_unanswered() -> None:
    case = ticket(ACTIVE, ANN)
    answered_at = T0 + timedelta(minutes=1)
    asked_at = T0 + timedelta(minutes=2)
    now = T0 + timedelta(minutes=8)
    flag = waiting_flag(case, asked_at, answered_at, now, FIVE_MINUTES)
    assert flag["waiting_too_long"] is True
    assert flag["waiting_since"] == "2026-11-23T10:02:00Z"


def test_a_claimed_case_whose_customer_got_an_answer_is_not_flagged() -> None:
    case = ticket(ACTIVE, ANN)
    flag = waiting_flag(
        case,
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=3),
        T0 + timedelta(hours=2),
        FIVE_MINUTES,
    )
    assert flag["waiting_too_long"] is False and flag["waiting_since"] is None


def test_a_closed_case_is_never_flagged() -> None:
    flag = waiting_flag(ticket(CLOSED), None, None, T0 + timedelta(days=1), FIVE_MINUTES)
    assert flag["waiting_too_long"] is False


# --- the queue's filter -------------------------------------------------------------------


def test_the_queue_filters_mine_my_teams_and_all() -> None:
    mine = {"claimed_by": 1, "team_id": 20}
    korean = {"claimed_by": None, "team_id": 10}
    returns = {"claimed_by": None, "team_id": 20}
    nobodys = {"claimed_by": None, "team_id": None}
    cases = [mine, korean, returns, nobodys]
    assert [c for c in cases if in_scope(c, "mine", 1, {10})] == [mine]
    assert [c for c in cases if in_scope(c, "teams", 1, {10})] == [mine, korean, nobodys]
    assert [c for c in cases if in_scope(c, "all", 1, {10})] == cases
