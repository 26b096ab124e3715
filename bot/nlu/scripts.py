"""Which writing system a piece of text is in, and text normalised so the three languages share
NLU features.

Baton tells its three languages apart by script, not by a statistical language model: Hangul is
only Korean, Han (without Hangul) is Chinese here, Latin letters are English. That is exact for
the languages Baton speaks, costs microseconds, and needs no model download.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Final, Literal

Script = Literal["hangul", "han", "latin", "other"]

EN: Final = "en"
KO: Final = "ko"
ZH: Final = "zh"
LANGUAGES: Final = (EN, KO, ZH)

# Hangul syllables, jamo and compatibility jamo (ㅋㅋ, ㅠㅠ are Korean too).
_HANGUL = r"\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"
# CJK unified ideographs (with extension A) and the compatibility block; simplified and
# traditional characters are in the same blocks.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HANGUL_RUN: Final = re.compile(f"[{_HANGUL}]+")
HAN_RUN: Final = re.compile(f"[{_HAN}]+")
LATIN_WORD: Final = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# Splits a whitespace token into runs of one script each: "订单10001在哪里" → 订单 | 10001 | 在哪里,
# "10001번" → 10001 | 번, so entity annotations and token boundaries line up in every language.
SCRIPT_RUNS: Final = re.compile(f"[{_HANGUL}]+|[{_HAN}]+|[^{_HANGUL}{_HAN}]+")


def script_of(char: str) -> Script:
    if HANGUL_RUN.fullmatch(char):
        return "hangul"
    if HAN_RUN.fullmatch(char):
        return "han"
    if LATIN_WORD.fullmatch(char):
        return "latin"
    return "other"


def has_han(text: str) -> bool:
    return HAN_RUN.search(text) is not None


def has_hangul(text: str) -> bool:
    return HANGUL_RUN.search(text) is not None


def language_by_script(text: str) -> str | None:
    """en, ko or zh by the letters in ``text``; None when it has no letters at all.

    Weighs words, not characters, so one borrowed word does not flip the language: a Latin word
    counts 1, a run of Hangul (a Korean word) 1, and a Han character ½ (Chinese words are one
    to three characters and are written without spaces). "我的order在哪里" is Chinese, "I bought
    a 福 cushion" English. On a tie the CJK language wins: someone who types Hangul or Han
    characters at all reads them.
    """
    latin = len(LATIN_WORD.findall(text))
    hangul = len(HANGUL_RUN.findall(text))
    han = sum(len(run) for run in HAN_RUN.findall(text)) / 2
    if not (latin or hangul or han):
        return None
    if hangul and hangul >= han and hangul >= latin:
        return KO
    if han and han >= latin:
        return ZH
    if hangul and hangul >= latin:
        return KO
    return EN


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (訂單 → 订单); other text unchanged.

    Customers in Hong Kong and Taiwan write traditional characters; the training data is
    mostly simplified. Featurising both as simplified lets one set of examples serve both.
    """
    if not has_han(text):
        return text
    with warnings.catch_warnings():  # zhconv imports pkg_resources, which warns on import
        warnings.simplefilter("ignore", DeprecationWarning)
        import zhconv

    return str(zhconv.convert(text, "zh-hans"))


# Korean attaches particles to nouns (주문이, 주문은, 주문을 are all "order"). Stripping the
# common ones from the token's lemma lets the word features see one word; the character n-grams
# still see the particle through the raw text of the neighbouring tokens.
_PARTICLES: Final = tuple(
    sorted(
        (
            "에서는",
            "으로는",
            "에게서",
            "이랑",
            "에서",
            "으로",
            "에게",
            "한테",
            "까지",
            "부터",
            "은",
            "는",
            "이",
            "가",
            "을",
            "를",
            "의",
            "에",
            "로",
            "도",
            "와",
            "과",
            "랑",
            "만",
        ),
        key=len,
        reverse=True,
    )
)
_MIN_KOREAN_STEM: Final = 2


def korean_stem(word: str) -> str:
    """``word`` without a trailing noun particle, if at least two syllables remain."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= _MIN_KOREAN_STEM:
            return word[: -len(particle)]
    return word
