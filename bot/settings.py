"""Environment for the Rasa server and the local launcher, with local-mode defaults.

Only the environment configures Baton (DESIGN.md, "Configuration"). ``local_environment``
adds the embedded defaults — SQLite files under ``var/``, the action server on loopback — for
any variable that is not set, so ``make run`` needs no setup and no credentials.
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
    env.setdefault("STORE_DATABASE_URL", f"sqlite:///{var / 'store.db'}")
    env.setdefault("TRACKER_DATABASE_URL", f"sqlite:///{var / 'tracker.db'}")
    env.setdefault("PUBLIC_URL", f"http://localhost:{env['RASA_PORT']}")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env
