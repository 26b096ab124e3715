"""The action server imports every module under ``actions/`` at start (rasa-sdk's
``register_package``): none of them may do work at import — an Alembic env.py that ran there
kept the action server from starting."""

from __future__ import annotations

import runpy
from pathlib import Path

from rasa_sdk.executor import ActionExecutor

import actions.store.migrations
from actions.store.db import create_engine_for, create_schema
from bot import names


def test_the_action_server_can_import_the_whole_actions_package() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    registered = set(executor.actions)
    assert names.ACTION_SESSION_START in registered
    assert "action_order_status" in registered


async def test_the_package_still_imports_after_a_migration_ran_in_the_same_process(
    tmp_path: Path,
) -> None:
    """The store migrates as the action server starts; Alembic then leaves its context proxy
    pointing at nothing, and the env.py imported afterwards must still do nothing."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        await create_schema(engine)
    finally:
        await engine.dispose()
    env = Path(actions.store.migrations.__file__).with_name("env.py")
    runpy.run_path(str(env))  # imported afresh, as by an action server starting after it
