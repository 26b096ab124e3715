"""Canned replies for agents, in each language customers write in.

They live in the ``canned_replies`` table (leads add, edit and archive them in the console;
``/api/canned-replies``); this module holds the rules: which placeholders a body may hold,
what a lead may save, how a body is filled for a case, and the built-in replies a fresh
install is seeded with.

The console offers the set for the ticket's language (the context packet's ``language``),
so an agent who answers a Korean customer picks a Korean reply and only edits the details.
The built-in English replies come from the service's settings
(``HandoffSettings.canned_replies``); the Korean and Chinese ones follow them reply for
reply, with the same ``{first_name}``, ``{agent}`` and ``{shop}`` placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from handoff.settings import DEFAULT_CANNED_REPLIES

LANGUAGES: Final = ("en", "ko", "zh")

TRANSLATED: Final[dict[str, tuple[str, ...]]] = {
    "ko": (
        "안녕하세요 {first_name} 고객님, {shop} 팀의 {agent}입니다. 챗봇과 나누신 대화를 모두 "
        "읽었으니 같은 내용을 다시 말씀하지 않으셔도 됩니다. 잠시만 확인해 보겠습니다.",
        "기다려 주셔서 감사합니다. 지금 물류 창고와 택배사에 확인하고 있습니다.",
        "불편을 드려 죄송합니다. 교환 상품을 무상으로 보내 드리도록 처리했으며, 곧 확인 이메일을 "
        "받으실 수 있습니다.",
        "원래 결제 수단으로 전액 환불해 드렸습니다. 은행에 따라 반영까지 영업일 기준 3~5일 정도 "
        "걸립니다.",
        "오늘 더 도와드릴 일이 있을까요?",
    ),
    "zh": (
        "{first_name}您好，我是{shop}团队的{agent}。我已经看过您和智能助手的对话，您不需要再重复说明。"
        "请稍等，我马上为您查看。",
        "感谢您的耐心等待。我正在和仓库及快递公司核实情况。",
        "非常抱歉给您带来不便。我已为您安排免费补发，您很快会收到确认邮件。",
        "我已将全部款项退回您的原支付方式。银行通常需要3到5个工作日到账。",
        "今天还有其他可以帮您的吗？",
    ),
}


def by_language(english: tuple[str, ...]) -> dict[str, list[str]]:
    """Every language's set. A shop that changed the English replies (more or fewer than the
    defaults) keeps its own wording in every language rather than a mismatched translation."""
    sets = {"en": list(english)}
    for lang, replies in TRANSLATED.items():
        sets[lang] = list(replies) if tuple(english) == DEFAULT_CANNED_REPLIES else list(english)
    return sets


# --- canned replies as data (the canned_replies table) -----------------------------------

#: What a body may hold; the console fills each in (handoff/console/canned.js, ``fill``):
#: the customer's first name, the agent's display name, the shop's name, and the order the
#: case is about (the context packet's ``bot_knows.order_number``, else its first order).
PLACEHOLDERS: Final = ("first_name", "agent", "shop", "order_number")
MAX_TITLE: Final = 80
MAX_BODY: Final = 2000

#: The built-in replies' titles (the shortcut agents type), in DEFAULT_CANNED_REPLIES' order.
SEED_TITLES: Final = ("greeting", "checking", "replacement", "refund", "anything-else")

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class CannedReplyInvalid(ValueError):
    """A canned reply a lead may not save, with the reason to show them."""


def unknown_placeholders(body: str) -> list[str]:
    """Every ``{name}`` in ``body`` that is not a placeholder the console fills, in order."""
    found = [m.group(1) for m in _PLACEHOLDER.finditer(body)]
    return list(dict.fromkeys(name for name in found if name not in PLACEHOLDERS))


def validate(language: object, title: object, body: object) -> tuple[str, str, str]:
    """The reply's language, title and body, cleaned; :class:`CannedReplyInvalid` says why
    not (empty, too long, a language the console has no set for, a misspelt placeholder)."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise CannedReplyInvalid(f"language is one of {', '.join(LANGUAGES)}")
    if not isinstance(title, str) or not title.strip():
        raise CannedReplyInvalid("give the reply a title (the shortcut agents type)")
    if not isinstance(body, str) or not body.strip():
        raise CannedReplyInvalid("the reply's text is empty")
    title, body = title.strip(), body.strip()
    if len(title) > MAX_TITLE:
        raise CannedReplyInvalid(f"the title is longer than {MAX_TITLE} characters")
    if len(body) > MAX_BODY:
        raise CannedReplyInvalid(
            f"the reply is {len(body)} characters; keep it to {MAX_BODY} at most"
        )
    unknown = unknown_placeholders(body)
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise CannedReplyInvalid(
            f"unknown placeholder {{{unknown[0]}}}; the console fills in {known}"
        )
    return language, title, body


def case_values(context: Mapping[str, Any], agent_name: str, shop: str) -> dict[str, str]:
    """The placeholders' values for one case, as the console works them out from the ticket's
    context packet (a missing first name is "there" in English and nothing elsewhere)."""
    language = (context.get("language") or {}).get("code") or "en"
    customer = context.get("customer") or {}
    first = customer.get("first_name") or ("there" if language == "en" else "")
    return {
        "first_name": first,
        "agent": agent_name,
        "shop": shop,
        "order_number": order_number(context),
    }


def order_number(context: Mapping[str, Any]) -> str:
    """The order the case is about: what the bot was asking about, else the first order."""
    known = (context.get("bot_knows") or {}).get("order_number")
    if isinstance(known, str) and known:
        return known
    for order in context.get("orders") or []:
        if isinstance(order, Mapping) and order.get("number"):
            return str(order["number"])
    return ""


def fill(body: str, values: Mapping[str, str]) -> str:
    """``body`` with its placeholders filled in; runs of spaces an empty value leaves are
    closed up ("Hi , ..." never; "안녕하세요  고객님" becomes one space)."""
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
    return re.sub(r" {2,}", " ", filled)


def seed_rows(english: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows a fresh install starts with: today's built-in replies in every language."""
    rows = []
    for language, bodies in by_language(english).items():
        for index, body in enumerate(bodies):
            title = SEED_TITLES[index] if index < len(SEED_TITLES) else f"reply-{index + 1}"
            rows.append(
                {
                    "language": language,
                    "title": title,
                    "body": body,
                    "seed_key": f"{language}-{index + 1}",
                }
            )
    return rows
