"""The customer's language, from each message: the ``language`` entity (en, ko or zh).

domain.yml fills the ``language`` slot from this entity, and every response has a variation per
language, so the bot answers in the language the customer writes. The rules:

1. A message asking for a language (intent ``change_language``, or a message that is only a
   language's name) gets the language asked for: "speak Chinese" → zh, "영어로 해주세요" → en.
2. Otherwise the script decides: Hangul → ko, Han → zh, Latin → en (see
   :func:`bot.nlu.scripts.language_by_script`), after the order numbers, e-mail addresses,
   postcodes and return numbers the entity extractor found are taken out.
3. A message with no letters left (``10001``, ``jane.doe@example.com``, ``SW1A 1AA``, "👍"), or only
   a word every language uses ("ok"), gets no ``language`` entity, so the slot keeps the language
   already in use: a Korean customer typing their order number is still answered in Korean.

The component goes after the classifiers in config.yml: it reads the intent and the entities the
regex extractor found.
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
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.scripts import EN, KO, ZH, language_by_script

ENTITY: Final = "language"
CHANGE_LANGUAGE: Final = "change_language"
FALLBACK: Final = "nlu_fallback"

# How customers name each language, in each of the three languages (and traditional Chinese).
_NAMES: Final = {
    EN: (r"(?i:\benglish\b)", "영어", "영문", "英文", "英语", "英語"),
    KO: (r"(?i:\bkorean\b)", "한국어", "한국말", "한글", "韩语", "韓語", "韩文", "韓文", "韩国语"),
    ZH: (
        r"(?i:\b(?:chinese|mandarin)\b)",
        "중국어",
        "중국말",
        "中文",
        "汉语",
        "漢語",
        "普通话",
        "普通話",
        "国语",
        "國語",
        "华语",
        "華語",
        "简体",
        "繁体",
        "繁體",
    ),
}
LANGUAGE_NAMES: Final = re.compile(
    "|".join(f"(?P<{lang}>{'|'.join(names)})" for lang, names in _NAMES.items())
)
# "not Chinese, English", "중국어 말고 영어", "不要中文": a negated name is not the request.
_NEGATED_BEFORE: Final = re.compile(
    r"(?i:\b(?:not|no)\s+(?:in\s+)?)$|(?:不要|别|不用|不是|不说)\s*$"
)
_NEGATED_AFTER: Final = re.compile(r"^\s*(?:말고|아니고|아니라|대신|X\b)")
# What is left of a message that is only a language's name: "English?", "한국어요", "中文！"
_BARE_NAME_REST: Final = re.compile(
    r"^[\s\W_]*(?:요|로|으로|로요|으로요|please|pls)?[\s\W_]*$", re.I
)
# Words every language's customers type; alone, they say nothing about the language.
NEUTRAL_WORDS: Final = frozenset({"ok", "okay", "k", "kk", "lol", "haha", "hmm", "hm", "xd"})
# Order-number and return-number prefixes left over when the number itself is taken out.
_PREFIX_BEFORE: Final = re.compile(r"(?i)(?:\b(?:bt|rma|no\.?|ref)\s*)?[#:\s-]*$")


def requested_language(text: str) -> tuple[str, int, int] | None:
    """(language, start, end) of the language ``text`` asks for; None if it names none.

    Negated names are skipped; of the rest the last one wins ("中文不行，说英文" → en).
    """
    found: list[tuple[str, int, int]] = []
    for match in LANGUAGE_NAMES.finditer(text):
        lang = match.lastgroup or EN
        if _NEGATED_BEFORE.search(text[: match.start()]) or _NEGATED_AFTER.match(
            text[match.end() :]
        ):
            continue
        found.append((lang, match.start(), match.end()))
    return found[-1] if found else None


def is_bare_language_name(text: str) -> bool:
    """The whole message is a language's name ("English", "中文？", "한국어요")."""
    match = LANGUAGE_NAMES.search(text)
    if match is None:
        return False
    rest = text[: match.start()] + " " + text[match.end() :]
    return bool(_BARE_NAME_REST.match(rest))


def _without_entities(text: str, entities: list[dict[str, Any]]) -> str:
    """``text`` with the extracted values (and their #, BT-, RMA prefixes) blanked out."""
    chars = list(text)
    for entity in entities:
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        prefix = _PREFIX_BEFORE.search(text[:start])
        if prefix is not None:
            start = prefix.start()
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def detect(text: str, intent: str | None, entities: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ``language`` entity for one parsed message, or None to keep the language in use."""
    if intent == CHANGE_LANGUAGE or is_bare_language_name(text):
        asked = requested_language(text)
        if asked is not None:
            lang, start, end = asked
            return _entity(lang, start, end, text)
    rest = _without_entities(text, entities)
    words = re.findall(r"\w+", rest.lower())
    if words and all(word in NEUTRAL_WORDS for word in words):
        return None
    by_script = language_by_script(rest)
    if by_script is None:
        return None
    return _entity(by_script, 0, len(text), text)


def _entity(lang: str, start: int, end: int, text: str) -> dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: ENTITY,
        ENTITY_ATTRIBUTE_VALUE: lang,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
        EXTRACTOR: LanguageDetector.__name__,
        "text": text[start:end],
    }


def _intent(message: Message) -> str | None:
    """The classifier's intent, looking past the FallbackClassifier's verdict."""
    intent = message.get(INTENT) or {}
    name = intent.get(INTENT_NAME_KEY)
    if name == FALLBACK:
        for ranked in message.get(INTENT_RANKING_KEY) or []:
            if ranked.get(INTENT_NAME_KEY) != FALLBACK:
                return None if ranked.get(INTENT_NAME_KEY) != CHANGE_LANGUAGE else CHANGE_LANGUAGE
    return str(name) if name else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds the ``language`` entity to each message (see the module docstring for the rules)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the training data's entities are annotated, never guessed

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            entities = list(message.get(ENTITIES) or [])
            found = detect(
                text, _intent(message), [e for e in entities if e.get("entity") != ENTITY]
            )
            if found is not None:
                entities = [e for e in entities if e.get("entity") != ENTITY] + [found]
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
