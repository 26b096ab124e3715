"""`make run`: the Rasa server, the action server and the handoff service, stopped together.

All three run as child processes with the local-mode environment (with
``BATON_FAKE_CHANNELS=1``, the local fakes of Twilio and Slack as well); Ctrl-C (or SIGTERM)
stops them all. One that dies is started again by :class:`infra.supervise.Supervisor` (after a
backoff), so a crashed action server or handoff service no longer leaves the bot apologising
until someone notices; one that keeps dying (a crash loop) stops them all with exit status 1,
since in local mode there is no replica to carry on and the log above says what is wrong.

Their start-up output goes to ``var/logs/`` (bot/console.py): the terminal shows a line per
server ready, the summary, and a log's tail if one fails to start.
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

from bot.banner import summary
from bot.console import ServerOutput, detail, logs_dir, say, show_tail, shown, step
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
    """One of the three servers, startable again with the same command and environment; its
    output goes through :class:`bot.console.ServerOutput` (its log file, problems shown)."""

    name: str
    command: list[str]
    env: dict[str, str]
    output: ServerOutput
    health: str
    proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            self.command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.output.attach(self.proc)

    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def returncode(self) -> Optional[int]:
        return self.proc.poll() if self.proc is not None else None


#: How long each server may take to answer the first time (Rasa loads the model).
START_TIMEOUT = {"action server": 120.0, "rasa server": 180.0, "handoff service": 60.0}


def run(model: Path) -> int:
    from infra.supervise import Supervisor, Watched

    env = handoff_environment(local_environment())
    os.environ.update(env)
    _prepare_secrets()
    logs = logs_dir()
    fake_procs, fake_urls = _start_fake_channels(env, logs)
    shop_procs, shop_line = _start_fake_shop(env, logs)
    fake_procs += shop_procs
    rasa_port, action_port = env["RASA_PORT"], env["ACTION_PORT"]
    running = threading.Event()  # set once the summary is printed: servers' output shown
    children = [
        Child(
            name,
            command,
            env,
            ServerOutput(name, logs / f"{log}.log", running),
            health,
        )
        for name, command, log, health in (
            (
                "action server",
                action_command(action_port),
                "action-server",
                f"http://127.0.0.1:{action_port}/health",
            ),
            (
                "rasa server",
                rasa_command(model, rasa_port),
                "rasa-server",
                f"http://127.0.0.1:{rasa_port}/",
            ),
            (
                "handoff service",
                handoff_command(env["HANDOFF_PORT"]),
                "handoff-server",
                f"{env['HANDOFF_URL']}/health",
            ),
        )
    ]
    step(f"starting the servers (their logs: {shown(logs)}/)")
    for child in children:
        child.start()
    procs = [*fake_procs, *(c.proc for c in children if c.proc is not None)]
    crash_loop = threading.Event()
    supervisor = Supervisor(
        [Watched(c.name, c.start, c.pid, c.returncode) for c in children],
        on_event=lambda line: say(f"[{time.strftime('%H:%M:%S')}] {line}"),
        on_crash_loop=lambda _name: crash_loop.set(),
    )

    def _terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: a shell that starts us in the background ignores SIGINT by default.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        if not _wait_for_children(children, procs, logs):
            return 1
        say(summary(env, fake_urls, shop_line, logs))
        running.set()
        supervisor.start()
        while not crash_loop.wait(0.5):
            if any(p.poll() is not None for p in fake_procs):
                say(f"A local fake stopped: see its log in {shown(logs)}/.", sys.stderr)
                return 1
        say("Baton stopped: a server keeps crashing (see the log above).", sys.stderr)
        return 1
    except KeyboardInterrupt:
        say("\nStopping Baton…")
        return 0
    finally:
        supervisor.stop()
        stop([*fake_procs, *(c.proc for c in children if c.proc is not None)])


def _wait_for_children(
    children: list[Child], procs: list[subprocess.Popen[bytes]], logs: Path
) -> bool:
    """A line per server once it answers; if one dies or never answers, the end of its log."""
    from infra.supervise import describe_exit

    started = time.monotonic()
    for child in children:
        if wait_until_up(child.health, START_TIMEOUT[child.name], procs):
            detail(f"{child.name} ready ({time.monotonic() - started:.0f} s)")
            continue
        dead = [c for c in children if c.returncode() is not None]
        for failed in dead or [child]:
            why = (
                f"The {failed.name} stopped while starting ({describe_exit(failed.returncode())})."
                if dead
                else f"The {failed.name} did not answer within {START_TIMEOUT[failed.name]:.0f} s."
            )
            show_tail(failed.output.log, why)
        if not dead:
            say(f"Baton did not start; the other logs are in {shown(logs)}/.", sys.stderr)
        return False
    return True


def _start_fake_channels(
    env: dict[str, str], logs: Path
) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    """``BATON_FAKE_CHANNELS=1``: WhatsApp and Slack against local fakes of the Twilio and Slack
    APIs (fakes/), to try both without accounts. Updates ``env`` so Baton uses them."""
    if env.get("BATON_FAKE_CHANNELS", "").lower() not in ("1", "true", "yes", "on"):
        return [], []
    from fakes.launch import preferred_port, start_fakes

    fakes = start_fakes(
        env,
        env["PUBLIC_URL"],
        deliver_to=f"http://127.0.0.1:{env['RASA_PORT']}",
        logs=logs,
        ports=(preferred_port(5101), preferred_port(5102)),
    )
    env.update(fakes.env)
    os.environ.update(fakes.env)
    return fakes.procs, [fakes.twilio_url, fakes.slack_url]


def _start_fake_shop(env: dict[str, str], logs: Path) -> tuple[list[subprocess.Popen[bytes]], str]:
    """``SHOP_BACKEND=shopify|woocommerce`` without the shop's address: its local fake, with the
    demo shop's orders in the platform's own API shapes. Updates ``env`` so Baton uses it."""
    from actions.shop.current import SHOP_ADDRESS, configured_backend, real_shop_connected

    backend = configured_backend(env)
    if backend not in SHOP_ADDRESS:
        return [], ""
    if real_shop_connected(env):
        return [], f"  Shop:          {backend} ({SHOP_ADDRESS[backend]})\n"
    from fakes.launch import preferred_port
    from fakes.shops import shop_env, start_shop_fake

    url, proc = start_shop_fake(backend, port=preferred_port(5103), logs=logs)
    env.update(shop_env(backend, url))
    os.environ.update(shop_env(backend, url))
    return [proc], f"  Shop:          {backend}, a local fake at {url} (the demo shop)\n"


def _prepare_secrets() -> None:
    """Create the handoff secrets before the three processes start, so they do not race to."""
    from infra.secrets import secret_from_env

    for name in ("HANDOFF_SERVICE_TOKEN", "HANDOFF_RELAY_TOKEN", "HANDOFF_DEMO_PASSWORD"):
        secret_from_env(name)
