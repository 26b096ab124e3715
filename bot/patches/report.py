"""``python -m bot patches``: every registered patch, what it replaces, why, and its state.

The state is this process's: ``applied`` if it is installed here, ``would apply`` if the
installed Rasa still has the code it was written against, otherwise ``MISMATCH — Rasa's own
code runs``. Any mismatch makes the exit code 1, so CI notices Rasa changing under Baton.
"""

from __future__ import annotations

from importlib import metadata
from typing import TextIO

from bot.patches import registry
from bot.patches.core import MISMATCH, Patch, TargetMissing, fingerprint, resolve, state

PROCESS_NAMES = {
    "rasa": "Rasa server",
    "nlu-worker": "NLU workers",
    "actions": "action server",
}


def _installed_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(out: TextIO, patches: tuple[Patch, ...] | None = None) -> int:
    """Print the list (the registry's, unless given); 1 if any patch does not match the
    installed Rasa, else 0."""
    from bot.quiet import silence_known_warnings

    silence_known_warnings()
    if patches is None:
        patches = registry.PATCHES
    versions = {p.package: _installed_version(p.package) for p in patches}
    mismatches = 0
    for patch in patches:
        found = state(patch)
        mismatches += found == MISMATCH
        applied_by = ", ".join(n for p, n in PROCESS_NAMES.items() if p in patch.processes)
        print(f"{patch.name}: {found}", file=out)
        print(f"    replaces  {patch.target}", file=out)
        print(f"    why       {patch.why}", file=out)
        print(
            f"    checked   {patch.package} {patch.checked_against} "
            f"(installed: {versions[patch.package]}); applied in: {applied_by}",
            file=out,
        )
    installed = ", ".join(f"{package} {version}" for package, version in sorted(versions.items()))
    print(f"\n{len(patches)} patches, {mismatches} mismatched ({installed})", file=out)
    if mismatches:
        print(
            "A mismatched patch is not applied: the original changed since it was checked. "
            "Compare it with the new code, then update the patch and its fingerprint "
            "(docs/architecture.md, Patches to Rasa).",
            file=out,
        )
    return 1 if mismatches else 0


def print_fingerprint(target: str, out: TextIO) -> int:
    """The fingerprint of ``target``'s code as installed here (a new entry's ``fingerprint``)."""
    from bot.quiet import silence_known_warnings

    silence_known_warnings()
    try:
        print(fingerprint(resolve(target)[2]), file=out)
    except TargetMissing:
        print(f"{target}: no such module, class or attribute", file=out)
        return 2
    return 0
