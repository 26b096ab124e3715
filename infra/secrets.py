"""Secrets come from the environment; local mode makes its own and keeps them in ``var/``.

A secret is never logged. In local mode (no variable set) a random secret is created once
and stored with mode 0600 so web chat sessions survive a restart of the server.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def secret_from_env(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    return local_secret(Path(os.environ.get("BATON_VAR_DIR", ROOT / "var")), name)


def local_secret(var_dir: Path, name: str) -> str:
    """The secret ``name`` kept under ``var_dir/secrets`` (created once, mode 0600).

    Every process of one local setup reads the same file, so the Rasa server and the action
    server agree on a shared secret without anyone setting it."""
    path = var_dir / "secrets" / name.lower()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    try:
        # Atomic: if another process created the secret first, theirs wins and ours goes.
        os.link(tmp, path)
    except FileExistsError:
        value = path.read_text().strip()
    finally:
        tmp.unlink(missing_ok=True)
    return value
