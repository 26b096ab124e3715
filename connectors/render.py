"""Rendering in one place: what the dialogue says, shown the way each channel's people expect.

Actions and domain responses say *what* to show — text, buttons ``{title, payload}``, an
image, a custom payload — and never check the channel. The connectors pass a
turn's messages (as Rasa hands them to an output channel) to a function here:

* :func:`render_whatsapp` — one WhatsApp message per turn where possible (separate messages
  may arrive out of order), buttons as a numbered list the customer answers by number or in
  words (:func:`pick_option`), texts over 1,600 characters split at paragraph, line, sentence
  or word boundaries, images sent as media;
* :func:`render_slack` — Block Kit: ``section`` blocks in mrkdwn, buttons as an ``actions``
  block whose values are the payloads, images as ``image`` blocks.

A custom payload may carry a channel's own form (``{"whatsapp": {"body", "media_url"}}``,
``{"slack": {"blocks": [...]}}``) or a plain ``{"text": ...}``.

The few words added here ("Reply with a number…", "You chose") follow the language of the
turn they belong to: the bot already answered in the customer's language, so its own text
says which (:func:`language_of`) without threading the slot through every channel.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

WHATSAPP_MAX_CHARS = 1600  # Twilio's limit for one WhatsApp message body
SLACK_SECTION_MAX_CHARS = 3000
SLACK_MAX_BLOCKS = 50
SLACK_MAX_BUTTONS = 25
SLACK_BUTTON_TEXT_MAX = 75
SLACK_BUTTON_VALUE_MAX = 2000

_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")


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


# --- shared ---------------------------------------------------------------------------------

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")

# The words rendering adds, per language (en, ko, zh).
_WORDS = {
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


def _turn_texts(messages: Sequence[dict[str, Any]]) -> list[str]:
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


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


# --- WhatsApp -------------------------------------------------------------------------------


def whatsapp_text(markdown: str) -> str:
    """Markdown as WhatsApp writes it: ``*bold*``, links spelled out (WhatsApp links URLs)."""

    def link(m: re.Match[str]) -> str:
        title, url = m.group(1), m.group(2)
        return url if title.strip() == url else f"{title}: {url}"

    return _MD_BOLD.sub(r"*\1*", _MD_LINK.sub(link, markdown))


def numbered(options: Sequence[Option], lang: str = "en") -> str:
    lines = [f"{i}. {o.title}" for i, o in enumerate(options, 1)]
    lines.append(_WORDS.get(lang, _WORDS["en"])["reply_number"].format(n=len(options)))
    return "\n".join(lines)


def render_whatsapp(messages: Iterable[dict[str, Any]]) -> WhatsAppTurn:
    messages = list(messages)
    lang = language_of(_turn_texts(messages))
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
            if _is_url(own.get("media_url")):
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
        if _is_url(image):
            media(str(image), text)
        elif text:
            texts.append(text)
        if _is_url(attachment):
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


# --- Slack ----------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(markdown: str) -> str:
    """Markdown as Slack's mrkdwn: control characters escaped, ``<url|title>`` links."""
    links: list[str] = []

    def keep_link(m: re.Match[str]) -> str:
        links.append(f"<{m.group(2)}|{slack_escape(m.group(1))}>")
        return f"\x00{len(links) - 1}\x00"

    text = slack_escape(_MD_LINK.sub(keep_link, markdown))
    text = _MD_BOLD.sub(r"*\1*", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def _section(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(text, SLACK_SECTION_MAX_CHARS)
    ]


def _actions(options: Sequence[Option]) -> list[dict[str, Any]]:
    blocks = []
    for start in range(0, len(options), SLACK_MAX_BUTTONS):
        chunk = options[start : start + SLACK_MAX_BUTTONS]
        blocks.append(
            {
                "type": "actions",
                "block_id": f"baton_options_{start // SLACK_MAX_BUTTONS}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"baton_option_{start + i}",
                        "text": {
                            "type": "plain_text",
                            "text": o.title[:SLACK_BUTTON_TEXT_MAX],
                            "emoji": True,
                        },
                        "value": o.payload[:SLACK_BUTTON_VALUE_MAX],
                    }
                    for i, o in enumerate(chunk)
                ],
            }
        )
    return blocks


def render_slack(messages: Iterable[dict[str, Any]]) -> list[SlackPost]:
    """A turn as Block Kit posts (one unless it needs more than 50 blocks)."""
    messages = list(messages)
    lang = language_of(_turn_texts(messages))
    blocks: list[dict[str, Any]] = []
    fallback: list[tuple[int, str]] = []  # (index of the first block it belongs to, text)
    for message in messages:
        text = str(message.get("text") or "").strip()
        if text:
            fallback.append((len(blocks), text))
            blocks.extend(_section(slack_mrkdwn(text)))
        custom = message.get("custom")
        if isinstance(custom, dict):
            found = custom.get("slack")
            own: dict[str, Any] = found if isinstance(found, dict) else custom
            if isinstance(own.get("blocks"), list):
                blocks.extend(b for b in own["blocks"] if isinstance(b, dict))
            elif custom.get("text"):
                fallback.append((len(blocks), str(custom["text"])))
                blocks.extend(_section(slack_mrkdwn(str(custom["text"]))))
        for element in message.get("elements") or []:
            if isinstance(element, dict) and element.get("title"):
                line = f"*{slack_escape(str(element['title']))}*"
                if element.get("subtitle"):
                    line += f"\n{slack_escape(str(element['subtitle']))}"
                blocks.extend(_section(line))
        offered = options_of(message)
        if offered:
            blocks.extend(_actions(offered))
        image = message.get("image")
        if _is_url(image):
            blocks.append({"type": "image", "image_url": image, "alt_text": text[:200] or "image"})
        attachment = message.get("attachment")
        if _is_url(attachment):
            blocks.extend(_section(f"<{attachment}>"))
    posts = []
    for start in range(0, len(blocks), SLACK_MAX_BLOCKS):
        end = start + SLACK_MAX_BLOCKS
        texts = [t for i, t in fallback if start <= i < end]
        summary = slack_escape("\n\n".join(texts)) or _WORDS[lang]["new_message"]
        if len(summary) > SLACK_SECTION_MAX_CHARS:
            summary = summary[: SLACK_SECTION_MAX_CHARS - 1] + "…"
        posts.append(SlackPost(summary, blocks[start:end]))
    return posts


def chosen_blocks(blocks: Sequence[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    """A message's blocks after the customer clicked ``title``: the buttons give way to a note,
    so the same question cannot be answered twice."""
    kept = [b for b in blocks if isinstance(b, dict) and b.get("type") != "actions"]
    kept.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": _WORDS[language_of([title])]["you_chose"].format(
                        title=slack_escape(title)
                    ),
                }
            ],
        }
    )
    return kept
