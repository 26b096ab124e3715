"""How long the support analytics take for 100,000 conversations (target: ≤ 2 s).

    .venv/bin/python benchmarks/analytics.py                  # 100,000 conversations
    .venv/bin/python benchmarks/analytics.py --conversations 20000 --keep /tmp/history
    .venv/bin/python benchmarks/analytics.py --reuse /tmp/history   # time an existing one
    .venv/bin/python benchmarks/analytics.py --reuse /tmp/history --rebuild-index

Builds a synthetic history with the demo seed's own generator (the same conversation mix,
channels, languages, handoffs, agent replies and ratings; about 23 tracker events per
conversation, action and bot events included) over 28 days in a temporary SQLite tracker
store and handoff database, then:

* **indexes** — creates the analytics indexes on the tracker store's ``events`` table with
  the production code (``ensure_analytics_index``, what ``make report``, the handoff
  service's warm-up and the seed call) and prints how long that one-off step took and how
  much it added to the file (on a reused history that has them: "already there";
  ``--rebuild-index`` drops them first to time it again);
* **cold** — what ``make report`` does, and the dashboard's first request after the handoff
  service starts: read every conversation of the range from the tracker store (SQL over
  the two partial indexes, not the table), read the tickets, compute every figure;
* **cached** — every later dashboard or API request: check the in-memory conversation cache
  against the tracker store (one count query) and read the events written since (none here),
  check the ticket cache's fingerprint (one aggregate query; tickets are read again only
  when one changed), attach the tickets to their conversations, compute every figure;
* **write cost** — what the indexes cost each event the tracker store writes: the first
  ``--write-events`` events of the history inserted into an empty table (WAL,
  ``synchronous=NORMAL``, as Baton's tracker store sets SQLite up), one transaction per
  customer's run of events (as a tracker store saves a turn), without and with the indexes,
  alternating, three rounds each (medians).

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
from typing import Any

from common import machine  # type: ignore[import-not-found]

from analytics.cache import TicketCache, TrackerCache
from analytics.cut import Cut, today_utc
from analytics.events_index import (
    INDEX_NAME,
    SLOTS_INDEX_NAME,
    ensure_analytics_index,
    forget_checked,
    index_state,
)
from analytics.metrics import compute
from analytics.seed import DAILY, DEFAULT_DAYS, write_history
from analytics.service import collector_paused
from analytics.sources import attach_tickets, dispose_engines, engine_for, load
from infra.events_table import events as events_table
from infra.events_table import metadata as events_metadata

WRITE_ROUNDS = 3
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


def indexes(tracker_url: str, rebuild: bool) -> None:
    """Create the analytics indexes the way Baton does, and say what that cost."""
    import sqlalchemy as sa

    engine = engine_for(tracker_url)
    if rebuild:
        with engine.begin() as conn:
            for name in (INDEX_NAME, SLOTS_INDEX_NAME):
                conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
        forget_checked()
    before_state = index_state(engine)
    started = time.perf_counter()
    ensure_analytics_index(engine)
    took = time.perf_counter() - started
    with engine.connect() as conn:  # SQLite's page statistics: what the indexes occupy
        sizes = dict(
            conn.execute(
                sa.text(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name IN (:a, :b) GROUP BY name"
                ),
                {"a": INDEX_NAME, "b": SLOTS_INDEX_NAME},
            ).all()
        )
    occupied = ", ".join(f"{name} {size / 2**20:,.0f} MiB" for name, size in sorted(sizes.items()))
    if before_state == "ready":
        print(f"analytics indexes: already there (created by an earlier run): {occupied}")
    else:
        print(
            f"analytics indexes: created in {took:.1f} s by ensure_analytics_index "
            f"(once per store): {occupied}"
        )


def _tracker_store_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """The journal and sync settings bot/tracker_store.py gives Rasa's SQLite store."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def write_cost(source: Path, count: int) -> None:
    """Insert ``count`` events of the history into an empty table, without and with the
    indexes: one transaction per customer's run of consecutive events."""
    import sqlalchemy as sa

    with sa.create_engine(f"sqlite:///{source}", future=True).connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(
                    events_table.c.sender_id,
                    events_table.c.type_name,
                    events_table.c.timestamp,
                    events_table.c.intent_name,
                    events_table.c.action_name,
                    events_table.c.data,
                )
                .order_by(events_table.c.id)
                .limit(count)
            )
        ]
    runs: list[list[dict[str, object]]] = []
    for row in rows:
        if runs and runs[-1][0]["sender_id"] == row["sender_id"]:
            runs[-1].append(row)
        else:
            runs.append([row])
    print(
        f"Write cost: {len(rows):,} events in {len(runs):,} transactions into an empty table "
        f"(WAL, synchronous=NORMAL, as Baton's tracker store), {WRITE_ROUNDS} rounds each, "
        "alternating"
    )
    took: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="baton-writes-") as tmp:
        for round_ in range(WRITE_ROUNDS):
            for with_indexes in (False, True):
                path = Path(tmp) / f"{round_}-{with_indexes}.db"
                engine = sa.create_engine(f"sqlite:///{path}", future=True)
                sa.event.listen(engine, "connect", _tracker_store_pragmas)
                events_metadata.create_all(engine)
                if with_indexes:
                    ensure_analytics_index(engine)
                started = time.perf_counter()
                for run in runs:
                    with engine.begin() as conn:
                        conn.execute(sa.insert(events_table), run)
                took[with_indexes].append(time.perf_counter() - started)
                engine.dispose()
                path.unlink()
    for with_indexes, label in ((False, "without the indexes"), (True, "with the indexes")):
        median = statistics.median(took[with_indexes])
        print(
            f"  {label:20s} median {median:6.2f} s   {median / len(rows) * 1e6:6.1f} µs per event"
        )
    plain, indexed = statistics.median(took[False]), statistics.median(took[True])
    extra = (indexed - plain) / len(rows) * 1e6
    print(f"  the indexes add {extra:+.1f} µs per event ({indexed / plain - 1:+.0%})")


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
    parser.add_argument(
        "--rebuild-index",
        action="store_true",
        help="drop the analytics indexes first, to time them",
    )
    parser.add_argument(
        "--write-events", type=int, default=100_000, help="events for the write cost (0: skip)"
    )
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
        indexes(tracker_url, args.rebuild_index)
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
        if args.write_events:
            print()
            write_cost(directory / "tracker.db", args.write_events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
