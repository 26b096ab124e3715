"""Erasing a customer removes the photos they sent after a handoff: the kept files, the
references stored with their case's messages and those still queued in the outbox — and
another customer's stay."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from connectors.outbox import outbox_attachments
from handoff.store import tables as h
from handoff.store.db import create_engine
from infra.erasure import Subject, erase
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
