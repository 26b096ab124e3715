"""Agents' console preferences: the console's language, browser notifications and their sound.

Added columns only, with defaults, so existing agents keep working unchanged: no language
(the console follows the browser's), notifications off until the agent turns them on, the
sound on once they do.

Revision ID: 0003
Revises: 0002
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("console_language", sa.String(8), nullable=True))
    op.add_column(
        "agents",
        sa.Column("notifications", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "agents",
        sa.Column("notification_sound", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("notification_sound")
        batch.drop_column("notifications")
        batch.drop_column("console_language")
