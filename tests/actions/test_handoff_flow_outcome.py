"""A self-service flow a person takes over mid-way ends as ``handoff`` in the analytics; a
handoff outside any flow records no flow outcome. The real action, the handoff service
replaced by a stand-in that opens ticket 7."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from bot import names
from tests.support.trackers import slot_events, tracker


class _Service:
    async def open_ticket(self, packet: Any) -> dict[str, Any]:
        return {"ticket_id": 7, "position": 1}


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    async def packet(tracker: Any, reason: Any) -> Any:
        return SimpleNamespace(reason=SimpleNamespace(code="customer_asked"))

    monkeypatch.setattr(handoff, "build_context_packet", packet)
    monkeypatch.setattr(handoff, "get_client", lambda: _Service())
    monkeypatch.setattr(handoff, "waiting_reply", lambda ticket, lang: handoff.UNAVAILABLE)


async def test_a_person_taking_over_a_cancellation_is_its_handoff_outcome(service: None) -> None:
    events = await handoff.ActionHandoff().run(
        CollectingDispatcher(), tracker(intent="human_handoff", form=names.FORM_CANCEL), {}
    )
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME] == {
        "flow": "cancel",
        "outcome": "handoff",
        "detail": "asked",
    }
    assert slot_events(events)[names.SLOT_HANDOFF_TICKET] == "7"


async def test_a_handoff_outside_a_flow_records_no_flow_outcome(service: None) -> None:
    events = await handoff.ActionHandoff().run(
        CollectingDispatcher(), tracker(intent="human_handoff", form=names.FORM_ORDER_STATUS), {}
    )
    assert names.SLOT_FLOW_OUTCOME not in slot_events(events)
