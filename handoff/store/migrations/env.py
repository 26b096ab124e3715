"""Alembic's entry point for the handoff database: see :func:`infra.migrations.run_env`."""

from alembic import context

from handoff.store.migrations import MIGRATIONS
from infra.migrations import run_env

run_env(context, MIGRATIONS)
