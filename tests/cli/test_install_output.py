"""`make install` (the first thing `make run` does on a fresh clone) prints one line and keeps
pip's output in var/logs/install.log; a failed install shows the end of that log and its path.
Run against a stand-in for the venv's Python, so nothing is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_install(tmp_path: Path, fail: bool) -> subprocess.CompletedProcess[str]:
    """`make install` with VENV in ``tmp_path`` and a python there that only talks like pip."""
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    failure = 'echo "ERROR: No matching distribution for rasa==9" >&2; exit 1' if fail else ""
    python.write_text(
        "#!/bin/sh\n"
        'for n in 1 2 3 4 5 6 7 8 9 10; do echo "Collecting package-$n"; done\n'
        'echo "WARNING: pip is old" >&2\n'
        f"{failure}\n"
    )
    python.chmod(0o755)
    env = {**os.environ, "BATON_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_installing_prints_one_line_that_says_where_the_full_log_is(tmp_path: Path) -> None:
    done = make_install(tmp_path, fail=False)
    log = tmp_path / "var" / "logs" / "install.log"

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
    assert done.stdout.startswith(f"==> installing Baton into {tmp_path / 'venv'} from ")
    assert f"full log: {log}" in done.stdout
    assert "Collecting package-10" in log.read_text()
    assert (tmp_path / "venv" / ".installed").exists()


def test_a_failed_install_shows_the_end_of_its_log_and_the_logs_path(tmp_path: Path) -> None:
    done = make_install(tmp_path, fail=True)
    log = tmp_path / "var" / "logs" / "install.log"

    assert done.returncode != 0
    assert len(done.stdout.splitlines()) == 1
    assert f"Installing failed. The last 25 lines of {log}:" in done.stderr
    assert "  | ERROR: No matching distribution for rasa==9" in done.stderr
    assert not (tmp_path / "venv" / ".installed").exists()
