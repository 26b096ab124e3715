"""The systemd units (deploy/systemd/) run the same Baton as `make run-prod`: the replicas and
ports of infra/profile.py, the commands bot/launcher.py builds, every variable each server
reads, and a restart policy with the crash-loop limit of infra/restart.py. systemd cannot run
in the test environment; `systemd-analyze verify` checks the syntax where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.launcher import action_command, handoff_command, rasa_command
from infra import profile
from infra.restart import RestartPolicy

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
PYTHON = "/opt/baton/.venv/bin/python"
MODEL = Path("/opt/baton/models/current.tar.gz")


def settings(path: Path) -> dict[str, list[str]]:
    """``Key=value`` lines of a unit, every value of a key that appears more than once."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


COMMANDS = {
    "rasa": rasa_command(MODEL, "%i", "bot/endpoints.prod.yml"),
    "actions": action_command("%i"),
    "handoff": handoff_command("%i"),
}


def test_the_target_starts_every_replica_on_the_profiles_ports() -> None:
    wanted = " ".join(settings(UNITS / "baton.target")["Wants"]).split()
    for role in ("rasa", "actions", "handoff"):
        for port in profile.service(role).ports:
            assert f"baton-{role}@{port}.service" in wanted


@pytest.mark.parametrize("role", ["rasa", "actions", "handoff"])
def test_each_server_unit_runs_the_launchers_command(role: str) -> None:
    command = settings(UNITS / f"baton-{role}@.service")["ExecStart"][0].split()
    assert command == [PYTHON, *COMMANDS[role][1:]]


@pytest.mark.parametrize("role", ["rasa", "actions", "handoff"])
def test_a_crashed_server_is_restarted_until_the_crash_loop_limit(role: str) -> None:
    unit = settings(UNITS / f"baton-{role}@.service")
    policy = RestartPolicy()
    assert unit["Restart"] == ["on-failure"]
    assert unit["StartLimitIntervalSec"] == [str(int(policy.window))]
    assert unit["StartLimitBurst"] == [str(policy.limit + 1)]  # the first start, then restarts
    assert unit["OnFailure"] == ["baton-crash-loop@%n.service"]
    assert (UNITS / "baton-crash-loop@.service").exists()


def test_the_environment_file_sets_every_variable_the_servers_read() -> None:
    example = settings(UNITS / "baton.env.example")
    for role in ("rasa", "actions", "handoff"):
        missing = [name for name in profile.service(role).env if name not in example]
        assert not missing, f"{role} reads {missing}, which baton.env.example does not set"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_accepts_the_units() -> None:
    for unit in sorted(UNITS.glob("*.service")):
        result = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", str(unit)],
            capture_output=True,
            text=True,
            check=False,
        )
        problems = [
            line
            for line in result.stderr.splitlines()
            if "is not executable" not in line and line.strip()  # /opt/baton: not installed here
        ]
        assert not problems, f"{unit.name}: {problems}"
