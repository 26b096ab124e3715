"""WhatsApp's rendering (:mod:`connectors.render`): one message per turn where possible,
buttons as a numbered list answered by number or in words, long texts split, images as media."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from connectors.render_common import (
    MD_BOLD,
    MD_LINK,
    WORDS,
    Option,
    WhatsAppMessage,
    WhatsAppTurn,
    is_url,
    language_of,
    options_of,
    split_text,
    turn_texts,
)

WHATSAPP_MAX_CHARS = 1600  # Twilio's limit for one WhatsApp message body


def whatsapp_text(markdown: str) -> str:
    """Markdown as WhatsApp writes it: ``*bold*``, links spelled out (WhatsApp links URLs)."""

    def link(m: re.Match[str]) -> str:
        title, url = m.group(1), m.group(2)
        return url if title.strip() == url else f"{title}: {url}"

    return MD_BOLD.sub(r"*\1*", MD_LINK.sub(link, markdown))


def numbered(options: Sequence[Option], lang: str = "en") -> str:
    lines = [f"{i}. {o.title}" for i, o in enumerate(options, 1)]
    lines.append(WORDS.get(lang, WORDS["en"])["reply_number"].format(n=len(options)))
    return "\n".join(lines)


def render_whatsapp(messages: Iterable[dict[str, Any]]) -> WhatsAppTurn:
    messages = list(messages)
    lang = language_of(turn_texts(messages))
    out: list[WhatsAppMessage] = []
    texts: list[str] = []
    options: list[Option] = []

    def flush() -> None:
        if texts:
            out.extend(
                WhatsAppMessage(p) for p in split_text("\n\n".join(texts), WHATSAPP_MAX_CHARS)
            )
            texts.clear()

    def media(url: str, caption: str = "") -> None:
        flush()
        pieces = split_text(caption, WHATSAPP_MAX_CHARS) if caption else [""]
        out.append(WhatsAppMessage(pieces[0], url))
        out.extend(WhatsAppMessage(p) for p in pieces[1:])

    for message in messages:
        text = whatsapp_text(str(message.get("text") or "")).strip()
        offered = options_of(message)
        if offered:
            options = offered
            listed = numbered(offered, lang)
            text = f"{text}\n\n{listed}" if text else listed
        custom = message.get("custom")
        if isinstance(custom, dict):
            found = custom.get("whatsapp")
            own: dict[str, Any] = found if isinstance(found, dict) else {}
            if is_url(own.get("media_url")):
                media(own["media_url"], str(own.get("body") or ""))
            elif own.get("body") or custom.get("text"):
                texts.append(whatsapp_text(str(own.get("body") or custom.get("text"))))
        for element in message.get("elements") or []:
            if isinstance(element, dict) and element.get("title"):
                line = f"*{element['title']}*"
                if element.get("subtitle"):
                    line += f"\n{element['subtitle']}"
                texts.append(line)
        image = message.get("image")
        attachment = message.get("attachment")
        if is_url(image):
            media(str(image), text)
        elif text:
            texts.append(text)
        if is_url(attachment):
            media(str(attachment))
        elif isinstance(attachment, str) and attachment:
            texts.append(attachment)
    flush()
    return WhatsAppTurn(out, options)


_KEYCAPS = {f"{d}\ufe0f\u20e3": str(d) for d in range(10)} | {
    f"{d}\u20e3": str(d) for d in range(10)
}
# "2", "#2", "option 2", "2번" (Korean), "第2个" / "2号" (Chinese)
_NUMBER_ANSWER = re.compile(
    r"(?:option|number|no\.?|nr\.?|#|第)?\s*(\d{1,2})\s*(?:번|번이요|번요|个|個|号|號|[.)])?"
)
_WORD = re.compile(r"[\w']+")


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


def pick_option(text: str, options: Sequence[Option]) -> Optional[Option]:
    """The option a WhatsApp answer means: its number (``2``, ``2.``, ``#2``, ``2️⃣``), its
    title, or words that belong to exactly one title. ``None`` when it is not an answer."""
    if not options or not text:
        return None
    answer = text.strip()
    for keycap, digit in _KEYCAPS.items():
        answer = answer.replace(keycap, digit)
    m = _NUMBER_ANSWER.fullmatch(answer.casefold())
    if m:
        n = int(m.group(1))
        return options[n - 1] if 1 <= n <= len(options) else None
    said = _words(answer)
    if not said:
        return None
    titles = [_words(o.title) for o in options]
    exact = [o for o, t in zip(options, titles, strict=True) if t == said]
    if exact:
        return exact[0]

    def contains(seq: list[str], sub: list[str]) -> bool:
        return any(seq[i : i + len(sub)] == sub for i in range(len(seq) - len(sub) + 1))

    # the answer is part of one title ("the linen shirt" -> "10001 · Linen shirt (shipped)")
    stop = {"the", "a", "an", "one", "my", "please", "order", "that", "this", "it"}
    core = [w for w in said if w not in stop] or said
    if sum(len(w) for w in core) >= 3:
        partial = [o for o, t in zip(options, titles, strict=True) if contains(t, core)]
        if len(partial) == 1:
            return partial[0]
    # or one title is said inside a short answer ("yes please" -> "Yes")
    inside = [o for o, t in zip(options, titles, strict=True) if t and contains(said, t)]
    if len(inside) == 1 and len(said) <= len(_words(inside[0].title)) + 3:
        return inside[0]
    return None
