"""``make report``: the support figures for a date range, for people who share them by e-mail.

Writes two files named after the range (``reports/analytics/`` by default):

* ``baton-report-<from>-<to>.html`` — one self-contained page: the headline numbers, the
  tables and the charts as PNG images inside the file (base64), so it can be attached to an
  e-mail or opened offline with nothing else;
* ``baton-metrics-<from>-<to>.csv`` — the same figures as one long table (``analytics.flat``).

The charts are drawn with matplotlib (Agg, no display needed); the PNGs are also written next
to the page (``…-<chart>.png``) for slides.

The charts are :mod:`analytics.report_charts`, the way figures are written
:mod:`analytics.report_format`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.flat import to_csv
from analytics.report_charts import Chart, charts
from analytics.report_flows import HEAD as FLOW_HEAD
from analytics.report_flows import flow_rows
from analytics.report_format import CHANNEL_NAMES, LANGUAGE_NAMES, TOPICS, duration, num, pct

__all__ = ["Chart", "Written", "charts", "duration", "num", "pct", "render_html", "write_report"]


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = (
        "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in rows
        )
        or f'<tr><td colspan="{len(head)}" class="muted">Nothing in this range</td></tr>'
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;
max-width:980px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0}h2{font-size:16px;margin:28px 0 8px}.muted{color:#6b7280}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;margin-top:16px}
.kpi{border:1px solid #e5e7eb;border-radius:10px;padding:8px 10px}
.kpi b{display:block;font-size:22px}.kpi span{font-size:12px;color:#6b7280}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:right;padding:4px 6px;border-bottom:1px solid #f3f4f6}
th:first-child,td:first-child{text-align:left}th{font-size:11px;color:#6b7280;text-transform:uppercase}
img{max-width:100%}
"""


def render_html(m: dict[str, Any], drawn: Sequence[Chart], shop: str = "Baton") -> str:
    r, h, c, w = m["range"], m["handoff"], m["csat"], m["waiting"]
    scope = ", ".join(
        x
        for x in (
            CHANNEL_NAMES.get(r["channel"] or "", r["channel"] or "all channels"),
            LANGUAGE_NAMES.get(r["language"] or "", r["language"] or "all languages"),
        )
        if x
    )
    kpis = [
        ("Conversations", num(m["conversations"]), f"{num(m['messages'])} customer messages"),
        ("Solved by the bot", pct(m["containment"]["rate"]), num(m["containment"]["contained"])),
        ("Went to a person", pct(h["rate"]), f"{num(h['tickets'])} handoffs"),
        (
            "CSAT (rated 4–5)",
            pct(c["csat"]),
            f"{num(c['rated'])} ratings, {pct(c['response_rate'])} answered",
        ),
        (
            "Wait for an agent",
            duration(w["first_reply"]["median_seconds"]),
            f"median; 90% within {duration(w['first_reply']['p90_seconds'])}",
        ),
        ("Handoff to close", duration(w["close"]["median_seconds"]), "median"),
        ("Not understood", pct(m["fallback"]["rate"]), "of customer messages"),
        (
            "Returns opened",
            num(m["returns"]["opened"]),
            ", ".join(
                f"{x['count']} {x['value'].replace('_', '-')}" for x in m["returns"]["by_method"]
            ),
        ),
    ]
    images = {
        chart.name: (
            f'<h2>{html.escape(chart.title)}</h2><img alt="{html.escape(chart.title)}" '
            f'src="data:image/png;base64,{base64.b64encode(chart.png).decode()}">'
        )
        for chart in drawn
    }
    name: Callable[[str], str] = lambda ch: CHANNEL_NAMES.get(ch, ch)  # noqa: E731
    sections = [
        images.get("trend", ""),
        images.get("rates", ""),
        images.get("channels", ""),
        _table(
            [
                "Channel",
                "Conversations",
                "Solved",
                "To a person",
                "Not understood",
                "CSAT",
                "Median wait",
            ],
            [
                [
                    name(x["channel"]),
                    num(x["conversations"]),
                    pct(x["containment_rate"]),
                    pct(x["handoff_rate"]),
                    pct(x["fallback_rate"]),
                    pct(x["csat"]),
                    duration(x["median_first_reply_seconds"]),
                ]
                for x in m["channels"]
            ],
        ),
        images.get("csat", ""),
        _table(
            ["Channel", "Closed", "Rated", "Answered", "CSAT", "Average"],
            [
                [
                    name(x["channel"]),
                    num(x["closed"]),
                    num(x["rated"]),
                    pct(x["response_rate"]),
                    pct(x["csat"]),
                    "—" if x["average"] is None else f"{x['average']:.2f}",
                ]
                for x in c["by_channel"]
            ],
        ),
        "<h2>Agents</h2>"
        + _table(
            ["Agent", "Closed", "Rated", "CSAT", "Average", "Median wait"],
            [
                [
                    x["agent"],
                    num(x["closed"]),
                    num(x["rated"]),
                    pct(x["csat"]),
                    "—" if x["average"] is None else f"{x['average']:.2f}",
                    duration(x["median_first_reply_seconds"]),
                ]
                for x in c["by_agent"]
            ],
        ),
        images.get("reasons", ""),
        images.get("topics", ""),
        "<h2>Where the bot keeps failing</h2>"
        + _table(
            ["Topic", "Conversations", "To a person", "Not understood", "Solved"],
            [
                [
                    TOPICS.get(x["intent"], x["intent"]),
                    num(x["conversations"]),
                    num(x["handoffs"]),
                    num(x["fallbacks"]),
                    pct(x["containment_rate"]),
                ]
                for x in m["failing"][:8]
            ],
        ),
        "<h2>Asked, not automated yet</h2>"
        + _table(
            ["Topic", "Conversations", "Share", "To a person"],
            [
                [
                    TOPICS.get(x["topic"], x["topic"]),
                    num(x["conversations"]),
                    pct(x["share"]),
                    num(x["to_a_person"]),
                ]
                for x in m["not_automated"]["topics"]
            ],
        ),
        "<h2>Self-service flows</h2>"
        + '<p class="muted">Settled by the bot: done or refused (the customer got a final '
        "answer) out of the flows started.</p>" + _table(FLOW_HEAD, flow_rows(m)),
        images.get("returns", ""),
        "<h2>Languages</h2>"
        + _table(
            ["Language", "Conversations", "Solved", "To a person", "CSAT"],
            [
                [
                    LANGUAGE_NAMES.get(x["language"], x["language"]),
                    num(x["conversations"]),
                    pct(x["containment_rate"]),
                    pct(x["handoff_rate"]),
                    pct(x["csat"]),
                ]
                for x in m["languages"]
            ],
        ),
    ]
    tiles = "".join(
        f'<div class="kpi"><span>{html.escape(label)}</span><b>{html.escape(value)}</b>'
        f"<span>{html.escape(sub)}</span></div>"
        for label, value, sub in kpis
    )
    title = f"{shop} support report, {r['from']} to {r['to']}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="muted">{html.escape(scope)} · generated {html.escape(m["generated_at"])} '
        "from the tracker store and the handoff database</p>"
        f'<div class="kpis">{tiles}</div>' + "".join(sections) + "</body></html>"
    )


@dataclass
class Written:
    html: Path
    csv: Path
    pngs: list[Path]


def write_report(m: dict[str, Any], out_dir: Path, shop: str = "Baton") -> Written:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{m['range']['from']}-{m['range']['to']}"
    for key in ("channel", "language"):
        if m["range"][key]:
            stem += f"-{m['range'][key]}"
    drawn = charts(m)
    page = out_dir / f"baton-report-{stem}.html"
    page.write_text(render_html(m, drawn, shop), encoding="utf-8")
    table = out_dir / f"baton-metrics-{stem}.csv"
    table.write_text(to_csv(m), encoding="utf-8")
    pngs = []
    for chart in drawn:
        path = out_dir / f"baton-report-{stem}-{chart.name}.png"
        path.write_bytes(chart.png)
        pngs.append(path)
    return Written(page, table, pngs)
