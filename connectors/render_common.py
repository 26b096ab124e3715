"""What rendering for every channel shares (:mod:`connectors.render`): options and the
turn's messages, the language a turn is in and the few words added in it, and splitting long
texts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
MD_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Option:
    title: str
    payload: str


@dataclass(frozen=True)
class WhatsAppMessage:
    body: str = ""
    media_url: Optional[str] = None


@dataclass(frozen=True)
class WhatsAppTurn:
    messages: list[WhatsAppMessage]
    options: list[Option] = field(default_factory=list)  # what a number in the answer means


@dataclass(frozen=True)
class SlackPost:
    text: str  # notification and accessibility fallback
    blocks: list[dict[str, Any]]


_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")

# The words rendering adds, per language (en, ko, zh).
WORDS = {
    "en": {
        "reply_number": "Reply with a number (1–{n}) or in your own words.",
        "you_chose": "You chose: *{title}*",
        "new_message": "New message",
    },
    "ko": {
        "reply_number": "번호(1–{n})나 원하시는 말로 답해 주세요.",
        "you_chose": "선택하신 항목: *{title}*",
        "new_message": "새 메시지",
    },
    "zh": {
        "reply_number": "请回复编号（1–{n}），或直接用文字回复。",
        "you_chose": "您选择了：*{title}*",
        "new_message": "新消息",
    },
}


def language_of(texts: Iterable[str]) -> str:
    """The language a turn is written in, by script: Hangul is Korean, Han without Hangul is
    Chinese, anything else English (the dialogue's languages)."""
    joined = " ".join(texts)
    if _HANGUL.search(joined):
        return "ko"
    if _HAN.search(joined):
        return "zh"
    return "en"


def turn_texts(messages: Sequence[dict[str, Any]]) -> list[str]:
    texts = []
    for message in messages:
        texts.append(str(message.get("text") or ""))
        texts.extend(o.title for o in options_of(message))
    return texts


def options_of(message: dict[str, Any]) -> list[Option]:
    buttons = message.get("buttons") or message.get("quick_replies") or []
    found = []
    for button in buttons:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if title and payload:
            found.append(Option(str(title), str(payload)))
    return found


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at the most natural break."""
    rest = text.strip()
    pieces: list[str] = []
    while len(rest) > limit:
        cut = None
        for sep, keep in (("\n\n", 0), ("\n", 0), (". ", 1), (" ", 0)):
            i = rest.rfind(sep, 0, limit - keep + 1)
            if i >= limit // 3:
                cut = (i + keep, i + len(sep))
                break
        end, resume = cut or (limit, limit)
        pieces.append(rest[:end].rstrip())
        rest = rest[resume:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))
