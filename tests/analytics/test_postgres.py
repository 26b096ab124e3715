"""The same hand-made week on PostgreSQL: the JSON extraction of the channel, the text casts
of the ticket times, the analytics indexes and the cache give the same figures as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from analytics.cache import TrackerCache
from analytics.events_index import ensure_analytics_index, forget_checked, index_state
from analytics.service import metrics_for
from analytics.sources import engine_for
from infra.postgres import Postgres
from tests.analytics.history import one_week
from tests.analytics.test_metrics import WEEK
from tests.support.services import fresh_database, throwaway_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with throwaway_postgres() as server:
        yield server


def test_postgres_gives_the_figures_sqlite_gives(postgres: Postgres, tmp_path: Path) -> None:
    urls = (
        fresh_database(postgres, "analytics_tracker"),
        fresh_database(postgres, "analytics_handoff"),
    )
    on_postgres = one_week(tmp_path, urls)
    on_sqlite = one_week(tmp_path)
    try:
        expected = metrics_for(on_sqlite.tracker_url, on_sqlite.handoff_url, WEEK)
        assert index_state(engine_for(on_postgres.tracker_url)) == "missing"
        found = metrics_for(on_postgres.tracker_url, on_postgres.handoff_url, WEEK)
        # the first read built the analytics indexes (CONCURRENTLY); another process
        # checking again finds them valid and creates nothing
        assert index_state(engine_for(on_postgres.tracker_url)) == "ready"
        forget_checked()
        assert ensure_analytics_index(engine_for(on_postgres.tracker_url)) is True
        now = datetime(2026, 11, 22, tzinfo=timezone.utc).timestamp()
        cache = TrackerCache(on_postgres.tracker_url, clock=lambda: now)
        cached = metrics_for(on_postgres.tracker_url, on_postgres.handoff_url, WEEK, cache)
    finally:
        on_postgres.close()
        on_sqlite.close()
    for figures in (expected, found, cached):
        figures.pop("generated_at")
    assert found["conversations"] == 9
    assert found == expected
    assert cached == expected


def test_a_half_built_index_on_postgres_is_built_again(postgres: Postgres, tmp_path: Path) -> None:
    import sqlalchemy as sa

    from analytics.events_index import INDEX_NAME

    url = fresh_database(postgres, "analytics_invalid_index")
    week = one_week(tmp_path, (url, fresh_database(postgres, "analytics_invalid_handoff")))
    engine = engine_for(url)
    try:
        # a concurrent build that fails (here: a unique index over duplicates) leaves an
        # invalid index behind under the name
        with (
            engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
            pytest.raises(sa.exc.IntegrityError),
        ):
            conn.execute(
                sa.text(f"CREATE UNIQUE INDEX CONCURRENTLY {INDEX_NAME} ON events (type_name)")
            )
        forget_checked()
        assert index_state(engine) == "invalid"
        assert ensure_analytics_index(engine) is True
        assert index_state(engine) == "ready"
        assert metrics_for(url, week.handoff_url, WEEK)["conversations"] == 9
    finally:
        week.close()
