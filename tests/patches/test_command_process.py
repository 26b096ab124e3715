"""The patches in real processes: ``python -m bot patches`` as CI runs it, judged by its exit
code, and the servers of a running Baton, which would have warned of a patch left out."""

from __future__ import annotations

import subprocess
import sys

from bot.patches import PATCHES
from bot.settings import ROOT
from tests.support.servers import Baton


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


def test_the_rasa_and_action_servers_leave_out_no_patch(baton: Baton) -> None:
    """Both servers are up (the fixture waits for them), so their patches are installed."""
    for role in ("rasa", "action"):
        log = (baton.var_dir / f"{role}-server.log").read_text(errors="replace")
        assert "Rasa patch" not in log, log
