"""``baton shell``: chat with the running Baton in the terminal.

Why not ``rasa shell``: it starts a second Rasa server (the model loaded again: a minute and a
gigabyte) and talks to it over another channel, so what it shows is not what customers get.
This connects to the running Baton's web chat exactly as the widget does — socket.io,
``session_request`` → ``session_confirm``, ``user_uttered`` → ``bot_uttered``… up to Baton's
``baton_turn_end`` — so languages, sessions and an agent's messages after a handoff all work.
Buttons are numbered: typing the number sends the button's payload. ``/quit`` or Ctrl-D ends.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, Optional

import socketio

PROMPT = "You: "
QUIT = frozenset({"/quit", "/exit"})


def default_url() -> str:
    """The local Baton: ``RASA_PORT`` as `make run` uses it."""
    return f"http://127.0.0.1:{os.environ.get('RASA_PORT') or '5005'}"


def render(
    message: dict[str, Any], first_button: int = 1
) -> tuple[list[str], list[dict[str, Any]]]:
    """The lines to print for one bot (or agent) message, and its buttons in order.

    Buttons are numbered from ``first_button`` so that several messages of one answer share
    one numbering."""
    agent = (message.get("metadata") or {}).get("agent_name")
    speaker = f"{agent} (agent)" if agent else "Baton"
    lines: list[str] = []
    text = message.get("text")
    if text:
        first, *rest = str(text).splitlines() or [""]
        lines.append(f"{speaker}: {first}")
        lines.extend(f"  {line}" for line in rest)
    for kind in ("image", "attachment"):
        link = message.get(kind)
        if isinstance(link, dict):
            link = (link.get("payload") or {}).get("src") or link.get("url")
        if link:
            lines.append(f"{speaker}: [{kind}] {link}")
    buttons = [b for b in message.get("quick_replies") or message.get("buttons") or [] if b]
    for number, button in enumerate(buttons, start=first_button):
        lines.append(f"  {number}. {button.get('title') or button.get('payload')}")
    return lines, buttons


class Shell:
    """One conversation: reads lines with ``read``, prints the answers with ``write``."""

    def __init__(
        self,
        url: str,
        read: Callable[[str], str] = input,
        write: Callable[[str], None] = print,
        timeout: float = 60,
    ) -> None:
        self.url = url
        self.read = read
        self.write = write
        self.timeout = timeout
        self.buttons: list[dict[str, Any]] = []
        self._sio = socketio.AsyncClient(reconnection=False)
        self._session: asyncio.Future[str] | None = None
        self._turn_end = asyncio.Event()
        self._sio.on("session_confirm", self._on_session)
        self._sio.on("bot_uttered", self._on_message)
        self._sio.on("baton_turn_end", self._on_turn_end)

    async def _on_session(self, data: Any) -> None:
        session = data if isinstance(data, str) else (data or {}).get("session_id")
        if self._session is not None and not self._session.done():
            self._session.set_result(str(session))

    async def _on_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        lines, buttons = render(message, first_button=len(self.buttons) + 1)
        self.buttons.extend(buttons)
        for line in lines:
            self.write(line)

    async def _on_turn_end(self, _data: Any) -> None:
        self._turn_end.set()

    async def connect(self) -> str:
        """Connect and open a conversation; returns its id."""
        self._session = asyncio.get_running_loop().create_future()
        await self._sio.connect(self.url, socketio_path="/socket.io", transports=["websocket"])
        await self._sio.emit("session_request", {"session_id": None})
        return await asyncio.wait_for(self._session, self.timeout)

    def message_for(self, typed: str) -> str:
        """What to send for a typed line: a listed button's payload for its number."""
        if typed.isdigit() and 1 <= int(typed) <= len(self.buttons):
            button = self.buttons[int(typed) - 1]
            return str(button.get("payload") or button.get("title"))
        return typed

    async def say(self, typed: str, session: str) -> None:
        """Send one message and wait for the whole answer, printed as it arrives."""
        message = self.message_for(typed)
        self.buttons = []
        self._turn_end.clear()
        await self._sio.emit("user_uttered", {"message": message, "session_id": session})
        try:
            await asyncio.wait_for(self._turn_end.wait(), self.timeout)
        except asyncio.TimeoutError:
            self.write(f"(no answer within {self.timeout:.0f} s)")

    async def run(self) -> int:
        try:
            session = await self.connect()
        except (socketio.exceptions.ConnectionError, asyncio.TimeoutError) as error:
            self.write(f"Could not reach Baton at {self.url} ({error}). Is it running? (make run)")
            return 1
        self.write(f"Chatting with Baton at {self.url}. Type /quit or press Ctrl-D to leave.")
        try:
            while self._sio.connected:
                typed = await self._ask()
                if typed is None or typed.strip() in QUIT:
                    break
                if typed.strip():
                    await self.say(typed.strip(), session)
            return 0
        finally:
            await self._sio.disconnect()

    async def _ask(self) -> Optional[str]:
        """``read`` on a daemon thread: the event loop keeps printing an agent's messages
        meanwhile, and Ctrl-C does not wait for a pending ``input()`` to return."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Optional[str]] = loop.create_future()

        def settle(line: Optional[str]) -> None:
            if not answer.done():
                answer.set_result(line)

        def work() -> None:
            try:
                line: Optional[str] = self.read(PROMPT)
            except EOFError:
                line = None
            loop.call_soon_threadsafe(settle, line)

        threading.Thread(target=work, name="shell input", daemon=True).start()
        return await answer


def main(url: Optional[str] = None) -> int:
    def write(line: str) -> None:
        print(line, flush=True)

    try:
        return asyncio.run(Shell(url or default_url(), write=write).run())
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 0
