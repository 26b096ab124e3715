"""The supervisor (infra/supervise.py) with stand-in processes (`sleep`): a process killed
from outside is started again with a new pid while the others keep running; one held on
purpose stays down; one that keeps dying is reported as a crash loop, not retried forever."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from infra.restart import RestartPolicy
from infra.supervise import CRASH_LOOP, HELD, RUNNING, Supervisor, Watched

FAST = RestartPolicy(first_delay=0.1, factor=2, max_delay=0.4, limit=3, window=30)


class StandIn:
    """A child process the supervisor can start again: `sleep`, or a command that fails."""

    def __init__(self, name: str, command: list[str]) -> None:
        self.name, self.command = name, command
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command)

    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def returncode(self) -> Optional[int]:
        return self.proc.poll() if self.proc is not None else None

    def watched(self) -> Watched:
        return Watched(self.name, self.start, self.pid, self.returncode)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Supervisor, dict[str, StandIn], list[str]]]:
    procs = {
        "server-1": StandIn("server-1", ["sleep", "600"]),
        "server-2": StandIn("server-2", ["sleep", "600"]),
    }
    events: list[str] = []
    supervisor = Supervisor(
        [p.watched() for p in procs.values()],
        FAST,
        interval=0.05,
        status_file=tmp_path / "status.json",
        on_event=events.append,
    )
    supervisor.start()
    try:
        yield supervisor, procs, events
    finally:
        supervisor.stop()
        for proc in procs.values():
            proc.stop()


def test_a_process_killed_from_outside_comes_back_with_a_new_pid(
    supervised: tuple[Supervisor, dict[str, StandIn], list[str]],
) -> None:
    supervisor, procs, events = supervised
    victim, other = procs["server-1"].pid(), procs["server-2"].pid()
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: procs["server-1"].pid() not in (None, victim))
    assert procs["server-2"].pid() == other  # the partner was never touched
    assert supervisor.status()["server-1"]["restarts"] == 1
    assert any("server-1 killed by SIGKILL" in line for line in events)


def test_the_status_file_says_what_each_process_is_doing(
    supervised: tuple[Supervisor, dict[str, StandIn], list[str]], tmp_path: Path
) -> None:
    import json

    _, procs, _ = supervised
    pid = procs["server-2"].pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)

    def written() -> dict[str, Any]:
        return dict(json.loads((tmp_path / "status.json").read_text()))

    # the file is rewritten after each event; the count in memory may run a moment ahead of it
    assert wait_until(lambda: written()["server-2"]["restarts"] == 1)
    assert written()["server-2"]["state"] == RUNNING
    assert written()["server-2"]["last_exit"] == "killed by SIGKILL"
    assert written()["server-1"]["restarts"] == 0


def test_a_process_held_on_purpose_stays_down_until_released(
    supervised: tuple[Supervisor, dict[str, StandIn], list[str]],
) -> None:
    supervisor, procs, _ = supervised
    supervisor.hold("server-1")
    procs["server-1"].stop()
    assert not wait_until(lambda: procs["server-1"].pid() is not None, timeout=1)
    assert supervisor.status()["server-1"]["state"] == HELD
    supervisor.release("server-1")
    assert wait_until(lambda: procs["server-1"].pid() is not None)


def test_a_process_that_keeps_dying_is_reported_as_a_crash_loop_and_left_alone() -> None:
    failing = StandIn("broken", ["false"])
    steady = StandIn("steady", ["sleep", "600"])
    events: list[str] = []
    loops: list[str] = []
    supervisor = Supervisor(
        [failing.watched(), steady.watched()],
        FAST,
        interval=0.05,
        on_event=events.append,
        on_crash_loop=loops.append,
    )
    supervisor.start()
    try:
        assert wait_until(lambda: loops == ["broken"])
        assert supervisor.status()["broken"]["state"] == CRASH_LOOP
        assert supervisor.crash_loops() == ["broken"]
        assert any(line.startswith("CRASH LOOP: broken died 4 times") for line in events)
        restarts = supervisor.status()["broken"]["restarts"]
        time.sleep(0.5)  # no timing asserted: only that nothing more happens
        assert supervisor.status()["broken"]["restarts"] == restarts == 3
        assert steady.pid() is not None
    finally:
        supervisor.stop()
        steady.stop()


def test_the_status_command_shows_each_process_and_fails_on_a_crash_loop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from infra.prod_cli import main

    row = {"state": RUNNING, "pid": 4242, "restarts": 1, "last_exit": "killed by SIGKILL"}
    (tmp_path / "status.json").write_text(json.dumps({"rasa-1": row}))
    assert main(["status", "--dir", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "rasa-1" in shown and "4242" in shown and "killed by SIGKILL" in shown

    (tmp_path / "status.json").write_text(json.dumps({"rasa-1": {**row, "state": CRASH_LOOP}}))
    assert main(["status", "--dir", str(tmp_path)]) == 1
