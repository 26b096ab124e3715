"""The five ways a conversation reaches a person: asked, misunderstood twice, a complaint, a
case the policy leaves to a person, an action that failed (:mod:`analytics.scenarios`)."""

from __future__ import annotations

from collections.abc import Callable

from analytics.scenario_steps import Say, Script, Start, conf, line, order_number
from bot import names


def customer_asked(s: Start) -> Script:
    """Asks for a person straight away."""
    turns = [
        *s.opening,
        s.ask(
            "human",
            names.HUMAN_HANDOFF,
            names.ACTION_HANDOFF,
            "I'm passing you to a member of our team.",
        ),
    ]
    return Script(s.kind, turns, handoff="customer_asked")


def misunderstood(s: Start) -> Script:
    """Not understood twice: a person takes over."""
    first = Say(
        line(s.rng, s.language, "confused"),
        names.NLU_FALLBACK,
        round(s.rng.uniform(0.2, 0.45), 3),
        (
            (
                "action_default_fallback",
                "Sorry, I didn't quite get that. Could you say it another way?",
            ),
        ),
    )
    second = Say(
        line(s.rng, s.language, "confused"),
        names.NLU_FALLBACK,
        round(s.rng.uniform(0.2, 0.45), 3),
        (
            (
                names.ACTION_HANDOFF,
                "I'm sorry, I'm not getting this. Let me pass you to a person.",
            ),
        ),
    )
    return Script(s.kind, [*s.opening, first, second], handoff="misunderstood")


def complaint(s: Start) -> Script:
    """A complaint: a person straight away."""
    return Script(
        s.kind,
        [
            s.ask(
                "complaint",
                names.COMPLAIN,
                names.ACTION_HANDOFF,
                "I'm sorry. I'm passing you to a person straight away.",
            )
        ],
        handoff="complaint",
        complaint=True,
    )


def policy_case(s: Start) -> Script:
    """A return the policy leaves to a person (past the window)."""
    number = order_number(s.rng)
    turns = [
        *s.opening,
        s.ask(
            "return",
            names.RETURN_ITEM,
            "return_form",
            "I can help with that. Which order is it?",
        ),
        Say(
            number,
            names.INFORM,
            conf(s.rng),
            (
                (
                    "action_ask_return_items",
                    "This order is past the 30-day window, so a person needs to decide. "
                    "Shall I pass you to the team?",
                ),
            ),
            ((names.SLOT_HANDOFF_REASON, "policy"),),
        ),
        Say(
            "yes",
            names.AFFIRM,
            conf(s.rng),
            ((names.ACTION_HANDOFF, "I'm passing you to a member of our team."),),
        ),
    ]
    return Script(s.kind, turns, handoff="policy")


def action_failed(s: Start) -> Script:
    """An action failed: a person is offered and accepted."""
    turns = [
        *s.opening,
        s.ask("order", names.ORDER_STATUS, "order_status_form", "Sure, what's the order number?"),
        Say(
            order_number(s.rng),
            names.INFORM,
            conf(s.rng),
            (
                (
                    names.ACTION_ORDER_STATUS,
                    "Sorry, something went wrong on our side. Shall I get a person?",
                ),
            ),
            ((names.SLOT_HANDOFF_REASON, "action_failed"),),
        ),
        Say(
            "yes please",
            names.AFFIRM,
            conf(s.rng),
            ((names.ACTION_HANDOFF, "I'm passing you to a member of our team."),),
        ),
    ]
    return Script(s.kind, turns, handoff="action_failed")


BUILDERS: dict[str, Callable[[Start], Script]] = {
    "customer_asked": customer_asked,
    "misunderstood": misunderstood,
    "complaint": complaint,
    "policy_case": policy_case,
    "action_failed": action_failed,
}
