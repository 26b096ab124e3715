"""How a registered patch is checked, applied and taken out again (the registry: registry.py).

A patch is applied only while the code it replaces is the code it was written against: the
original's source, whitespace normalised, must hash to the fingerprint recorded in its entry.
Otherwise — Rasa changed, or the target is gone — a WARNING names the patch and Rasa's own code
is left to run.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
from dataclasses import dataclass
from typing import Any, Literal

logger = logging.getLogger("bot.patches")

#: The processes that apply patches: the Rasa server, its NLU worker processes
#: (bot/nlu_workers.py), the action server (bot/action_server.py, rasa-sdk).
Process = Literal["rasa", "nlu-worker", "actions"]

APPLIED = "applied"
WOULD_APPLY = "would apply"
MISMATCH = "MISMATCH — Rasa's own code runs"


@dataclass(frozen=True)
class Patch:
    """One piece of Rasa (or rasa-sdk) that Baton replaces."""

    #: Short name, used in log lines and by ``python -m bot patches``.
    name: str
    #: Dotted path of what is replaced: ``package.module.Class.attribute``.
    target: str
    #: Why, in one sentence.
    why: str
    #: ``module:attribute`` of Baton's code: the replacement itself, or (``wraps``) a function
    #: that is given the original and returns the replacement.
    replacement: str
    #: The distribution the target belongs to and the version the patch was checked against.
    package: Literal["rasa", "rasa-sdk"]
    checked_against: str
    #: sha256 of the original's source, whitespace normalised (:func:`fingerprint`).
    fingerprint: str
    #: The processes that apply it.
    processes: frozenset[Process]
    wraps: bool = False


@dataclass
class _Applied:
    owner: Any
    attribute: str
    original: Any
    replacement: Any
    own: bool  # the owner held the attribute itself (not through a base class)
    stored: Any = None  # what the owner held, as held: a classmethod, not the bound method


class TargetMissing(LookupError):
    pass


_applied: dict[str, _Applied] = {}


def fingerprint(obj: Any) -> str:
    """sha256 of ``obj``'s source with every run of whitespace made one space."""
    source = inspect.getsource(obj)
    return hashlib.sha256(" ".join(source.split()).encode()).hexdigest()


def resolve(target: str) -> tuple[Any, str, Any]:
    """``(owner, attribute, current value)`` of a dotted target; :class:`TargetMissing` if any
    part of it does not exist."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:-1]:
                owner = getattr(owner, part)
            return owner, parts[-1], getattr(owner, parts[-1])
        except AttributeError:
            break
    raise TargetMissing(target)


def _replacement_for(patch: Patch, original: Any) -> Any:
    module, _, name = patch.replacement.partition(":")
    found = getattr(importlib.import_module(module), name)
    return found(original) if patch.wraps else found


def _check(patch: Patch) -> tuple[str, Any, Any]:
    """The patch's state in this process, with the target's owner and current value."""
    try:
        owner, _, current = resolve(patch.target)
    except TargetMissing:
        return "missing", None, None
    applied = _applied.get(patch.name)
    if applied is not None and _same(current, applied.replacement):
        return APPLIED, owner, current
    try:
        matches = fingerprint(current) == patch.fingerprint
    except (OSError, TypeError):  # no source to read: not what the patch was written for
        matches = False
    return (WOULD_APPLY if matches else MISMATCH), owner, current


def _same(current: Any, replacement: Any) -> bool:
    """Whether ``current`` is ``replacement`` as set: a classmethod set on a class reads back as
    a new bound method each time, the same function underneath."""
    if current is replacement:
        return True
    underneath = getattr(current, "__func__", None)
    return underneath is not None and underneath is getattr(replacement, "__func__", None)


def state(patch: Patch) -> str:
    """:data:`APPLIED`, :data:`WOULD_APPLY` or :data:`MISMATCH` (also for a missing target)."""
    found, _, _ = _check(patch)
    return MISMATCH if found == "missing" else found


def apply(patch: Patch) -> bool:
    """Apply one patch if its original is still the one it was written for (idempotent)."""
    found, owner, current = _check(patch)
    if found == APPLIED:
        return True
    if found != WOULD_APPLY:
        logger.warning(
            "Rasa patch %r not applied: %s %s (checked against %s %s); "
            "Rasa's own code runs instead",
            patch.name,
            patch.target,
            "no longer exists" if found == "missing" else "has changed",
            patch.package,
            patch.checked_against,
        )
        return False
    attribute = patch.target.rsplit(".", 1)[1]
    own = not isinstance(owner, type) or attribute in vars(owner)
    stored = vars(owner)[attribute] if isinstance(owner, type) and own else current
    replacement = _replacement_for(patch, current)
    setattr(owner, attribute, replacement)
    _applied[patch.name] = _Applied(owner, attribute, current, replacement, own, stored)
    return True


def remove(patch: Patch) -> None:
    """Put Rasa's original back, if this process applied the patch (for tests)."""
    applied = _applied.pop(patch.name, None)
    if applied is None or not _same(getattr(applied.owner, applied.attribute), applied.replacement):
        return
    if applied.own:
        setattr(applied.owner, applied.attribute, applied.stored)
    else:
        delattr(applied.owner, applied.attribute)


def original(patch: Patch) -> Any:
    """What the patch replaced in this process, or what it would replace."""
    applied = _applied.get(patch.name)
    if applied is not None:
        return applied.original
    return resolve(patch.target)[2]
