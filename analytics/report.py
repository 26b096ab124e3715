"""``make report``: the support figures for a date range, for people who share them by e-mail.

Writes two files named after the range (``reports/analytics/`` by default):

* ``baton-report-<from>-<to>.html`` — one self-contained page: the headline numbers, the
  tables and the charts as PNG images inside the file (base64), so it can be attached to an
  e-mail or opened offline with nothing else;
* ``baton-metrics-<from>-<to>.csv`` — the same figures as one long table (``analytics.flat``).

The charts are drawn with matplotlib (Agg, no display needed); the PNGs are also written next
to the page (``…-<chart>.png``) for slides.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from analytics.flat import to_csv

CHANNEL_NAMES = {"webchat": "Web chat", "whatsapp": "WhatsApp", "slack": "Slack"}
LANGUAGE_NAMES = {"en": "English", "ko": "Korean", "zh": "Chinese"}
INDIGO, AMBER, GREEN, SKY = "#6366f1", "#f59e0b", "#16a34a", "#0ea5e9"
RATING_COLOURS = ("#dc2626", "#f97316", "#eab308", "#84cc16", "#16a34a")


def pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def num(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:,}"


def duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@dataclass
class Chart:
    name: str
    title: str
    png: bytes


def _figure(width: float = 8.0, height: float = 3.2) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    return fig, ax


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _nothing(ax: Any) -> None:
    ax.text(0.5, 0.5, "Nothing in this range", ha="center", va="center", color="#9ca3af")
    ax.set_xticks([])
    ax.set_yticks([])


def _labels(m: dict[str, Any]) -> list[str]:
    from datetime import date

    return [date.fromisoformat(p["period"]).strftime("%-d %b") for p in m["series"]]


def trend_chart(m: dict[str, Any]) -> bytes:
    fig, ax = _figure()
    series = m["series"]
    if not any(p["conversations"] for p in series):
        _nothing(ax)
        return _png(fig)
    x = range(len(series))
    contained = [p["contained"] for p in series]
    handed = [p["handoffs"] for p in series]
    ax.bar(x, contained, color=INDIGO, label="Solved by the bot")
    ax.bar(x, handed, bottom=contained, color=AMBER, label="Went to a person")
    labels = _labels(m)
    every = max(1, len(labels) // 10)
    ax.set_xticks(list(x)[::every], labels[::every])
    ax.set_ylabel("conversations", fontsize=8)
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


def rates_chart(m: dict[str, Any]) -> bytes:
    fig, ax = _figure()
    series = m["series"]
    if not any(p["conversations"] for p in series):
        _nothing(ax)
        return _png(fig)
    x = list(range(len(series)))
    for key, colour, label in (
        ("containment_rate", INDIGO, "Solved by the bot"),
        ("csat", GREEN, "CSAT (rated 4–5)"),
    ):
        points = [(i, 100 * p[key]) for i, p in zip(x, series, strict=True) if p[key] is not None]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", ms=3, color=colour, label=label)
    labels = _labels(m)
    every = max(1, len(labels) // 10)
    ax.set_xticks(x[::every], labels[::every])
    ax.set_ylim(0, 100)
    ax.set_ylabel("%", fontsize=8)
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


def channels_chart(m: dict[str, Any]) -> bytes:
    fig, ax = _figure(6.0, 3.0)
    rows = m["channels"]
    if not rows:
        _nothing(ax)
        return _png(fig)
    width = 0.26
    for j, (key, colour, label) in enumerate(
        (
            ("containment_rate", INDIGO, "Solved by the bot"),
            ("handoff_rate", AMBER, "Went to a person"),
            ("csat", GREEN, "CSAT"),
        )
    ):
        xs = [i + (j - 1) * width for i in range(len(rows))]
        values = [100 * (r[key] or 0) for r in rows]
        bars = ax.bar(xs, values, width, color=colour, label=label)
        ax.bar_label(
            bars, [pct(r[key]) for r in rows], fontsize=7, padding=1
        )  # "—" when a channel has no ratings
    ax.set_xticks(range(len(rows)), [CHANNEL_NAMES.get(r["channel"], r["channel"]) for r in rows])
    ax.set_ylim(0, 110)
    ax.legend(fontsize=7, frameon=False, ncol=3, loc="upper center")
    return _png(fig)


def csat_chart(m: dict[str, Any]) -> bytes:
    fig, ax = _figure(5.0, 3.0)
    counts = [m["csat"]["distribution"][str(r)] for r in range(1, 6)]
    if not any(counts):
        _nothing(ax)
        return _png(fig)
    bars = ax.bar([f"{r} ★" for r in range(1, 6)], counts, color=RATING_COLOURS)
    ax.bar_label(bars, fontsize=8)
    ax.set_ylabel("ratings", fontsize=8)
    return _png(fig)


def bars_chart(items: Sequence[tuple[str, int]], colour: str) -> bytes:
    fig, ax = _figure(6.0, max(1.6, 0.32 * len(items) + 0.6))
    if not items or not any(v for _, v in items):
        _nothing(ax)
        return _png(fig)
    labels = [label for label, _ in items][::-1]
    values = [value for _, value in items][::-1]
    bars = ax.barh(labels, values, color=colour)
    ax.bar_label(bars, fontsize=8, padding=2)
    ax.set_xticks([])
    ax.spines[["bottom"]].set_visible(False)
    return _png(fig)


TOPICS = {
    "order_status": "Where is my order",
    "return_item": "Start a return",
    "return_policy": "Return policy",
    "refund_status": "Where is my refund",
    "human_handoff": "Asked for a person",
    "complain": "Complaint",
    "out_of_scope": "Something Baton does not do",
    "not_understood": "Not understood at all",
    "small_talk": "Small talk only",
    "cancel_order": "Cancel an order",
    "change_order": "Change an order's items",
    "change_address": "Change the address",
    "delivery_options": "Delivery options and costs",
    "payment": "Payment",
    "invoice": "Invoice or receipt",
    "discount_code": "Discount codes",
    "account": "Account and password",
    "product_question": "Product questions",
}


def charts(m: dict[str, Any]) -> list[Chart]:
    topic = TOPICS.get
    return [
        Chart("trend", "Conversations over time", trend_chart(m)),
        Chart("rates", "Solved by the bot and customer satisfaction", rates_chart(m)),
        Chart("channels", "Channels compared", channels_chart(m)),
        Chart("csat", "How customers rated the help", csat_chart(m)),
        Chart(
            "reasons",
            "Why conversations went to a person",
            bars_chart([(r["label"], r["count"]) for r in m["handoff"]["reasons"]], AMBER),
        ),
        Chart(
            "topics",
            "What customers asked about",
            bars_chart(
                [(topic(r["intent"]) or r["intent"], r["conversations"]) for r in m["top_intents"]],
                INDIGO,
            ),
        ),
        Chart(
            "returns",
            "Returns opened, by reason",
            bars_chart(
                [(r["value"].replace("_", " "), r["count"]) for r in m["returns"]["by_reason"]],
                SKY,
            ),
        ),
    ]


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
