"""Fixtures for the attacks in tests/security: a real action server on a seeded store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.launcher import action_command, stop, wait_until_up
from bot.settings import ROOT
from infra.procs import free_port
from tests.handoff.conftest import Clock, FakeRelay
from tests.support.customers import new_customer  # noqa: F401  (a fixture, shared)
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

ACTION_TOKEN = "test-action-server-token"


@dataclass
class ActionServer:
    url: str
    port: int
    store_url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    """An action server as `make run` starts it (loopback, token required), seeded store."""
    directory = tmp_path_factory.mktemp("actions")
    store_url = f"sqlite:///{directory / 'store.db'}"
    port = free_port()
    env = {
        **os.environ,
        "BATON_VAR_DIR": str(directory),
        "STORE_DATABASE_URL": store_url,
        "ACTION_SERVER_TOKEN": ACTION_TOKEN,
        "HANDOFF_URL": "http://127.0.0.1:9",
    }
    env.pop("ACTION_HOST", None)
    subprocess.run([sys.executable, "-m", "bot", "seed"], cwd=ROOT, env=env, check=True)
    log = directory / "actions.log"
    proc = subprocess.Popen(
        action_command(str(port)),
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = ActionServer(f"http://127.0.0.1:{port}", port, store_url, proc, log)
    if not wait_until_up(f"{server.url}/health", 120, [proc]):
        stop([proc])
        raise RuntimeError("the action server did not start:\n" + server.log_text()[-3000:])
    yield server
    stop([proc])


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket listens on for ``port`` (from /proc/net/tcp{,6})."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    if len(hex_address) == 8:
        raw = bytes.fromhex(hex_address)[::-1]
        return ".".join(str(b) for b in raw)
    words = [bytes.fromhex(hex_address[i : i + 8])[::-1].hex() for i in range(0, 32, 8)]
    return ":".join(words)


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    await client.live()
    yield client
    await client.logout()


@pytest.fixture
def relay() -> FakeRelay:
    """The Rasa relay as the handoff service's tests fake it (tests/handoff/conftest.py)."""
    return FakeRelay()


@pytest.fixture
def clock() -> Clock:
    return Clock()
