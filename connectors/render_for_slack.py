"""Slack's rendering (:mod:`connectors.render`): Block Kit ``section`` blocks in mrkdwn,
buttons as an ``actions`` block whose values are the payloads, images as ``image`` blocks, and
a clicked question's buttons replaced by what was chosen."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from connectors.render_common import (
    MD_BOLD,
    MD_LINK,
    WORDS,
    Option,
    SlackPost,
    is_url,
    language_of,
    options_of,
    split_text,
    turn_texts,
)

SLACK_SECTION_MAX_CHARS = 3000
SLACK_MAX_BLOCKS = 50
SLACK_MAX_BUTTONS = 25
SLACK_BUTTON_TEXT_MAX = 75
SLACK_BUTTON_VALUE_MAX = 2000


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(markdown: str) -> str:
    """Markdown as Slack's mrkdwn: control characters escaped, ``<url|title>`` links."""
    links: list[str] = []

    def keep_link(m: re.Match[str]) -> str:
        links.append(f"<{m.group(2)}|{slack_escape(m.group(1))}>")
        return f"\x00{len(links) - 1}\x00"

    text = slack_escape(MD_LINK.sub(keep_link, markdown))
    text = MD_BOLD.sub(r"*\1*", text)
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
    lang = language_of(turn_texts(messages))
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
        if is_url(image):
            blocks.append({"type": "image", "image_url": image, "alt_text": text[:200] or "image"})
        attachment = message.get("attachment")
        if is_url(attachment):
            blocks.extend(_section(f"<{attachment}>"))
    posts = []
    for start in range(0, len(blocks), SLACK_MAX_BLOCKS):
        end = start + SLACK_MAX_BLOCKS
        texts = [t for i, t in fallback if start <= i < end]
        summary = slack_escape("\n\n".join(texts)) or WORDS[lang]["new_message"]
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
                    "text": WORDS[language_of([title])]["you_chose"].format(
                        title=slack_escape(title)
                    ),
                }
            ],
        }
    )
    return kept
