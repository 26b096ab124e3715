"""What customers typically bring to a shop's support, as short scripted conversations.

Used by the demo history (:mod:`analytics.seed`) and by the 100,000-conversation benchmark,
so both look like Baton's real traffic: order-status questions most of all, then returns,
refunds and policy questions, some requests the bot cannot handle, and the five ways a
conversation reaches a person (asked, misunderstood twice, complaint, policy, failure).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from analytics import scenarios_cancel, scenarios_self_service, scenarios_to_person
from analytics.scenario_lines import OPENERS, RETURN_METHODS, RETURN_REASONS, SHOP_TOPIC_LINES
from analytics.scenario_steps import Say, Script, Start, pick, start

__all__ = [
    "LANGUAGE_MIX",
    "MIX",
    "OPENERS",
    "RETURN_METHODS",
    "RETURN_REASONS",
    "SHOP_TOPIC_LINES",
    "Say",
    "Script",
    "build",
    "random_script",
]


BUILDERS: dict[str, Callable[[Start], Script]] = {
    **scenarios_self_service.BUILDERS,
    **scenarios_cancel.BUILDERS,
    **scenarios_to_person.BUILDERS,
}


def build(kind: str, language: str, rng: random.Random) -> Script:
    """One conversation of ``kind`` in ``language``."""
    s = start(kind, language, rng)
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"unknown conversation kind {kind!r}")
    return builder(s)


# How often each kind of conversation happens, per channel (weights).
MIX = {
    "webchat": (
        ("order", 30),
        ("order_after_fallback", 5),
        ("return", 12),
        ("cancel", 5),
        ("policy", 8),
        ("refund", 7),
        ("oos", 2),
        ("shop_topic", 8),
        ("chitchat", 5),
        ("customer_asked", 10),
        ("misunderstood", 5),
        ("complaint", 5),
        ("policy_case", 4),
        ("action_failed", 2),
    ),
    "whatsapp": (
        ("order", 34),
        ("order_after_fallback", 6),
        ("return", 10),
        ("cancel", 4),
        ("policy", 5),
        ("refund", 8),
        ("oos", 2),
        ("shop_topic", 7),
        ("chitchat", 3),
        ("customer_asked", 12),
        ("misunderstood", 7),
        ("complaint", 6),
        ("policy_case", 3),
        ("action_failed", 1),
    ),
    "slack": (
        ("order", 28),
        ("order_after_fallback", 4),
        ("return", 9),
        ("cancel", 3),
        ("policy", 12),
        ("refund", 8),
        ("oos", 3),
        ("shop_topic", 9),
        ("chitchat", 6),
        ("customer_asked", 8),
        ("misunderstood", 4),
        ("complaint", 3),
        ("policy_case", 6),
        ("action_failed", 2),
    ),
}
LANGUAGE_MIX = {
    "webchat": (("en", 0.88), ("zh", 0.07), ("ko", 0.05)),
    "whatsapp": (("en", 0.78), ("ko", 0.12), ("zh", 0.10)),
    "slack": (("en", 0.97), ("zh", 0.02), ("ko", 0.01)),
}


def random_script(channel: str, rng: random.Random) -> tuple[str, Script]:
    """A language and a conversation, drawn from the channel's usual mix."""
    language = pick(rng, LANGUAGE_MIX[channel])
    mix = MIX[channel]
    kind = rng.choices([k for k, _ in mix], [w for _, w in mix])[0]
    return language, build(kind, language, rng)
