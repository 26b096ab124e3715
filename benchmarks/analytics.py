"""How long the support analytics take for 100,000 conversations (target: ≤ 2 s).

    .venv/bin/python benchmarks/analytics.py                  # 100,000 conversations
    .venv/bin/python benchmarks/analytics.py --conversations 20000 --keep /tmp/history
    .venv/bin/python benchmarks/analytics.py --reuse /tmp/history   # time an existing one

Builds a synthetic history with the demo seed's own generator (the same conversation mix,
channels, languages, handoffs, agent replies and ratings; about 23 tracker events per
conversation, action and bot events included) over 28 days in a temporary SQLite tracker
store and handoff database, then times the metrics for those 28 days, all channels:

* **cold** — what ``make report`` does, and the dashboard's first request after the handoff
  service starts: read every conversation of the range from the tracker store's ``events``
  table (SQL), read the tickets, compute every figure;
* **cached** — every later dashboard or API request: check the in-memory conversation cache
  against the tracker store (one count query) and read the events written since (none here),
  check the ticket cache's fingerprint (one aggregate query; tickets are read again only
  when one changed), attach the tickets to their conversations, compute every figure.

"read" is everything up to conversation records with their tickets; "compute" the figures.

Times exclude building the history and encoding the JSON answer. Each is run ``--repeat``
times on a warm operating-system file cache; the best and the median are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import machine  # type: ignore[import-not-found]

from analytics.cache import TicketCache, TrackerCache
from analytics.cut import Cut, today_utc
from analytics.metrics import compute
from analytics.seed import DAILY, DEFAULT_DAYS, write_history
from analytics.service import collector_paused
from analytics.sources import attach_tickets, dispose_engines, load

# conversations the seed writes per unit of scale over 28 days (its volume, with growth)
PER_SCALE = sum(sum(days) / 7 for days in DAILY.values()) * DEFAULT_DAYS * 1.125


def build(directory: Path, conversations: int, anchor: date) -> tuple[str, str, int, float]:
    import sqlalchemy as sa

    tracker_url = f"sqlite:///{directory / 'tracker.db'}"
    handoff_url = f"sqlite:///{directory / 'handoff.db'}"
    tracker = sa.create_engine(tracker_url, future=True)
    handoff = sa.create_engine(handoff_url, future=True)
    started = time.perf_counter()
    written = write_history(
        tracker, handoff, anchor, scale=conversations / PER_SCALE, with_context=False
    )
    tracker.dispose()
    handoff.dispose()
    return tracker_url, handoff_url, written.events, time.perf_counter() - started


def timed(tracker_url: str, handoff_url: str, cut: Cut) -> tuple[float, float, int]:
    """What ``metrics_for`` does without caches (as ``make report`` calls it)."""
    with collector_paused():
        started = time.perf_counter()
        conversations = load(tracker_url, handoff_url, cut.start_ts, cut.end_ts)
        read = time.perf_counter() - started
        started = time.perf_counter()
        figures = compute(conversations, cut)
    return read, time.perf_counter() - started, int(figures["conversations"])


def timed_cached(
    cache: TrackerCache, tickets_cache: TicketCache, cut: Cut
) -> tuple[float, float, int]:
    """What ``metrics_for`` does with both caches (as the handoff service calls it)."""
    started = time.perf_counter()
    with collector_paused(), cache.lock:
        conversations = cache.conversations()
        tickets = tickets_cache.tickets(cut.start_ts, cut.end_ts)
        joined = attach_tickets(conversations, tickets, cut.start_ts, cut.end_ts)
        read = time.perf_counter() - started
        started = time.perf_counter()
        figures = compute(joined, cut)
    return read, time.perf_counter() - started, int(figures["conversations"])


def report(name: str, runs: list[tuple[float, float, int]]) -> float:
    print(f"{name} ({runs[0][2]:,} conversations):")
    totals = [r + c for r, c, _ in runs]
    for label, values in (
        ("read", [r for r, _, _ in runs]),
        ("compute", [c for _, c, _ in runs]),
        ("total", totals),
    ):
        best, median = min(values), statistics.median(values)
        print(f"  {label:8s} best {best:6.3f} s   median {median:6.3f} s")
    return statistics.median(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the history here and keep it")
    parser.add_argument("--reuse", type=Path, help="time a history built earlier with --keep")
    args = parser.parse_args()
    anchor = today_utc()
    cut = Cut(anchor - timedelta(days=DEFAULT_DAYS), anchor - timedelta(days=1))
    with tempfile.TemporaryDirectory(prefix="baton-analytics-") as tmp:
        directory = args.reuse or args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        if args.reuse:
            tracker_url = f"sqlite:///{directory / 'tracker.db'}"
            handoff_url = f"sqlite:///{directory / 'handoff.db'}"
        else:
            print(f"Building about {args.conversations:,} conversations in {directory} …")
            tracker_url, handoff_url, events, took = build(directory, args.conversations, anchor)
            print(f"  {events:,} tracker events written in {took:.0f} s")
        size = (directory / "tracker.db").stat().st_size / 2**20
        print(f"\n{machine()}; tracker store {size:,.0f} MiB (SQLite)")
        print(f"Metrics for {cut.start} to {cut.end}, all channels, {args.repeat} runs each")
        timed(tracker_url, handoff_url, cut)  # warm the file cache and the engines
        cold = report("cold", [timed(tracker_url, handoff_url, cut) for _ in range(args.repeat)])
        cache, tickets = TrackerCache(tracker_url), TicketCache(handoff_url)
        started = time.perf_counter()
        timed_cached(cache, tickets, cut)
        print(f"first request, filling the caches: {time.perf_counter() - started:.3f} s")
        cached = report("cached", [timed_cached(cache, tickets, cut) for _ in range(args.repeat)])
        for name, median in (("cold", cold), ("cached", cached)):
            verdict = "met" if median <= 2.0 else "NOT met"
            print(f"Target ≤ 2 s (median total), {name}: {verdict}")
        dispose_engines()
    return 0


if __name__ == "__main__":
    sys.exit(main())
