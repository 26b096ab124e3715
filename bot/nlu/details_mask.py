"""Order details counted as what they are, not as the characters they happen to be made of.

"where is order 10006? my postcode is SW1A 1AA" is a question about an order with its proof
attached. The word and character n-gram featurizers read every token, so the classifier also
saw "sw1a", "1aa", "w1a" and "1a": n-grams that the training data has mostly in messages that
are nothing but a postcode (``inform``). One postcode could pull a status question into
``inform`` while another (EH1 1YZ) did not; the same goes for the digits of an order number
and the pieces of an e-mail address.

:class:`DetailMasker` runs after the tokenizer and before the featurizers. It finds the order
numbers, return numbers, e-mail addresses and postcodes with the entity regexes of the
training data (``data/nlu/features.yml``, the patterns the entity extractor uses, read when
the model is trained and kept in it) and sets those tokens' lemma, which the featurizers count,
to one placeholder per kind (``__postcode__``). The text, the token offsets, the regex
features and the extracted entities are untouched: the classifier still knows a postcode is
there, just not which one.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

DEFAULT_DETAILS: Final = ("order_number", "rma_number", "email", "postal_code")
_PATTERNS_FILE: Final = "detail_patterns.json"


def placeholder(name: str) -> str:
    """The lemma every token of a ``name`` detail gets: "__postal_code__"."""
    return f"__{name}__"


def mask(message: Message, patterns: list[tuple[str, re.Pattern[str]]]) -> None:
    """Set the lemma of each token inside a detail of ``message``'s text to its placeholder."""
    text = message.get(TEXT)
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not text or not tokens:
        return
    spans = [(m.start(), m.end(), name) for name, p in patterns for m in p.finditer(text)]
    if not spans:
        return
    for token in tokens:
        for start, end, name in spans:
            if token.start < end and token.end > start:
                token.lemma = placeholder(name)
                break


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class DetailMasker(GraphComponent):
    """Order numbers, return numbers, e-mails and postcodes as placeholders for the featurizers."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # details: the names of the data's regexes whose matches are masked
        return {"details": list(DEFAULT_DETAILS)}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        known: list[dict[str, str]] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._use(known or [])

    def _use(self, known: list[dict[str, str]]) -> None:
        """Keep ``known`` (name and pattern per regex line) and compile it, case-insensitive
        as the entity extractor reads it."""
        self.known = known
        self.patterns = [(p["name"], re.compile(p["pattern"], re.IGNORECASE)) for p in known]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DetailMasker:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DetailMasker:
        try:
            with model_storage.read_from(resource) as directory:
                known = rasa.shared.utils.io.read_json_file(directory / _PATTERNS_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("no detail patterns in the model: order details are not masked")
            known = []
        return cls(config, model_storage, resource, known)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the data's regexes for the configured details (one entry per pattern line)."""
        wanted = set(self._config["details"])
        self._use(
            [
                {"name": r["name"], "pattern": r["pattern"]}
                for r in training_data.regex_features
                if r["name"] in wanted
            ]
        )
        missing = wanted - {p["name"] for p in self.known}
        if missing:
            raise ValueError(f"DetailMasker: no regex in the training data for {sorted(missing)}")
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(directory / _PATTERNS_FILE, self.known)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            mask(example, self.patterns)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            mask(message, self.patterns)
        return messages
