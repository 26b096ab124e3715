"""Live console updates reach every agent, whichever handoff replica their console is on."""

from __future__ import annotations

import asyncio
import json

from handoff.live import Hub
from tests.lock_store.conftest import RedisServer


class Console:
    """A console's WebSocket: records what the hub sends."""

    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []

    async def send(self, data: str) -> None:
        self.received.append(json.loads(data))


async def _until(condition: object, timeout: float = 15.0) -> None:
    assert callable(condition)
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_an_event_on_one_replica_reaches_consoles_on_both_in_order(
    redis_server: RedisServer,
) -> None:
    a, b = Hub(redis_server.url), Hub(redis_server.url)
    await a.start()
    await b.start()
    try:
        assert await a.wait_until_listening() and await b.wait_until_listening()
        on_a, on_b = Console(), Console()
        a.add(on_a, 1)
        b.add(on_b, 2)
        for n in range(50):
            await (a if n % 3 else b).publish({"type": "message", "n": n})
        await _until(lambda: len(on_a.received) == 50 and len(on_b.received) == 50)
        assert [e["n"] for e in on_a.received] == list(range(50))
        assert [e["n"] for e in on_b.received] == list(range(50))
    finally:
        await a.stop()
        await b.stop()


async def test_agents_connected_to_the_other_replica_count_as_online(
    redis_server: RedisServer,
) -> None:
    a, b = Hub(redis_server.url), Hub(redis_server.url)
    await a.start()
    await b.start()
    try:
        assert await a.wait_until_listening() and await b.wait_until_listening()
        console = Console()
        a.add(console, 7)
        await _until(lambda: b.connected_agents() == {7})
        a.remove(console)
        await _until(lambda: b.connected_agents() == set())
    finally:
        await a.stop()
        await b.stop()


async def test_redis_down_local_consoles_still_updated_and_sharing_resumes_by_itself(
    redis_server: RedisServer,
) -> None:
    a, b = Hub(redis_server.url), Hub(redis_server.url)
    await a.start()
    await b.start()
    try:
        assert await a.wait_until_listening() and await b.wait_until_listening()
        on_a, on_b = Console(), Console()
        a.add(on_a, 1)
        b.add(on_b, 2)
        redis_server.stop()
        await asyncio.sleep(1.5)  # the subscribers notice
        await a.publish({"type": "during"})
        assert [e["type"] for e in on_a.received] == ["during"]
        redis_server.start()
        assert await a.wait_until_listening(10) and await b.wait_until_listening(10)
        await a.publish({"type": "after"})
        await _until(lambda: [e["type"] for e in on_b.received] == ["after"])
        await _until(lambda: [e["type"] for e in on_a.received] == ["during", "after"])
    finally:
        await a.stop()
        await b.stop()


async def test_without_redis_the_hub_serves_its_own_consoles_as_before() -> None:
    hub = Hub(None)
    await hub.start()
    console = Console()
    hub.add(console, 3)
    await hub.publish({"type": "ticket_opened"})
    assert console.received == [{"type": "ticket_opened"}]
    assert hub.connected_agents() == {3}
    await hub.stop()
