"""A stopped action server exits at once, even after it has used the store's connection pool."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bot.launcher import action_command, wait_until_up
from bot.settings import ROOT
from infra.procs import free_port


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_action_server_exits_promptly_after_using_the_store(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = str(free_port())
    env = {**os.environ, "STORE_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    log = (tmp_path / "actions.log").open("wb")
    proc = subprocess.Popen(
        action_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until_up(f"{url}/health", 120, [proc]), (tmp_path / "actions.log").read_text()
        with urllib.request.urlopen(f"{url}/ready", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200  # the store answered: a pooled connection is open
        proc.send_signal(stop_signal)
        started = time.monotonic()
        proc.wait(timeout=30)
        assert time.monotonic() - started < 8, "the action server lingered after being stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
