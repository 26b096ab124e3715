"""The figures as one long table (``metric, breakdown, key, value``), for CSV and spreadsheets.

Long rather than wide so a spreadsheet pivot — or a BI tool — can slice it any way, and so
adding a figure adds rows, never columns that break someone's formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

COLUMNS = ("metric", "breakdown", "key", "value")
Row = tuple[str, str, str, Any]


def _value(value: Any) -> Any:
    return "" if value is None else value


def rows(m: dict[str, Any]) -> Iterator[Row]:
    r = m["range"]
    for key in ("from", "to", "channel", "language", "granularity"):
        yield ("range", "", key, _value(r[key]) or "all")
    yield ("conversations", "", "", m["conversations"])
    yield ("customer_messages", "", "", m["messages"])
    yield ("contained", "", "", m["containment"]["contained"])
    yield ("containment_rate", "", "", _value(m["containment"]["rate"]))
    for row in m["containment"]["by_intent"]:
        yield ("containment_rate", "intent", row["intent"], _value(row["containment_rate"]))
        yield ("conversations", "intent", row["intent"], row["conversations"])
    h = m["handoff"]
    yield ("handoffs", "", "", h["conversations"])
    yield ("handoff_rate", "", "", _value(h["rate"]))
    yield ("tickets", "", "", h["tickets"])
    for row in h["reasons"]:
        yield ("tickets", "reason", row["code"], row["count"])
    for name, stats in m["waiting"].items():
        for key in ("count", "median_seconds", "p90_seconds", "mean_seconds"):
            yield (f"{name}_{key}", "", "", _value(stats[key]))
    c = m["csat"]
    for key in ("closed", "rated", "response_rate", "csat", "average"):
        yield (f"csat_{key}", "", "", _value(c[key]))
    for rating, count in c["distribution"].items():
        yield ("csat_ratings", "rating", rating, count)
    for cut, field in (("by_channel", "channel"), ("by_agent", "agent")):
        for row in c[cut]:
            for key in ("closed", "rated", "response_rate", "csat", "average"):
                yield (f"csat_{key}", field, row[field], _value(row[key]))
    f = m["fallback"]
    yield ("fallback_messages", "", "", f["messages"])
    yield ("fallback_rate", "", "", _value(f["rate"]))
    yield ("conversations_with_fallback", "", "", f["conversations"])
    na = m["not_automated"]
    yield ("asked_not_automated", "", "", na["conversations"])
    for row in na["topics"]:
        yield ("asked_not_automated", "topic", row["topic"], row["conversations"])
        yield ("asked_not_automated_to_a_person", "topic", row["topic"], row["to_a_person"])
    yield ("returns_opened", "", "", m["returns"]["opened"])
    for cut, field in (("by_reason", "reason"), ("by_method", "method")):
        for row in m["returns"][cut]:
            yield ("returns_opened", field, row["value"], row["count"])
    yield from _flow_rows(m["flows"])
    for cut, field in (("channels", "channel"), ("languages", "language")):
        for row in m[cut]:
            for key in (
                "conversations",
                "containment_rate",
                "handoff_rate",
                "fallback_rate",
                "csat",
            ):
                yield (key, field, row[field], _value(row[key]))
    for row in m["series"]:
        for key in ("conversations", "containment_rate", "handoffs", "csat"):
            yield (key, r["granularity"], row["period"], _value(row[key]))


FLOW_KEYS = ("started", "done", "refused", "handoff", "stopped", "containment_rate")


def _flow_rows(flows: dict[str, Any]) -> Iterator[Row]:
    """``flow_started, flow, cancel, 12``…; split by channel and language as
    ``flow_started, channel:webchat, cancel, 7``; money as ``flow_money, flow:GBP, cancel, …``."""
    for field, rows_of in (("", "flows"), ("channel", "by_channel"), ("language", "by_language")):
        for row in flows[rows_of]:
            where = f"{field}:{row[field]}" if field else "flow"
            for key in FLOW_KEYS:
                yield (f"flow_{key}", where, row["flow"], _value(row[key]))
            for money in row["money"]:
                yield ("flow_money", f"{where}:{money['currency']}", row["flow"], money["amount"])


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (an agent named "=HYPERLINK(…)") is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(m: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(tuple(_cell(v) for v in row) for row in rows(m))
    return out.getvalue()
