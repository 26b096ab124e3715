"""The demo history: believable, on every channel, before today, the same every time, once."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics.cut import Cut
from analytics.seed import PREFIX, seed_history
from analytics.service import metrics_for
from handoff.store import tables as h
from infra.events_table import events

ANCHOR = date(2026, 11, 22)
LAST_28_DAYS = Cut(date(2026, 10, 25), date(2026, 11, 21))


class Seeded:
    def __init__(self, directory: Path) -> None:
        self.tracker_url = f"sqlite:///{directory / 'tracker.db'}"
        self.handoff_url = f"sqlite:///{directory / 'handoff.db'}"
        self.written = seed_history(self.tracker_url, self.handoff_url, anchor=ANCHOR)

    def rows(self, statement: sa.sql.Select, url: str | None = None) -> list[sa.Row]:
        engine = sa.create_engine(url or self.tracker_url, future=True)
        try:
            with engine.connect() as conn:
                return list(conn.execute(statement))
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    yield Seeded(tmp_path_factory.mktemp("seeded"))


@pytest.fixture(scope="module")
def figures(seeded: Seeded) -> dict:
    return metrics_for(seeded.tracker_url, seeded.handoff_url, LAST_28_DAYS)


def test_four_weeks_before_the_anchor_and_nothing_from_today(seeded: Seeded) -> None:
    first, last = seeded.rows(
        sa.select(sa.func.min(events.c.timestamp), sa.func.max(events.c.timestamp))
    )[0]
    midnight = datetime(2026, 11, 22, tzinfo=timezone.utc).timestamp()
    assert last < midnight
    assert first >= midnight - 28 * 86400
    (opened,) = seeded.rows(sa.select(sa.func.max(h.tickets.c.created_at)), seeded.handoff_url)[0]
    assert opened < datetime(2026, 11, 22)


def test_every_channel_has_conversations_handoffs_and_ratings(figures: dict) -> None:
    channels = {r["channel"]: r for r in figures["channels"]}
    assert set(channels) == {"webchat", "whatsapp", "slack"}
    for row in channels.values():
        assert row["conversations"] >= 100 and row["handoffs"] >= 10
    rated = {r["channel"]: r["rated"] for r in figures["csat"]["by_channel"]}
    assert all(n >= 10 for n in rated.values()), rated
    assert figures["conversations"] > 1000
    assert 0.6 < figures["containment"]["rate"] < 0.85  # a bot that helps, and needs people


def test_the_history_has_every_kind_of_handoff_rating_return_and_language(figures: dict) -> None:
    reasons = {r["code"] for r in figures["handoff"]["reasons"]}
    assert {"customer_asked", "misunderstood", "complaint", "policy", "action_failed"} <= reasons
    assert all(figures["csat"]["distribution"][str(r)] > 0 for r in range(1, 6))
    assert len(figures["csat"]["by_agent"]) == 3
    assert figures["returns"]["opened"] > 50
    assert {r["value"] for r in figures["returns"]["by_method"]} == {"carrier", "drop_off"}
    assert {r["language"] for r in figures["languages"]} == {"en", "ko", "zh"}
    assert figures["fallback"]["messages"] > 0
    assert figures["waiting"]["first_reply"]["median_seconds"] < 15 * 60


def test_the_history_has_cancellations_with_every_ending_and_their_refunds(figures: dict) -> None:
    cancel = next(f for f in figures["flows"]["flows"] if f["flow"] == "cancel")
    assert cancel["started"] > 20
    assert cancel["done"] > cancel["refused"] > 0 and cancel["stopped"] > 0
    # every cancellation started in the history ends: done, refused or stopped
    assert cancel["done"] + cancel["refused"] + cancel["stopped"] == cancel["started"]
    assert 0.5 < cancel["containment_rate"] < 1.0
    assert {m["currency"] for m in cancel["money"]} == {"EUR", "GBP"}
    assert all(float(m["amount"]) > 0 for m in cancel["money"])


def test_the_same_anchor_gives_the_same_history(
    seeded: Seeded, tmp_path: Path, figures: dict
) -> None:
    again = Seeded(tmp_path)
    assert again.written == seeded.written
    other = metrics_for(again.tracker_url, again.handoff_url, LAST_28_DAYS)
    for answer in (other, dict(figures)):
        answer.pop("generated_at")
    expected = dict(figures)
    expected.pop("generated_at", None)
    assert other == expected


def test_seeding_twice_writes_nothing_the_second_time(seeded: Seeded) -> None:
    count = sa.select(sa.func.count()).select_from(events)
    before = seeded.rows(count)[0][0]
    second = seed_history(seeded.tracker_url, seeded.handoff_url, anchor=ANCHOR)
    assert not second.created and second.conversations == 0
    assert seeded.rows(count)[0][0] == before
    tickets = seeded.rows(sa.select(sa.func.count()).select_from(h.tickets), seeded.handoff_url)
    assert tickets[0][0] == seeded.written.tickets


def test_seeded_events_are_events_rasa_can_load(seeded: Seeded) -> None:
    from rasa.shared.core.events import Event

    rows = seeded.rows(
        sa.select(events.c.sender_id, events.c.type_name, events.c.data)
        .where(events.c.sender_id.like(f"{PREFIX}%"))
        .order_by(events.c.id)
        .limit(3000)
    )
    kinds = Counter()
    for sender_id, type_name, data in rows:
        event = Event.from_parameters(json.loads(data))
        assert event is not None and event.type_name == type_name, (sender_id, data)
        kinds[type_name] += 1
    assert {"user", "bot", "action", "slot", "session_started", "pause", "resume"} <= set(kinds)


def test_the_events_table_is_the_one_rasa_creates() -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    theirs = SQLTrackerStore.SQLEvent.__table__
    ours = events
    assert [(c.name, type(c.type), c.nullable) for c in ours.columns] == [
        (c.name, type(c.type), c.nullable) for c in theirs.columns
    ]
    assert {i.name for i in ours.indexes} == {i.name for i in theirs.indexes}


def test_the_handoff_service_starts_on_the_database_the_history_was_seeded_into(
    seeded: Seeded,
) -> None:
    """`make run` seeds the history before the handoff service starts; the service upgrades
    its database on start. A schema made by create_all was taken for an unversioned one and
    upgraded again ("table canned_replies already exists"), so the service never answered."""
    import asyncio

    from handoff.store.db import create_engine, create_schema
    from handoff.store.migrations import MIGRATIONS
    from infra.migrations import current_revision

    async def start() -> None:
        engine = create_engine(seeded.handoff_url.replace("sqlite://", "sqlite+aiosqlite://"))
        try:
            await create_schema(engine)
        finally:
            await engine.dispose()

    asyncio.run(start())
    engine = sa.create_engine(seeded.handoff_url, future=True)
    try:
        with engine.connect() as conn:
            assert current_revision(conn, MIGRATIONS) == "0006"
            assert conn.execute(sa.select(sa.func.count()).select_from(h.tickets)).scalar()
    finally:
        engine.dispose()


def test_the_demo_whatsapp_cases_are_found_by_their_number(seeded: Seeded) -> None:
    """The history's tickets carry the search keys intake would write (handoff/search_keys.py),
    so the console's search finds a demo WhatsApp case by its phone number."""
    engine = sa.create_engine(seeded.handoff_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(h.tickets.c.conversation_id, h.tickets.c.search_keys).where(
                    h.tickets.c.channel == "whatsapp"
                )
            ).all()
    finally:
        engine.dispose()
    assert rows
    for _conversation_id, keys in rows:
        assert re.fullmatch(r"\|p:447700\d{6}:p\|", keys or ""), keys
