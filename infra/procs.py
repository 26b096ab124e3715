"""Small helpers for running the profile's system services (PostgreSQL, Redis, nginx).

They come from Debian's packages, whose binaries are not all on PATH (PostgreSQL's live in
/usr/lib/postgresql/<version>/bin), and PostgreSQL refuses to run as root — which is how CI
and containers run — so as root its processes run as the ``postgres`` system user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
