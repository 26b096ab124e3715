"""A message that is nothing but an order detail is ``inform``, whatever DIET guessed.

"57390", "#30877", "BT-74401", "jane.doe@example.com", "SW1A 1AA": the answer to "What's your
order number?" or "Which e-mail did you order with?". DIET sees little in such a message
besides the regex hit, and its vote between ``inform`` and ``order_status`` is close (0.51 to
0.19 for a bare number, and a data change can flip it). A flipped vote is not harmless: in the
middle of a return, ``order_status`` pauses the return to look up an order. So when every word
of a message is an extracted order number, return number, e-mail address or postcode (give or
take "#", "BT", "no." and the Korean and Chinese counters), the intent is ``inform`` for sure.
Everything else is left to the classifier.

It sits after the entity extractors and before the fallbacks.
"""

from __future__ import annotations

import re
from typing import Any, Final

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

INFORM: Final = "inform"
DETAILS: Final = frozenset({"order_number", "rma_number", "email", "postal_code"})
# What may stand around a detail without making the message more than a detail.
_AFFIXES: Final = re.compile(r"(?i)(?<![a-z])(?:bt|no|nr|rma)(?![a-z])|[번号號]")


def only_details(text: str, entities: list[dict[str, Any]]) -> bool:
    """Whether ``text`` is its detail entities and nothing else with a letter in it."""
    if not entities or any(e.get(ENTITY_ATTRIBUTE_TYPE) not in DETAILS for e in entities):
        return False
    rest = list(text)
    for entity in entities:
        start, end = int(entity[ENTITY_ATTRIBUTE_START]), int(entity[ENTITY_ATTRIBUTE_END])
        rest[start:end] = " " * (end - start)
    leftover = _AFFIXES.sub(" ", "".join(rest))
    return not any(ch.isalpha() for ch in leftover)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class BareDetailsClassifier(GraphComponent):
    """``inform`` for a message made only of order details."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BareDetailsClassifier:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if message.get(INTENT) and only_details(str(message.get(TEXT) or ""), entities):
                sure = {INTENT_NAME_KEY: INFORM, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.data[INTENT] = sure
                # marked, like the other rule-based steps, so tools can tell it from DIET's vote
                message.data[INTENT_RANKING_KEY] = [{**sure, "baton": "bare_details"}, *ranking]
        return messages
