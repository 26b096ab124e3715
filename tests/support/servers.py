"""Start Baton's real servers for a test session: seeded store, action server, Rasa server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.launcher import action_command, rasa_command, stop, wait_until_up
from bot.settings import ROOT, local_environment

CUSTOMER_TOKEN_SECRET = "test-customer-token-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Baton:
    rasa_url: str
    action_url: str
    store_url: str
    tracker_url: str
    var_dir: Path
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]]
    logs: list[Path]

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())


def start_baton(model: Path, var_dir: Path) -> Baton:
    rasa_port, action_port = str(free_port()), str(free_port())
    env = local_environment(
        {
            **os.environ,
            "BATON_VAR_DIR": str(var_dir),
            "STORE_DATABASE_URL": f"sqlite:///{var_dir / 'store.db'}",
            "TRACKER_DATABASE_URL": f"sqlite:///{var_dir / 'tracker.db'}",
            "RASA_PORT": rasa_port,
            "ACTION_PORT": action_port,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
            "WEBCHAT_CUSTOMER_TOKEN_SECRET": CUSTOMER_TOKEN_SECRET,
        }
    )
    subprocess.run([sys.executable, "-m", "bot", "seed"], cwd=ROOT, env=env, check=True)
    logs = [var_dir / "action-server.log", var_dir / "rasa-server.log"]
    procs = [
        subprocess.Popen(
            action_command(action_port),
            cwd=ROOT,
            env=env,
            stdout=logs[0].open("wb"),
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            rasa_command(model, rasa_port),
            cwd=ROOT,
            env=env,
            stdout=logs[1].open("wb"),
            stderr=subprocess.STDOUT,
        ),
    ]
    baton = Baton(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        store_url=env["STORE_DATABASE_URL"],
        tracker_url=env["TRACKER_DATABASE_URL"],
        var_dir=var_dir,
        env=env,
        procs=procs,
        logs=logs,
    )
    ok = wait_until_up(f"{baton.action_url}/health", 120, procs) and wait_until_up(
        f"{baton.rasa_url}/", 240, procs
    )
    if not ok:
        stop(procs)
        raise RuntimeError("Baton did not start:\n" + baton.log_text()[-5000:])
    return baton
