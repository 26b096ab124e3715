"""Erasing a customer removes the photos they sent after a handoff: the kept files, the
references stored with their case's messages and those still queued in the outbox — and
another customer's stay. Retention forgets them with the idle conversation and the old case."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from connectors.outbox import outbox_attachments
from handoff.store import tables as h
from handoff.store.db import create_engine
from infra.erasure import Subject, erase
from infra.retention import Retention, apply_retention
from infra.sql import create_async_engine_for
from infra.uploads import store_bytes
from tests.ops.world import JANE_ID, JANE_WEB, PRIYA_WEB, World, build_world

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x03" * 64


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    built = await build_world(tmp_path)
    monkeypatch.setenv("BATON_VAR_DIR", built.env["BATON_VAR_DIR"])
    return built


async def photo_after_handoff(world: World, ticket_id: int, conversation: str) -> dict:
    """The customer's photo kept, stored with their case's message and queued in the outbox."""
    reference = store_bytes(conversation, JPEG, "image/jpeg")
    handoff = create_engine(world.targets.handoff_url)
    async with handoff.begin() as conn:
        await conn.execute(
            insert(h.messages).values(
                ticket_id=ticket_id,
                kind="customer",
                text="[photo]",
                created_at=datetime(2026, 1, 1, 12, 5),
                attachments=json.dumps([reference]),
            )
        )
    await handoff.dispose()
    tracker = create_async_engine_for(world.targets.tracker_url)
    async with tracker.begin() as conn:
        await conn.execute(
            insert(outbox_attachments).values(
                key=f"photo-{conversation}",
                conversation_id=conversation,
                attachments=json.dumps([reference]),
            )
        )
    await tracker.dispose()
    return reference


async def test_erasure_removes_the_photo_its_case_reference_and_its_queued_reference(
    world: World,
) -> None:
    var = Path(world.env["BATON_VAR_DIR"])
    janes = await photo_after_handoff(world, 1, JANE_WEB)
    priyas = await photo_after_handoff(world, 2, PRIYA_WEB)
    assert (var / janes["path"]).is_file()

    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")

    assert not (var / janes["path"]).exists()
    assert not (var / janes["path"]).parent.exists()
    assert report.counts["uploaded_files"] == 1
    stored = rows(world.targets.handoff_url, "SELECT attachments FROM messages")
    assert janes["path"] not in json.dumps(stored)
    assert [json.loads(a) for (a,) in stored if a] == [[priyas]]
    queued = rows(
        world.targets.tracker_url,
        "SELECT conversation_id FROM baton_handoff_outbox_attachments",
    )
    assert queued == [(PRIYA_WEB,)]
    assert (var / priyas["path"]).read_bytes() == JPEG


async def test_retention_forgets_old_photos_with_their_conversations_and_cases(
    world: World,
) -> None:
    var = Path(world.env["BATON_VAR_DIR"])
    kept = [
        await photo_after_handoff(world, 1, JANE_WEB),
        await photo_after_handoff(world, 2, PRIYA_WEB),
    ]
    with sqlite3.connect(world.targets.handoff_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE tickets SET status = 'closed', closed_at = '2020-01-01 00:00:00'")

    future = time.time() + 400 * 86_400  # every conversation of the world is idle by then
    policy = dataclasses.replace(Retention.from_env({}), events_days=365, tickets_days=365)
    counts = await apply_retention(world.targets, policy, now=future)

    assert counts["uploaded_files"] == 2
    assert not any((var / reference["path"]).exists() for reference in kept)
    assert rows(world.targets.handoff_url, "SELECT attachments FROM messages") == []
    queued = "SELECT COUNT(*) FROM baton_handoff_outbox_attachments"
    assert rows(world.targets.tracker_url, queued) == [(0,)]
