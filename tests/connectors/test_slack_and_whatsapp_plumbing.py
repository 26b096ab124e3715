"""What both channels stand on: answering once, running turns in order in the background,
and logging failures without personal data."""

from __future__ import annotations

import asyncio
import logging

import pytest

from connectors.background import TurnRunner
from connectors.dedupe import MemoryDeduplicator
from infra.redaction import redact


async def test_a_key_is_new_once_until_it_expires() -> None:
    now = [1000.0]
    seen = MemoryDeduplicator(ttl_seconds=60, clock=lambda: now[0])
    assert await seen.first_time("twilio:SM1")
    assert not await seen.first_time("twilio:SM1")
    now[0] += 61
    assert await seen.first_time("twilio:SM1")


async def test_the_dedupe_memory_is_bounded_and_forgets_the_oldest_first() -> None:
    seen = MemoryDeduplicator(ttl_seconds=3600, max_keys=100)
    for i in range(1000):
        await seen.first_time(f"k{i}")
    assert len(seen) == 100
    assert not await seen.first_time("k999")
    assert await seen.first_time("k0")


async def test_one_conversations_turns_run_one_at_a_time_in_arrival_order() -> None:
    runner = TurnRunner("test")
    done: list[str] = []

    def turn(name: str, delay: float):  # type: ignore[no-untyped-def]
        async def work() -> None:
            await asyncio.sleep(delay)
            done.append(name)

        return work

    runner.submit("a", turn("a1", 0.05))
    runner.submit("b", turn("b1", 0.0))
    runner.submit("a", turn("a2", 0.0))
    runner.submit("a", turn("a3", 0.01))
    await runner.drain()
    assert [d for d in done if d.startswith("a")] == ["a1", "a2", "a3"]
    assert done.index("b1") < done.index("a1")  # other conversations don't wait
    assert runner.pending == 0


async def test_a_failing_turn_is_logged_without_personal_data_and_the_customer_is_told(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = TurnRunner("whatsapp")
    told: list[BaseException] = []

    async def fails() -> None:
        raise RuntimeError(
            "The 'To' number whatsapp:+447700900001 (jane.doe@example.com) is not valid"
        )

    async def tell(exc: BaseException) -> None:
        told.append(exc)

    with caplog.at_level(logging.ERROR):
        runner.submit("wa-abc", fails, on_error=tell)
        await runner.drain()
    assert len(told) == 1
    assert "wa-abc" in caplog.text and "RuntimeError" in caplog.text
    assert "+447700900001" not in caplog.text and "jane.doe" not in caplog.text


async def test_tasks_are_held_until_they_finish() -> None:
    runner = TurnRunner("test")
    gate = asyncio.Event()

    async def work() -> None:
        await gate.wait()

    runner.submit("c", work)
    await asyncio.sleep(0)
    assert runner.pending == 1
    gate.set()
    await runner.drain()
    assert runner.pending == 0


def test_redaction_hides_numbers_addresses_and_tokens_but_not_ordinary_text() -> None:
    text = (
        "to whatsapp:+447700900001 / +353 85 123 4567 / 447700900001, "
        "from liam.murphy@example.ie with xoxb-1234-abcd and auth_token=s3cr3t; "
        "order 10001 at 127.0.0.1:5005"
    )
    assert redact(text) == (
        "to <phone> / <phone> / <phone>, from <email> with <slack-token> and "
        "auth_token=<redacted> order 10001 at 127.0.0.1:5005"
    )
