"""Where a message sends the customer, rather than which label it gets.

Macro F1 over labels treats every confusion alike, but customers feel two mistakes above all:
a request Baton handles that does not reach its flow (an *in-scope miss*: "where is my refund?"
answered with "sorry, I didn't catch that"), and a message about something else that starts an
order or return flow (a *misroute*: "how long until my paycheck shows up?" answered with "what's
your order number?"). These are the two figures the quality gate and the dev benchmark hold.

- **In scope**: messages whose goal is one of Baton's flows — an order's status, a return, a
  refund's status, the return policy, a delivery problem, cancelling an order, changing its
  delivery address, or a person (asked for, or a
  complaint: both reach one). Routed right when the prediction reaches the same goal.
- **Misrouted**: messages of any other label (the shop topics next door, out of scope, small
  talk, ...) predicted as one of the order flows (all of the above but a person), which ask for
  an order and its proof.
  A bare order number or e-mail (``inform``) is neither: it means whatever the conversation was
  about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Optional, Protocol

from bot import names

# The flows that ask for an order number and its proof: a message must really be about an order
# to start one.
ORDER_FLOWS: Final = frozenset(
    {
        names.ORDER_STATUS,
        names.RETURN_ITEM,
        names.REFUND_STATUS,
        names.RETURN_POLICY,
        names.REPORT_PROBLEM,
        names.CANCEL_ORDER,
        names.CHANGE_ADDRESS,
    }
)
PERSON: Final = "person"
# Label -> the goal it reaches. A label not listed is "other" (not in scope).
GOALS: Final[Mapping[str, str]] = {
    names.ORDER_STATUS: names.ORDER_STATUS,
    names.RETURN_ITEM: names.RETURN_ITEM,
    names.REFUND_STATUS: names.REFUND_STATUS,
    names.RETURN_POLICY: names.RETURN_POLICY,
    names.REPORT_PROBLEM: names.REPORT_PROBLEM,
    names.CANCEL_ORDER: names.CANCEL_ORDER,
    names.CHANGE_ADDRESS: names.CHANGE_ADDRESS,
    names.HUMAN_HANDOFF: PERSON,
    names.COMPLAIN: PERSON,
}
NEITHER: Final = frozenset({names.INFORM})


class Routed(Protocol):
    """A labelled message and what the model made of it."""

    @property
    def text(self) -> str: ...

    @property
    def intent(self) -> str: ...

    @property
    def predicted(self) -> str: ...

    @property
    def acted_on(self) -> str: ...

    @property
    def entities(self) -> tuple[str, ...]: ...


def goal_reached(p: Routed, goals: Mapping[str, str] = GOALS) -> Optional[str]:
    """The goal the bot pursues for ``p``: a bare order number (``inform`` with an order number,
    before anything else was asked) starts the order question."""
    acted = p.acted_on
    if acted == names.INFORM and names.ENTITY_ORDER_NUMBER in p.entities:
        return goals.get(names.ORDER_STATUS)
    return goals.get(acted)


@dataclass
class Routing:
    """In-scope routing and misroutes over one set of messages."""

    in_scope: int = 0
    in_scope_right: int = 0
    other: int = 0
    misrouted: int = 0
    misses: list[Routed] = field(default_factory=list)  # in scope, wrong goal
    misroutes: list[Routed] = field(default_factory=list)  # other, sent into an order flow
    per_goal: dict[str, tuple[int, int]] = field(default_factory=dict)  # goal -> (right, total)

    @property
    def in_scope_rate(self) -> Optional[float]:
        return self.in_scope_right / self.in_scope if self.in_scope else None

    @property
    def misrouted_rate(self) -> Optional[float]:
        return self.misrouted / self.other if self.other else None

    def worst_sources(self, limit: int = 10) -> list[tuple[str, int]]:
        """The labels whose messages are misrouted most."""
        return Counter(m.intent for m in self.misroutes).most_common(limit)


def route(
    predictions: Iterable[Routed],
    goals: Mapping[str, str] = GOALS,
    neither: frozenset[str] = NEITHER,
    goal_of_prediction: Optional[Mapping[str, str]] = None,
) -> Routing:
    """Score ``predictions`` by goal. ``goals`` maps a true label to the goal it should reach;
    ``goal_of_prediction`` maps a predicted intent to the goal it reaches (Baton's own
    :data:`GOALS` by default)."""
    reached = goal_of_prediction if goal_of_prediction is not None else GOALS
    result = Routing()
    per_goal: dict[str, list[int]] = {}
    for p in predictions:
        if p.intent in neither:
            continue
        goal = goals.get(p.intent)
        if goal is not None:
            result.in_scope += 1
            right = goal_reached(p, reached) == goal
            tally = per_goal.setdefault(goal, [0, 0])
            tally[0] += right
            tally[1] += 1
            if right:
                result.in_scope_right += 1
            else:
                result.misses.append(p)
        else:
            result.other += 1
            if p.acted_on in ORDER_FLOWS:
                result.misrouted += 1
                result.misroutes.append(p)
    result.per_goal = {g: (r, t) for g, (r, t) in sorted(per_goal.items())}
    return result


def percent(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.1%}"


def summary_line(routing: Routing) -> str:
    return (
        f"in scope routed right {routing.in_scope_right}/{routing.in_scope} "
        f"({percent(routing.in_scope_rate)}), misrouted {routing.misrouted}/{routing.other} "
        f"({percent(routing.misrouted_rate)})"
    )


def examples(items: Sequence[Routed], limit: int = 10) -> list[str]:
    return [f"“{p.text}” ({p.intent} → {p.acted_on})" for p in items[:limit]]
