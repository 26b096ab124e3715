"""A photo sent while a person has the conversation leaves the Rasa server with its message:
the outbox hook queues the kept file's reference (never the channel's media URL), and the
outbox forwards it with the words, after a retry too."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

import pytest
from sqlalchemy import func, select

from connectors import outbox_hook
from connectors.outbox import Outbox, outbox_attachments
from connectors.outbox_hook import kept_references

PHOTO = {
    "kind": "image",
    "content_type": "image/jpeg",
    "bytes": 48213,
    "sha256": "a" * 64,
    "path": "uploads/wa-1/MM1-0.jpg",
}
NOT_KEPT = {"kind": "image", "content_type": "image/jpeg", "media_url": "https://api.twilio.com/M"}


class Service:
    """A handoff service that fails the first call, then records what it is sent."""

    def __init__(self) -> None:
        self.calls = 0
        self.received: list[tuple[str, str, Optional[list[dict[str, Any]]]]] = []

    async def forward(
        self,
        conversation_id: str,
        key: str,
        text: str,
        sent_at: float,
        attachments: Optional[list[dict[str, Any]]] = None,
    ) -> None:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("handoff service down")
        self.received.append((conversation_id, text, attachments))


async def drained(box: Outbox) -> None:
    for _ in range(100):
        if await box.pending() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not empty")


async def test_the_photos_reference_travels_with_its_message_after_a_retry(
    tmp_path: Path,
) -> None:
    service = Service()
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", service.forward, max_backoff=0.05)
    await box.start()
    try:
        await box.enqueue("wa-1", "[photo]", attachments=[PHOTO])
        await box.enqueue("wa-1", "it arrived broken")
        await drained(box)
        assert service.received == [
            ("wa-1", "[photo]", [PHOTO]),
            ("wa-1", "it arrived broken", None),
        ]
        assert await box._attachments_of("any") == []
        async with box.engine.connect() as conn:
            left = await conn.execute(select(func.count()).select_from(outbox_attachments))
            assert left.scalar() == 0  # gone with the delivered message
    finally:
        await box.stop()


def test_only_kept_files_are_forwarded_and_only_their_reference_keys() -> None:
    extra = {**PHOTO, "caption": "x", "url": "https://example.com/a.jpg"}
    assert kept_references({"attachments": [PHOTO, NOT_KEPT, "junk", extra]}) == [PHOTO, PHOTO]
    assert kept_references({"attachments": [{**PHOTO, "media_url": "https://x"}]}) == []
    assert kept_references({"attachments": "junk"}) == []
    assert kept_references(None) == []


class FakeBox:
    def __init__(self) -> None:
        self.queued: list[tuple[str, str, Any]] = []

    async def enqueue(
        self, conversation_id: str, text: str, sent_at: Any = None, attachments: Any = None
    ) -> str:
        self.queued.append((conversation_id, text, attachments))
        return "key"


async def test_a_paused_conversations_photo_is_queued_with_its_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box = FakeBox()
    monkeypatch.setattr(outbox_hook, "_active", box)
    tracker = SimpleNamespace(
        is_paused=lambda: True,
        latest_message=SimpleNamespace(intent={"name": "nlu_fallback"}, timestamp=1.0),
        sender_id="wa-1",
    )
    message = SimpleNamespace(text="[photo]", metadata={"attachments": [PHOTO, NOT_KEPT]})

    await outbox_hook._forward_if_paused(tracker, message)

    assert box.queued == [("wa-1", "[photo]", [PHOTO])]
