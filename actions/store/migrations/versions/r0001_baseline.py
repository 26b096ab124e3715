"""Baseline: the store as ``create_all`` made it before migrations (migrations/baseline.py).

Revision ID: 0001
Revises:
Created: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from actions.store.migrations import baseline

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    baseline.metadata.create_all(op.get_bind(), checkfirst=False)


def downgrade() -> None:
    baseline.metadata.drop_all(op.get_bind(), checkfirst=False)
