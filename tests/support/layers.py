"""Which layer a test is in: ``unit`` (``make unit``) or ``integration`` (the rest of ``make
test``), decided at collection from what the test needs rather than from a list of files.

A unit test needs no trained model, no running Baton, action server or handoff service, and
no PostgreSQL, Redis, nginx or Chromium: business rules, actions against
tests/support/fake_shop.py, routes through an in-process ASGI client, SQLite in a temp dir.
Everything else gets the ``integration`` mark, so a new test lands in the right layer without
anyone remembering to mark it, when

- a fixture in :data:`INTEGRATION_FIXTURES` is anywhere in its fixture closure (``model``,
  ``baton``, ``postgres``...; everything built on them follows);
- its module uses a helper in :data:`INTEGRATION_HELPERS` (``start_baton``,
  ``throwaway_postgres``, the launcher's commands...), even inside a test's body, or a module
  in :data:`INTEGRATION_MODULES` (``subprocess``: it starts processes — a CLI run costs seconds
  of imports; ``bot.inbox``: it reads every training example);
- it lives in a directory of :data:`INTEGRATION_DIRS`, or is marked ``e2e`` or ``browser``.

A miss fails loudly instead of slowing ``make unit`` down: with ``BATON_TEST_LAYER=unit`` (set
by ``make unit``) those helpers and fixtures call :func:`refuse_in_unit_layer`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pytest

#: Fixtures that train or load a model, start a server or a browser, or need a service binary.
INTEGRATION_FIXTURES = frozenset(
    {
        "model",  # a trained model (bot.training.ensure_model)
        "baton",  # Rasa + action server + handoff service, started once per session
        "platform_batons",
        "action_server",
        "analytics_service",
        "start_handoff",
        "postgres",
        "redis_server",
        "browser",
        "korean_browser",
        "second_browser",
    }
)

#: (module, name) of helpers that start processes or need service binaries.
INTEGRATION_HELPERS = frozenset(
    {
        ("tests.support.servers", "start_baton"),
        ("tests.support.services", "require"),
        ("tests.support.services", "throwaway_postgres"),
        ("tests.support.services", "throwaway_redis"),
        ("tests.support.services", "service_dir"),
        ("bot.launcher", "wait_until_up"),
        ("bot.launcher", "action_command"),
        ("bot.launcher", "handoff_command"),
        ("bot.launcher", "rasa_command"),
        ("bot.training", "ensure_model"),
        ("fakes.launch", "start_fakes"),  # the channel fakes, as processes
        ("fakes.shops", "start_shop_fake"),  # a platform fake, as a process
        # `make validate`'s own checks over the whole training data: seconds per call, and
        # they run in that layer anyway
        ("bot.data_checks", "check_all"),
    }
)

#: Modules whose use makes a test module integration (see the module docstring).
INTEGRATION_MODULES = frozenset({"subprocess", "bot.inbox"})

#: Directories whose tests all run servers (relative to tests/).
INTEGRATION_DIRS = frozenset({"e2e", "prod", "replicas", "lock_store"})

MARKS = ("integration", "e2e", "browser")

LAYER_VARIABLE = "BATON_TEST_LAYER"


def _uses_helper(module: object) -> bool:
    for value in vars(module).values():
        if isinstance(value, ModuleType):
            if value.__name__ in INTEGRATION_MODULES:
                return True
            continue
        key = (getattr(value, "__module__", None), getattr(value, "__name__", None))
        if key in INTEGRATION_HELPERS:
            return True
    return False


def needs_integration(item: pytest.Item, tests_root: Path) -> bool:
    """Whether ``item`` needs more than a unit test may use."""
    if any(item.get_closest_marker(mark) for mark in MARKS):
        return True
    if INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    try:
        relative = item.path.relative_to(tests_root)
    except ValueError:
        relative = item.path
    if relative.parts and relative.parts[0] in INTEGRATION_DIRS:
        return True
    module = getattr(item, "module", None)
    return module is not None and _uses_helper(module)


def mark_integration(items: Iterable[pytest.Item], tests_root: Path) -> None:
    for item in items:
        if needs_integration(item, tests_root):
            item.add_marker(pytest.mark.integration)


def refuse_in_unit_layer(what: str) -> None:
    """Fail a unit-layer run that reaches ``what`` (a server, a model, a service binary)."""
    if os.environ.get(LAYER_VARIABLE) == "unit":
        pytest.fail(
            f"{what} in the unit layer: this test needs more than `make unit` may start; "
            "add its fixture or helper to tests/support/layers.py",
            pytrace=False,
        )
