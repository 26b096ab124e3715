"""Live updates for the agent console over WebSocket.

Every open console holds one socket. The service publishes small JSON events — a ticket
opened, claimed, closed or rated, a message added — and each console refreshes what it
shows. One process, one hub: with several handoff replicas, put a pub/sub (e.g. PostgreSQL
LISTEN/NOTIFY) behind :meth:`Hub.publish`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Socket(Protocol):
    async def send(self, data: str) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._sockets: dict[Socket, int] = {}  # socket -> agent id
        self._lock = asyncio.Lock()

    def add(self, socket: Socket, agent_id: int) -> None:
        self._sockets[socket] = agent_id

    def remove(self, socket: Socket) -> None:
        self._sockets.pop(socket, None)

    def connected_agents(self) -> set[int]:
        return set(self._sockets.values())

    def connections(self) -> Counter[int]:
        return Counter(self._sockets.values())

    async def publish(self, event: dict[str, Any]) -> None:
        if not self._sockets:
            return
        data = json.dumps(event, default=str)
        async with self._lock:  # one event at a time: consoles see them in order
            sockets = list(self._sockets)
            results = await asyncio.gather(
                *(asyncio.wait_for(s.send(data), 5) for s in sockets), return_exceptions=True
            )
        for socket, result in zip(sockets, results, strict=True):
            if isinstance(result, BaseException):
                logger.info("a console socket went away")
                self.remove(socket)
