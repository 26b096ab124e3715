"""A customer who writes traditional Chinese is answered in traditional characters."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.chinese_script import ScriptMatchingNLG, is_traditional

DOMAIN = Domain.from_dict(
    {
        "slots": {
            "language": {
                "type": "categorical",
                "values": ["en", "ko", "zh"],
                "initial_value": "en",
                "influence_conversation": False,
                "mappings": [{"type": "custom"}],
            }
        },
        "responses": {
            "utter_ask_return_reason": [
                {"text": "Why are you sending it back?"},
                {
                    "condition": [{"type": "slot", "name": "language", "value": "zh"}],
                    "text": "请问退货原因是什么？订单{order_number}",
                    "buttons": [{"title": "尺寸不合适", "payload": "/inform"}],
                },
            ]
        },
    }
)


def tracker(language: str, *said: str) -> DialogueStateTracker:
    events: list[Any] = [SlotSet("language", language)]
    events += [UserUttered(text) for text in said]
    return DialogueStateTracker.from_events("c", events, slots=DOMAIN.slots)


async def generate(t: DialogueStateTracker, **kwargs: Any) -> dict[str, Any]:
    response = await ScriptMatchingNLG(domain=DOMAIN).generate(
        "utter_ask_return_reason", t, "socketio", **kwargs
    )
    assert response is not None
    return response


async def test_a_customer_writing_traditional_gets_traditional_text_and_buttons() -> None:
    from_action = [{"title": "到门店退货", "payload": "/x"}]
    response = await generate(
        tracker("zh", "我想退貨", "jane.doe@example.com"), order_number="10014", buttons=from_action
    )
    assert response["text"] == "請問退貨原因是什麼？訂單10014"
    assert response["buttons"][0]["title"] == "尺寸不合適"
    assert response["buttons"][0]["payload"] == "/inform"
    assert from_action[0]["title"] == "到門店退貨"  # an action's buttons too


async def test_a_customer_writing_simplified_gets_simplified() -> None:
    response = await generate(tracker("zh", "我想退货"), order_number="10014")
    assert response["text"] == "请问退货原因是什么？订单10014"


async def test_the_latest_chinese_message_decides() -> None:
    response = await generate(tracker("zh", "我想退貨", "算了，我想退货"), order_number="1")
    assert response["text"].startswith("请问退货")


async def test_other_languages_pass_through() -> None:
    response = await generate(tracker("en", "我想退貨"), order_number="1")
    assert response["text"] == "Why are you sending it back?"


def test_traditional_is_told_from_simplified() -> None:
    assert is_traditional("請說中文") and not is_traditional("请说中文")
    assert not is_traditional("10014") and not is_traditional("주문")
