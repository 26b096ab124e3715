"""Web chat events reach a customer's socket whichever Rasa replica holds it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from connectors.fanout import FanoutUnavailable, RoomFanout
from connectors.webchat import WebChatOutput
from tests.lock_store.conftest import RedisServer


class Manager:
    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, Any]] = {}

    def get_participants(self, namespace: str, room: str) -> Any:
        if namespace not in self.rooms:
            raise KeyError(namespace)
        yield from ((sid, sid) for sid in self.rooms[namespace].get(room, ()))


class Sio:
    """The part of python-socketio's AsyncServer the fan-out uses: rooms and emit."""

    def __init__(self) -> None:
        self.manager = Manager()
        self.emitted: list[tuple[str, Any, str]] = []

    def join(self, room: str) -> None:
        self.manager.rooms.setdefault("/", {}).setdefault(room, set()).add(f"sid-{room}")

    async def emit(self, event: str, data: Any, room: str) -> None:
        if room in self.manager.rooms.get("/", {}):
            self.emitted.append((event, data, room))


async def _until(condition: Any, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def _pair(url: str) -> tuple[Sio, RoomFanout, Sio, RoomFanout]:
    sio_a, sio_b = Sio(), Sio()
    a, b = RoomFanout(sio_a, url), RoomFanout(sio_b, url)
    await a.start()
    await b.start()
    assert await a.wait_until_listening() and await b.wait_until_listening()
    return sio_a, a, sio_b, b


async def test_an_agent_message_relayed_through_the_other_replica_reaches_the_customer(
    redis_server: RedisServer,
) -> None:
    sio_a, a, sio_b, b = await _pair(redis_server.url)
    try:
        sio_a.join("conv-1")  # the customer's socket is on replica A
        output = WebChatOutput(b, "bot_uttered")  # the relay call landed on replica B
        for n in range(20):
            await output.send_agent_message("conv-1", f"reply {n}", "Sam")
        await _until(lambda: len(sio_a.emitted) == 20)
        assert [d["text"] for _, d, _ in sio_a.emitted] == [f"reply {n}" for n in range(20)]
        assert all(d["metadata"] == {"agent_name": "Sam"} for _, d, _ in sio_a.emitted)
        assert sio_b.emitted == []
    finally:
        await a.stop()
        await b.stop()


async def test_local_sockets_get_a_turn_once_and_a_second_tab_elsewhere_gets_it_too(
    redis_server: RedisServer,
) -> None:
    sio_a, a, sio_b, b = await _pair(redis_server.url)
    try:
        sio_a.join("conv-2")
        sio_b.join("conv-2")  # the same customer in a second tab, on replica B
        await WebChatOutput(a, "bot_uttered").send_text_message("conv-2", "Your order shipped.")
        await _until(lambda: len(sio_b.emitted) == 1)
        await asyncio.sleep(0.1)
        assert [d["text"] for _, d, _ in sio_a.emitted] == ["Your order shipped."]
        assert [d["text"] for _, d, _ in sio_b.emitted] == ["Your order shipped."]
    finally:
        await a.stop()
        await b.stop()


async def test_with_redis_down_a_relay_to_another_replica_fails_loudly_and_local_turns_work(
    redis_server: RedisServer,
) -> None:
    sio_a, a, _sio_b, b = await _pair(redis_server.url)
    try:
        sio_a.join("conv-3")
        redis_server.stop()
        with pytest.raises(FanoutUnavailable):  # the relay answers 503; the service retries
            await WebChatOutput(b, "bot_uttered").send_agent_message("conv-3", "hello", "Sam")
        await WebChatOutput(a, "bot_uttered").send_text_message("conv-3", "local turn")
        assert [d["text"] for _, d, _ in sio_a.emitted] == ["local turn"]
        redis_server.start()
        assert await b.wait_until_listening(10) and await a.wait_until_listening(10)
        await asyncio.sleep(1.1)  # the publisher's pause after a failure
        await WebChatOutput(b, "bot_uttered").send_agent_message("conv-3", "hello", "Sam")
        await _until(lambda: len(sio_a.emitted) == 2)
        assert sio_a.emitted[-1][1]["text"] == "hello"
    finally:
        await a.stop()
        await b.stop()


async def test_without_redis_events_go_to_this_replicas_sockets_as_before() -> None:
    sio = Sio()
    fanout = RoomFanout(sio, None)
    await fanout.start()
    sio.join("conv-4")
    await WebChatOutput(fanout, "bot_uttered").send_agent_message("conv-4", "hi", "Sam")
    assert [d["text"] for _, d, _ in sio.emitted] == ["hi"]
    await fanout.stop()
