"""Figures of the self-service flows: cancel an order, change its address, report a delivery
problem ("claim").

From each conversation's flows started (the flow's form was activated) and the outcomes its
last action recorded (``flow_outcome``, :mod:`actions.services.outcomes`):

* **started**: form activations; a customer who starts the same flow twice counts twice;
* **outcomes**: done (the bot settled it), refused (the shop's policy said no and the customer
  was told why), handoff (a person took it over), stopped (the customer stopped before the
  end); a flow still running when the figures are computed has none yet;
* **containment**: (done + refused) / started — the flows the bot saw through without a
  person, a refusal included, since the customer got a final answer;
* **money**: the amounts the outcomes carried (a cancellation's refund), summed per currency,
  never across currencies.

The cut (dates, channel, language) is applied to the conversations before; ``by_channel`` and
``by_language`` split each flow further, as the other figures are split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from analytics.events_index import FLOW_FORMS
from analytics.facts import ConversationFacts
from analytics.reader import OUTCOMES

FLOWS = tuple(dict.fromkeys(FLOW_FORMS.values()))  # cancel, address, claim
ORDERED_OUTCOMES = ("done", "refused", "handoff", "stopped")
assert set(ORDERED_OUTCOMES) == OUTCOMES


class _Tally:
    __slots__ = ("money", "outcomes", "started")

    def __init__(self) -> None:
        self.started = 0
        self.outcomes: dict[str, int] = dict.fromkeys(ORDERED_OUTCOMES, 0)
        self.money: dict[str, Decimal] = defaultdict(Decimal)

    def row(self) -> dict[str, Any]:
        settled = self.outcomes["done"] + self.outcomes["refused"]
        return {
            "started": self.started,
            **self.outcomes,
            "containment_rate": round(settled / self.started, 4) if self.started else None,
            "money": [
                {"currency": currency, "amount": str(amount)}
                for currency, amount in sorted(self.money.items())
            ],
        }


def _count(tallies: Sequence[dict[str, _Tally]], c: ConversationFacts) -> None:
    for flow in c.flows:
        for tallies_of in tallies:
            tallies_of[flow].started += 1
    for flow, outcome, amount, currency in c.outcomes:
        for tallies_of in tallies:
            tally = tallies_of[flow]
            tally.outcomes[outcome] += 1
            if amount and currency:
                tally.money[currency] += Decimal(amount)


def flow_figures(conversations: Iterable[ConversationFacts]) -> dict[str, Any]:
    """``{"flows": [one row per flow], "by_channel": [...], "by_language": [...]}``; every
    flow has a row, with zeros when it never started."""
    total: dict[str, _Tally] = defaultdict(_Tally)
    by_channel: dict[str, dict[str, _Tally]] = defaultdict(lambda: defaultdict(_Tally))
    by_language: dict[str, dict[str, _Tally]] = defaultdict(lambda: defaultdict(_Tally))
    for c in conversations:
        if c.flows or c.outcomes:
            _count((total, by_channel[c.channel], by_language[c.language]), c)
    return {
        "flows": [{"flow": flow, **total[flow].row()} for flow in FLOWS],
        "by_channel": _split(by_channel, "channel"),
        "by_language": _split(by_language, "language"),
    }


def _split(groups: dict[str, dict[str, _Tally]], field: str) -> list[dict[str, Any]]:
    return [
        {field: key, "flow": flow, **tally.row()}
        for key, flows in sorted(groups.items())
        for flow, tally in sorted(flows.items(), key=lambda kv: FLOWS.index(kv[0]))
    ]
