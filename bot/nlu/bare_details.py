"""A message that is nothing but an order detail is ``inform``, whatever DIET guessed.

"57390", "#30877", "BT-74401", "jane.doe@example.com", "SW1A 1AA": the answer to "What's your
order number?" or "Which e-mail did you order with?". DIET sees little in such a message
besides the regex hit, and its vote between ``inform`` and ``order_status`` is close (0.51 to
0.19 for a bare number, and a data change can flip it). A flipped vote is not harmless: in the
middle of a return, ``order_status`` pauses the return to look up an order. So when every word
of a message is an extracted order number, return number, e-mail address or postcode (give or
take "#", "BT", "no." and the Korean and Chinese counters), the intent is ``inform`` for sure.
The other way round, a request with its proof attached — "where is order 10006? my postcode is
SW1A 1AA", "주문 10006 어디쯤 왔나요? 우편번호는 EH1 1YZ 입니다" — is the request. A bag of words
sees a question and a statement of details and can tip either way (0.53 ``inform`` to 0.41
``order_status`` for the Korean one), and ``inform`` outside a form is "sorry, I didn't catch
that" for a customer who asked a clear question. So a message that has a detail *and* other
words, classified ``inform`` with a request that takes order details (``request_intents``)
close behind it (at least ``request_confidence``), is that request; the form then finds the
details in the message's entities. A plain "my postcode is SW1A 1AA" (``inform`` 0.96) stays
``inform``.

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
#: Requests that take order details: with a detail in the message, one of them close behind
#: ``inform`` wins (a question with its proof attached).
REQUEST_INTENTS: Final = (
    "order_status",
    "return_item",
    "refund_status",
    "cancel_order",
    "change_address",
    "report_problem",
)
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
    """``inform`` for a message made only of order details; the request for a request with
    its details attached."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"request_intents": list(REQUEST_INTENTS), "request_confidence": 0.3}

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        config = {**self.get_default_config(), **(config or {})}
        self.request_intents = frozenset(config["request_intents"])
        self.request_confidence = float(config["request_confidence"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BareDetailsClassifier:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if message.get(INTENT) and only_details(str(message.get(TEXT) or ""), entities):
                sure = {INTENT_NAME_KEY: INFORM, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.data[INTENT] = sure
                # marked, like the other rule-based steps, so tools can tell it from DIET's vote
                message.data[INTENT_RANKING_KEY] = [{**sure, "baton": "bare_details"}, *ranking]
            elif entities and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == INFORM:
                self._request_with_details(message, entities)
        return messages

    def _request_with_details(self, message: Message, entities: list[dict[str, Any]]) -> None:
        """``inform`` with a detail and more words, a request close behind: the request."""
        if not any(e.get(ENTITY_ATTRIBUTE_TYPE) in DETAILS for e in entities):
            return
        ranking = message.get(INTENT_RANKING_KEY) or []
        request = next(
            (r for r in ranking[1:] if r.get(INTENT_NAME_KEY) in self.request_intents), None
        )
        if request is None or float(request[PREDICTED_CONFIDENCE_KEY]) < self.request_confidence:
            return
        # The request's confidence takes inform's share too: here inform is the proof attached
        # to the request, not a message of its own. (Left at its own share, the ranking would
        # read request < inform and the FallbackClassifier would call the two ambiguous.)
        inform = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        chosen = {
            INTENT_NAME_KEY: request[INTENT_NAME_KEY],
            PREDICTED_CONFIDENCE_KEY: min(1.0, float(request[PREDICTED_CONFIDENCE_KEY]) + inform),
        }
        message.data[INTENT] = chosen
        message.data[INTENT_RANKING_KEY] = [
            {**chosen, "baton": "request_with_details"},
            *(r for r in ranking if r is not request),
        ]
