"""Rendering follows the language the bot answered in: the words WhatsApp and Slack add
around a Korean or Chinese answer are Korean or Chinese, and numbered answers typed the way
Korean and Chinese customers type them are understood."""

from __future__ import annotations

import pytest

from connectors.render import (
    Option,
    chosen_blocks,
    language_of,
    pick_option,
    render_slack,
    render_whatsapp,
)

REASONS_KO = [
    {"title": "파손 또는 불량", "payload": '/inform{"return_choice":"reason:damaged"}'},
    {"title": "단순 변심", "payload": '/inform{"return_choice":"reason:changed_mind"}'},
]
OPTIONS = [Option(b["title"], b["payload"]) for b in REASONS_KO]


def test_the_language_of_a_turn_is_read_from_its_script() -> None:
    assert language_of(["주문 10001은 배송 중입니다."]) == "ko"
    assert language_of(["您的订单10001正在运输中。"]) == "zh"
    assert language_of(["Order 10001 is on its way."]) == "en"
    assert language_of(["10001"]) == "en"


def test_a_korean_question_on_whatsapp_asks_for_the_number_in_korean() -> None:
    turn = render_whatsapp([{"text": "반품 사유를 알려 주세요.", "buttons": REASONS_KO}])
    body = turn.messages[0].body
    assert "1. 파손 또는 불량\n2. 단순 변심" in body
    assert body.endswith("번호(1–2)나 원하시는 말로 답해 주세요.")
    assert "Reply with a number" not in body


def test_a_chinese_question_on_whatsapp_asks_for_the_number_in_chinese() -> None:
    buttons = [{"title": "取消", "payload": "/deny"}, {"title": "确认", "payload": "/affirm"}]
    body = render_whatsapp([{"text": "要创建退货吗？", "buttons": buttons}]).messages[0].body
    assert body.endswith("请回复编号（1–2），或直接用文字回复。")


@pytest.mark.parametrize("answer", ["2", "2번", "第2个", "2号"])
def test_numbered_answers_in_korean_and_chinese_style_pick_the_option(answer: str) -> None:
    assert pick_option(answer, OPTIONS) == OPTIONS[1]


def test_a_title_typed_in_korean_picks_its_option() -> None:
    assert pick_option("단순 변심", OPTIONS) == OPTIONS[1]


def test_slack_confirms_a_click_in_the_language_of_the_button() -> None:
    [post] = render_slack([{"text": "반품 사유를 알려 주세요.", "buttons": REASONS_KO}])
    after = chosen_blocks(post.blocks, "단순 변심")
    assert after[-1]["elements"][0]["text"] == "선택하신 항목: *단순 변심*"
    english = chosen_blocks(post.blocks, "Changed my mind")
    assert english[-1]["elements"][0]["text"] == "You chose: *Changed my mind*"
