"""Alembic's entry point for the store: everything is in :func:`infra.migrations.run_env`."""

from alembic import context

from actions.store.migrations import MIGRATIONS
from infra.migrations import run_by_alembic, run_env

if run_by_alembic(context):  # not when the action server merely imports the package
    run_env(context, MIGRATIONS)
