"""Alembic's entry point for the store: everything is in :func:`infra.migrations.run_env`."""

from alembic import context

from actions.store.migrations import MIGRATIONS
from infra.migrations import run_env

run_env(context, MIGRATIONS)
