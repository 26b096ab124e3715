"""Typed settings for the action server, read once from the environment.

Secrets and URLs come only from the environment; every variable is listed with a comment in
``.env.example``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ActionSettings:
    store_database_url: str
    shop_name: str
    shop_timezone: ZoneInfo
    # Ownership proofs: this many failures within the window stop one conversation; a web
    # visitor's address and an order allow more (actions/services/verification.py).
    verification_max_failures: int
    verification_window_minutes: int
    handoff_url: str


def _default_sqlite(name: str) -> str:
    var_dir = Path(os.environ.get("BATON_VAR_DIR", ROOT / "var"))
    return f"sqlite:///{var_dir / name}"


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    return ActionSettings(
        store_database_url=os.environ.get("STORE_DATABASE_URL") or _default_sqlite("store.db"),
        shop_name=os.environ.get("SHOP_NAME", "Lumen & Loom"),
        shop_timezone=ZoneInfo(os.environ.get("SHOP_TIMEZONE", "Europe/London")),
        verification_max_failures=int(os.environ.get("VERIFICATION_MAX_FAILURES", "5")),
        verification_window_minutes=int(os.environ.get("VERIFICATION_WINDOW_MINUTES", "60")),
        handoff_url=os.environ.get("HANDOFF_URL", "http://localhost:5080"),
    )
