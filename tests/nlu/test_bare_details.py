"""A message that is only an order detail is inform; anything more is left to the classifier."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.bare_details import only_details


def entity(kind: str, text: str, value: str) -> dict[str, Any]:
    start = text.index(value)
    return {"entity": kind, "start": start, "end": start + len(value), "value": value}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("57390", "order_number", "57390"),
        ("#30877", "order_number", "30877"),
        ("BT-74401", "order_number", "74401"),
        ("no. 10006", "order_number", "10006"),
        ("27716번", "order_number", "27716"),
        ("37711号", "order_number", "37711"),
        ("jane.doe@example.com", "email", "jane.doe@example.com"),
        ("SW1A 1AA", "postal_code", "SW1A 1AA"),
        ("RMA-48213!", "rma_number", "48213"),
    ],
)
def test_a_bare_detail_is_an_answer_not_a_new_question(text: str, kind: str, value: str) -> None:
    assert only_details(text, [entity(kind, text, value)]) is True


def test_words_around_the_detail_leave_it_to_the_classifier() -> None:
    text = "where is 57390"
    assert only_details(text, [entity("order_number", text, "57390")]) is False
    text = "배송 조회 57390"
    assert only_details(text, [entity("order_number", text, "57390")]) is False
    text = "订单号 37711"
    assert only_details(text, [entity("order_number", text, "37711")]) is False


def test_a_rating_or_no_entity_at_all_is_not_an_order_detail() -> None:
    assert only_details("4", [entity("rating", "4", "4")]) is False
    assert only_details("!!!", []) is False
