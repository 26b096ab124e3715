"""A real handoff service process on the test world's databases (tests/ops/world.py)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.launcher import handoff_command, stop, wait_until_up
from bot.settings import ROOT
from infra.procs import free_port

ADMIN_TOKEN = "test-admin-token"
SCRAPE_TOKEN = "scrape-me"


@dataclass
class Handoff:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_handoff() -> Iterator[Callable[..., Handoff]]:
    started: list[Handoff] = []

    def start(env: dict[str, str], directory: Path) -> Handoff:
        port = str(free_port())
        full = {
            **os.environ,
            "HANDOFF_SERVICE_TOKEN": "test-service-token",
            "HANDOFF_RELAY_TOKEN": "test-relay-token",
            "HANDOFF_PORT": port,
            "RASA_RELAY_URL": "http://127.0.0.1:9/webhooks/relay",
            "PROMETHEUS_SCRAPE_TOKEN": SCRAPE_TOKEN,
            **env,
        }
        log = directory / f"handoff-{port}.log"
        proc = subprocess.Popen(
            handoff_command(port),
            cwd=ROOT,
            env=full,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        server = Handoff(f"http://127.0.0.1:{port}", proc, log)
        started.append(server)
        if not wait_until_up(f"{server.url}/health", 60, [proc]):
            raise RuntimeError("the handoff service did not start:\n" + server.log_text()[-3000:])
        return server

    yield start
    stop([s.proc for s in started])
