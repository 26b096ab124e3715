"""Korean and Chinese answers typed in the returns flow become the same values as buttons."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.services.returns import assess_order
from actions.services.returns_parsing import (
    is_cancel,
    parse_confirmation,
    parse_items,
    parse_method,
    parse_reason,
    parse_refund_method,
)
from tests.actions.returns_fixtures import (
    BULBS,
    CANDLE,
    LONDON,
    TEE,
    all_delivered,
    delivered_order,
    policy,
)

NOW = datetime(2026, 11, 22, 10, 0)
ORDER = delivered_order(CANDLE, TEE, BULBS, delivered_at=datetime(2026, 11, 20, 12, 0))
RETURNABLE = assess_order(ORDER, all_delivered(ORDER), {}, policy(), NOW, LONDON).returnable


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("상자가 찌그러지고 파손됐어요", "damaged"),
        ("사이즈가 안 맞아요", "doesnt_fit"),
        ("다른 상품이 왔어요", "wrong_item"),
        ("단순 변심이에요", "changed_mind"),
        ("收到的时候已经坏了", "damaged"),
        ("尺码太小了", "doesnt_fit"),
        ("你们发错了颜色", "wrong_item"),
        ("不想要了", "changed_mind"),
        ("收到時已經損壞", "damaged"),  # traditional
    ],
)
def test_reasons_typed_in_korean_or_chinese(text: str, code: str) -> None:
    parsed = parse_reason(text)
    assert parsed is not None and parsed[0] == code
    assert parsed[1] == text  # the customer's own words are kept for the team


def test_a_korean_reason_without_a_button_is_kept_as_other() -> None:
    assert parse_reason("선물 받은 사람이 이미 갖고 있대요") == (
        "other",
        "선물 받은 사람이 이미 갖고 있대요",
    )


@pytest.mark.parametrize(
    ("text", "method"),
    [("매장에 직접 가져갈게요", "drop_off"), ("택배로 보낼게요", "carrier"),
     ("我去门店退", "drop_off"), ("寄回去吧", "carrier"), ("郵寄", "carrier")],
)  # fmt: skip
def test_return_methods_in_korean_and_chinese(text: str, method: str) -> None:
    assert parse_method(text) == method


@pytest.mark.parametrize(
    ("text", "method"),
    [("적립금으로 주세요", "store_credit"), ("카드로 환불해 주세요", "original_payment"),
     ("退到积分", "store_credit"), ("原路退回", "original_payment")],
)  # fmt: skip
def test_refund_methods_in_korean_and_chinese(text: str, method: str) -> None:
    assert parse_refund_method(text) == method


@pytest.mark.parametrize(
    "text", ["취소", "반품 취소할게요", "그만할래요", "取消", "算了", "不退了"]
)
def test_cancel_in_korean_and_chinese(text: str) -> None:
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["취소하면 환불은 언제 되나요?", "取消以后多久退款？"])
def test_a_question_about_cancelling_does_not_cancel(text: str) -> None:
    assert not is_cancel(text)


def test_all_items_in_korean_and_chinese() -> None:
    everything = {11: 2, 12: 1, 13: 1}
    assert parse_items("전부 반품할게요", RETURNABLE) == everything
    assert parse_items("全部", RETURNABLE) == everything


@pytest.mark.parametrize("text", ["네", "네 좋아요", "是的", "好的", "確認"])
def test_yes_in_korean_and_chinese_confirms(text: str) -> None:
    assert parse_confirmation(text) == (True, None)


def test_a_hesitation_is_not_a_yes() -> None:
    assert parse_confirmation("好像不对") == (None, None)
