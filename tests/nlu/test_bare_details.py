"""A message that is only an order detail is inform; anything more is left to the classifier."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.bare_details import BareDetailsClassifier, only_details


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


def parsed(text: str, entities: list[dict[str, Any]], **ranking: float) -> Message:
    ordered = sorted(ranking.items(), key=lambda item: -item[1])
    message = Message(
        data={
            "text": text,
            "entities": entities,
            "intent": {"name": ordered[0][0], "confidence": ordered[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ordered],
        }
    )
    return BareDetailsClassifier().process([message])[0]


def test_a_question_with_its_proof_attached_is_the_question() -> None:
    text = "주문번호 10006 어디쯤 왔나요? 우편번호는 EH1 1YZ 입니다"
    details = [entity("order_number", text, "10006"), entity("postal_code", text, "EH1 1YZ")]
    message = parsed(text, details, inform=0.53, order_status=0.41, change_address=0.04)

    assert message.get("intent") == {"name": "order_status", "confidence": pytest.approx(0.94)}
    # ranked first with a margin, so the FallbackClassifier does not call it ambiguous
    ranking = message.get("intent_ranking")
    assert ranking[0]["confidence"] > ranking[1]["confidence"]
    assert [r["name"] for r in message.get("intent_ranking")] == [
        "order_status",
        "inform",
        "change_address",
    ]
    assert message.get("intent_ranking")[0]["baton"] == "request_with_details"


def test_a_plain_statement_of_a_detail_stays_inform() -> None:
    text = "my postcode is SW1A 1AA"
    message = parsed(
        text, [entity("postal_code", text, "SW1A 1AA")], inform=0.96, order_status=0.02
    )
    assert message.get("intent")["name"] == "inform"


def test_without_a_detail_or_with_a_non_order_runner_up_the_classifier_decides() -> None:
    text = "thanks, that is all"
    assert parsed(text, [], inform=0.5, order_status=0.45).get("intent")["name"] == "inform"
    text = "10006 and can I pay with Klarna"
    message = parsed(text, [entity("order_number", text, "10006")], inform=0.5, payment=0.45)
    assert message.get("intent")["name"] == "inform"


def test_a_bare_detail_is_still_inform_whatever_came_second() -> None:
    text = "SW1A 1AA"
    message = parsed(text, [entity("postal_code", text, text)], order_status=0.6, inform=0.4)
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
