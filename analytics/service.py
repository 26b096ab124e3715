"""The one entry point the API, the report and the benchmark share: a cut in, figures out."""

from __future__ import annotations

from typing import Any

from analytics.cut import Cut
from analytics.metrics import compute
from analytics.sources import load


def metrics_for(tracker_url: str, handoff_url: str, cut: Cut) -> dict[str, Any]:
    """Read the range of ``cut`` from both databases and compute every figure.

    Synchronous (SQL and arithmetic): the handoff service runs it in a worker thread.
    """
    return compute(load(tracker_url, handoff_url, cut.start_ts, cut.end_ts), cut)
