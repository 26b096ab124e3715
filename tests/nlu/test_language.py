"""The customer's language: the `language` entity the NLU adds to each message."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.language import detect, requested_language
from bot.nlu.scripts import language_by_script


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where is my order", "en"),
        ("제 주문 어디쯤 왔나요?", "ko"),
        ("我的订单到哪了", "zh"),
        ("我的訂單到哪裡了", "zh"),
        ("我的order在哪里", "zh"),  # one borrowed word does not flip the language
        ("I bought a 福 cushion", "en"),
        ("10001", None),
        ("👍", None),
    ],
)
def test_the_script_decides(text: str, language: str | None) -> None:
    assert language_by_script(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("speak Korean", "ko"),
        ("한국어로 해주세요", "ko"),
        ("请说英文", "en"),
        ("请说中文", "zh"),
        ("中文不行，说英文", "en"),
        ("중국어 말고 영어로 해주세요", "en"),
        ("not chinese, english please", "en"),
    ],
)
def test_a_request_names_the_language_asked_for(text: str, language: str) -> None:
    asked = requested_language(text)
    assert asked is not None and asked[0] == language


def test_an_order_number_or_email_alone_keeps_the_language_in_use() -> None:
    assert detect("BT-10001", "inform", [{"start": 3, "end": 8}]) is None
    assert detect("jane.doe@example.com", "inform", [{"start": 0, "end": 20}]) is None
    assert detect("ok", "affirm", []) is None
    found = detect("주문번호 10001", "inform", [{"start": 5, "end": 10}])
    assert found is not None and found["value"] == "ko"


# --- through the trained model -------------------------------------------------------------


def entities(parsed: dict[str, Any]) -> dict[str, str]:
    return {e["entity"]: str(e["value"]) for e in parsed["entities"]}


@pytest.mark.parametrize(
    ("text", "intent", "found"),
    [
        ("where's 10001??", "order_status", {"order_number": "10001", "language": "en"}),
        ("订单10001在哪里", "order_status", {"order_number": "10001", "language": "zh"}),
        (
            "10001번 주문 배송 조회해 주세요",
            "order_status",
            {"order_number": "10001", "language": "ko"},
        ),
        (
            "메일은 jane.doe@example.com입니다",
            "inform",
            {"email": "jane.doe@example.com", "language": "ko"},
        ),
        ("邮编是SW1A 1AA", "inform", {"postal_code": "SW1A 1AA", "language": "zh"}),
        ("10001", "inform", {"order_number": "10001"}),
        ("请说英文", "change_language", {"language": "en"}),
        ("can you speak Korean", "change_language", {"language": "ko"}),
        ("한국어로 해주세요", "change_language", {"language": "ko"}),
    ],
)
def test_the_model_understands_and_tags_every_language(
    parse: Any, text: str, intent: str, found: dict[str, str]
) -> None:
    parsed = parse(text)
    assert parsed["intent"]["name"] == intent
    assert entities(parsed) == found
