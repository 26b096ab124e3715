"""A measuring stick from outside: CLINC150, crowd-written everyday requests.

Nobody on Baton's team wrote these messages, so they show how the model treats the many things
customers say that are not about an order. The data set is not in the repository (it is a
measuring stick, never training data: do not copy its sentences into ``data/``): put
``clinc150_dev.json`` (its train, validation and out-of-scope splits, as
``{"val": [[text, intent], ...], "oos_val": [...], ...}``) in a folder and point
``BATON_NLU_DEV_DIR`` at it; by default Baton looks in ``shared/nlu-dev`` beside the checkout.

Seven CLINC intents have a Baton counterpart; every other intent, and the out-of-scope queries,
must not start an order or return flow (a fallback, out of scope or a shop topic are all fine).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Optional

from bot import names
from bot.settings import ROOT

FILE_NAME: Final = "clinc150_dev.json"
DEFAULT_SPLITS: Final = ("val", "oos_val")
# CLINC intent -> the Baton intent it is.
MAPPED: Final[Mapping[str, str]] = {
    "order_status": names.ORDER_STATUS,
    "greeting": names.GREET,
    "goodbye": names.GOODBYE,
    "thank_you": names.THANK,
    "are_you_a_bot": names.BOT_CHALLENGE,
    "yes": names.AFFIRM,
    "no": names.DENY,
}
SMALL_TALK: Final = tuple(k for k in MAPPED if k != "order_status")


def dev_dir() -> Path:
    configured = os.environ.get("BATON_NLU_DEV_DIR", "").strip()
    return Path(configured) if configured else ROOT.parent / "shared" / "nlu-dev"


def find() -> Optional[Path]:
    """The data file, or None when it is not on this machine."""
    path = dev_dir() / FILE_NAME
    return path if path.is_file() else None


def load(path: Path, splits: tuple[str, ...] = DEFAULT_SPLITS) -> list[tuple[str, str]]:
    """(text, CLINC intent) of the chosen splits."""
    data = json.loads(path.read_text(encoding="utf-8"))
    missing = [s for s in splits if s not in data]
    if missing:
        raise ValueError(f"{path} has no split {', '.join(missing)} (it has {', '.join(data)})")
    return [(str(text), str(intent)) for split in splits for text, intent in data[split]]


def goals() -> dict[str, str]:
    """CLINC intent -> the goal it should reach, for :func:`bot.trainers.routing.route`: the
    mapped intents reach their Baton intent (and nothing else counts as right)."""
    return dict(MAPPED)


def reached() -> dict[str, str]:
    """Baton intent -> goal, for the mapped intents (identity)."""
    return {intent: intent for intent in MAPPED.values()}
