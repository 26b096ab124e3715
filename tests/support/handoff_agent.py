"""An agent driving the handoff service's API and live feed, as the console does.

Used by the end-to-end tests and by benchmarks/handoff.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

import aiohttp


@dataclass
class AgentClient:
    url: str
    username: str
    password: str
    token: Optional[str] = None
    events: list[dict[str, Any]] = field(default_factory=list)
    _session: Optional[aiohttp.ClientSession] = None
    _ws: Optional[aiohttp.ClientWebSocketResponse] = None
    _reader: Optional[asyncio.Task[None]] = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def login(self) -> AgentClient:
        self._session = aiohttp.ClientSession()
        async with self._session.post(
            f"{self.url}/api/login",
            json={"username": self.username, "password": self.password, "bearer": True},
        ) as resp:
            assert resp.status == 200, await resp.text()
            self.token = (await resp.json())["token"]
        return self

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        assert self._session is not None
        for attempt in (1, 2):  # a pooled connection may have died with a restarted server
            try:
                async with self._session.request(
                    method, f"{self.url}{path}", json=body, headers=self.headers
                ) as resp:
                    return resp.status, await resp.json(content_type=None)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, data = await self.request(method, path, body)
        assert status == 200, (status, data)
        return data

    async def tickets(self, status: str = "open") -> list[dict[str, Any]]:
        return (await self.ok("GET", f"/api/tickets?status={status}"))["tickets"]  # type: ignore[no-any-return]

    async def ticket(self, ticket_id: int) -> dict[str, Any]:
        return await self.ok("GET", f"/api/tickets/{ticket_id}")  # type: ignore[no-any-return]

    async def ticket_for(self, conversation_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for status in ("open", "closed"):
                for t in await self.tickets(status):
                    if t["conversation_id"] == conversation_id:
                        return await self.ticket(t["id"])
            if time.monotonic() > deadline:
                raise AssertionError(f"no ticket for {conversation_id}")
            await asyncio.sleep(0.2)

    async def reply(self, ticket_id: int, text: str) -> dict[str, Any]:
        return await self.ok("POST", f"/api/tickets/{ticket_id}/messages", {"text": text})  # type: ignore[no-any-return]

    async def note(self, ticket_id: int, text: str) -> dict[str, Any]:
        return await self.ok("POST", f"/api/tickets/{ticket_id}/notes", {"text": text})  # type: ignore[no-any-return]

    async def claim(self, ticket_id: int) -> dict[str, Any]:
        return await self.ok("POST", f"/api/tickets/{ticket_id}/claim", {})  # type: ignore[no-any-return]

    async def close(self, ticket_id: int) -> dict[str, Any]:
        return await self.ok("POST", f"/api/tickets/{ticket_id}/close", {})  # type: ignore[no-any-return]

    async def customer_messages(self, ticket_id: int) -> list[str]:
        detail = await self.ticket(ticket_id)
        return [m["text"] for m in detail["messages"] if m["kind"] == "customer"]

    # --- live feed -------------------------------------------------------------------

    async def live(self) -> None:
        assert self._session is not None
        ws_url = self.url.replace("http://", "ws://") + "/api/live"
        self._ws = await self._session.ws_connect(ws_url, headers=self.headers)
        hello = await self._ws.receive_json(timeout=5)
        assert hello["type"] == "hello"
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                event = json.loads(msg.data)
                event["_received"] = time.perf_counter()
                self.events.append(event)
                self._changed.set()

    async def wait_for_event(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 10, after: int = 0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[after:]:
                if match(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching live event; got {self.events[after:]}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def logout(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            if self.token:
                await self.request("POST", "/api/logout", {})
            await self._session.close()
