"""Checks Rasa's validator does not make (``python -m bot check-data``, part of ``make validate``).

- enough examples per intent, no example under two intents or twice under one;
- names matching bot/names.py (the names other code and tests rely on);
- every regex compiles, and every entity has a regex named after it (Baton's entities come from
  the RegexEntityExtractor) or annotated examples;
- annotated entities are domain entities and the regex finds them where they are annotated, so
  what the training data teaches and what the bot extracts at run time agree;
- the held-out test sets share no message of five words or more with the training data (a
  Chinese word counted as two characters);
- every language (data/nlu/<lang>/) has examples of every intent and its own held-out set, and
  each example is written in its folder's language;
- e-mail addresses in the training data are fake ones (example.com, example.ie, ...);
- every response exists in every language (:func:`check_translations`), so a missing
  translation fails ``make validate`` instead of a customer reading English mid-conversation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Optional

import yaml

from bot import names
from bot.nlu.scripts import HAN_RUN, HANGUL_RUN
from bot.trainers import languages
from bot.trainers.nlu_files import normalise
from bot.trainers.privacy import real_email_addresses

MIN_EXAMPLES_CORE = 40
MIN_EXAMPLES_SMALL_TALK = 15
SMALL_TALK = {
    names.GREET,
    names.GOODBYE,
    names.AFFIRM,
    names.DENY,
    names.THANK,
    names.BOT_CHALLENGE,
}
# per language (data/nlu/<lang>/, tests/nlu/blind/<lang>/): each language must understand
# every intent on its own, so each needs examples of every intent
MIN_PER_LANGUAGE_CORE = 30
MIN_PER_LANGUAGE_SMALL = 15
SMALL_PER_LANGUAGE = SMALL_TALK | {names.COMPLAIN, names.RATE, names.CHANGE_LANGUAGE}
OVERLAP_MIN_WORDS = 5


def _messages(path: Path) -> list[Any]:
    from rasa.shared.nlu.training_data.loading import load_data

    return list(load_data(str(path)).intent_examples)


def _examples(root: Path) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for message in _messages(root / "data" / "nlu"):
        by_intent[str(message.get("intent"))].append(str(message.get("text")))
    return by_intent


def _features(nlu_dir: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        content = yaml.safe_load(path.read_text()) or {}
        for item in content.get("nlu", []) or []:
            if isinstance(item, dict) and ("regex" in item or "lookup" in item):
                items.append({**item, "_file": path.name})
    return items


def _patterns(item: dict[str, Any]) -> list[str]:
    lines = str(item.get("examples", "")).splitlines()
    return [line.strip().removeprefix("- ").strip() for line in lines if line.strip()]


def check_features(
    nlu_dir: Path, entities: list[str]
) -> tuple[list[str], dict[str, list[re.Pattern[str]]]]:
    """Regexes compile, lookups are not empty; returns the problems and the entity regexes."""
    problems: list[str] = []
    regexes: dict[str, list[re.Pattern[str]]] = defaultdict(list)
    for item in _features(nlu_dir):
        kind = "regex" if "regex" in item else "lookup"
        name, patterns = item[kind], _patterns(item)
        if not patterns:
            problems.append(f"{item['_file']}: {kind} {name!r} has no examples")
        if kind == "lookup" and name in entities:
            problems.append(
                f"{item['_file']}: lookup {name!r} is named after an entity; the extractor would "
                "tag every entry as that entity (name it e.g. {name}_hint instead)"
            )
        for pattern in patterns if kind == "regex" else []:
            try:
                compiled = re.compile(pattern)
            except re.error as error:
                problems.append(
                    f"{item['_file']}: regex {name!r} does not compile ({error}): {pattern}"
                )
                continue
            if name in entities:
                regexes[name].append(compiled)
    return problems, dict(regexes)


def check_entities(
    messages: list[Any], entities: list[str], regexes: dict[str, list[re.Pattern[str]]]
) -> list[str]:
    """Annotated entities exist in the domain and the regexes find them where annotated."""
    problems: list[str] = []
    annotated: set[str] = set()
    for message in messages:
        text = str(message.get("text"))
        for entity in message.get("entities") or []:
            name = str(entity.get("entity"))
            annotated.add(name)
            if name not in entities:
                problems.append(f"{text!r} annotates {name!r}, which domain.yml does not list")
                continue
            start, end = int(entity["start"]), int(entity["end"])
            found = any(
                m.start() < end and m.end() > start
                for pattern in regexes.get(name, [])
                for m in pattern.finditer(text)
            )
            if regexes.get(name) and not found:
                problems.append(
                    f"{text!r}: the {name} regex does not find the annotated {text[start:end]!r} "
                    "(the bot would not extract it); fix the annotation or the regex"
                )
    for name in entities:
        if name not in regexes and name not in annotated:
            problems.append(
                f"entity {name!r} has neither a regex in data/nlu nor annotated examples"
            )
    return problems


def check_languages(root: Path) -> list[str]:
    """Every language has its folder, every intent in it, and its own held-out set; and each
    example is written in its folder's language (a Korean message under zh/ teaches nothing).
    """
    problems: list[str] = []
    for lang in languages.LANGUAGES:
        folder = root / languages.nlu_dir(lang)
        if not folder.is_dir():
            problems.append(f"{languages.nlu_dir(lang)}/ is missing: every language needs one")
            continue
        by_intent: dict[str, int] = defaultdict(int)
        for message in _messages(folder):
            by_intent[str(message.get("intent"))] += 1
            text = str(message.get("text"))
            blanked = list(text)
            for entity in message.get("entities") or []:
                start, end = int(entity["start"]), int(entity["end"])
                blanked[start:end] = " " * (end - start)
            written_in = languages.language_by_script("".join(blanked))
            if written_in not in (None, lang):
                problems.append(
                    f"{text!r} is in {languages.nlu_dir(lang)}/ but written in {written_in}; "
                    f"move it to {languages.nlu_dir(written_in)}/"
                )
        for intent in names.INTENTS:
            floor = (
                MIN_PER_LANGUAGE_SMALL if intent in SMALL_PER_LANGUAGE else MIN_PER_LANGUAGE_CORE
            )
            if by_intent.get(intent, 0) < floor:
                problems.append(
                    f"{languages.nlu_dir(lang)}/ has {by_intent.get(intent, 0)} examples of "
                    f"{intent!r}; each language needs at least {floor}"
                )
        for split in languages.SPLITS:
            if not (root / languages.split_file(lang, split)).exists():
                problems.append(
                    f"{languages.split_file(lang, split)} is missing: every language needs a "
                    "blind dev and test set"
                )
    return problems


_ALNUM_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+")


def length_in_words(text: str) -> int:
    """Words in ``text``: runs of Latin letters and digits ("SW1A", "10001"), Korean words, and
    a Chinese word for every two Han characters (Chinese is written without spaces)."""
    han = sum(len(run) for run in HAN_RUN.findall(text))
    return len(_ALNUM_WORD.findall(text)) + len(HANGUL_RUN.findall(text)) + (han + 1) // 2


def _from_tests(path: Path) -> str:
    """``path`` from the repository's ``tests`` folder on, as a trainer would look for it."""
    parts = path.parts
    if "tests" not in parts:
        return str(path)
    return str(Path(*parts[len(parts) - 1 - parts[::-1].index("tests") :]))


def check_held_out(training: list[Any], test_file: Path) -> list[str]:
    """Messages of OVERLAP_MIN_WORDS words or more must not be in both sets.

    Short everyday messages ("yes", "hi", "where is my order") are bound to be in any two sets
    written independently; a longer one in both means the test set leaked into training.
    """
    if not test_file.exists():
        return []
    texts = {normalise(str(m.get("text"))): str(m.get("intent")) for m in training}
    problems = []
    for message in _messages(test_file):
        key = normalise(str(message.get("text")))
        if key in texts and length_in_words(key) >= OVERLAP_MIN_WORDS:
            problems.append(
                f"{message.get('text')!r} is both a training example ({texts[key]}) and in the "
                f"blind set {_from_tests(test_file)}; remove it from "
                "data/nlu"
            )
    return problems


LANGUAGE_NAMES = {"en": "English", "ko": "Korean", "zh": "Chinese"}
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _language_of(variation: dict[str, Any]) -> tuple[Optional[str], list[str]]:
    """The language a variation is for (None: the unconditioned default), its other conditions."""
    languages, others = [], []
    for condition in variation.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == names.SLOT_LANGUAGE:
            languages.append(str(condition.get("value")))
        else:
            others.append(str(condition.get("name")))
    if len(languages) > 1:
        return "+".join(languages), others
    return (languages[0] if languages else None), others


def _placeholders(variation: dict[str, Any]) -> frozenset[str]:
    return frozenset(_PLACEHOLDER.findall(str(variation.get("text") or "")))


def _payloads(variation: dict[str, Any]) -> list[str]:
    return [str(button.get("payload")) for button in variation.get("buttons") or []]


def _shown(placeholders: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(placeholders)) + "}" if placeholders else "none"


def check_translations(responses: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every response speaks every language, and says the same thing in each.

    Rasa picks a variation at random among *all* conditioned variations that match, and uses
    an unconditioned one only when none does (rasa/core/nlg/generator.py,
    ResponseVariationFilter). So Baton's convention is: the English text is the unconditioned
    default; Korean and Chinese are variations conditioned on the ``language`` slot; an
    English variation with another condition (``customer_identified: true``) must name
    ``language: en`` too, or it would be drawn for Korean and Chinese customers as well.

    Checked per response and language: a variation exists; a translation fills exactly the
    placeholders one English variation fills (none invented, none dropped) and offers the same
    button payloads in the same order; the text is written in the language's script (an English
    sentence pasted in as a "translation" is caught), unless it is nothing but placeholders.
    """
    problems: list[str] = []
    for response, variations in sorted(responses.items()):
        english: list[dict[str, Any]] = []
        by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for variation in variations:
            language, others = _language_of(variation)
            if language is None and others:
                problems.append(
                    f"{response}: a variation conditioned on {', '.join(others)} but not on the "
                    f"language would be picked for every language; add `{names.SLOT_LANGUAGE}: en` "
                    "to its condition"
                )
                continue
            if language is None or language == "en":
                english.append(variation)
            elif language in names.LANGUAGES:
                by_language[language].append(variation)
            else:
                problems.append(f"{response}: a variation for unknown language {language!r}")
        if not any(not v.get("condition") for v in english):
            problems.append(
                f"{response}: no English default (a variation without a condition), so a "
                "customer whose language has no variation would get nothing"
            )
        if not english:
            continue
        english_placeholders = {_placeholders(v) for v in english}
        english_payloads = {tuple(_payloads(v)) for v in english}
        for language in names.LANGUAGES:
            if language == "en":
                continue
            label = f"{response} ({LANGUAGE_NAMES[language]}, {language})"
            translations = by_language.get(language, [])
            if not translations:
                problems.append(
                    f"{response}: no {LANGUAGE_NAMES[language]} ({language}) variation; add one "
                    f"with condition [{{type: slot, name: {names.SLOT_LANGUAGE}, value: "
                    f"{language}}}]"
                )
            for variation in translations:
                text = str(variation.get("text") or "")
                found = _placeholders(variation)
                if found not in english_placeholders:
                    expected = " or ".join(sorted(_shown(p) for p in english_placeholders))
                    problems.append(
                        f"{label}: placeholders {_shown(found)} differ from the English {expected}"
                    )
                if tuple(_payloads(variation)) not in english_payloads:
                    problems.append(
                        f"{label}: button payloads {_payloads(variation)} differ from the "
                        f"English {sorted(list(p) for p in english_payloads)}"
                    )
                script = _HANGUL if language == "ko" else _HAN
                words = _PLACEHOLDER.sub("", text).strip()
                # a text that is only placeholders is filled with words already in the
                # customer's language (a shop's own answer from policy/shop_topics.yml)
                if words and not script.search(words):
                    problems.append(f"{label}: the text is not in {LANGUAGE_NAMES[language]}")
                elif language == "zh" and _HANGUL.search(text):
                    problems.append(f"{label}: the Chinese text contains Korean")
    return problems


def check_all(root: Path) -> list[str]:
    problems: list[str] = []
    domain = yaml.safe_load((root / "domain.yml").read_text())
    domain_intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])}
    missing = set(names.INTENTS) - domain_intents
    if missing:
        problems.append(f"domain.yml lacks the stable intents {sorted(missing)} (bot/names.py)")
    unknown = domain_intents - set(names.INTENTS)
    if unknown:
        problems.append(f"domain.yml has intents not in bot/names.py: {sorted(unknown)}")
    if set(domain.get("entities", [])) != set(names.ENTITIES):
        problems.append(f"domain.yml entities {domain.get('entities')} differ from bot/names.py")

    messages = _messages(root / "data" / "nlu")
    by_intent: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        by_intent[str(message.get("intent"))].append(str(message.get("text")))
    for intent in names.INTENTS:
        floor = MIN_EXAMPLES_SMALL_TALK if intent in SMALL_TALK else MIN_EXAMPLES_CORE
        count = len(by_intent.get(intent, []))
        if count < floor:
            problems.append(f"intent {intent!r} has {count} examples; it needs at least {floor}")
    seen: dict[str, str] = {}
    for intent, texts in sorted(by_intent.items()):
        for text in texts:
            key = normalise(text)
            other = seen.get(key)
            if other is not None and other != intent:
                problems.append(f"{text!r} is an example of both {other!r} and {intent!r}")
            elif other == intent:
                problems.append(f"{text!r} is an example of {intent!r} twice")
            seen[key] = intent

    entities = [str(e) for e in domain.get("entities", [])]
    feature_problems, regexes = check_features(root / "data" / "nlu", entities)
    problems += feature_problems
    problems += check_entities(messages, entities, regexes)
    for lang in languages.LANGUAGES:
        problems += check_held_out(messages, root / languages.held_out(lang))
        for name in languages.SIDE_SETS:  # blind sets scored apart (tests/nlu/<name>/<lang>.yml)
            side = root / languages.side_file(lang, name)
            if side.exists():
                problems += check_held_out(messages, side)
        # blind sets written ahead of the intents they measure (tests/nlu/pending/*/<lang>.yml)
        for pending in sorted((root / "tests" / "nlu" / "pending").glob(f"*/{lang}.yml")):
            problems += check_held_out(messages, pending)
    problems += check_languages(root)
    problems += check_translations(domain.get("responses") or {})
    for message in messages:
        for address in real_email_addresses(str(message.get("text"))):
            problems.append(
                f"{message.get('text')!r}: use a fake address (@example.com), not {address}"
            )
    problems += _policy_problems()
    return problems


def _policy_problems() -> list[str]:
    """The shop's policy files parse: a typo is found by `make validate`, not by a customer."""
    from actions.services.address import AddressPolicyError
    from actions.services.address import load_policy as load_address
    from actions.services.cancellation import CancellationPolicyError
    from actions.services.cancellation import load_policy as load_cancellation
    from actions.services.problems_policy import ProblemsPolicyError
    from actions.services.problems_policy import load_policy as load_problems

    problems: list[str] = []
    try:
        load_cancellation()
    except CancellationPolicyError as problem:
        problems.append(f"policy/cancellation.yml: {problem}")
    try:
        load_address()
    except AddressPolicyError as problem:
        problems.append(f"policy/address.yml: {problem}")
    try:
        load_problems()
    except ProblemsPolicyError as problem:
        problems.append(f"policy/problems.yml: {problem}")
    return problems
