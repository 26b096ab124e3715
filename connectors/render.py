"""Rendering in one place: what the dialogue says, shown the way each channel's people expect.

Actions and domain responses say *what* to show — text, buttons ``{title, payload}``, an
image, a custom payload — and never check the channel (DESIGN.md). The connectors pass a
turn's messages (as Rasa hands them to an output channel) to a function here:

* :func:`render_whatsapp` — one WhatsApp message per turn where possible (separate messages
  may arrive out of order), buttons as a numbered list the customer answers by number or in
  words (:func:`pick_option`), texts over 1,600 characters split at paragraph, line, sentence
  or word boundaries, images sent as media;
* :func:`render_slack` — Block Kit: ``section`` blocks in mrkdwn, buttons as an ``actions``
  block whose values are the payloads, images as ``image`` blocks.

A custom payload may carry a channel's own form (``{"whatsapp": {"body", "media_url"}}``,
``{"slack": {"blocks": [...]}}``) or a plain ``{"text": ...}``.
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


def numbered(options: Sequence[Option]) -> str:
    lines = [f"{i}. {o.title}" for i, o in enumerate(options, 1)]
    lines.append(f"Reply with a number (1–{len(options)}) or in your own words.")
    return "\n".join(lines)


def render_whatsapp(messages: Iterable[dict[str, Any]]) -> WhatsAppTurn:
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
            text = f"{text}\n\n{numbered(offered)}" if text else numbered(offered)
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
_NUMBER_ANSWER = re.compile(r"(?:option|number|no\.?|nr\.?|#)?\s*(\d{1,2})\s*[.)]?")
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
        summary = slack_escape("\n\n".join(texts)) or "New message"
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
            "elements": [{"type": "mrkdwn", "text": f"You chose: *{slack_escape(title)}*"}],
        }
    )
    return kept
