"""Erasure deletes what a customer uploaded in the web chat, as it does their WhatsApp photos:
both channels keep files under ``$BATON_VAR_DIR/uploads/<conversation folder>/`` (infra/uploads.py)
and the erasure finds the folder by the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.attachments import keep_upload
from infra.erasure import Subject, erase
from infra.uploads import resolve_reference
from tests.ops.world import JANE_ID, JANE_WEB, World, build_world

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x02" * 64
ANONYMOUS_CHAT = "0123456789abcdef0123456789abcdef"  # a web chat conversation id (32 hex)
SOMEONE_ELSE = "fedcba9876543210fedcba9876543210"


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    built = await build_world(tmp_path)
    monkeypatch.setenv("BATON_VAR_DIR", built.env["BATON_VAR_DIR"])
    return built


async def upload(conversation: str) -> Path:
    reference = await keep_upload(conversation, JPEG, max_bytes=1024, max_files=5)
    found = resolve_reference(reference["path"])
    assert found is not None
    return found[0]


async def test_a_logged_in_customers_web_chat_photos_are_erased_with_them(world: World) -> None:
    assert world.targets.uploads_dir is not None
    kept = await upload(JANE_WEB)  # Jane's web chat conversation (her customer id in it)
    other = await upload(SOMEONE_ELSE)
    assert kept.parent.parent == world.targets.uploads_dir.resolve()
    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")
    assert not kept.exists() and not kept.parent.exists()
    assert other.exists()
    assert report.counts["uploaded_files"] == 1


async def test_an_anonymous_web_chat_photo_is_erased_by_its_conversation(world: World) -> None:
    kept = await upload(ANONYMOUS_CHAT)
    other = await upload(SOMEONE_ELSE)
    report = await erase(
        Subject(conversation_ids=(ANONYMOUS_CHAT,)), world.targets, requested_by="test"
    )
    assert not kept.exists()
    assert other.exists()
    assert report.counts["uploaded_files"] == 1
