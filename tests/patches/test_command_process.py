"""``python -m bot patches`` as CI runs it: a process of its own, judged by its exit code."""

from __future__ import annotations

import subprocess
import sys

from bot.patches import PATCHES
from bot.settings import ROOT


def test_python_m_bot_patches_exits_0_and_lists_every_patch() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "patches"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": would apply\n") == len(PATCHES)
    assert "0 mismatched" in done.stdout
