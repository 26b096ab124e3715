"""JSON logs: one object per line, the conversation id on it, no e-mail or phone number."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from infra.logging import JsonFormatter, conversation, use_json_logs
from tests.ops.conftest import Handoff
from tests.ops.world import World, build_world


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("could not reach ann@example.com on +447700900123")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    return logging.LogRecord("baton.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_line_is_json_with_the_conversation_being_worked_on() -> None:
    with conversation("wa-3f2a"):
        line = JsonFormatter("rasa").format(record("turn took %d ms", 42))
    entry = json.loads(line)
    assert entry["msg"] == "turn took 42 ms"
    assert entry["conversation_id"] == "wa-3f2a"
    assert entry["service"] == "rasa" and entry["level"] == "warning"
    assert entry["ts"].endswith("Z")
    outside = json.loads(JsonFormatter("rasa").format(record("idle")))
    assert "conversation_id" not in outside


def test_e_mails_phone_numbers_and_tokens_never_reach_the_log() -> None:
    line = JsonFormatter("rasa").format(
        record(
            "customer %s wrote from %s with token=%s",
            "ann@example.com",
            "whatsapp:+447700900123",
            "xoxb-123-secret",
            exc=True,
        )
    )
    for personal in ("ann@example.com", "447700900123", "xoxb-123-secret"):
        assert personal not in line
    entry = json.loads(line)
    assert "<email>" in entry["msg"] and "<phone>" in entry["msg"]
    assert "ValueError" in entry["exc"] and "<email>" in entry["exc"]


def test_switching_to_json_reformats_every_handler() -> None:
    logger = logging.getLogger("baton.test.switch")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        assert use_json_logs("test") >= 2  # the root's and this one
        assert isinstance(handler.formatter, JsonFormatter)
        assert logger.propagate is False  # one line per record, not two
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        for h in logging.getLogger().handlers:
            h.setFormatter(logging.Formatter())


@pytest.fixture
async def world(tmp_path: Path) -> World:
    return await build_world(tmp_path)


async def test_a_server_in_json_mode_writes_only_json_lines(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    service = start_handoff({**world.env, "BATON_LOG_FORMAT": "json"}, tmp_path)
    lines = [line for line in service.log_text().splitlines() if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]
    assert {e["service"] for e in entries} == {"handoff"}


async def test_the_handoff_services_lines_about_a_conversation_carry_its_id(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    import aiohttp

    service = start_handoff(
        {**world.env, "BATON_LOG_FORMAT": "json", "HANDOFF_SERVICE_TOKEN": "svc-token"}, tmp_path
    )
    packet = {
        "conversation": {"id": "web-log-test", "channel": "webchat"},
        "customer": {"name": "Ann Example", "email": "ann@example.com"},
        "reason": {"code": "customer_asked"},
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{service.url}/api/bot/tickets",
            json=packet,
            headers={"Authorization": "Bearer svc-token"},
        ) as resp,
    ):
        assert resp.status == 200, await resp.text()
    entries = [json.loads(line) for line in service.log_text().splitlines() if line.strip()]
    opened = [e for e in entries if "opened" in e["msg"]]
    assert opened and opened[0]["conversation_id"] == "web-log-test"
    assert "ann@example.com" not in service.log_text()
