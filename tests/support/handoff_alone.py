"""The handoff service on its own (``python -m handoff run``) for console browser tests: a
SQLite database under the test's directory, the demo agent as a lead, more agents created
with the command agents use, and a stand-in for the Rasa server's relay that acknowledges
(and keeps) every delivery — no model, no Rasa."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from bot.launcher import handoff_command, stop, wait_until_up
from bot.settings import ROOT
from infra.procs import free_port

LEAD_PASSWORD = "lead-password-1"
AGENT_PASSWORD = "agent-password-1"


class AckRelay(BaseHTTPRequestHandler):
    """The Rasa server's relay: answers ``{"delivered": true}`` and keeps what it was sent."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        AckRelay.received.append(json.loads(self.rfile.read(length) or b"{}"))
        body = b'{"delivered": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@contextmanager
def handoff_alone(
    tmp_path: Path, name: str, agents: Sequence[tuple[str, str]] = ()
) -> Iterator[tuple[str, str]]:
    """Start the service; yield its URL and the bot's service token. ``agents``: (username,
    display name) pairs created with ``AGENT_PASSWORD``; the demo agent logs in with
    ``LEAD_PASSWORD``."""
    relay = ThreadingHTTPServer(("127.0.0.1", 0), AckRelay)
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    port = str(free_port())
    service_token = f"{name}-service-token"
    env = {
        **os.environ,
        "BATON_VAR_DIR": str(tmp_path),
        "HANDOFF_PORT": port,
        "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path / 'handoff.db'}",
        "HANDOFF_SERVICE_TOKEN": service_token,
        "HANDOFF_RELAY_TOKEN": f"{name}-relay-token",
        "RASA_RELAY_URL": f"http://127.0.0.1:{relay.server_address[1]}/webhooks/relay",
        "HANDOFF_DEMO_AGENT": "true",  # the demo agent is a lead
        "HANDOFF_DEMO_PASSWORD": LEAD_PASSWORD,
        "HANDOFF_BUSINESS_HOURS": "always",
        "HANDOFF_NEW_AGENT_PASSWORD": AGENT_PASSWORD,
        "REDIS_URL": "",
        "PROMETHEUS_SCRAPE_TOKEN": f"{name}-scrape-token",
    }
    for username, display_name in agents:
        subprocess.run(
            [sys.executable, "-m", "handoff", "create-agent", username, display_name],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    log = (tmp_path / "handoff.log").open("wb")
    proc = subprocess.Popen(
        handoff_command(port), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_up(f"{url}/health", 60, [proc]), (tmp_path / "handoff.log").read_text()
        yield url, service_token
    finally:
        stop([proc])
        log.close()
        relay.shutdown()
