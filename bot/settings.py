"""Environment for the Rasa server and the local launcher, with local-mode defaults.

Only the environment configures Baton (every variable is in ``.env.example``). ``local_environment``
adds the embedded defaults — SQLite files under ``var/``, the action server on loopback and its
shared token under ``var/secrets`` — for any variable that is not set, so ``make run`` needs no
setup and no credentials.

Every server binds to loopback unless told otherwise (``RASA_HOST``, ``ACTION_HOST``,
``HANDOFF_HOST``): only a proxy in front of them (nginx in the production profile) should be
reachable from other machines. Containers set them to ``0.0.0.0`` and rely on their network.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    return Path(os.environ.get("BATON_VAR_DIR", ROOT / "var"))


def local_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    var = Path(env.get("BATON_VAR_DIR", str(var_dir())))
    env.setdefault("BATON_VAR_DIR", str(var))
    env.setdefault("RASA_PORT", "5005")
    env.setdefault("ACTION_PORT", "5055")
    env.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{env['ACTION_PORT']}/webhook")
    if not env.get("ACTION_SERVER_TOKEN"):
        # The Rasa server presents it on every action call (bot/endpoints.yml); the action
        # server refuses calls without it (bot/action_server.py).
        from infra.secrets import local_secret

        env["ACTION_SERVER_TOKEN"] = local_secret(var, "ACTION_SERVER_TOKEN")
    env.setdefault("STORE_DATABASE_URL", f"sqlite:///{var / 'store.db'}")
    env.setdefault("TRACKER_DATABASE_URL", f"sqlite:///{var / 'tracker.db'}")
    env.setdefault("PUBLIC_URL", f"http://localhost:{env['RASA_PORT']}")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def bind_host(variable: str) -> str:
    """The address a server listens on: loopback unless ``variable`` says otherwise."""
    return os.environ.get(variable) or "127.0.0.1"
