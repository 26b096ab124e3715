"""A customer message relayed during a handoff keeps its photos and files: the ``messages``
table gets ``attachments``, a JSON list of references (``uploads/<folder>/<file>`` paths with
kind, content type, size and sha256), null for every message before it and for any without.

Revision ID: 0003
Revises: 0002
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("attachments", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("attachments")
