"""The production profile on one machine: PostgreSQL, Redis, two replicas of each server, nginx.

``make run-prod`` runs :mod:`infra.prod_cli`; tests and benchmarks call :func:`start_profile`
with a temp directory, free ports and Baton's :class:`Programs` (:func:`bot.production.programs`:
infra is the kernel and imports no other Baton package) and get a :class:`Profile` back, which
can stop, kill and restart any replica or backing service (the fault benchmarks do) and stops
everything at the end. The shape — services, ports, databases, variables — is
:mod:`infra.profile`'s.

Order of start-up, and why:

1. PostgreSQL (its cluster under ``<dir>/postgres``), then the three databases;
2. Redis;
3. ``python -m infra.prod init-db`` once: the store's schema migrated (the demo shop only with
   ``BATON_SEED_DEMO=1``), the tracker and outbox tables, the handoff schema and demo agent —
   so that replicas starting together do not race to create the same tables (a cluster runs
   the same command as a one-off job);
4. the six replicas, all at once (the Rasa servers take the longest: they load the model);
5. nginx, in front of them;
6. the supervisor (:mod:`infra.supervise`): from then on a process that dies is started again
   after a backoff while the others keep serving, and a crash loop is reported in
   ``<dir>/status.json`` and the log. Stopping a process through :class:`Profile` holds it
   down (a planned stop); ``kill -9`` from outside is a crash.

Every secret the replicas share is decided here, once (from the environment, or generated
and kept under ``<dir>/secrets`` with mode 0600), and handed to all of them.
"""

from __future__ import annotations

import functools
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Protocol

from infra import profile
from infra.nginx import Nginx, upstream_values
from infra.postgres import Postgres
from infra.procs import free_port, port_open
from infra.redis_server import RedisServer
from infra.supervise import Supervisor, Watched

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = "bot/endpoints.prod.yml"

#: Shared by every replica; generated once per profile directory unless the environment sets them.
SHARED_SECRETS = (
    "WEBCHAT_SESSION_SECRET",
    "CHANNEL_ID_SECRET",
    "ACTION_SERVER_TOKEN",  # Rasa replicas -> action servers (bot/action_server.py)
    "HANDOFF_SERVICE_TOKEN",
    "HANDOFF_RELAY_TOKEN",
    "RETURN_LABEL_SECRET",
    "HANDOFF_DEMO_PASSWORD",
    "BATON_ADMIN_TOKEN",  # the erasure API (POST /admin/erasures on the handoff service)
    "PROMETHEUS_SCRAPE_TOKEN",  # /metrics on every replica
)


@dataclass(frozen=True)
class Ports:
    """Where each process listens (all on 127.0.0.1)."""

    postgres: int
    redis: int
    rasa: tuple[int, int]
    actions: tuple[int, int]
    handoff: tuple[int, int]
    nginx_rasa: int
    nginx_actions: int
    nginx_handoff: int

    @classmethod
    def standard(cls) -> Ports:
        """The ports of :mod:`infra.profile` (``make run-prod``)."""

        def pair(name: str) -> tuple[int, int]:
            first, second = profile.service(name).ports
            return first, second

        return cls(
            postgres=profile.POSTGRES_PORT,
            redis=profile.REDIS_PORT,
            rasa=pair("rasa"),
            actions=pair("actions"),
            handoff=pair("handoff"),
            nginx_rasa=profile.NGINX_RASA_PORT,
            nginx_actions=profile.NGINX_ACTIONS_PORT,
            nginx_handoff=profile.NGINX_HANDOFF_PORT,
        )

    @classmethod
    def free(cls) -> Ports:
        """Any free ports: tests and benchmarks next to a running ``make run-prod``."""
        return cls(
            postgres=free_port(),
            redis=free_port(),
            rasa=(free_port(), free_port()),
            actions=(free_port(), free_port()),
            handoff=(free_port(), free_port()),
            nginx_rasa=free_port(),
            nginx_actions=free_port(),
            nginx_handoff=free_port(),
        )

    def all(self) -> dict[str, int]:
        return {
            "postgres": self.postgres,
            "redis": self.redis,
            "rasa-1": self.rasa[0],
            "rasa-2": self.rasa[1],
            "actions-1": self.actions[0],
            "actions-2": self.actions[1],
            "handoff-1": self.handoff[0],
            "handoff-2": self.handoff[1],
            "nginx (web chat, webhooks)": self.nginx_rasa,
            "nginx (actions)": self.nginx_actions,
            "nginx (agents)": self.nginx_handoff,
        }


@dataclass
class Replica:
    """One server process of the profile, e.g. ``rasa-2``."""

    name: str
    role: str  # "rasa", "actions" or "handoff"
    port: int
    command: list[str]
    env: dict[str, str]
    log: Path
    proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        """Answers once the server serves requests (the Rasa server: once its model is loaded)."""
        return f"{self.url}/" if self.role == "rasa" else f"{self.url}/health"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> Optional[int]:
        """The running process's id (None when it is not running)."""
        return self.proc.pid if self.proc is not None and self.running else None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(  # noqa: S603
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops us in order
        )

    def stop(self, kill: bool = False, timeout: float = 20) -> None:
        """SIGTERM and wait (graceful), or SIGKILL (a crash, for the fault benchmarks)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Profile:
    """A running production profile; :meth:`stop` ends every process it started."""

    directory: Path
    ports: Ports
    env: dict[str, str]  # what every replica shares (URLs, secrets)
    postgres: Postgres
    redis: RedisServer
    nginx: Nginx
    replicas: dict[str, Replica]
    fake_procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    twilio_url: str = ""
    slack_url: str = ""
    supervisor: Optional[Supervisor] = None

    # --- where to reach it ----------------------------------------------------------------

    @property
    def public_url(self) -> str:
        """nginx in front of the Rasa replicas: web chat, webhooks, relay."""
        return f"http://127.0.0.1:{self.ports.nginx_rasa}"

    @property
    def handoff_url(self) -> str:
        """nginx in front of the handoff replicas: agent console and API."""
        return f"http://127.0.0.1:{self.ports.nginx_handoff}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.nginx_actions}"

    @property
    def store_url(self) -> str:
        return self.env["STORE_DATABASE_URL"]

    @property
    def tracker_url(self) -> str:
        return self.env["TRACKER_DATABASE_URL"]

    @property
    def handoff_database_url(self) -> str:
        return self.env["HANDOFF_DATABASE_URL"]

    @property
    def redis_url(self) -> str:
        return self.env["REDIS_URL"]

    def of_role(self, role: str) -> list[Replica]:
        return [r for r in self.replicas.values() if r.role == role]

    # --- faults and restarts --------------------------------------------------------------

    def stop_replica(self, name: str, kill: bool = False) -> None:
        """Stop ``name`` (e.g. ``rasa-1``) gracefully, or kill it with SIGKILL; either way
        the supervisor leaves it down until :meth:`start_replica` (a planned stop)."""
        self._hold(name)
        self.replicas[name].stop(kill=kill)

    def start_replica(self, name: str, timeout: float = 300) -> None:
        """Start a stopped replica again (same port, command and environment)."""
        replica = self.replicas[name]
        if not replica.running:
            replica.start()
            if not _wait_http(replica.health_url, timeout, [replica]):
                raise RuntimeError(f"{name} did not come back:\n{_tail(replica.log)}")
        if self.supervisor is not None:
            self.supervisor.release(name)

    def stop_service(self, name: str) -> None:
        """Stop ``postgres`` or ``redis`` on purpose; it stays down until :meth:`start_service`."""
        self._hold(name)
        self._service(name).stop()

    def start_service(self, name: str) -> None:
        service = self.postgres if name == "postgres" else self.redis
        if not service.running:
            service.start()
        if self.supervisor is not None:
            self.supervisor.release(name)

    def restart_postgres(self) -> None:
        self.stop_service("postgres")
        self.start_service("postgres")

    def pid(self, name: str) -> Optional[int]:
        """The process id of a replica, ``postgres``, ``redis`` or ``nginx`` (None: not running);
        what the fault benchmark and the tests kill from outside, as production would see it."""
        if name in self.replicas:
            return self.replicas[name].pid
        proc = self._service(name).proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def supervise(self, on_event: Optional[Callable[[str], None]] = None) -> Supervisor:
        """Start restarting whatever dies (called once everything is up)."""
        watched = [
            Watched(
                name,
                self._starter(name),
                functools.partial(self.pid, name),
                functools.partial(self._returncode, name),
            )
            for name in ("postgres", "redis", *self.replicas, "nginx")
        ]
        self.supervisor = Supervisor(
            watched,
            status_file=self.directory / "status.json",
            on_event=on_event or (lambda _line: None),
        )
        self.supervisor.start()
        return self.supervisor

    def _starter(self, name: str) -> Callable[[], None]:
        if name in self.replicas:
            return self.replicas[name].start
        return self._service(name).start

    def _returncode(self, name: str) -> Optional[int]:
        proc = self.replicas[name].proc if name in self.replicas else self._service(name).proc
        return proc.poll() if proc is not None else None

    def _service(self, name: str) -> Postgres | RedisServer | Nginx:
        services: dict[str, Postgres | RedisServer | Nginx] = {
            "postgres": self.postgres,
            "redis": self.redis,
            "nginx": self.nginx,
        }
        return services[name]

    def _hold(self, name: str) -> None:
        if self.supervisor is not None:
            self.supervisor.hold(name)

    def log_text(self, name: str) -> str:
        """The log of a replica, or of ``postgres``, ``redis`` or ``nginx``."""
        if name == "postgres":
            return self.postgres.log_text()
        if name == "redis":
            return self.redis.log_text()
        if name == "nginx":
            path = self.nginx.directory / "error.log"
            return path.read_text(errors="replace") if path.exists() else ""
        return self.replicas[name].log.read_text(errors="replace")

    def stop(self) -> None:
        """The supervisor first (nothing is restarted from here on), then nginx (no new
        requests), then the servers, then Redis and PostgreSQL."""
        if self.supervisor is not None:
            self.supervisor.stop()
        self.nginx.stop()
        for replica in self.replicas.values():
            if replica.running and replica.proc is not None:
                replica.proc.send_signal(signal.SIGTERM)
        for replica in self.replicas.values():
            replica.stop()
        _Procs(self.fake_procs).stop()
        self.redis.stop()
        self.postgres.stop()


# --- environment ----------------------------------------------------------------------------


def _secret(directory: Path, name: str, base: dict[str, str]) -> str:
    """``name`` from the environment, else the one generated for this profile directory."""
    if base.get(name):
        return base[name]
    path = directory / "secrets" / name.lower()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(24) if name == "HANDOFF_DEMO_PASSWORD" else secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


@dataclass(frozen=True)
class Programs:
    """What the profile runs, handed in by the caller (Baton's: :func:`bot.production.programs`).

    infra is the kernel: it imports none of Baton's other packages (pyproject.toml,
    ``[tool.importlinter]``), so the replicas' command lines, the local defaults of their
    environment and the channel fakes (a dev and test aid) come from outside."""

    environment: Callable[[dict[str, str]], dict[str, str]]
    rasa: Callable[[Path, str, str], list[str]]  # (model, port, endpoints file)
    actions: Callable[[str], list[str]]  # (port)
    handoff: Callable[[str], list[str]]  # (port)
    fake_channels: Optional[FakeChannelStarter] = None


def shared_environment(
    directory: Path,
    ports: Ports,
    postgres: Postgres,
    redis: RedisServer,
    base: Optional[dict[str, str]] = None,
    *,
    programs: Programs,
) -> dict[str, str]:
    """The environment every replica of the profile starts from."""
    base = dict(os.environ if base is None else base)
    env = programs.environment(base)
    nginx = f"127.0.0.1:{ports.nginx_rasa}"
    env.update(
        {
            "BATON_VAR_DIR": str(directory / "var"),
            "STORE_DATABASE_URL": postgres.url("baton_store"),
            "TRACKER_DATABASE_URL": postgres.url("baton_tracker"),
            "HANDOFF_DATABASE_URL": postgres.url("baton_handoff"),
            "REDIS_URL": redis.url,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports.nginx_actions}/webhook",
            "HANDOFF_URL": f"http://127.0.0.1:{ports.nginx_handoff}",
            "RASA_RELAY_URL": f"http://{nginx}/webhooks/relay",
            "PUBLIC_URL": base.get("PUBLIC_URL") or f"http://localhost:{ports.nginx_rasa}",
            "HANDOFF_PUBLIC_URL": base.get("HANDOFF_PUBLIC_URL")
            or f"http://localhost:{ports.nginx_handoff}",
            "HANDOFF_DEMO_AGENT": base.get("HANDOFF_DEMO_AGENT") or "true",
            # JSON lines with the conversation id and no personal data (infra/logging.py)
            "BATON_LOG_FORMAT": base.get("BATON_LOG_FORMAT") or "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    for name in SHARED_SECRETS:
        env[name] = _secret(directory, name, base)
    return env


def build_replicas(
    directory: Path, ports: Ports, env: dict[str, str], model: Path, *, programs: Programs
) -> dict[str, Replica]:
    logs = directory / "logs"
    replicas: dict[str, Replica] = {}
    for index, port in enumerate(ports.actions, start=1):
        name = f"actions-{index}"
        replicas[name] = Replica(
            name,
            "actions",
            port,
            programs.actions(str(port)),
            {**env, "ACTION_PORT": str(port), "BATON_REPLICA": name},
            logs / f"{name}.log",
        )
    for index, port in enumerate(ports.handoff, start=1):
        name = f"handoff-{index}"
        replicas[name] = Replica(
            name,
            "handoff",
            port,
            programs.handoff(str(port)),
            {**env, "HANDOFF_PORT": str(port), "BATON_REPLICA": name},
            logs / f"{name}.log",
        )
    for index, port in enumerate(ports.rasa, start=1):
        name = f"rasa-{index}"
        replicas[name] = Replica(
            name,
            "rasa",
            port,
            programs.rasa(model, str(port), ENDPOINTS),
            {**env, "RASA_PORT": str(port), "BATON_REPLICA": name},
            logs / f"{name}.log",
        )
    return replicas


# --- start ----------------------------------------------------------------------------------


class FakeChannels(Protocol):
    """Local fakes of Twilio and Slack that were started (:class:`fakes.launch.Fakes`)."""

    twilio_url: str
    slack_url: str
    env: dict[str, str]  # what the replicas need to use them
    procs: list[subprocess.Popen[bytes]]


class FakeChannelStarter(Protocol):
    def __call__(
        self,
        env: dict[str, str],
        public_url: str,
        deliver_to: Optional[str] = None,
        logs: Optional[Path] = None,
    ) -> FakeChannels: ...


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass
class _Procs:
    """Plain child processes (the channel fakes), stopped like the rest if start-up fails."""

    procs: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)


class PortBusy(RuntimeError):
    """Something else already listens on one of the profile's ports."""


def start_profile(
    directory: Path,
    model: Path,
    *,
    programs: Programs,
    ports: Optional[Ports] = None,
    durable: bool = True,
    fake_channels: bool = False,
    base_env: Optional[dict[str, str]] = None,
    timeout: float = 420,
    on_event: Optional[Callable[[str], None]] = None,
) -> Profile:
    """Start the whole profile with its data under ``directory``; stops what it started if any
    part fails. ``durable=False`` (tests, benchmarks) runs PostgreSQL without fsync and Redis
    without an append-only file. ``fake_channels`` starts ``programs.fake_channels`` (local
    Twilio and Slack) first. ``on_event`` hears each restart and crash loop."""
    directory = directory.resolve()
    (directory / "logs").mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # PostgreSQL runs as its own user and must reach its cluster
        directory.chmod(directory.stat().st_mode | 0o111)
    if fake_channels and programs.fake_channels is None:
        raise ValueError("fake_channels=True needs programs with a fake_channels starter")
    ports = ports or Ports.standard()
    busy = [f"{name} ({port})" for name, port in ports.all().items() if port_open(port)]
    if busy:
        raise PortBusy(f"already in use on 127.0.0.1: {', '.join(busy)}")
    base = dict(os.environ if base_env is None else base_env)
    postgres = Postgres(
        directory / "postgres" / "data",
        ports.postgres,
        _secret(directory, "POSTGRES_PASSWORD", base),
        durable=durable,
    )
    redis = RedisServer(
        directory / "redis",
        ports.redis,
        _secret(directory, "REDIS_PASSWORD", base),
        persistent=durable,
    )
    started: list[_Stoppable] = []
    try:
        postgres.start()
        started.append(postgres)
        postgres.create_databases(profile.DATABASES)
        redis.start()
        started.append(redis)
        env = shared_environment(directory, ports, postgres, redis, base, programs=programs)
        fake_procs: list[subprocess.Popen[bytes]] = []
        twilio_url = slack_url = ""
        if fake_channels and programs.fake_channels is not None:
            fakes = programs.fake_channels(
                env,
                env["PUBLIC_URL"],
                deliver_to=f"http://127.0.0.1:{ports.nginx_rasa}",
                logs=directory / "logs",
            )
            env.update(fakes.env)
            fake_procs, twilio_url, slack_url = fakes.procs, fakes.twilio_url, fakes.slack_url
            started.append(_Procs(fake_procs))
        _init_databases(env, directory / "logs" / "init-db.log")
        replicas = build_replicas(directory, ports, env, model, programs=programs)
        nginx = Nginx(
            directory / "nginx",
            upstream_values(
                rasa=(f"127.0.0.1:{ports.rasa[0]}", f"127.0.0.1:{ports.rasa[1]}"),
                actions=(f"127.0.0.1:{ports.actions[0]}", f"127.0.0.1:{ports.actions[1]}"),
                handoff=(f"127.0.0.1:{ports.handoff[0]}", f"127.0.0.1:{ports.handoff[1]}"),
                rasa_port=ports.nginx_rasa,
                actions_port=ports.nginx_actions,
                handoff_port=ports.nginx_handoff,
            ),
        )
        running = Profile(
            directory,
            ports,
            env,
            postgres,
            redis,
            nginx,
            replicas,
            fake_procs,
            twilio_url,
            slack_url,
        )
        started = [running]
        for replica in replicas.values():
            replica.start()
        for replica in replicas.values():
            if not _wait_http(replica.health_url, timeout, list(replicas.values())):
                raise RuntimeError(f"{replica.name} did not start:\n{_tail(replica.log)}")
        # Started is not ready: a Rasa replica is ready once its NLU worker has loaded the
        # model too (bot/nlu_workers.py), seconds later.
        for replica in replicas.values():
            if not _wait_http(f"{replica.url}/ready", timeout, list(replicas.values())):
                raise RuntimeError(f"{replica.name} did not become ready:\n{_tail(replica.log)}")
        nginx.start()
        running.supervise(on_event)
        return running
    except BaseException:
        for thing in reversed(started):
            thing.stop()
        raise


def _init_databases(env: dict[str, str], log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        result = subprocess.run(
            [sys.executable, "-m", "infra.prod", "init-db"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"init-db failed:\n{_tail(log)}")


def _wait_http(url: str, timeout: float, replicas: list[Replica]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [r for r in replicas if r.proc is not None and r.proc.poll() is not None]
        if dead:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
                if resp.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def profile_environment(
    directory: Path, programs: Programs, ports: Optional[Ports] = None
) -> dict[str, str]:
    """The variables the replicas of the profile in ``directory`` run with (started or not):
    what ``python -m bot erase`` or ``make inbox`` need to work on its databases."""
    ports = ports or Ports.standard()
    base = dict(os.environ)
    postgres = Postgres(
        directory / "postgres" / "data",
        ports.postgres,
        _secret(directory, "POSTGRES_PASSWORD", base),
    )
    redis = RedisServer(
        directory / "redis", ports.redis, _secret(directory, "REDIS_PASSWORD", base)
    )
    return shared_environment(directory, ports, postgres, redis, base, programs=programs)


if __name__ == "__main__":  # python -m infra.prod {run,env,init-db}
    from infra.prod_cli import main

    sys.exit(main())
