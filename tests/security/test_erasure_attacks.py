"""Item 4: erasure left ways back to an erased customer, and nothing expired.

The placeholder e-mail erasure writes proved ownership of the erased customer's orders; the
WhatsApp photos they sent stayed on disk; a conversation that proved an order by postcode (or
by the e-mail in another case, on PostgreSQL) was not found; in local mode the channel-id
secret was read under the wrong file name, so the WhatsApp conversation was missed. And no
record ever expired.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import insert

from actions.services.verification import proof_matches
from actions.store import tables as t
from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository
from bot.tracker_store import BatonSQLTrackerStore
from connectors.outbox import relay_deliveries
from infra.erasure import Subject, Targets, erase
from infra.retention import Retention, apply_retention
from infra.sql import create_async_engine_for
from tests.ops.world import CHANNEL_SECRET, JANE_ID, JANE_WA, World, build_world

POSTCODE_CHAT = "web-proved-by-postcode"


@pytest.fixture
async def world(tmp_path: Path) -> World:
    built = await build_world(tmp_path)
    engine = create_engine_for(built.targets.store_url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(t.verification_attempts).values(
                order_number="10001",
                conversation_id=POSTCODE_CHAT,
                attempted_at=datetime.utcnow(),
                succeeded=True,
            )
        )
    await engine.dispose()
    store = BatonSQLTrackerStore(url=built.targets.tracker_url)
    await store.save(
        DialogueStateTracker.from_events(
            POSTCODE_CHAT, [UserUttered("where is 10001"), UserUttered("sw1a 1aa")], slots=[]
        )
    )
    store.engine.dispose()
    return built


def rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql, args).fetchall()


async def load_order(world: World, number: str):  # type: ignore[no-untyped-def]
    engine = create_engine_for(world.targets.store_url)
    async with engine.connect() as conn:
        order = await StoreRepository(conn).get_order(number)
    await engine.dispose()
    assert order is not None
    return order


async def test_the_erasure_placeholder_email_proves_nothing(world: World) -> None:
    await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")
    order = await load_order(world, "10001")
    assert order.email.endswith("@erased.invalid")
    for guess in (order.email, order.email.upper(), f"erased-{JANE_ID}@erased.invalid", "", " "):
        assert not proof_matches(order, guess), guess


async def test_a_conversation_that_proved_an_order_by_postcode_is_erased(world: World) -> None:
    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")
    senders = {s for (s,) in rows(world.targets.tracker_url, "SELECT sender_id FROM events")}
    assert POSTCODE_CHAT not in senders
    assert report.counts["store_ownership_checks"] >= 1


async def test_the_whatsapp_photos_of_an_erased_customer_are_deleted(world: World) -> None:
    assert world.targets.uploads_dir is not None
    folder = world.targets.uploads_dir / JANE_WA
    folder.mkdir(parents=True)
    (folder / "MM1-0.jpg").write_bytes(b"\xff\xd8 a photo of a parcel")
    other = world.targets.uploads_dir / "wa-someone-else"
    other.mkdir()
    (other / "MM2-0.jpg").write_bytes(b"\xff\xd8")
    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")
    assert not folder.exists()
    assert (other / "MM2-0.jpg").exists()
    assert report.counts["uploaded_files"] == 1


async def test_local_mode_finds_the_whatsapp_conversation_by_the_generated_secret(
    world: World,
) -> None:
    env = {k: v for k, v in world.env.items() if k != "CHANNEL_ID_SECRET"}
    secrets_dir = Path(env["BATON_VAR_DIR"]) / "secrets"
    secrets_dir.mkdir(exist_ok=True)
    (secrets_dir / "channel_id_secret").write_text(CHANNEL_SECRET)  # as infra/secrets.py
    targets = Targets.from_env(env)
    assert targets.channel_id_secret == CHANNEL_SECRET
    await erase(Subject(customer_id=JANE_ID), targets, requested_by="test")
    senders = {s for (s,) in rows(targets.tracker_url, "SELECT sender_id FROM events")}
    assert JANE_WA not in senders


async def test_a_proof_typed_in_another_case_is_found(world: World) -> None:
    store = BatonSQLTrackerStore(url=world.targets.tracker_url)
    await store.save(
        DialogueStateTracker.from_events("web-shouty", [UserUttered("JANE.DOE@EXAMPLE.COM")])
    )
    store.engine.dispose()
    await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")
    senders = {s for (s,) in rows(world.targets.tracker_url, "SELECT sender_id FROM events")}
    assert "web-shouty" not in senders


async def test_retention_forgets_old_conversations_tickets_proofs_and_relay_keys(
    world: World,
) -> None:
    tracker = create_async_engine_for(world.targets.tracker_url)
    async with tracker.begin() as conn:
        await conn.run_sync(relay_deliveries.metadata.create_all)
        old = datetime.utcnow() - timedelta(days=45)
        await conn.execute(insert(relay_deliveries).values(key="old-key", delivered_at=old))
        await conn.execute(
            insert(relay_deliveries).values(key="new-key", delivered_at=datetime.utcnow())
        )
    await tracker.dispose()
    with sqlite3.connect(world.targets.handoff_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE tickets SET status = 'closed', closed_at = '2020-01-01 00:00:00'")
    store = create_engine_for(world.targets.store_url)
    async with store.begin() as conn:
        await conn.execute(
            insert(t.verification_attempts).values(
                order_number="10002",
                conversation_id="old-guess",
                attempted_at=datetime.utcnow() - timedelta(days=200),
                succeeded=False,
            )
        )
    await store.dispose()

    future = time.time() + 400 * 86_400  # every conversation of the world is idle by then
    policy = dataclasses.replace(Retention.from_env({}), events_days=365, tickets_days=365)
    counts = await apply_retention(world.targets, policy, now=future)
    assert counts["conversations"] >= 4 and counts["tracker_events"] > 0
    assert rows(world.targets.tracker_url, "SELECT COUNT(*) FROM events") == [(0,)]
    assert rows(world.targets.handoff_url, "SELECT COUNT(*) FROM tickets") == [(0,)]
    assert rows(world.targets.store_url, "SELECT COUNT(*) FROM verification_attempts") == [(0,)]
    keys = rows(world.targets.tracker_url, "SELECT key FROM baton_relay_deliveries")
    assert keys == []  # both are over 30 days old a year and a month from now


async def test_retention_keeps_what_is_recent(world: World) -> None:
    before = rows(world.targets.tracker_url, "SELECT COUNT(*) FROM events")
    policy = Retention.from_env({"RETENTION_EVENTS_DAYS": "30", "RETENTION_TICKETS_DAYS": "30"})
    counts = await apply_retention(world.targets, policy)
    assert counts["conversations"] == 0
    assert rows(world.targets.tracker_url, "SELECT COUNT(*) FROM events") == before
    assert rows(world.targets.store_url, "SELECT COUNT(*) FROM verification_attempts") != [(0,)]


def test_a_retention_period_must_be_a_number_of_days() -> None:
    with pytest.raises(ValueError):
        Retention.from_env({"RETENTION_EVENTS_DAYS": "-1"})
    assert Retention.from_env({}).verification_days == 90
