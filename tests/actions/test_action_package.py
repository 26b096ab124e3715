"""The action server imports every module under ``actions/`` at start (rasa-sdk's
``register_package``): none of them may do work at import — an Alembic env.py that ran there
kept the action server from starting."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from bot import names


def test_the_action_server_can_import_the_whole_actions_package() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    registered = set(executor.actions)
    assert names.ACTION_SESSION_START in registered
    assert "action_order_status" in registered
