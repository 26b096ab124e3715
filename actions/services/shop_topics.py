"""The shop topics Baton recognises but does not settle itself yet, from ``policy/shop_topics.yml``.

Customers ask a shop's chat about cancelling, changing an order or its address, delivery,
payment, invoices, discount codes, their account and the products, as often as about where their
order is. Baton names each of these (its own intent, so none of them starts an order question
and a request for proof) and answers with what the shop wrote here: what is possible, the link,
and whether a colleague can do it. The file is data a shop edits; this module checks it as a
whole and refuses what it does not understand, naming the entry.

Run ``python -m actions.services.shop_topics [file]`` to check a file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from actions.services.i18n import LANGUAGES, text
from actions.services.replies import Button, Reply
from bot import names

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "policy" / "shop_topics.yml"
MAX_ANSWER = 1200  # characters: a chat answer, not a help page
RESPONSE = "utter_shop_topic"
# handoff_reason the answer leaves for action_handoff when it offers a person
HANDOFF_REASON = "shop_topic"


class ShopTopicsError(ValueError):
    """The file cannot be used; the message names the entry."""


@dataclass(frozen=True)
class Topic:
    name: str
    answers: dict[str, str]  # language -> text
    link: Optional[str] = None
    offer_person: bool = False

    def answer(self, lang: str) -> str:
        return self.answers.get(lang) or self.answers["en"]


@dataclass(frozen=True)
class ShopTopics:
    topics: dict[str, Topic]

    def get(self, intent: Optional[str]) -> Optional[Topic]:
        return self.topics.get(intent or "")


def _fail(source: str, where: str, message: str) -> ShopTopicsError:
    return ShopTopicsError(f"{source}: {where}: {message}")


def _topic(source: str, name: str, raw: Any) -> Topic:
    where = f"topics.{name}"
    if not isinstance(raw, dict):
        raise _fail(source, where, "must be a mapping with an answer")
    unknown = set(raw) - {"answer", "link", "offer_person"}
    if unknown:
        raise _fail(source, where, f"unknown key {', '.join(sorted(unknown))}")
    answers = raw.get("answer")
    if not isinstance(answers, dict):
        raise _fail(source, f"{where}.answer", f"must give the text in {', '.join(LANGUAGES)}")
    extra = set(answers) - set(LANGUAGES)
    if extra:
        raise _fail(source, f"{where}.answer", f"unknown language {', '.join(sorted(extra))}")
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        value = answers.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise _fail(source, f"{where}.answer.{lang}", "missing (every language needs one)")
        if len(value) > MAX_ANSWER:
            raise _fail(source, f"{where}.answer.{lang}", f"longer than {MAX_ANSWER} characters")
        texts[lang] = " ".join(value.split())
    link = raw.get("link")
    if link is not None and (not isinstance(link, str) or not link.startswith("https://")):
        raise _fail(source, f"{where}.link", "must be an https:// address")
    offer = raw.get("offer_person", False)
    if not isinstance(offer, bool):
        raise _fail(source, f"{where}.offer_person", "must be true or false")
    return Topic(name, texts, link, offer)


def parse_topics(data: Any, source: str = "shop topics") -> ShopTopics:
    if not isinstance(data, dict):
        raise ShopTopicsError(f"{source}: must be a mapping with 'version' and 'topics'")
    if data.get("version") != 1:
        raise _fail(source, "version", "must be 1")
    unknown = set(data) - {"version", "topics"}
    if unknown:
        raise _fail(source, "(top level)", f"unknown key {', '.join(sorted(unknown))}")
    raw = data.get("topics")
    if not isinstance(raw, dict):
        raise _fail(source, "topics", "must be a mapping of topic -> answer")
    stray = set(raw) - set(names.SHOP_TOPICS)
    if stray:
        raise _fail(
            source,
            "topics",
            f"unknown topic {', '.join(sorted(stray))} "
            f"(Baton knows {', '.join(names.SHOP_TOPICS)})",
        )
    missing = [t for t in names.SHOP_TOPICS if t not in raw]
    if missing:
        raise _fail(source, "topics", f"no answer for {', '.join(missing)}")
    return ShopTopics({name: _topic(source, name, raw[name]) for name in names.SHOP_TOPICS})


def topics_path() -> Path:
    configured = os.environ.get("SHOP_TOPICS_FILE")
    if not configured:
        return DEFAULT_FILE
    path = Path(configured)
    return path if path.is_absolute() else ROOT / path


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> ShopTopics:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ShopTopicsError(f"{path}: cannot read the shop topics ({error})") from error
    except yaml.YAMLError as error:
        raise ShopTopicsError(f"{path}: not valid YAML ({error})") from error
    return parse_topics(data, str(path))


def load_topics(path: Optional[Path] = None) -> ShopTopics:
    """The topics in ``path`` (default: SHOP_TOPICS_FILE or policy/shop_topics.yml), read again
    when the file changes."""
    target = path or topics_path()
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as error:
        raise ShopTopicsError(f"{target}: cannot read the shop topics ({error})") from error
    return _load(target, mtime)


def replies(topic: Topic, lang: str) -> list[Reply]:
    """The answer, the link, and the offer of a person when the shop wants one."""
    answer = topic.answer(lang)
    if topic.link:
        answer += " " + text("more_at", lang, link=topic.link)
    buttons: tuple[Button, ...] = ()
    if topic.offer_person:
        buttons = (
            Button(text("btn_talk_to_person", lang), "/human_handoff"),
            Button(text("btn_no_thanks", lang), "/deny"),
        )
    return [Reply(RESPONSE, {"answer": answer}, buttons)]


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else topics_path()
    try:
        found = load_topics(path)
    except ShopTopicsError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    offered = [t.name for t in found.topics.values() if t.offer_person]
    print(f"✓ {path}: {len(found.topics)} topics, a person offered for {', '.join(offered)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
