"""A message starts an order or return flow only when it is clearly about an order.

The order status, return, refund status, return policy, delivery problem, cancellation and
address change flows ask the customer for an order number and a proof of ownership. Sending
someone there by mistake ("how long until my paycheck shows up?" → "What's your order
number?") is the worst misunderstanding Baton can make: it sounds absurd and asks for personal
details. So these seven intents need more than winning the vote: a classifier confidence of at
least ``threshold``, or evidence in the message that it is about an order — an order detail (an
order or return number, an e-mail address, a postcode) or one of the trainers' order concepts
from data/nlu/features.yml (an order, a parcel or delivery, a return, a refund, a delivery
problem, an address, in English, Korean or Chinese: ``evidence_concepts``). Anything else
becomes ``out_of_scope``, whose answer says what Baton can do and offers a person; the
classifier's confidence is kept, so the NLU inbox still collects the message for trainers.

The threshold was chosen on the dev sets, not guessed: ``benchmarks/nlu_thresholds.py`` sweeps
it (with the FallbackClassifier's) over CLINC150's validation split and the blind dev sets and
prints what each value costs and buys.

It sits after the FallbackClassifier: a message that already fell back stays a fallback.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

OUT_OF_SCOPE: Final = "out_of_scope"
# Marks the ranking entry this component put first, so tools can tell the classifier's own
# ranking apart (benchmarks/nlu_thresholds.py).
MARK: Final = "baton"
DEFAULT_FLOWS: Final = (
    "order_status",
    "return_item",
    "refund_status",
    "return_policy",
    "report_problem",
    "cancel_order",
    "change_address",
)
DEFAULT_EVIDENCE: Final = ("order_number", "rma_number", "email", "postal_code")
DEFAULT_CONCEPTS: Final = ("concept_order", "concept_delivery", "concept_return", "concept_refund")
_PATTERNS_FILE: Final = "evidence_patterns.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class OrderFlowGate(GraphComponent):
    """``out_of_scope`` for an order-flow intent below ``threshold`` with no sign of an order."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "threshold": 0.6,
            "flows": list(DEFAULT_FLOWS),
            "evidence_entities": list(DEFAULT_EVIDENCE),
            "evidence_concepts": list(DEFAULT_CONCEPTS),
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        patterns: list[str],
    ) -> None:
        self.config = config
        self.threshold = float(config["threshold"])
        self.flows = frozenset(config["flows"])
        self.evidence = frozenset(config["evidence_entities"])
        self.patterns = [re.compile(p) for p in patterns]
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OrderFlowGate:
        return cls({**cls.get_default_config(), **config}, model_storage, resource, [])

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the patterns of the evidence concepts the trainers wrote in features.yml."""
        wanted = set(self.config["evidence_concepts"])
        patterns = [
            str(regex["pattern"])
            for regex in training_data.regex_features
            if regex.get("name") in wanted
        ]
        missing = wanted - {r.get("name") for r in training_data.regex_features}
        if missing:
            raise ValueError(
                f"OrderFlowGate: no regex named {', '.join(sorted(missing))} in the NLU data"
            )
        self.patterns = [re.compile(p) for p in patterns]
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _PATTERNS_FILE).write_text(json.dumps(patterns), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> OrderFlowGate:
        try:
            with model_storage.read_from(resource) as directory:
                patterns = json.loads((directory / _PATTERNS_FILE).read_text(encoding="utf-8"))
        except ValueError:  # not trained (a model without NLU data): entities only
            patterns = []
        return cls({**cls.get_default_config(), **config}, model_storage, resource, patterns)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self.turns_away(message):
                _set_out_of_scope(message)
        return messages

    def turns_away(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) not in self.flows:
            return False
        if float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self.threshold:
            return False
        found = {e.get(ENTITY_ATTRIBUTE_TYPE) for e in message.get(ENTITIES) or []}
        if found & self.evidence:
            return False
        text = str(message.get(TEXT) or "")
        return not any(pattern.search(text) for pattern in self.patterns)


def _set_out_of_scope(message: Message) -> None:
    """The intent becomes out_of_scope with the classifier's confidence; the ranking keeps the
    classifier's guesses after it (what the NLU inbox shows trainers)."""
    confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0
    turned = {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: confidence}
    message.data[INTENT] = turned
    ranking = message.data.get(INTENT_RANKING_KEY) or []
    message.data[INTENT_RANKING_KEY] = [{**turned, MARK: "order_gate"}, *ranking]
