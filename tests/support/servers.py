"""Start Baton's real servers for a test session: seeded store, action server, Rasa server."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.launcher import (
    action_command,
    handoff_command,
    handoff_environment,
    rasa_command,
    stop,
    wait_until_up,
)
from bot.settings import ROOT, local_environment
from fakes.launch import start_fakes
from fakes.shops import shop_env, start_shop_fake
from infra.procs import free_port
from tests.support.layers import refuse_in_unit_layer

CUSTOMER_TOKEN_SECRET = "test-customer-token-secret"
CHANNEL_ID_SECRET = "test-channel-id-secret"
# /metrics always wants a bearer token (infra/ops.py)
SCRAPE_TOKEN = "test-scrape-token"
# Handoff service: the demo agent, the shared tokens, the agents' Slack channel.
AGENT_USERNAME = "demo"
AGENT_PASSWORD = "test-agent-password"
HANDOFF_SERVICE_TOKEN = "test-handoff-service-token"
HANDOFF_RELAY_TOKEN = "test-handoff-relay-token"
SLACK_AGENT_CHANNEL = "C0AGENTS"


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
    # WhatsApp and Slack run against local fakes of the Twilio and Slack APIs (fakes/).
    twilio_url: str = ""
    slack_url: str = ""
    # The shop backend ("builtin", "shopify", "woocommerce") and its platform fake, if any.
    shop: str = "builtin"
    shop_url: str = ""
    # The handoff service, and how to stop and start each server in fault tests.
    handoff_url: str = ""
    commands: dict[str, list[str]] = field(default_factory=dict)
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def stop_server(self, role: str) -> None:
        """Stop one of "action", "rasa", "handoff" (SIGTERM, then wait)."""
        proc = self.running.pop(role)
        stop([proc])
        if proc in self.procs:
            self.procs.remove(proc)

    def start_server(self, role: str, timeout: float = 240) -> None:
        """Start a stopped server again with the same command, port and databases."""
        log = self.var_dir / f"{role}-server.log"
        proc = subprocess.Popen(
            self.commands[role],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.running[role] = proc
        self.procs.append(proc)
        health = {
            "action": f"{self.action_url}/health",
            "rasa": f"{self.rasa_url}/",
            "handoff": f"{self.handoff_url}/health",
        }[role]
        if not wait_until_up(health, timeout, [proc]):
            raise RuntimeError(f"the {role} server did not come back:\n" + self.log_text()[-3000:])

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())


def start_baton(model: Path, var_dir: Path, shop: str = "builtin") -> Baton:
    """Baton on ``var_dir`` with its fakes; ``shop`` "shopify" or "woocommerce" also starts
    that platform's fake (fakes/shops.py) and reads the orders from it (actions/shop/)."""
    refuse_in_unit_layer("starting Baton")
    rasa_port, action_port = str(free_port()), str(free_port())
    env = local_environment(
        {
            **os.environ,
            "BATON_VAR_DIR": str(var_dir),
            "STORE_DATABASE_URL": f"sqlite:///{var_dir / 'store.db'}",
            "TRACKER_DATABASE_URL": f"sqlite:///{var_dir / 'tracker.db'}",
            "INBOX_FILE": str(var_dir / "inbox.csv"),
            # local mode seeds the demo shop anyway; the tests need it even if a shell says 0
            "BATON_SEED_DEMO": "1",
            "RASA_PORT": rasa_port,
            "ACTION_PORT": action_port,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
            "WEBCHAT_CUSTOMER_TOKEN_SECRET": CUSTOMER_TOKEN_SECRET,
            "CHANNEL_ID_SECRET": CHANNEL_ID_SECRET,
            "PROMETHEUS_SCRAPE_TOKEN": SCRAPE_TOKEN,
        }
    )
    fakes = start_fakes(env, env["PUBLIC_URL"], logs=var_dir)
    env.update(fakes.env)
    shop_url = ""
    if shop != "builtin":
        shop_url, shop_proc = start_shop_fake(shop, logs=var_dir)
        fakes.procs.append(shop_proc)
        env.update(shop_env(shop, shop_url))
    handoff_port = str(free_port())
    env = handoff_environment(
        {
            **env,
            "HANDOFF_PORT": handoff_port,
            "HANDOFF_DATABASE_URL": f"sqlite:///{var_dir / 'handoff.db'}",
            "HANDOFF_BUSINESS_HOURS": "always",
            "HANDOFF_PRESENCE_SECONDS": "10",
            "HANDOFF_DEMO_AGENT": "true",
            "HANDOFF_DEMO_PASSWORD": AGENT_PASSWORD,
            "HANDOFF_SERVICE_TOKEN": HANDOFF_SERVICE_TOKEN,
            "HANDOFF_RELAY_TOKEN": HANDOFF_RELAY_TOKEN,
            "SLACK_AGENT_CHANNEL": SLACK_AGENT_CHANNEL,
        }
    )
    subprocess.run([sys.executable, "-m", "bot", "seed"], cwd=ROOT, env=env, check=True)
    logs = [
        var_dir / "action-server.log",
        var_dir / "rasa-server.log",
        var_dir / "handoff-server.log",
    ]
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
        subprocess.Popen(
            handoff_command(handoff_port),
            cwd=ROOT,
            env=env,
            stdout=logs[2].open("wb"),
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
        twilio_url=fakes.twilio_url,
        slack_url=fakes.slack_url,
        shop=shop,
        shop_url=shop_url,
        handoff_url=env["HANDOFF_URL"],
        commands={
            "action": action_command(action_port),
            "rasa": rasa_command(model, rasa_port),
            "handoff": handoff_command(handoff_port),
        },
        running=dict(zip(("action", "rasa", "handoff"), procs, strict=True)),
    )
    procs.extend(fakes.procs)
    ok = (
        wait_until_up(f"{baton.action_url}/health", 120, procs)
        and wait_until_up(f"{baton.rasa_url}/", 240, procs)
        and wait_until_up(f"{baton.handoff_url}/health", 60, procs)
    )
    if not ok:
        stop(procs)
        raise RuntimeError("Baton did not start:\n" + baton.log_text()[-5000:])
    return baton
