"""`python -m bot run` with the trained model: fewer than 40 lines before "Baton is running",
none of them a Python warning, and the servers' start-up output in var/logs/ instead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import ROOT
from infra.procs import free_port

pytestmark = pytest.mark.e2e


def test_make_run_prints_a_few_progress_lines_and_no_warnings_before_the_summary(
    model: Path, tmp_path: Path
) -> None:
    del model  # trained (or found) for the session before `bot run` looks for it
    env = {
        **os.environ,
        **{name: str(free_port()) for name in ("RASA_PORT", "ACTION_PORT", "HANDOFF_PORT")},
        "BATON_VAR_DIR": str(tmp_path),
        "BATON_FAKE_CHANNELS": "0",
    }
    for name in ("ACTION_SERVER_URL", "HANDOFF_URL", "PUBLIC_URL", "STORE_DATABASE_URL"):
        env.pop(name, None)
    for name in ("TRACKER_DATABASE_URL", "HANDOFF_DATABASE_URL", "RASA_RELAY_URL"):
        env.pop(name, None)
    out = tmp_path / "terminal.txt"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while "Press Ctrl-C to stop" not in out.read_text(errors="replace"):
            assert launcher.poll() is None, out.read_text()[-3000:]
            assert time.monotonic() < deadline, out.read_text()[-3000:]
            time.sleep(0.2)
    finally:
        os.killpg(launcher.pid, signal.SIGTERM)
        try:
            launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)

    printed = out.read_text().splitlines()
    before = printed[: printed.index("  Baton is running.")]
    assert len(before) < 40, "\n".join(before)
    assert not [line for line in before if "Warning" in line], "\n".join(before)
    assert any(line.startswith("==> starting the servers") for line in before)
    logs = tmp_path / "logs"
    for log in ("action-server.log", "rasa-server.log", "handoff-server.log"):
        assert (logs / log).stat().st_size > 0, log
    assert "Rasa server is up and running" in (logs / "rasa-server.log").read_text()
