"""A PostgreSQL server of our own: one cluster directory, loopback only, a password login.

Used by ``make run-prod`` (a durable cluster under ``var/prod/postgres``) and by the tests and
benchmarks (a throwaway cluster in a temp directory, with fsync off because nothing there has
to survive a power cut). The server runs in the foreground as a child process, so whoever
started it can stop, kill or restart it — the fault benchmarks do exactly that.

Authentication is scram-sha-256 on 127.0.0.1 for one superuser (``baton``); no Unix socket is
opened, so nothing but TCP with the password gets in.
"""

from __future__ import annotations

import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from infra.procs import chown_tree, find_binary, run_as_user, service_user, wait_for_port

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_reachable(path: Path, user: str) -> None:
    """As root the cluster belongs to ``postgres``, which must be able to reach it (a 0700
    parent such as pytest's temp root would stop initdb with a less helpful message)."""
    probe = subprocess.run(run_as_user(["test", "-r", str(path)], user), check=False)  # noqa: S603
    if probe.returncode != 0:
        raise RuntimeError(
            f"the {user!r} user cannot reach {path.parent}: put the cluster under a directory "
            "every user can traverse (mode 0755 all the way up)"
        )


class WrongPassword(RuntimeError):
    """The cluster exists but does not take the password we have for it."""


@dataclass
class Postgres:
    """One PostgreSQL cluster in ``data_dir``, listening on 127.0.0.1:``port``."""

    data_dir: Path
    port: int
    password: str
    user: str = "baton"
    #: throwaway clusters (tests, benchmarks): no fsync, so a test run does not wait on disks
    durable: bool = True
    max_connections: int = 300
    proc: Optional[subprocess.Popen[bytes]] = field(default=None, repr=False)

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def url(self, database: str, driver: str = "postgresql") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return (
            f"{driver}://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@127.0.0.1:{self.port}/{database}"
        )

    # --- lifecycle ---------------------------------------------------------------------

    def init(self) -> bool:
        """Create the cluster unless it exists; True if it was created now."""
        if (self.data_dir / "PG_VERSION").exists():
            return False
        owner = service_user("postgres")
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("w", dir=self.data_dir.parent, delete=False) as pw:
            pw.write(self.password + "\n")
        pwfile = Path(pw.name)
        try:
            if owner is not None:
                chown_tree(self.data_dir, owner)
                chown_tree(pwfile, owner)
                _check_reachable(pwfile, owner)
            command = [
                find_binary("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
            ]
            if not self.durable:
                command.append("--no-sync")
            result = subprocess.run(  # noqa: S603
                run_as_user(command, owner), capture_output=True, text=True, check=False
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        return True

    def start(self, timeout: float = 60) -> None:
        """Start the server (creating the cluster first if needed) and wait until it answers."""
        self.init()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": str(self.max_connections),
            "log_min_messages": "warning",
            "log_min_error_statement": "panic",  # statements may hold customers' data
            "log_connections": "off",
        }
        if not self.durable:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        command = [find_binary("postgres"), "-D", str(self.data_dir)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            run_as_user(command, service_user("postgres")),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal reaches the launcher, not postgres
        )
        try:
            ready = wait_for_port(self.port, timeout, self.proc) and self._wait_ready(timeout)
        except WrongPassword:
            self.stop()
            raise
        if not ready:
            self.stop()
            raise RuntimeError("PostgreSQL did not start:\n" + self.log_text()[-3000:])

    def _wait_ready(self, timeout: float) -> bool:
        import psycopg2

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return False
            try:
                psycopg2.connect(self.url("postgres"), connect_timeout=2).close()
                return True
            except psycopg2.OperationalError as error:
                if "password authentication failed" in str(error):
                    raise WrongPassword(
                        f"the PostgreSQL cluster in {self.data_dir} was created with another "
                        f"password for {self.user!r} (POSTGRES_PASSWORD, or the one generated "
                        "next to it); use that one, or remove the directory to start afresh"
                    ) from None
                time.sleep(0.2)  # still starting up
        return False

    def stop(self, timeout: float = 30) -> None:
        """Fast shutdown: open transactions roll back, committed data stays."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    # --- databases ---------------------------------------------------------------------

    def create_databases(self, names: Iterable[str]) -> list[str]:
        """Create each database that does not exist yet; returns the ones created."""
        import psycopg2

        created = []
        conn = psycopg2.connect(self.url("postgres"), connect_timeout=5)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                for name in names:
                    if not _IDENTIFIER.match(name):
                        raise ValueError(f"not a plain database name: {name!r}")
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                    if cur.fetchone() is None:
                        cur.execute(f'CREATE DATABASE "{name}"')
                        created.append(name)
        finally:
            conn.close()
        return created

    def drop_database(self, name: str) -> None:
        """Drop ``name`` (tests: a clean database per test module)."""
        import psycopg2

        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        conn = psycopg2.connect(self.url("postgres"), connect_timeout=5)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()
