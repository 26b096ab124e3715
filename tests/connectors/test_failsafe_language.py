"""When the action server is down, the handoff the Rasa server opens still names the
customer's language, so the agent answers in it."""

from __future__ import annotations

from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.failsafe import minimal_packet
from contracts.packet import Language
from tests.connectors.test_chinese_script import DOMAIN


def test_the_failsafe_packet_carries_the_customers_language() -> None:
    tracker = DialogueStateTracker.from_events(
        "c", [UserUttered("주문 10001 어디예요?"), SlotSet("language", "ko")], slots=DOMAIN.slots
    )
    packet = minimal_packet(tracker, "action_failed")
    assert packet.language == Language(code="ko", name="한국어 (Korean)")
    assert packet.to_dict()["language"] == {"code": "ko", "name": "한국어 (Korean)"}
