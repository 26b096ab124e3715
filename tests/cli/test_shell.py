"""`baton shell` chats with Baton's web chat as the widget does: it prints the answer, numbers
the buttons, sends a button's payload when its number is typed, and ends on /quit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
from aiohttp import web

from bot.settings import ROOT
from bot.shell import Shell, render
from tests.support.servers import Baton

ANSWER = {
    "text": "Hi! How can I help?",
    "quick_replies": [
        {"content_type": "text", "title": "Where is my order?", "payload": "/order_status"},
        {"content_type": "text", "title": "Talk to a person", "payload": "/handoff"},
    ],
}


@pytest.fixture
async def webchat() -> AsyncIterator[tuple[str, list[Any]]]:
    """A fake of Baton's web chat: it records what it is sent and answers like Baton."""
    sio = socketio.AsyncServer(async_mode="aiohttp")
    app = web.Application()
    sio.attach(app)
    received: list[Any] = []

    @sio.on("session_request")
    async def session_request(sid: str, _data: Any) -> None:
        await sio.emit("session_confirm", "conversation-1", room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Any) -> None:
        received.append(data)
        if data["message"] == "/handoff":
            await sio.emit("bot_uttered", {"text": "Connecting you…"}, room=sid)
            await sio.emit(
                "bot_uttered", {"text": "Hello, Sam here.", "metadata": {"agent_name": "Sam"}}
            )
        else:
            await sio.emit("bot_uttered", ANSWER, room=sid)
        await sio.emit("baton_turn_end", {}, room=sid)

    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", received
    await runner.cleanup()


async def test_the_shell_prints_the_answer_and_sends_a_buttons_payload_by_its_number(
    webchat: tuple[str, list[Any]],
) -> None:
    url, received = webchat
    typed = iter(["hello", "2", "/quit"])
    printed: list[str] = []

    status = await Shell(url, read=lambda _prompt: next(typed), write=printed.append).run()

    assert status == 0
    assert [m["message"] for m in received] == ["hello", "/handoff"]
    assert all(m["session_id"] == "conversation-1" for m in received)
    assert printed[1:] == [
        "Baton: Hi! How can I help?",
        "  1. Where is my order?",
        "  2. Talk to a person",
        "Baton: Connecting you…",
        "Sam (agent): Hello, Sam here.",
    ]


async def test_ctrl_d_ends_the_shell(webchat: tuple[str, list[Any]]) -> None:
    url, received = webchat

    def end_of_input(_prompt: str) -> str:
        raise EOFError

    assert await Shell(url, read=end_of_input, write=lambda _line: None).run() == 0
    assert received == []


async def test_a_baton_that_is_not_running_is_reported_not_raised() -> None:
    printed: list[str] = []
    shell = Shell("http://127.0.0.1:9", read=lambda _p: "/quit", write=printed.append, timeout=5)

    assert await shell.run() == 1
    assert "Is it running? (make run)" in printed[0]


def test_a_number_without_buttons_is_sent_as_typed() -> None:
    shell = Shell("http://127.0.0.1:9")
    assert shell.message_for("10001") == "10001"
    shell.buttons = [{"title": "Yes", "payload": "/affirm"}]
    assert (shell.message_for("1"), shell.message_for("2")) == ("/affirm", "2")


def test_a_multi_line_answer_is_indented_under_its_speaker() -> None:
    lines, buttons = render({"text": "Order 10001:\nshipped"})
    assert (lines, buttons) == (["Baton: Order 10001:", "  shipped"], [])


@pytest.mark.e2e
def test_baton_shell_prints_the_running_batons_answer(baton: Baton) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "shell", "--url", baton.rasa_url],
        cwd=ROOT,
        input="hello\n/quit\n",
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 0, done.stderr
    answers = [line for line in done.stdout.splitlines() if "Baton: " in line]
    assert answers, done.stdout
