"""Canned replies as data: the ``canned_replies`` table leads edit from the console.

The rows themselves are seeded by the service on its first start (``HandoffService.
seed_canned_replies``), from the built-in replies, so this revision creates the table only.

Revision ID: 0002
Revises: 0001
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The name PostgreSQL gives ``unique=True`` in a CREATE TABLE, so create_all and this
#: revision name it alike.
SEED_KEY_UNIQUE = "canned_replies_seed_key_key"


def upgrade() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("seed_key", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.UniqueConstraint("seed_key", name=SEED_KEY_UNIQUE),
    )
    op.create_index(
        "ix_canned_replies_language_archived", "canned_replies", ["language", "archived"]
    )


def downgrade() -> None:
    op.drop_index("ix_canned_replies_language_archived", table_name="canned_replies")
    op.drop_table("canned_replies")
