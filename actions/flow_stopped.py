"""The customer stopped (or left) in the middle of a self-service flow.

The rules end every way out of a cancellation, an address change or a problem report — "no"
to the question being asked, or a goodbye — in one of these actions rather than in a bare
response, so the flow's outcome (``stopped``, asked or left) reaches the analytics however
the customer got out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services.outcomes import Flow, outcome_event
from bot import names


class FlowStopped(Action, ABC):
    """Say OK (or goodbye) and record the ``flow`` as stopped (abstract, so rasa-sdk does not
    register it as an action of its own)."""

    flow: Flow

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        leaving = (tracker.latest_message or {}).get("intent", {}).get("name") == names.GOODBYE
        dispatcher.utter_message(response="utter_goodbye" if leaving else "utter_ok_stopped")
        return [outcome_event(self.flow, "stopped", detail="left" if leaving else "asked")]


class ActionCancelStopped(FlowStopped):
    """A cancellation stopped before anything was cancelled."""

    flow: Flow = "cancel"

    def name(self) -> str:
        return names.ACTION_CANCEL_STOPPED


class ActionAddressStopped(FlowStopped):
    """An address change stopped before the address was changed."""

    flow: Flow = "address"

    def name(self) -> str:
        return names.ACTION_ADDRESS_STOPPED


class ActionProblemStopped(FlowStopped):
    """A delivery problem report stopped before a claim was opened."""

    flow: Flow = "claim"

    def name(self) -> str:
        return names.ACTION_PROBLEM_STOPPED
