"""Checks Rasa's validator does not make: enough examples, no example under two intents,
and names that match bot/names.py (the names other code and tests rely on)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from bot import names

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


def _examples(root: Path) -> dict[str, list[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(root / "data" / "nlu"))
    by_intent: dict[str, list[str]] = defaultdict(list)
    for message in data.intent_examples:
        by_intent[str(message.get("intent"))].append(str(message.get("text")))
    return by_intent


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

    by_intent = _examples(root)
    for intent in names.INTENTS:
        floor = MIN_EXAMPLES_SMALL_TALK if intent in SMALL_TALK else MIN_EXAMPLES_CORE
        count = len(by_intent.get(intent, []))
        if count < floor:
            problems.append(f"intent {intent!r} has {count} examples; it needs at least {floor}")
    seen: dict[str, str] = {}
    for intent, texts in sorted(by_intent.items()):
        for text in texts:
            key = " ".join(text.lower().split())
            other = seen.get(key)
            if other is not None and other != intent:
                problems.append(f"{text!r} is an example of both {other!r} and {intent!r}")
            seen[key] = intent
    return problems
