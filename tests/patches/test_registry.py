"""The registry of Baton's patches to Rasa (bot/patches/): every patch still fits the installed
Rasa, and one that no longer does leaves Rasa's own code running, with a warning."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot import patches
from bot.patches import PATCHES, Patch
from tests.patches.throwaway import Branch, Shop


@pytest.fixture
def restored() -> Iterator[None]:
    """Whatever a test applies is taken out again, so Rasa is Rasa for the next test."""
    yield
    for patch in PATCHES:
        patches.remove(patch)


@pytest.mark.parametrize("patch", PATCHES, ids=[p.name for p in PATCHES])
def test_each_patch_was_written_for_the_rasa_that_is_installed(patch: Patch) -> None:
    """Fails after a Rasa (or rasa-sdk) upgrade that changed a patched original: compare the new
    code with the patch, then update the patch, its fingerprint and ``checked_against``."""
    assert patches.fingerprint(patches.original(patch)) == patch.fingerprint, (
        f"{patch.target} changed since {patch.package} {patch.checked_against}"
    )
    assert patches.state(patch) in (patches.APPLIED, patches.WOULD_APPLY)


def test_each_entry_is_complete_and_names_are_unique() -> None:
    import importlib

    assert len({p.name for p in PATCHES}) == len(PATCHES)
    assert len({p.target for p in PATCHES}) == len(PATCHES)
    for patch in PATCHES:
        assert patch.why.strip() and not patch.why.endswith(".")  # one sentence, a clause
        assert patch.processes and patch.processes <= {"rasa", "nlu-worker", "actions"}
        module, _, name = patch.replacement.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), patch.replacement


def _stand_in(self: Any) -> str:
    return "Rasa's own code"


def test_a_patch_whose_original_changed_is_not_applied_and_rasas_code_runs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, restored: None
) -> None:
    from rasa.shared.core.domain import Domain

    patch = patches.by_name("domain-is-empty-cache")
    monkeypatch.setattr(Domain, "is_empty", _stand_in)  # as if Rasa had rewritten it

    with caplog.at_level(logging.WARNING, logger="bot.patches"):
        applied = patches.install("rasa", patches=(patch,))

    assert applied == []
    assert Domain.is_empty is _stand_in
    assert Domain.empty().is_empty() == "Rasa's own code"
    assert patches.state(patch) == patches.MISMATCH
    [record] = [r for r in caplog.records if r.name == "bot.patches"]
    assert record.levelno == logging.WARNING
    assert "'domain-is-empty-cache'" in record.getMessage()
    assert "rasa.shared.core.domain.Domain.is_empty has changed" in record.getMessage()
    assert "Rasa's own code runs instead" in record.getMessage()


def test_a_patch_whose_target_is_gone_is_not_applied(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = Patch(
        name="gone",
        target="tests.patches.throwaway.Shop.farewell",
        why="a method this Rasa does not have",
        replacement="tests.patches.throwaway:excited",
        wraps=True,
        package="rasa",
        checked_against="3.6.21",
        fingerprint="0" * 64,
        processes=frozenset({"rasa"}),
    )
    with caplog.at_level(logging.WARNING, logger="bot.patches"):
        assert patches.install("rasa", patches=(gone,)) == []
    assert not hasattr(Shop, "farewell")
    assert patches.state(gone) == patches.MISMATCH
    assert "'gone' not applied: tests.patches.throwaway.Shop.farewell no longer exists" in (
        caplog.text
    )


def _excited(fingerprint: str) -> Patch:
    return Patch(
        name="excited",
        target="tests.patches.throwaway.Shop.greet",
        why="greet with more enthusiasm",
        replacement="tests.patches.throwaway:excited",
        wraps=True,
        package="rasa",
        checked_against="3.6.21",
        fingerprint=fingerprint,
        processes=frozenset({"rasa"}),
    )


def test_installing_twice_wraps_once_and_remove_puts_the_original_back() -> None:
    original = Shop.greet
    patch = _excited(patches.fingerprint(original))
    try:
        assert patches.state(patch) == patches.WOULD_APPLY
        assert patches.install("rasa", patches=(patch,)) == ["excited"]
        assert patches.install("rasa", patches=(patch,)) == ["excited"]
        assert Shop().greet("Ada") == "hello Ada!"
        assert patches.state(patch) == patches.APPLIED
        assert patches.original(patch) is original
    finally:
        patches.remove(patch)
    assert Shop.greet is original
    assert Shop().greet("Ada") == "hello Ada"


def test_a_patched_classmethod_keeps_its_subclass_and_is_a_classmethod_again_after_removal() -> (
    None
):
    patch = Patch(
        name="shouted",
        target="tests.patches.throwaway.Shop.opening",
        why="open louder",
        replacement="tests.patches.throwaway:shouted",
        wraps=True,
        package="rasa",
        checked_against="3.6.21",
        fingerprint=patches.fingerprint(Shop.opening),
        processes=frozenset({"rasa"}),
    )
    try:
        assert patches.install("rasa", patches=(patch,)) == ["shouted"]
        assert patches.state(patch) == patches.APPLIED
        assert Branch.opening("monday") == "BRANCH OPENS MONDAY"
    finally:
        patches.remove(patch)
    assert isinstance(vars(Shop)["opening"], classmethod)
    assert Branch.opening("monday") == "Branch opens monday"


def test_a_patch_is_applied_only_in_its_own_processes() -> None:
    patch = _excited(patches.fingerprint(Shop.greet))
    assert patches.install("actions", patches=(patch,)) == []
    assert patches.state(patch) == patches.WOULD_APPLY


def test_the_rasa_servers_patches_install_once_however_often_install_is_called(
    restored: None,
) -> None:
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain

    rasa_parse_message = MessageProcessor.parse_message
    rasa_is_empty = Domain.is_empty
    first = patches.install("rasa")
    ours = MessageProcessor.parse_message, Domain.is_empty
    second = patches.install("rasa")

    expected = [p.name for p in PATCHES if "rasa" in p.processes]
    assert first == second == expected
    assert (MessageProcessor.parse_message, Domain.is_empty) == ours
    # Each wrapper wraps Rasa's original, not an earlier wrapper.
    assert ours[0] is not rasa_parse_message
    assert patches.original(patches.by_name("nlu-workers")) is rasa_parse_message
    assert patches.original(patches.by_name("domain-is-empty-cache")) is rasa_is_empty
    assert {patches.state(p) for p in PATCHES if "rasa" in p.processes} == {patches.APPLIED}
    assert Domain.empty().is_empty() is True


def test_apply_patches_delegates_to_the_registry(restored: None) -> None:
    from rasa.core.actions.action import RemoteAction

    from bot.server import _validate_action_result, apply_patches

    apply_patches()
    apply_patches()
    assert RemoteAction._validate_action_result is _validate_action_result
    filters = logging.getLogger("sanic.error").filters
    assert sum(type(f).__name__ == "_EngineioWebsocketCloseFilter" for f in filters) == 1
