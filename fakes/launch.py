"""Start both fakes as child processes and say how Baton reaches them.

Used by the test servers (``tests/support/servers.py``), the channel benchmark and, with
``BATON_FAKE_CHANNELS=1``, by ``make run``. The environment it returns turns Baton's WhatsApp
and Slack channels on against the fakes, with demo credentials that are not secrets.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from fakes.slack import DEMO_BOT_TOKEN, DEMO_SIGNING_SECRET
from fakes.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_TEMPLATE_SID,
    DEMO_WHATSAPP_NUMBER,
)
from infra.procs import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Fakes:
    twilio_url: str
    slack_url: str
    env: dict[str, str]  # what Baton needs to use them
    procs: list[subprocess.Popen[bytes]]


def preferred_port(port: int) -> int:
    """``port`` if it is free on loopback, else 0 (any free port)."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


def channel_env(twilio_url: str, slack_url: str) -> dict[str, str]:
    return {
        "TWILIO_API_URL": twilio_url,
        "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": DEMO_WHATSAPP_NUMBER,
        # the fake approves its demo template: agents can re-open a WhatsApp conversation
        "WHATSAPP_REOPEN_TEMPLATE_SID": DEMO_TEMPLATE_SID,
        "SLACK_API_URL": f"{slack_url}/api/",
        "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": DEMO_SIGNING_SECRET,
    }


def _wait(url: str, procs: list[subprocess.Popen[bytes]], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - loopback
                if resp.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def start_fakes(
    env: dict[str, str],
    public_url: str,
    deliver_to: Optional[str] = None,
    logs: Optional[Path] = None,
    ports: tuple[int, int] = (0, 0),
) -> Fakes:
    """Start fake Twilio and fake Slack; their webhooks are signed for ``public_url``."""
    twilio_port, slack_port = ports[0] or free_port(), ports[1] or free_port()
    twilio_url, slack_url = f"http://127.0.0.1:{twilio_port}", f"http://127.0.0.1:{slack_port}"
    child_env = {**env, **channel_env(twilio_url, slack_url)}
    procs = []
    for module, port in (("fakes.twilio", twilio_port), ("fakes.slack", slack_port)):
        command = [sys.executable, "-m", module, "--port", str(port), "--baton-url", public_url]
        if deliver_to:
            command += ["--deliver-to", deliver_to]
        out = (logs / f"{module}.log").open("wb") if logs else subprocess.DEVNULL
        procs.append(
            subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        )
    if not (
        _wait(f"{twilio_url}/_fake/health", procs) and _wait(f"{slack_url}/_fake/health", procs)
    ):
        for p in procs:
            p.kill()
        raise RuntimeError("the Twilio and Slack fakes did not start")
    return Fakes(twilio_url, slack_url, channel_env(twilio_url, slack_url), procs)
