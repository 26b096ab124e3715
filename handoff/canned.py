"""Canned replies for agents, in each language customers write in.

The console offers the set for the ticket's language (the context packet's ``language``),
so an agent who answers a Korean customer picks a Korean reply and only edits the details.
English comes from the service's settings (``HandoffSettings.canned_replies``); Korean and
Chinese follow it reply for reply, with the same ``{first_name}``, ``{agent}`` and
``{shop}`` placeholders the console fills in.
"""

from __future__ import annotations

from typing import Final

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
