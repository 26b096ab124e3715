"""The layer a test lands in (tests/support/layers.py): what needs a model, a server, a
service or a process is ``integration``; a business rule's test is not — without anyone
marking either by hand."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.support import layers, servers, services

ROOT = Path(__file__).parent


def item(
    path: str = "actions/test_rule.py",
    fixtures: tuple[str, ...] = (),
    marks: tuple[str, ...] = (),
    **module_globals: Any,
) -> Any:
    module = ModuleType("tests.fake_module")
    vars(module).update(module_globals)
    return SimpleNamespace(
        path=ROOT / path,
        fixturenames=list(fixtures),
        module=module,
        get_closest_marker=lambda name: name if name in marks else None,
    )


def test_a_business_rule_test_is_a_unit_test() -> None:
    assert not layers.needs_integration(item(fixtures=("tmp_path", "fake_shop")), ROOT)


@pytest.mark.parametrize("fixture", ["model", "baton", "postgres", "redis_server", "browser"])
def test_a_model_a_server_or_a_service_makes_it_integration(fixture: str) -> None:
    assert layers.needs_integration(item(fixtures=("tmp_path", fixture)), ROOT)


def test_a_helper_that_starts_something_makes_its_module_integration() -> None:
    import subprocess  # here, not at the top: it would make this module integration

    assert layers.needs_integration(item(start_baton=servers.start_baton), ROOT)
    assert layers.needs_integration(item(pg=services.throwaway_postgres), ROOT)
    assert layers.needs_integration(item(subprocess=subprocess), ROOT)


def test_the_server_folders_and_marks_are_integration() -> None:
    assert layers.needs_integration(item("e2e/test_flow.py"), ROOT)
    assert layers.needs_integration(item("prod/test_profile.py"), ROOT)
    assert layers.needs_integration(item(marks=("browser",)), ROOT)


def test_in_the_unit_layer_starting_a_server_fails_the_test(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(layers.LAYER_VARIABLE, raising=False)
    layers.refuse_in_unit_layer("starting Baton")  # outside the unit layer: nothing happens
    monkeypatch.setenv(layers.LAYER_VARIABLE, "unit")
    with pytest.raises(pytest.fail.Exception, match="starting Baton in the unit layer"):
        layers.refuse_in_unit_layer("starting Baton")
