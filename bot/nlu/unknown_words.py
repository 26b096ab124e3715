"""Falls back when not one word of a message is a word Baton has learned.

DIET always spreads its confidence over the intents it knows, and the features of made-up words
(a few character n-grams shared with real words) can land well above the FallbackClassifier's
threshold: "flurb wobbly zanzibar quux" came out as ``return_item`` at 0.72. A customer who
types nonsense should hear "I didn't quite catch that", not a return form. This component
remembers every word of the training data (the tokenizer's lemmas, in all three languages) and,
when a message has words but none of them is known, one typo away from a known word
("ordr" → "order") or, in Korean and Chinese, part of or containing a known word, replaces
the intent with ``nlu_fallback``. Messages with an extracted entity (an order number, an
e-mail...), with a hit of one of data/nlu/features.yml's regexes (the trainers' own word
lists: "싫", "感激") or without letters ("10001", "👍") are left alone.

It sits after the classifiers and the entity extractors and before the FallbackClassifier.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Final

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FALLBACK_INTENT: Final = "nlu_fallback"
_VOCABULARY_FILE: Final = "vocabulary.json"
# Words shorter than this must be known exactly: a typo of a three-letter word is anyone's guess.
_MIN_TYPO_LENGTH: Final = 4
# A Korean or Chinese word counts as known when it contains, or is part of, a known word at
# least this long (one Han character or syllable alone is too common to tell anything).
_MIN_PIECE: Final = 2


def _key(token: Token) -> str:
    return str(token.lemma or token.text).lower()


def one_typo_apart(word: str, known: str) -> bool:
    """Whether ``word`` is ``known`` with one letter dropped, added, changed or two swapped.

    One typo, literally: "ordr" → "order", "refnd" → "refund", "retrun" → "return". A looser
    similarity score also let made-up words through as typos of whatever the vocabulary happened
    to hold ("flurb" of "flour"), and the vocabulary grows with every round of training data.
    """
    if word == known or abs(len(word) - len(known)) > 1:
        return word == known
    start = 0
    while start < min(len(word), len(known)) and word[start] == known[start]:
        start += 1
    a, b = word[start:], known[start:]
    if len(a) == len(b):
        # one letter changed, or two neighbours swapped
        return a[1:] == b[1:] or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])
    return a[1:] == b if len(a) > len(b) else a == b[1:]


def _has_letter(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


def _pieces(word: str) -> set[str]:
    """The substrings of ``word`` two characters or longer."""
    return {word[i:j] for i in range(len(word)) for j in range(i + _MIN_PIECE, len(word) + 1)}


class Vocabulary:
    """The training data's words, indexed by length so a typo lookup reads only a few."""

    def __init__(self, words: set[str]) -> None:
        self.words = words
        self._by_length: dict[int, list[str]] = defaultdict(list)
        # Every piece (two characters or more) of the Korean and Chinese words: "헬로" is known
        # from "헬로우", as the character n-grams would have it.
        self._pieces: set[str] = set()
        # ... and the beginnings of Korean words: "수고하셨습니다" is "수고하세요" conjugated.
        self._prefixes: set[str] = set()
        for word in sorted(words):
            self._by_length[len(word)].append(word)
            if not word.isascii():
                self._pieces.update(_pieces(word))
                self._prefixes.update(word[:n] for n in range(_MIN_PIECE, len(word) + 1))

    def knows(self, word: str) -> bool:
        if word in self.words:
            return True
        if not word.isascii():
            # Korean glues endings to words and Chinese is segmented by a dictionary, so a real
            # word often comes as a longer or shorter form of a known one ("땡큐요", "하이하이").
            return (
                word in self._pieces
                or any(piece in self.words for piece in _pieces(word))
                or any(word[:n] in self._prefixes for n in range(_MIN_PIECE, len(word) + 1))
            )
        if len(word) < _MIN_TYPO_LENGTH:
            return False
        return any(
            one_typo_apart(word, known)
            for n in (len(word) - 1, len(word), len(word) + 1)
            for known in self._by_length[n]
        )

    def knows_any(self, tokens: list[Token]) -> bool | None:
        """Whether any word of ``tokens`` is known; None when there are no words to judge."""
        words = [_key(t) for t in tokens if _has_letter(t.text)]
        if not words:
            return None
        return any(self.knows(word) for word in words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsFallback(GraphComponent):
    """``nlu_fallback`` for a message none of whose words the model has seen."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, vocabulary: Vocabulary
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        return cls(model_storage, resource, Vocabulary(set()))

    def train(self, training_data: TrainingData) -> Resource:
        words: set[str] = set()
        for example in training_data.training_examples:
            for token in example.get(TOKENS_NAMES[TEXT]) or []:
                if _has_letter(token.text):
                    words.add(_key(token))
        self.vocabulary = Vocabulary(words)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _VOCABULARY_FILE).write_text(
                json.dumps(sorted(words), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / _VOCABULARY_FILE).read_text(encoding="utf-8"))
        except ValueError:  # not trained (e.g. a model without NLU data): judge nothing
            return cls(model_storage, resource, Vocabulary(set()))
        return cls(model_storage, resource, Vocabulary(set(words)))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self.should_fall_back(message):
                _set_fallback(message)
        return messages

    def should_fall_back(self, message: Message) -> bool:
        if not self.vocabulary.words or not message.get(INTENT) or message.get(ENTITIES):
            return False
        if _matches_a_regex(message):  # a concept the trainers wrote down ("싫", "感激")
            return False
        return self.vocabulary.knows_any(message.get(TOKENS_NAMES[TEXT]) or []) is False


def _matches_a_regex(message: Message) -> bool:
    """Whether one of data/nlu/features.yml's regexes matched (RegexFeaturizer's features)."""
    return any(
        "RegexFeaturizer" in str(feature.origin) and feature.features.sum() > 0
        for feature in message.features
    )


def _set_fallback(message: Message) -> None:
    """The intent becomes ``nlu_fallback`` (sure of it), the ranking keeps DIET's guesses."""
    fallback = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.data[INTENT] = fallback
    ranking = message.data.get(INTENT_RANKING_KEY) or []
    # marked, so tools can tell the classifier's own ranking apart (benchmarks/nlu_thresholds.py)
    message.data[INTENT_RANKING_KEY] = [{**fallback, "baton": "unknown_words"}, *ranking]
