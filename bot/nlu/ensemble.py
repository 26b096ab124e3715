"""DIET trained several times with different seeds, its intent confidences averaged.

One DIET over Baton's features is a small feed-forward network, and which random seed it starts
from moves how often a language's blind dev set reaches its goal by up to two points, and
whether a borderline message is an order question or small talk. That spread is noise, not
knowledge: a trainer's change could look better or worse only because the seed fell
differently. Averaging the softmax of a few members trained from different seeds keeps what
they agree on and shrinks what they don't (docs/trainers.md has the measurements).

Each :class:`SeedMember` is a ``DIETClassifier`` (same files, same training) that ranks every
intent and adds its confidences to a running sum kept on the message; it then sets ``intent``
and ``intent_ranking`` to the mean of the members so far. After the last member, the components
that follow (the fallbacks, the order-flow gate) read the average; a pipeline with one member
behaves as plain DIET with ``ranking_length: 10``.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message

#: Where the running sums live on the message (not part of the parse result).
SUMS = "baton_seed_sums"
#: How many intents the averaged ranking shows, as DIET's default ranking_length does.
RANKING_LENGTH = 10


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SeedMember(DIETClassifier):
    """One seed of the averaged intent classifier (``random_seed`` differs per member)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """DIET's defaults, ranking every intent (the mean needs all of them), intents only."""
        config = DIETClassifier.get_default_config()
        config["ranking_length"] = 0
        config["entity_recognition"] = False
        return config

    def process(self, messages: list[Message]) -> list[Message]:
        """DIET's prediction, then the mean over the members that have predicted so far."""
        for message in super().process(messages):
            ranking = message.get("intent_ranking")
            if ranking:
                average(message, ranking)
        return messages


def average(message: Message, ranking: list[dict[str, Any]]) -> None:
    """Add one member's ``ranking`` to the message's sums; set intent and ranking to the mean."""
    sums: dict[str, Any] = message.get(SUMS) or {"members": 0, "confidence": {}}
    sums["members"] += 1
    totals: dict[str, float] = sums["confidence"]
    for entry in ranking:
        totals[entry["name"]] = totals.get(entry["name"], 0.0) + float(entry["confidence"])
    message.set(SUMS, sums)
    members = sums["members"]
    mean = sorted(
        ({"name": name, "confidence": total / members} for name, total in totals.items()),
        key=lambda entry: (-entry["confidence"], entry["name"]),
    )[:RANKING_LENGTH]
    message.set(INTENT, dict(mean[0]), add_to_output=True)
    message.set("intent_ranking", mean, add_to_output=True)
