"""`make run`: the Rasa server, the action server and the handoff service, stopped together.

All three run as child processes with the local-mode environment (with
``BATON_FAKE_CHANNELS=1``, the local fakes of Twilio and Slack as well); Ctrl-C (or SIGTERM)
stops them all. One that dies is started again by :class:`infra.supervise.Supervisor` (after a
backoff), so a crashed action server or handoff service no longer leaves the bot apologising
until someone notices; one that keeps dying (a crash loop) stops them all with exit status 1,
since in local mode there is no replica to carry on and the log above says what is wrong.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.settings import ROOT, local_environment


def rasa_command(model: Path, port: str, endpoints: str = "bot/endpoints.yml") -> list[str]:
    """The Rasa server; the production profile passes ``bot/endpoints.prod.yml``."""
    return [
        sys.executable,
        "-m",
        "bot.server",
        "run",
        "--model",
        str(model),
        "--credentials",
        "bot/credentials.yml",
        "--endpoints",
        endpoints,
        "--port",
        port,
        "--cors",
        "*",
    ]


def action_command(port: str) -> list[str]:
    """rasa-sdk's action server, plus /ready and /metrics (bot/action_server.py)."""
    return [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", port]


def handoff_command(port: str) -> list[str]:
    """The handoff service: queue, agent console, agents' Slack bridge."""
    return [sys.executable, "-m", "handoff", "run", "--port", port]


def handoff_environment(env: dict[str, str]) -> dict[str, str]:
    """Local-mode defaults for the handoff service and for the two servers that call it."""
    env = dict(env)

    def default(name: str, value: str) -> None:
        if not env.get(name):  # unset, or left empty as in .env.example
            env[name] = value

    default("HANDOFF_PORT", "5080")
    default("HANDOFF_URL", f"http://127.0.0.1:{env['HANDOFF_PORT']}")
    default("HANDOFF_PUBLIC_URL", f"http://localhost:{env['HANDOFF_PORT']}")
    default("HANDOFF_DATABASE_URL", f"sqlite:///{Path(env['BATON_VAR_DIR']) / 'handoff.db'}")
    default("RASA_RELAY_URL", f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/relay")
    default("HANDOFF_DEMO_AGENT", "true")
    return env


def wait_until_up(url: str, timeout: float, procs: list[subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
                if resp.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


@dataclass
class Child:
    """One of the three servers, startable again with the same command and environment."""

    name: str
    command: list[str]
    env: dict[str, str]
    proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env)  # noqa: S603

    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def returncode(self) -> Optional[int]:
        return self.proc.poll() if self.proc is not None else None


def run(model: Path) -> int:
    from infra.supervise import Supervisor, Watched

    env = handoff_environment(local_environment())
    os.environ.update(env)
    _prepare_secrets()
    fake_procs, fake_urls = _start_fake_channels(env)
    shop_procs, shop_line = _start_fake_shop(env)
    fake_procs += shop_procs
    rasa_port, action_port = env["RASA_PORT"], env["ACTION_PORT"]
    children = [
        Child("action server", action_command(action_port), env),
        Child("rasa server", rasa_command(model, rasa_port), env),
        Child("handoff service", handoff_command(env["HANDOFF_PORT"]), env),
    ]
    for child in children:
        child.start()
    procs = [*fake_procs, *(c.proc for c in children if c.proc is not None)]
    crash_loop = threading.Event()
    supervisor = Supervisor(
        [Watched(c.name, c.start, c.pid, c.returncode) for c in children],
        on_event=lambda line: print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True),
        on_crash_loop=lambda _name: crash_loop.set(),
    )

    def _terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: a shell that starts us in the background ignores SIGINT by default.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        up = wait_until_up(f"http://127.0.0.1:{rasa_port}/", 180, procs) and wait_until_up(
            f"{env['HANDOFF_URL']}/health", 60, procs
        )
        if not up:
            print("Baton did not start: see the log above.", file=sys.stderr)
            return 1
        public = env["PUBLIC_URL"].rstrip("/")
        print(
            "\n"
            f"  Baton is running.\n"
            f"  Web chat:      {public}/webchat\n"
            f"  Action server: http://127.0.0.1:{action_port}/health\n"
            f"{_console_lines(env)}"
            f"{_channel_lines(env, fake_urls)}"
            f"{shop_line}"
            f"  Press Ctrl-C to stop.\n",
            flush=True,
        )
        supervisor.start()
        while not crash_loop.wait(0.5):
            if any(p.poll() is not None for p in fake_procs):
                return 1
        print("Baton stopped: a server keeps crashing (see the log above).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Baton…", flush=True)
        return 0
    finally:
        supervisor.stop()
        stop([*fake_procs, *(c.proc for c in children if c.proc is not None)])


def _start_fake_channels(env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    """``BATON_FAKE_CHANNELS=1``: WhatsApp and Slack against local fakes of the Twilio and Slack
    APIs (fakes/), to try both without accounts. Updates ``env`` so Baton uses them."""
    if env.get("BATON_FAKE_CHANNELS", "").lower() not in ("1", "true", "yes", "on"):
        return [], []
    from fakes.launch import preferred_port, start_fakes

    fakes = start_fakes(
        env,
        env["PUBLIC_URL"],
        deliver_to=f"http://127.0.0.1:{env['RASA_PORT']}",
        ports=(preferred_port(5101), preferred_port(5102)),
    )
    env.update(fakes.env)
    os.environ.update(fakes.env)
    return fakes.procs, [fakes.twilio_url, fakes.slack_url]


def _start_fake_shop(env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], str]:
    """``SHOP_BACKEND=shopify|woocommerce`` without the shop's address: its local fake, with the
    demo shop's orders in the platform's own API shapes. Updates ``env`` so Baton uses it."""
    from actions.store.prepare import SHOP_ADDRESS

    backend = env.get("SHOP_BACKEND", "builtin").strip().lower() or "builtin"
    if backend not in SHOP_ADDRESS:
        return [], ""
    if env.get(SHOP_ADDRESS[backend]):
        return [], f"  Shop:          {backend} ({SHOP_ADDRESS[backend]})\n"
    from fakes.launch import preferred_port
    from fakes.shops import shop_env, start_shop_fake

    url, proc = start_shop_fake(backend, port=preferred_port(5103))
    env.update(shop_env(backend, url))
    os.environ.update(shop_env(backend, url))
    return [proc], f"  Shop:          {backend}, a local fake at {url} (the demo shop)\n"


def _channel_lines(env: dict[str, str], fake_urls: list[str]) -> str:
    """WhatsApp and Slack: on (where) or off (what to set), and the fakes' pages if running."""
    from connectors.channel_settings import describe_channels

    lines = "".join(f"  {line}\n" for line in describe_channels(env))
    if fake_urls:
        lines += (
            f"  Fake WhatsApp: {fake_urls[0]}/  (chat as a demo customer's phone)\n"
            f"  Fake Slack:    {fake_urls[1]}/  (chat as a demo workspace member)\n"
        )
    elif "off" in lines:
        lines += "  Try WhatsApp and Slack offline: BATON_FAKE_CHANNELS=1 make run\n"
    return lines


def _prepare_secrets() -> None:
    """Create the handoff secrets before the three processes start, so they do not race to."""
    from connectors.secrets import secret_from_env

    for name in ("HANDOFF_SERVICE_TOKEN", "HANDOFF_RELAY_TOKEN", "HANDOFF_DEMO_PASSWORD"):
        secret_from_env(name)


def _console_lines(env: dict[str, str]) -> str:
    """The agent console's address and, in local mode, the demo agent's login."""
    lines = f"  Agent console: {env['HANDOFF_PUBLIC_URL'].rstrip('/')}/\n"
    if env.get("HANDOFF_DEMO_AGENT", "").lower() in ("1", "true", "yes", "on"):
        from handoff.settings import load_settings

        settings = load_settings()
        lines += (
            f"  Demo agent:    {settings.demo_username} / {settings.demo_password}"
            "  (password kept in var/secrets)\n"
        )
    return lines
