"""What a self-service flow ended with, as an event the analytics can count.

Each flow (cancel an order, change the address, report a delivery problem) ends in its last
action with :func:`outcome_event`: one ``flow_outcome`` slot event in the conversation's
tracker, which every replica and the analytics reader already share. It carries no personal
data — the flow, how it ended, and the money involved (a refund, a replacement's value) — so
"how many cancellations did the bot settle, and for how much" needs no order data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, Optional

from rasa_sdk.events import SlotSet

from bot import names

Flow = Literal["cancel", "address", "claim"]
#: done: the bot settled it; refused: the shop's policy said no and the customer was told why
#: (and offered what is possible); handoff: a person took it over; stopped: the customer
#: stopped before the end.
Outcome = Literal["done", "refused", "handoff", "stopped"]
FLOWS: tuple[str, ...] = ("cancel", "address", "claim")
OUTCOMES: tuple[str, ...] = ("done", "refused", "handoff", "stopped")
SLOT = names.SLOT_FLOW_OUTCOME


def outcome_value(
    flow: Flow,
    outcome: Outcome,
    amount: Optional[Decimal] = None,
    currency: Optional[str] = None,
    detail: str = "",
) -> dict[str, Any]:
    """The slot's value: plain JSON (amounts as strings, never floats)."""
    if flow not in FLOWS or outcome not in OUTCOMES:
        raise ValueError(f"unknown flow outcome {flow}/{outcome}")
    value: dict[str, Any] = {"flow": flow, "outcome": outcome}
    if amount is not None:
        value["amount"] = str(amount)
        value["currency"] = currency or ""
    if detail:
        value["detail"] = detail
    return value


def outcome_event(
    flow: Flow,
    outcome: Outcome,
    amount: Optional[Decimal] = None,
    currency: Optional[str] = None,
    detail: str = "",
) -> dict[str, Any]:
    """The event a flow's last action returns with its other events."""
    return SlotSet(SLOT, outcome_value(flow, outcome, amount, currency, detail))
