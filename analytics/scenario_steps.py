"""The pieces every scripted conversation is made of (:mod:`analytics.scenarios`): what a
customer says and what the bot did, and the turns every kind of conversation draws first.

The random draws happen in a fixed order (the thanks, the greeting, whether it opens with it,
then the kind's own turns), so a seed gives the same history whatever the kinds are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Optional

from analytics.scenario_lines import OPENERS
from bot import names


@dataclass(frozen=True)
class Say:
    """A customer message and what the bot did about it."""

    text: str
    intent: str
    confidence: float
    # (action, what the bot said or None), in order
    actions: tuple[tuple[str, Optional[str]], ...] = ()
    slots: tuple[tuple[str, object], ...] = ()


@dataclass
class Script:
    kind: str
    turns: list[Say]
    handoff: Optional[str] = None  # the ticket's reason, when it ends with a person
    ret: Optional[tuple[str, str]] = None  # (reason, method) of a return it opened
    complaint: bool = False
    after: list[Say] = field(default_factory=list)  # said to the agent while paused


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def line(rng: random.Random, language: str, key: str) -> str:
    return rng.choice(OPENERS[language].get(key) or OPENERS["en"][key])


def order_number(rng: random.Random) -> str:
    return str(rng.randint(10001, 10160))


def conf(rng: random.Random, low: float = 0.82) -> float:
    return round(rng.uniform(low, 0.995), 3)


def prove(rng: random.Random) -> list[Say]:
    number = order_number(rng)
    return [
        Say(
            number if rng.random() < 0.6 else f"order {number}",
            names.INFORM,
            conf(rng),
            (
                ("order_status_form", None),
                (
                    "action_ask_verification_value",
                    "To check it's you: the e-mail address or postcode on the order?",
                ),
            ),
            ((names.SLOT_ORDER_NUMBER, number),),
        ),
        Say(
            rng.choice(["SW1A 1AA", "M1 1AE", "D02 X285", "customer@example.com", "EH1 1YZ"]),
            names.INFORM,
            conf(rng),
            (
                (
                    names.ACTION_ORDER_STATUS,
                    "Your order is on its way with DPD and should arrive on Tuesday. Track it here: https://track.example.com/",
                ),
            ),
            ((names.SLOT_LAST_ORDER, number),),
        ),
    ]


@dataclass(frozen=True)
class Start:
    """What a conversation of ``kind`` in ``language`` can use: drawn before its own turns."""

    kind: str
    language: str
    rng: random.Random
    thanks: Say
    greet: Say
    opening: list[Say]  # the greeting, in about a third of conversations

    def ask(self, key: str, intent: str, action: str, text: Optional[str] = None) -> Say:
        """The customer's opening line for ``key`` and the one action it started."""
        return Say(line(self.rng, self.language, key), intent, conf(self.rng), ((action, text),))


def start(kind: str, language: str, rng: random.Random) -> Start:
    """The thanks and the greeting, and whether the conversation opens with it."""
    thanks = Say(
        line(rng, language, "thanks"),
        names.THANK,
        conf(rng),
        (("utter_you_are_welcome", "You're welcome! Anything else, just ask."),),
    )
    greet = Say(
        line(rng, language, "greet"),
        names.GREET,
        conf(rng, 0.9),
        (
            (
                "utter_greet",
                "Hi! I can tell you where an order is, start a return or check a refund.",
            ),
        ),
    )
    opening = [greet] if rng.random() < 0.35 else []
    return Start(kind, language, rng, thanks, greet, opening)
