"""A handoff service of its own over a seeded history: the dashboard and the API read it.

Only the handoff service runs (the dashboard and ``/api/metrics`` need nothing else), on a
free port, with a tracker store and a handoff database in a temporary directory that
``analytics.seed`` filled with four weeks of history before today.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest

from analytics.seed import Written, seed_history
from bot.launcher import handoff_command, stop, wait_until_up
from bot.settings import ROOT
from infra.procs import free_port

LEAD_PASSWORD = "lead-password-for-tests"
AGENT_PASSWORD = "plain-agent-password"
BI_TOKEN = "bi-tool-token-for-tests"


@dataclass
class Service:
    url: str
    tracker_url: str
    handoff_url: str
    env: dict[str, str]
    seeded: Written

    def get(self, path: str, token: Optional[str] = None) -> tuple[int, Any, dict[str, str]]:
        request = urllib.request.Request(self.url + path)  # noqa: S310 - loopback http
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - loopback http
                body, status = resp.read(), resp.status
                headers = {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as err:
            body, status = err.read(), err.code
            headers = {k.lower(): v for k, v in err.headers.items()}
        kind = headers.get("content-type", "")
        return status, json.loads(body) if "json" in kind else body.decode(), headers

    def login(self, username: str, password: str) -> str:
        request = urllib.request.Request(  # noqa: S310 - loopback http
            self.url + "/api/login",
            data=json.dumps({"username": username, "password": password, "bearer": True}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - loopback http
            return str(json.loads(resp.read())["token"])


@pytest.fixture(scope="session")
def analytics_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    var = tmp_path_factory.mktemp("analytics")
    tracker_url = f"sqlite:///{var / 'tracker.db'}"
    handoff_url = f"sqlite:///{var / 'handoff.db'}"
    seeded = seed_history(tracker_url, handoff_url)
    port = str(free_port())
    env = {
        **os.environ,
        "BATON_VAR_DIR": str(var),
        "TRACKER_DATABASE_URL": tracker_url,
        "HANDOFF_DATABASE_URL": handoff_url,
        "HANDOFF_PORT": port,
        "HANDOFF_DEMO_AGENT": "true",
        "HANDOFF_DEMO_PASSWORD": LEAD_PASSWORD,
        "HANDOFF_SERVICE_TOKEN": "analytics-service-token",
        "HANDOFF_RELAY_TOKEN": "analytics-relay-token",
        "RASA_RELAY_URL": "http://127.0.0.1:9/webhooks/relay",
        "METRICS_API_TOKEN": BI_TOKEN,
        "HANDOFF_NEW_AGENT_PASSWORD": AGENT_PASSWORD,
    }
    for name in ("SLACK_AGENT_CHANNEL", "SLACK_BOT_TOKEN", "SLACK_AGENT_BOT_TOKEN"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "handoff", "create-agent", "pat", "Pat"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = var / "handoff.log"
    proc = subprocess.Popen(
        handoff_command(port), cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    if not wait_until_up(f"http://127.0.0.1:{port}/health", 60, [proc]):
        stop([proc])
        raise RuntimeError("the handoff service did not start:\n" + log.read_text()[-3000:])
    yield Service(f"http://127.0.0.1:{port}", tracker_url, handoff_url, env, seeded)
    stop([proc])


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser test leaves its screenshots (git-ignored ``reports/``)."""
    path = Path(os.environ.get("BATON_SCREENSHOTS", ROOT / "reports" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
