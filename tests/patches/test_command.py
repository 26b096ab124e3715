"""``python -m bot patches``: what each patch replaces, why, against which version, its state;
a non-zero exit when one no longer fits the installed Rasa."""

from __future__ import annotations

import io

import pytest

from bot import __main__ as cli
from bot import patches
from bot.patches import PATCHES, Patch, report
from bot.settings import ROOT


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cli.main`` without changing this process's environment or working directory."""
    monkeypatch.setattr(cli, "_apply_local_environment", lambda: None)
    monkeypatch.chdir(ROOT)


def test_the_command_lists_every_patch_and_exits_0_when_all_fit(
    run_cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["patches"])

    out = capsys.readouterr().out
    assert code == 0
    for patch in PATCHES:
        assert f"{patch.name}: {patches.WOULD_APPLY}\n" in out
        assert f"replaces  {patch.target}\n" in out
        assert patch.why in out
        assert f"{patch.package} {patch.checked_against} (installed: " in out
    assert "applied in: Rasa server, NLU workers" in out
    assert "applied in: action server" in out
    assert f"{len(PATCHES)} patches, 0 mismatched (rasa 3.6.21, rasa-sdk 3.6.2)" in out
    assert "MISMATCH" not in out


def test_a_mismatch_is_shown_and_makes_the_exit_code_non_zero(
    run_cli: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = Patch(
        name="changed-upstream",
        target="rasa.shared.core.domain.Domain.is_empty",
        why="stands for a patch whose original Rasa rewrote",
        replacement="bot.server:_make_cached_is_empty",
        wraps=True,
        package="rasa",
        checked_against="3.6.0",
        fingerprint="0" * 64,
        processes=frozenset({"rasa"}),
    )
    monkeypatch.setattr(report.registry, "PATCHES", (*PATCHES, changed))

    code = cli.main(["patches"])

    out = capsys.readouterr().out
    assert code == 1
    assert "changed-upstream: MISMATCH — Rasa's own code runs\n" in out
    assert f"{len(PATCHES) + 1} patches, 1 mismatched" in out


def test_a_patch_applied_in_this_process_is_listed_as_applied() -> None:
    from tests.patches.throwaway import Shop

    patch = Patch(
        name="excited",
        target="tests.patches.throwaway.Shop.greet",
        why="greet with more enthusiasm",
        replacement="tests.patches.throwaway:excited",
        wraps=True,
        package="rasa",
        checked_against="3.6.21",
        fingerprint=patches.fingerprint(Shop.greet),
        processes=frozenset({"rasa"}),
    )
    out = io.StringIO()
    try:
        patches.install("rasa", patches=(patch,))
        assert report.report(out, patches=(patch,)) == 0
    finally:
        patches.remove(patch)
    assert "excited: applied\n" in out.getvalue()


def test_the_command_prints_a_targets_fingerprint_for_a_new_entry(
    run_cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = patches.by_name("rule-matching")
    assert cli.main(["patches", "--fingerprint", patch.target]) == 0
    assert capsys.readouterr().out == patch.fingerprint + "\n"
    assert cli.main(["patches", "--fingerprint", "rasa.no_such_module.Thing"]) == 2
