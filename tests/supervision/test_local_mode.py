"""`make run` (bot/launcher.py) starts a crashed action server or handoff service again: a
customer asking about an order after the action server was killed from outside gets the
order's status, not the apology for a failed turn, and the server is back with a new pid."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
import requests

from bot.launcher import wait_until_up
from bot.settings import ROOT
from infra.procs import free_port
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e


@dataclass
class LocalBaton:
    launcher: subprocess.Popen[bytes]
    rasa_url: str
    action_url: str
    handoff_url: str
    log: Path

    def child(self, module: str) -> Optional[int]:
        """The pid of the launcher's child running ``python -m <module>``."""
        tasks = Path(f"/proc/{self.launcher.pid}/task").glob("*/children")  # every thread's
        for child in (c for task in tasks for c in task.read_text().split()):
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            if module.encode() in argv:
                return int(child)
        return None


@pytest.fixture(scope="module")
def local_baton(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBaton]:
    del model  # trained (or found) once for the session before `bot run` looks for it
    var = tmp_path_factory.mktemp("local-run")
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTION_PORT", "HANDOFF_PORT")}
    env = {
        **os.environ,
        **ports,
        "BATON_VAR_DIR": str(var),
        "BATON_SEED_HISTORY": "0",
        "BATON_NLU_WORKERS": "0",  # one process less on a busy machine; not what is tested
        "BATON_FAKE_CHANNELS": "0",
    }
    for name in ("ACTION_SERVER_URL", "HANDOFF_URL", "PUBLIC_URL", "STORE_DATABASE_URL"):
        env.pop(name, None)
    for name in ("TRACKER_DATABASE_URL", "HANDOFF_DATABASE_URL", "RASA_RELAY_URL"):
        env.pop(name, None)
    log = var / "run.log"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    baton = LocalBaton(
        launcher,
        f"http://127.0.0.1:{ports['RASA_PORT']}",
        f"http://127.0.0.1:{ports['ACTION_PORT']}",
        f"http://127.0.0.1:{ports['HANDOFF_PORT']}",
        log,
    )
    try:
        up = wait_until_up(f"{baton.rasa_url}/", 300, [launcher]) and wait_until_up(
            f"{baton.handoff_url}/health", 120, [launcher]
        )
        # Running, for the user and for the supervisor, once the banner is printed.
        deadline = time.monotonic() + 60
        while up and "Press Ctrl-C to stop" not in log.read_text():
            up = launcher.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        assert up, log.read_text()[-3000:]
        yield baton
    finally:
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            launcher.kill()


def ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/ready", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def eventually_back(baton: LocalBaton, module: str, old: int, url: str) -> bool:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if baton.child(module) not in (None, old) and ready(url):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize(
    ("module", "url_of"), [("bot.action_server", "action_url"), ("handoff", "handoff_url")]
)
async def test_make_run_starts_a_killed_server_again_and_the_customer_is_answered(
    local_baton: LocalBaton, module: str, url_of: str
) -> None:
    old = local_baton.child(module)
    assert old is not None, local_baton.log.read_text()[-2000:]
    os.kill(old, signal.SIGKILL)

    url = getattr(local_baton, url_of)
    back = await asyncio.to_thread(eventually_back, local_baton, module, old, url)
    assert back, local_baton.log.read_text()[-3000:]
    assert local_baton.launcher.poll() is None  # the launcher kept the others running
    assert "killed by SIGKILL; restarting" in local_baton.log.read_text()

    customer = WebChatCustomer(local_baton.rasa_url)
    await customer.connect()
    try:
        asked = await customer.say("where is my order 10001?", timeout=120)
        assert "e-mail address or the delivery postcode" in asked.text, asked.text
    finally:
        await customer.close()
