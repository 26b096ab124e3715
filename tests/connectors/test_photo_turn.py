"""A photo with no words is kept in the transcript without a dialogue turn — unless the problem
form is asking for exactly that photo: then it is the answer, and the connector sends it as a
turn (connectors/conversations.py, ``waits_for_photo``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, Optional

from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from connectors import conversations
from connectors.attachments import PHOTO_ACK, PHOTO_TEXT

METADATA = {"channel": "webchat", "attachments": [{"kind": "image", "path": "uploads/c/x.png"}]}


class Agent:
    """Enough of Rasa's agent: a lock, a tracker to fetch, a store to save in."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.tracker = tracker
        self.saved: list[DialogueStateTracker] = []

        async def fetch(*_: Any) -> DialogueStateTracker:
            return self.tracker

        async def save(tracker: DialogueStateTracker) -> None:
            self.saved.append(tracker)

        @contextlib.asynccontextmanager
        async def lock(_: str) -> AsyncIterator[None]:
            yield

        self.processor = SimpleNamespace(fetch_tracker_and_update_session=fetch)
        self.tracker_store = SimpleNamespace(save=save)
        self.lock_store = SimpleNamespace(lock=lock)


def tracker_in(form: Optional[str], requested: Optional[str]) -> DialogueStateTracker:
    # Rasa adds requested_slot to every domain with forms
    tracker = DialogueStateTracker("conv-photo", slots=[TextSlot("requested_slot", mappings=[])])
    if form:
        tracker.update(ActiveLoop(form))
        tracker.update(SlotSet("requested_slot", requested))
    return tracker


async def record(tracker: DialogueStateTracker) -> tuple[bool, Agent]:
    agent = Agent(tracker)
    app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))
    kept = await conversations.record_without_reply(
        app,  # type: ignore[arg-type]
        "conv-photo",
        PHOTO_TEXT,
        METADATA,
        PHOTO_ACK,
        None,  # type: ignore[arg-type]
    )
    return kept, agent


async def test_a_photo_out_of_the_blue_is_kept_without_a_turn() -> None:
    kept, agent = await record(tracker_in(None, None))
    assert kept is True and len(agent.saved) == 1


async def test_the_photo_the_problem_form_asks_for_is_a_turn() -> None:
    kept, agent = await record(tracker_in("problem_form", "problem_photo"))
    assert kept is False and agent.saved == []


async def test_a_photo_while_the_problem_form_asks_something_else_is_kept_without_a_turn() -> None:
    kept, _ = await record(tracker_in("problem_form", "problem_kind"))
    assert kept is True
