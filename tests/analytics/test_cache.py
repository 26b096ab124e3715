"""The in-memory cache of conversation records: the same figures as reading everything,
new conversations appear, erased ones disappear, and cached records are never changed."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from analytics.cache import TicketCache, TrackerCache
from analytics.cut import Cut
from analytics.service import metrics_for
from infra.events_table import events
from tests.analytics.history import one_week

WEEK = Cut(date(2026, 11, 2), date(2026, 11, 8))
NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc).timestamp()


def _without_time(figures: dict[str, Any]) -> dict[str, Any]:
    figures.pop("generated_at")
    return figures


def test_cached_figures_are_the_figures_read_from_scratch(tmp_path: Path) -> None:
    week = one_week(tmp_path)
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW)
    direct = metrics_for(week.tracker_url, week.handoff_url, WEEK)
    for _ in range(2):  # the first call fills the cache, the second reads nothing new
        cached = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
        assert _without_time(cached) == _without_time(dict(direct))
    assert cache.rebuilds == 1
    # tickets were attached to copies: the cache's own records have none
    with cache.lock:
        assert all(not c.tickets for c in cache.conversations())


def test_a_new_conversation_is_read_without_starting_again(tmp_path: Path) -> None:
    week = one_week(tmp_path)
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW)
    before = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    week.session("wa-9", "whatsapp", "11-08 12:00", language="zh")
    week.user("wa-9", "11-08 12:00", "order_status")
    week.user("wa-9", "11-08 12:01", "nlu_fallback")
    after = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    assert after["conversations"] == before["conversations"] + 1
    assert after["fallback"]["messages"] == before["fallback"]["messages"] + 1
    assert {r["language"]: r["conversations"] for r in after["languages"]}["zh"] == 2
    assert cache.rebuilds == 1


def test_erased_conversations_disappear_from_the_figures(tmp_path: Path) -> None:
    week = one_week(tmp_path)
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW, verify_seconds=0)
    assert metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)["conversations"] == 9
    with week.tracker.begin() as conn:  # what erasing a customer does to the tracker store
        conn.execute(sa.delete(events).where(events.c.sender_id == "sl-2"))
    after = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    assert after["conversations"] == 8
    assert cache.rebuilds == 2
    # new events alone are not a reason to start again
    week.session("sl-9", "slack", "11-08 09:00")
    week.user("sl-9", "11-08 09:00", "order_status")
    assert metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)["conversations"] == 9
    assert cache.rebuilds == 2


def test_between_checks_only_new_events_are_read(tmp_path: Path) -> None:
    week = one_week(tmp_path)
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW, verify_seconds=3600)
    metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    with week.tracker.begin() as conn:
        conn.execute(sa.delete(events).where(events.c.sender_id == "sl-2"))
    # erased an instant ago: still counted until the next check (an hour here)
    assert metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)["conversations"] == 9
    cache.verify_seconds = 0
    assert metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)["conversations"] == 8


def test_a_range_older_than_the_cache_is_read_from_the_database(tmp_path: Path) -> None:
    week = one_week(tmp_path)
    two_years_later = datetime(2028, 11, 22, tzinfo=timezone.utc).timestamp()
    cache = TrackerCache(week.tracker_url, clock=lambda: two_years_later)
    assert not cache.covers(WEEK.start_ts)
    figures = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache)
    assert figures["conversations"] == 9
    assert cache.rebuilds == 0


def test_tickets_are_read_again_only_when_one_changed(tmp_path: Path) -> None:
    from handoff.store import tables as h

    week = one_week(tmp_path)
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW)
    tickets = TicketCache(week.handoff_url, clock=lambda: NOW)
    first = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache, tickets)
    again = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache, tickets)
    assert tickets.reads == 1
    assert _without_time(again) == _without_time(dict(first))
    # the waiting WhatsApp customer is answered, and the ticket closed and rated 4
    with week.handoff.begin() as conn:
        conn.execute(
            sa.update(h.tickets)
            .where(h.tickets.c.conversation_id == "wa-3")
            .values(
                status="closed",
                closed_at=datetime(2026, 11, 7, 10, 20),
                csat_rating=4,
                rated_at=datetime(2026, 11, 7, 10, 21),
            )
        )
    after = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache, tickets)
    assert tickets.reads == 2
    assert (after["csat"]["closed"], after["csat"]["rated"]) == (5, 3)
    assert after["csat"]["distribution"]["4"] == 1


def test_the_garbage_collector_is_back_on_after_concurrent_requests(tmp_path: Path) -> None:
    import gc
    from concurrent.futures import ThreadPoolExecutor

    week = one_week(tmp_path)
    assert gc.isenabled()
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: metrics_for(week.tracker_url, week.handoff_url, WEEK), range(8))
        )
    assert {a["conversations"] for a in answers} == {9}
    assert gc.isenabled()


def test_a_handoff_paused_over_a_weekend_before_the_range_is_not_a_new_conversation(
    tmp_path: Path,
) -> None:
    """Saturday: a customer complains and is handed to a person; Monday (in the range) they
    write to the agent, the agent gives the conversation back, the customer rates the help.
    That is one conversation, started on Saturday, outside the range: read from scratch or
    from the cache, and the messages to the agent are never the bot's."""
    week = one_week(tmp_path)
    later = Cut(date(2026, 11, 9), date(2026, 11, 15))
    before = metrics_for(week.tracker_url, week.handoff_url, later)
    week.session("web-77", "webchat", "11-07 18:53")
    week.user("web-77", "11-07 18:53:42", "complain")
    week.pause("web-77", "11-07 18:53:43")
    week.user("web-77", "11-09 09:04", "thank")  # to the agent, two days later
    week.user("web-77", "11-09 09:08", "nlu_fallback")
    week.resume("web-77", "11-09 09:11")
    week.user("web-77", "11-09 09:11:32", "rate")
    direct = metrics_for(week.tracker_url, week.handoff_url, later)
    cache = TrackerCache(week.tracker_url, clock=lambda: NOW)
    cached = metrics_for(week.tracker_url, week.handoff_url, later, cache)
    assert _without_time(cached) == _without_time(dict(direct))
    assert direct["conversations"] == before["conversations"]
    assert direct["fallback"]["messages"] == before["fallback"]["messages"]
