"""The Rasa server's outbox: in order, retried until acknowledged, exactly once, durable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from connectors.outbox import Outbox


class Flaky:
    """A handoff service that is down until told otherwise and acknowledges each key once."""

    def __init__(self) -> None:
        self.up = False
        self.received: dict[str, list[tuple[str, str]]] = {}
        self.keys: set[str] = set()
        self.lose_next_ack = False

    async def forward(self, conversation_id: str, key: str, text: str, sent_at: float) -> None:
        if not self.up:
            raise ConnectionError("handoff service down")
        if key not in self.keys:  # the service stores a key once
            self.keys.add(key)
            self.received.setdefault(conversation_id, []).append((key, text))
        if self.lose_next_ack:  # stored, but the answer never reaches the outbox
            self.lose_next_ack = False
            raise TimeoutError("answer lost")


async def test_messages_wait_while_the_service_is_down_then_arrive_in_order_once(
    tmp_path: Path,
) -> None:
    service = Flaky()
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", service.forward, max_backoff=0.05)
    await box.start()
    try:
        for text in ("one", "two", "three"):
            await box.enqueue("conv", text)
        await box.enqueue("other", "hello")
        await asyncio.sleep(0.3)
        assert service.received == {} and await box.pending() == 4
        service.up = True
        service.lose_next_ack = True
        for _ in range(100):
            if await box.pending() == 0:
                break
            await asyncio.sleep(0.05)
        assert [t for _, t in service.received["conv"]] == ["one", "two", "three"]
        assert [t for _, t in service.received["other"]] == ["hello"]
    finally:
        await box.stop()


async def test_the_outbox_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    down = Flaky()
    first = Outbox(url, down.forward, max_backoff=0.05)
    await first.start()
    await first.enqueue("conv", "written while the service was down")
    await first.enqueue("conv", "and another")
    await first.stop()  # the Rasa server stops

    up = Flaky()
    up.up = True
    second = Outbox(url, up.forward, max_backoff=0.05)
    await second.start()
    try:
        for _ in range(100):
            if await second.pending() == 0:
                break
            await asyncio.sleep(0.05)
        assert [t for _, t in up.received["conv"]] == [
            "written while the service was down",
            "and another",
        ]
    finally:
        await second.stop()


async def test_a_failing_conversation_does_not_hold_up_the_others(tmp_path: Path) -> None:
    delivered: list[str] = []

    async def forward(conversation_id: str, key: str, text: str, sent_at: float) -> None:
        if conversation_id == "stuck":
            raise ConnectionError("refused")
        delivered.append(text)

    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", forward, max_backoff=0.05)
    await box.start()
    try:
        await box.enqueue("stuck", "x")
        await box.enqueue("fine", "y")
        for _ in range(50):
            if delivered:
                break
            await asyncio.sleep(0.05)
        assert delivered == ["y"] and await box.pending() == 1
    finally:
        await box.stop()


async def test_relay_deliveries_are_remembered(tmp_path: Path) -> None:
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}", Flaky().forward)
    await box.start()
    try:
        assert not await box.already_delivered("handoff-message-1")
        await box.remember_delivery("handoff-message-1")
        await box.remember_delivery("handoff-message-1")
        assert await box.already_delivered("handoff-message-1")
    finally:
        await box.stop()
