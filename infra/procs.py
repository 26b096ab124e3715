"""Small helpers for running the profile's system services (PostgreSQL, Redis, nginx).

They come from Debian's packages, whose binaries are not all on PATH (PostgreSQL's live in
/usr/lib/postgresql/<version>/bin), and PostgreSQL refuses to run as root — which is how CI
and containers run — so as root its processes run as the ``postgres`` system user.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional


class MissingBinary(RuntimeError):
    """A service's program is not installed; the message says which package provides it."""


_PACKAGES = {
    "redis-server": "redis-server",
    "nginx": "nginx-light",
    "pg_ctl": "postgresql",
    "initdb": "postgresql",
    "postgres": "postgresql",
}


def postgres_bin_dir() -> Optional[Path]:
    """PostgreSQL's bin directory: $PG_BIN, else the newest Debian install, else PATH."""
    configured = os.environ.get("PG_BIN")
    if configured:
        return Path(configured)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def find_binary(name: str) -> str:
    """The path of ``name``, or MissingBinary saying what to install."""
    candidates = [shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"]
    if name in ("pg_ctl", "initdb", "postgres"):
        pg = postgres_bin_dir()
        candidates.insert(0, str(pg / name) if pg else None)
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    package = _PACKAGES.get(name, name)
    raise MissingBinary(
        f"{name} is not installed: `make service-deps` installs it "
        f"(or: sudo apt-get install {package})"
    )


def service_user(name: str) -> Optional[str]:
    """As root: the system user ``name`` services should drop to (None when not root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError as missing:
        raise RuntimeError(f"running as root needs the system user {name!r}") from missing
    return name


def run_as_user(command: list[str], user: Optional[str]) -> list[str]:
    """``command`` run as ``user`` when given, else unchanged.

    setpriv execs the command in place (runuser and su fork and stay in between), so the
    process we hold is the server itself and our signals reach it directly."""
    if user is None:
        return command
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *command]


def chown_tree(path: Path, user: str) -> None:
    """Give ``path`` and everything under it to ``user``."""
    shutil.chown(path, user, user)
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            shutil.chown(os.path.join(root, name), user, user)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_for_port(
    port: int, timeout: float, proc: Optional[subprocess.Popen[bytes]] = None
) -> bool:
    """True once something accepts connections on loopback ``port``; False on timeout or if
    ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if port_open(port):
            return True
        time.sleep(0.1)
    return False


_handed_out: set[int] = set()
_port_lock = threading.Lock()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A loopback port that is free now, for a server this process is about to start.

    Two things made the obvious ``bind(0)`` collide: the kernel hands out the same ephemeral
    range to every *outgoing* connection (a replica connecting to PostgreSQL could take a port
    between our pick and the server's bind), and two picks in one process could return the same
    port before either server bound it. So the port comes from below the ephemeral range, and
    this process never hands out the same port twice.
    """
    low, high = _ephemeral_range()
    lowest, highest = (20000, low - 1) if low > 21000 else (high + 1, 65000)
    with _port_lock:
        for _ in range(500):
            port = random.randint(lowest, highest)
            if port in _handed_out:
                continue
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free loopback port between {lowest} and {highest}")
