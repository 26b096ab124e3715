"""A web chat customer driven by python-socketio, speaking Rasa's socket.io protocol.

Used by the end-to-end tests and by benchmarks/latency.py: it connects like the widget,
asks for a session, sends a message and collects the bot's messages until the server's
``baton_turn_end``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import socketio


@dataclass
class Turn:
    messages: list[dict[str, Any]]
    seconds: float

    @property
    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for m in self.messages:
            found.extend(m.get("quick_replies") or m.get("buttons") or [])
        return found


@dataclass
class WebChatCustomer:
    url: str
    customer_token: Optional[str] = None
    session_id: Optional[str] = None
    history: Optional[list[dict[str, Any]]] = None
    _sio: socketio.AsyncClient = field(init=False)
    _inbox: asyncio.Queue = field(init=False)
    _confirmed: asyncio.Event = field(init=False)
    _history_event: asyncio.Event = field(init=False)

    def __post_init__(self) -> None:
        self._sio = socketio.AsyncClient(reconnection=False)
        self._inbox = asyncio.Queue()
        self._confirmed = asyncio.Event()
        self._history_event = asyncio.Event()

        @self._sio.on("session_confirm")
        async def _confirm(data: Any) -> None:
            self.session_id = data if isinstance(data, str) else data.get("session_id")
            self._confirmed.set()

        @self._sio.on("bot_uttered")
        async def _bot(data: Any) -> None:
            await self._inbox.put(("bot", data))

        @self._sio.on("baton_turn_end")
        async def _end(_: Any) -> None:
            await self._inbox.put(("end", None))

        @self._sio.on("baton_history")
        async def _history(data: Any) -> None:
            self.history = data.get("messages", [])
            self._history_event.set()

    async def connect(self, resume: Optional[str] = None, timeout: float = 10) -> str:
        # python-socketio gives the namespace handshake 1 s by default; 32 customers connecting
        # at once to a busy 2-core machine can take longer without anything being wrong.
        await self._sio.connect(
            self.url, socketio_path="/socket.io", transports=["websocket"], wait_timeout=timeout
        )
        request: dict[str, Any] = {"session_id": resume}
        if self.customer_token:  # as the widget does: a conversation belongs to its shopper
            request["customData"] = {"customer_token": self.customer_token}
        await self._sio.emit("session_request", request)
        await asyncio.wait_for(self._confirmed.wait(), timeout)
        assert self.session_id
        return self.session_id

    async def wait_for_history(self, timeout: float = 5) -> list[dict[str, Any]]:
        await asyncio.wait_for(self._history_event.wait(), timeout)
        return self.history or []

    async def say(self, text: Any, timeout: float = 30, **extra: Any) -> Turn:
        """Send one message and wait for the whole answer (until baton_turn_end)."""
        payload: dict[str, Any] = {"message": text, "session_id": self.session_id, **extra}
        if self.customer_token:
            payload["customData"] = {"customer_token": self.customer_token}
        started = time.perf_counter()
        await self._sio.emit("user_uttered", payload)
        messages: list[dict[str, Any]] = []
        while True:
            kind, data = await asyncio.wait_for(self._inbox.get(), timeout)
            if kind == "end":
                return Turn(messages, time.perf_counter() - started)
            messages.append(data)

    async def listen(self, timeout: float = 5) -> list[dict[str, Any]]:
        """Messages that arrive without the customer saying anything (e.g. from an agent)."""
        messages: list[dict[str, Any]] = []
        try:
            while True:
                kind, data = await asyncio.wait_for(self._inbox.get(), timeout)
                if kind == "bot":
                    messages.append(data)
                    timeout = 0.5
        except asyncio.TimeoutError:
            return messages

    async def close(self) -> None:
        await self._sio.disconnect()


# What the bot's English question for the ownership proof always says.
ASK_PROOF = "e-mail address or the delivery postcode"


async def proven(customer: WebChatCustomer, message: str, proof: str) -> Turn:
    """Asks about an order, checks the bot wants the ownership proof, and gives ``proof``."""
    asked = await customer.say(message, timeout=60)
    assert ASK_PROOF in asked.text, asked.text
    return await customer.say(proof, timeout=60)
