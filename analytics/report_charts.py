"""The report's charts (:mod:`analytics.report`), drawn with matplotlib (Agg, no display
needed) as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.report_format import CHANNEL_NAMES, TOPICS, pct

INDIGO, AMBER, GREEN, SKY = "#6366f1", "#f59e0b", "#16a34a", "#0ea5e9"
RATING_COLOURS = ("#dc2626", "#f97316", "#eab308", "#84cc16", "#16a34a")


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
