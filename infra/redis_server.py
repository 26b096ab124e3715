"""A redis-server of our own on loopback, with a password.

The production profile uses Redis for conversation locks, webhook dedupe and pub/sub between
replicas. ``make run-prod`` keeps an append-only file under ``var/prod/redis`` so dedupe keys
survive a restart; tests and benchmarks run it without persistence. Like
:class:`infra.postgres.Postgres` it runs in the foreground as a child process, so the fault
benchmark can stop it for ten seconds and start it again on the same port.
"""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from infra.procs import find_binary, wait_for_port


@dataclass
class RedisServer:
    directory: Path
    port: int
    password: str
    persistent: bool = True
    proc: Optional[subprocess.Popen[bytes]] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """``REDIS_URL`` for this server (database 0)."""
        return f"redis://:{quote(self.password, safe='')}@127.0.0.1:{self.port}/0"

    @property
    def log_file(self) -> Path:
        return self.directory / "redis.log"

    def start(self, timeout: float = 20) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "redis.conf"
        # The password goes in a 0600 file, not on the command line where `ps` shows it.
        conf.touch(mode=0o600)
        conf.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {self.port}",
                    f"dir {self.directory.resolve()}",
                    f"requirepass {self.password}",
                    "protected-mode yes",
                    "daemonize no",
                    "save ''",
                    f"appendonly {'yes' if self.persistent else 'no'}",
                    "appendfsync everysec",
                    "loglevel warning",
                    "maxclients 4000",
                    "",
                ]
            )
        )
        conf.chmod(0o600)
        log = self.log_file.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            [find_binary("redis-server"), str(conf)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not (wait_for_port(self.port, timeout, self.proc) and self._wait_ready(timeout)):
            self.stop()
            raise RuntimeError("redis-server did not start:\n" + self.log_text()[-2000:])

    def _wait_ready(self, timeout: float) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return True
                except redis.exceptions.BusyLoadingError:  # replaying the append-only file
                    time.sleep(0.1)
                except redis.exceptions.ConnectionError:
                    time.sleep(0.1)
            return False
        finally:
            client.close()

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
