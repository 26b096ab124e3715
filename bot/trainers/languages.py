"""Where each language's NLU data, held-out set and quality floor live.

One model understands English, Korean and Chinese, but a trainer works on one language at a
time and each language must be good on its own: an average over all three would hide a weak
Korean behind a strong English. So every trainer tool (data checks, report, quality gate, inbox)
works per language, with the same layout for each:

    data/nlu/<lang>/*.yml                       training examples (one file per customer goal)
    data/nlu/features.yml                       regexes and lookups, shared by every language
    tests/nlu/blind/<lang>/dev.yml, dev2.yml,   the blind sets: written by people who never
      test.yml                                  read data/nlu, the way customers write
    tests/nlu/problems/<lang>.yml               a blind set about delivery problems, gated apart
    tests/nlu/floors/<lang>.json                the quality gate's floor
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.nlu.scripts import EN, KO, LANGUAGES, ZH, language_by_script

__all__ = [
    "EN",
    "KO",
    "LANGUAGES",
    "NAMES",
    "ZH",
    "floor_file",
    "held_out",
    "language_by_script",
    "language_of",
]

NAMES: Final = {EN: "English", KO: "Korean", ZH: "Chinese"}
NLU_DATA: Final = Path("data") / "nlu"
FEATURES: Final = NLU_DATA / "features.yml"
TESTS: Final = Path("tests") / "nlu" / "blind"
# Written by three people who never read data/nlu: "dev" and "test" by one, "dev2" by another.
# The gate scores all of them together; tools that tune (thresholds) read only the dev sets;
# nothing lists the test set's messages.
SPLITS: Final = ("dev", "dev2", "test")
# Blind sets about one goal, by a fourth writer, scored on their own against their own floor
# (tests/nlu/<name>/<lang>.yml): a new intent's hardest messages, kept apart so the figure for
# customers at large stays comparable. Nothing lists their messages either.
SIDE_SETS: Final = ("problems",)
DEV_SPLITS: Final = ("dev", "dev2")


def nlu_dir(lang: str) -> Path:
    return NLU_DATA / lang


def held_out(lang: str) -> Path:
    """The language's blind sets (a folder: Rasa reads every split from it)."""
    return TESTS / lang


def split_file(lang: str, split: str) -> Path:
    return TESTS / lang / f"{split}.yml"


def side_file(lang: str, name: str) -> Path:
    return TESTS.parent / name / f"{lang}.yml"


def floor_file(lang: str) -> Path:
    # beside the blind sets, not among them: Rasa reads every file of a blind-set folder
    return TESTS.parent / "floors" / f"{lang}.json"


def language_of(text: str, default: str = EN) -> str:
    """The language a trainer would file ``text`` under: by script, ``default`` without letters."""
    return language_by_script(text) or default


def parse_languages(value: str | None) -> tuple[str, ...]:
    """``"ko,zh"`` → ("ko", "zh"); empty or None → every language. Raises ValueError on others."""
    if not value:
        return LANGUAGES
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}; use {', '.join(LANGUAGES)}")
    return chosen
