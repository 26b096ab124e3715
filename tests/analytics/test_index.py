"""The analytics indexes on Rasa's ``events`` table and the customer-by-customer read.

The cold read (``make report``, the dashboard's first request) walks two partial covering
indexes instead of the table; these tests check that they are created once by every path
that needs them, that SQLite's planner really reads them, and that reading customer by
customer (or by id, as the cache's later reads do) gives the same conversations and figures.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from analytics.cache import TrackerCache
from analytics.events_index import (
    INDEX_NAME,
    SLOTS_INDEX_NAME,
    ensure_analytics_index,
    forget_checked,
    index_state,
)
from analytics.facts import ConversationFacts
from analytics.seed import seed_history
from analytics.service import metrics_for
from analytics.sources import Reader, _fetch_raw, engine_for, events_query, read_sessions
from infra.events_table import events
from tests.analytics.history import History, at, one_week
from tests.analytics.test_metrics import WEEK

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc).timestamp()
BOTH = {INDEX_NAME, SLOTS_INDEX_NAME}


def _index_names(url: str) -> set[str]:
    return {i["name"] for i in sa.inspect(engine_for(url)).get_indexes("events")}


def _plan(url: str, statement: Any) -> str:
    engine = engine_for(url)
    sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    path = engine.url.database
    assert path is not None
    with sqlite3.connect(path) as conn:
        return " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))


def _records(conversations: list[ConversationFacts]) -> list[tuple[Any, ...]]:
    return sorted(
        (c.conversation_id, c.started_at, c.channel, c.language, c.messages, c.fallbacks,
         c.topic, tuple(c.returns))
        for c in conversations
    )  # fmt: skip


def _without_time(figures: dict[str, Any]) -> dict[str, Any]:
    figures.pop("generated_at")
    return figures


@pytest.fixture
def week(tmp_path: Path) -> Iterator[History]:
    forget_checked()  # every test starts from a store this process has not checked
    history = one_week(tmp_path)
    yield history
    history.close()


def test_the_first_read_creates_both_indexes_and_later_calls_change_nothing(
    week: History,
) -> None:
    assert not BOTH & _index_names(week.tracker_url)  # Rasa's table has only its own index
    assert metrics_for(week.tracker_url, week.handoff_url, WEEK)["conversations"] == 9
    assert _index_names(week.tracker_url) >= BOTH
    engine = engine_for(week.tracker_url)
    assert index_state(engine) == "ready"
    forget_checked()  # as a second process would: look again, find them, create nothing
    before = _index_names(week.tracker_url)
    assert ensure_analytics_index(engine) is True
    assert _index_names(week.tracker_url) == before


def test_sqlite_reads_the_indexes_not_the_table(week: History) -> None:
    ensure_analytics_index(engine_for(week.tracker_url))
    plan = _plan(week.tracker_url, events_query("sqlite", WEEK.start_ts, WEEK.end_ts))
    assert f"SCAN events USING COVERING INDEX {INDEX_NAME}" in plan, plan
    assert f"SCAN events USING COVERING INDEX {SLOTS_INDEX_NAME}" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # merged in index order, never sorted
    # what the cache reads after its first fill goes by the primary key
    newer = _plan(week.tracker_url, events_query("sqlite", WEEK.start_ts, after_id=10))
    assert "USING INTEGER PRIMARY KEY (rowid>?)" in newer, newer


def test_a_full_read_comes_customer_by_customer_in_id_order(week: History) -> None:
    engine = engine_for(week.tracker_url)
    rows = list(_fetch_raw(engine, events_query("sqlite")))
    assert [(r[1], r[0]) for r in rows] == sorted((r[1], r[0]) for r in rows)
    assert len({r[1] for r in rows}) == 9  # every customer of the week and both neighbours
    newer = list(_fetch_raw(engine, events_query("sqlite", after_id=1)))
    assert [r[0] for r in newer] == sorted(r[0] for r in newer)


def test_reading_by_customer_by_id_or_in_pieces_gives_the_same_conversations(
    week: History,
) -> None:
    engine = engine_for(week.tracker_url)
    by_customer = list(_fetch_raw(engine, events_query("sqlite")))
    by_id = sorted(by_customer, key=lambda row: row[0])
    whole, interleaved, pieces = Reader(), Reader(), Reader()
    whole.feed(by_customer)
    interleaved.feed(by_id)
    middle = len(by_id) // 2  # a cache that read half, then what was written since
    assert pieces.feed(by_id[:middle]) == by_id[middle - 1][0]
    assert pieces.feed(by_id[middle:]) == by_id[-1][0]
    expected = _records(whole.conversations)
    assert len(expected) == 10  # the nine of the week and web-3 the day before
    assert _records(interleaved.conversations) == expected
    assert _records(pieces.conversations) == expected
    returns = {c.conversation_id: c.returns for c in whole.conversations}
    assert returns["wa-2"] == [("doesnt_fit", "carrier")]


def test_a_conversation_that_goes_on_after_the_cache_filled_is_counted_as_read_afresh(
    week: History,
) -> None:
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW)
    before = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    # the Korean WhatsApp customer writes again in the same session: a fallback, is handed
    # to a person (the message to the agent is not the bot's), then opens a return
    week.user("wa-1", "11-04 20:30", "nlu_fallback")
    week.pause("wa-1", "11-04 20:31")
    week.user("wa-1", "11-04 20:32", "inform", "to the agent")
    week.resume("wa-1", "11-04 20:40")
    week.user("wa-1", "11-04 20:41", "return_item")
    week.slot("wa-1", "11-04 20:42", "return_reason", "damaged")
    week.slot("wa-1", "11-04 20:43", "last_rma", "RMA-20002")
    cached = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    fresh = metrics_for(week.tracker_url, week.handoff_url, WEEK)
    assert cache.rebuilds == 1  # only the new events were read
    assert _without_time(cached) == _without_time(fresh)
    assert cached["conversations"] == before["conversations"]
    assert cached["messages"] == before["messages"] + 2
    assert cached["fallback"]["messages"] == before["fallback"]["messages"] + 1
    assert {r["value"]: r["count"] for r in cached["returns"]["by_reason"]}["damaged"] == 1
    korean = {r["language"]: r for r in cached["languages"]}["ko"]
    assert korean["conversations"] == 1


def test_slot_values_that_are_not_text_are_read_as_before(week: History) -> None:
    # a channel written as a number, a language as JSON null, and a slot event whose JSON
    # SQLite cannot parse: decoded in Python exactly as the reader always did
    week.session("odd-1", "webchat", "11-06 10:00")
    week.slot("odd-1", "11-06 10:00", "channel", 7)
    week.slot("odd-1", "11-06 10:00", "language", None)
    week.user("odd-1", "11-06 10:01", "order_status")
    with week.tracker.begin() as conn:
        conn.execute(
            sa.insert(events).values(
                sender_id="odd-1",
                type_name="slot",
                timestamp=at("11-06 10:02"),
                action_name="last_rma",
                data="{not json",
            )
        )
    found = {
        c.conversation_id: c for c in read_sessions(week.tracker_url, WEEK.start_ts, WEEK.end_ts)
    }
    odd = found["odd-1"]
    assert (odd.channel, odd.language, odd.messages, odd.returns) == ("7", "en", 1, [])


def test_a_store_where_indexes_cannot_be_created_is_read_the_slow_way(
    week: History, caplog: pytest.LogCaptureFixture
) -> None:
    expected = _without_time(metrics_for(week.tracker_url, week.handoff_url, WEEK))
    with week.tracker.begin() as conn:
        for name in BOTH:
            conn.execute(sa.text(f"DROP INDEX {name}"))
    forget_checked()
    path = engine_for(week.tracker_url).url.database
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    with caplog.at_level(logging.WARNING, logger="analytics.events_index"):
        found = _without_time(metrics_for(read_only, week.handoff_url, WEEK))
    assert found == expected
    assert "could not create the analytics index" in caplog.text
    assert not BOTH & _index_names(week.tracker_url)


def test_the_demo_seed_leaves_the_indexes_behind(tmp_path: Path) -> None:
    forget_checked()
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    written = seed_history(
        tracker_url, f"sqlite:///{tmp_path / 'handoff.db'}", date(2026, 11, 2), 2
    )
    assert written.conversations > 0
    assert _index_names(tracker_url) >= BOTH


def test_the_handoff_service_warm_up_adds_the_indexes_and_fills_the_cache(
    week: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.cache import cache_for
    from handoff.routes.metrics import _warm_cache

    monkeypatch.setenv("TRACKER_DATABASE_URL", week.tracker_url)
    app = SimpleNamespace(ctx=SimpleNamespace())

    async def start() -> None:  # what Sanic does after the service starts
        await _warm_cache(app, None)
        await app.ctx.metrics_warmup

    asyncio.run(start())
    assert _index_names(week.tracker_url) >= BOTH
    cache = cache_for(week.tracker_url)
    with cache.lock:
        assert cache.reader is not None
        assert len(cache.conversations()) == 10
