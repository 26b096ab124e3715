"""Baton's replacements of Rasa and rasa-sdk internals: one registry, one :func:`install`.

Each process calls :func:`install` once, before Rasa (or rasa-sdk) runs: the Rasa server from
bot/server.py, its NLU worker processes from bot/nlu_workers.py, the action server from
bot/action_server.py. A patch whose original no longer matches the fingerprint it was written
against is not applied: a WARNING names it and Rasa's own code runs (bot/patches/core.py).
``python -m bot patches`` lists them all with their state.
"""

from __future__ import annotations

from bot.patches.core import (
    APPLIED,
    MISMATCH,
    WOULD_APPLY,
    Patch,
    Process,
    apply,
    fingerprint,
    original,
    remove,
    state,
)
from bot.patches.registry import PATCHES

__all__ = [
    "APPLIED",
    "MISMATCH",
    "PATCHES",
    "WOULD_APPLY",
    "Patch",
    "Process",
    "by_name",
    "fingerprint",
    "install",
    "original",
    "remove",
    "state",
]


def by_name(name: str) -> Patch:
    for patch in PATCHES:
        if patch.name == name:
            return patch
    raise KeyError(name)


def install(process: Process = "rasa", patches: tuple[Patch, ...] = PATCHES) -> list[str]:
    """Apply every patch of ``process`` whose original still matches (idempotent); the names
    of those applied."""
    return [patch.name for patch in patches if process in patch.processes and apply(patch)]
