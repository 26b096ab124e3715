"""Item 3: text that can't be stored.

A NUL or a lone surrogate made the outbox drop a customer's message to their agent (the write
failed), a message the handoff service refused was retried forever in front of the ones behind
it, 500 rows in backoff made the worker spin, and the NLU inbox CSV was cut short.
"""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path

import pytest

from bot.inbox import aggregate, read_review_file, write_review_file
from bot.trainers.inbox_rules import Picked
from connectors.outbox import Outbox
from connectors.text import clean_text, is_clean
from connectors.whatsapp import Inbound
from infra.handoff_client import HandoffUnavailable

HOSTILE = ["hi\x00there", "caf\ud800e", "\x1b[31mred\x1b[0m", "rtl \u202eevil", "a\x7fb"]


class Service:
    """A handoff service that refuses some messages for good and takes the rest."""

    def __init__(self, refuse: str = "", status: int = 422) -> None:
        self.refuse = refuse
        self.status = status
        self.received: list[str] = []

    async def forward(self, conversation_id: str, key: str, text: str, sent_at: float) -> None:
        text.encode("utf-8")  # what a JSON body needs; raises on a lone surrogate
        if self.refuse and self.refuse in text:
            raise HandoffUnavailable("refused", status=self.status)
        self.received.append(text)


async def drain(box: Outbox) -> None:
    for _ in range(100):
        if await box.pending() == 0:
            return
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("text", HOSTILE)
def test_control_characters_and_lone_surrogates_are_cleaned_at_the_edge(text: str) -> None:
    cleaned = clean_text(text)
    assert is_clean(cleaned)
    cleaned.encode("utf-8")
    assert clean_text(cleaned) == cleaned
    form = {
        "Body": text,
        "From": "whatsapp:+447700900001",
        "MessageSid": "SM1",
        "ProfileName": text,
    }
    inbound = Inbound.from_form(form)
    assert is_clean(inbound.text) and inbound.profile_name and is_clean(inbound.profile_name)


async def test_a_lone_surrogate_to_an_agent_arrives_instead_of_vanishing(tmp_path: Path) -> None:
    service = Service()
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", service.forward, max_backoff=0.05)
    await box.start()
    try:
        await box.enqueue("conv", "my order \ud800 is late")
        await box.enqueue("conv", "nul\x00here")
        await drain(box)
        assert service.received == ["my order \ufffd is late", "nulhere"]
    finally:
        await box.stop()


async def test_a_message_refused_for_good_is_set_aside_and_the_next_one_goes_on(
    tmp_path: Path,
) -> None:
    service = Service(refuse="poison")
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", service.forward, max_backoff=0.05)
    await box.start()
    try:
        for text in ("first", "poison pill", "after it"):
            await box.enqueue("conv", text)
        await drain(box)
        assert service.received == ["first", "after it"]
        dead = await box.dead()
        assert [(d["text"], d["reason"]) for d in dead] == [
            ("poison pill", "refused with HTTP 422")
        ]
    finally:
        await box.stop()


async def test_a_message_failing_for_a_day_is_set_aside(tmp_path: Path) -> None:
    service = Service(refuse="stuck", status=503)
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", service.forward, dead_after_seconds=60)
    await box.start()
    try:
        await box.enqueue("conv", "stuck", sent_at=time.time() - 3600)
        await box.enqueue("conv", "behind it")
        await drain(box)
        assert service.received == ["behind it"]
        assert [d["text"] for d in await box.dead()] == ["stuck"]
    finally:
        await box.stop()


async def test_five_hundred_conversations_in_backoff_do_not_make_the_worker_spin(
    tmp_path: Path,
) -> None:
    async def down(*_: object) -> None:
        raise ConnectionError("handoff service down")

    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", down, max_backoff=30)
    async with box.engine.begin() as conn:
        from connectors.outbox import metadata

        await conn.run_sync(metadata.create_all)
    for n in range(501):
        await box.enqueue(f"conv-{n}", "hello")
    first = await box.deliver_due()  # every conversation fails once and backs off
    assert first is not None and first > 0
    again = await box.deliver_due()
    assert again is not None and again > 0, "the worker would loop without sleeping"
    await box.stop()


def test_a_nul_in_a_message_does_not_cut_the_inbox_csv_short(tmp_path: Path) -> None:
    picked = [
        Picked("c1", "where is\x00 my parcel", "nlu_fallback", 0.2, time.time(), {"fallback"}),
        Picked("c2", "caf\ud800e order", "nlu_fallback", float("inf"), time.time(), {"fallback"}),
        Picked("c3", "last row survives", "nlu_fallback", 0.3, time.time(), {"fallback"}),
    ]
    out = tmp_path / "inbox.csv"
    write_review_file(out, aggregate(picked))
    rows = read_review_file(out)
    assert sorted(r["text"] for r in rows) == [
        "caf\ufffde order",
        "last row survives",
        "where is my parcel",
    ]
    with out.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3
