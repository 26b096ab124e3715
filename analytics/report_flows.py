"""The self-service flows' table in the report (``analytics.flows``'s figures as cells)."""

from __future__ import annotations

from typing import Any

from analytics.report_format import num, pct

FLOW_NAMES = {
    "cancel": "Cancel an order",
    "address": "Change the address",
    "claim": "Delivery problem",
}
HEAD = [
    "Flow",
    "Started",
    "Done",
    "Refused",
    "To a person",
    "Stopped",
    "Settled by the bot",
    "Money",
]


def money(row: dict[str, Any]) -> str:
    """``"GBP 120.00 · EUR 35.00"``, or "—" when nothing was refunded or paid."""
    return " · ".join(f"{m['currency']} {m['amount']}" for m in row["money"]) or "—"


def flow_rows(m: dict[str, Any]) -> list[list[str]]:
    return [
        [
            FLOW_NAMES.get(x["flow"], x["flow"]),
            num(x["started"]),
            num(x["done"]),
            num(x["refused"]),
            num(x["handoff"]),
            num(x["stopped"]),
            pct(x["containment_rate"]),
            money(x),
        ]
        for x in m["flows"]["flows"]
    ]
