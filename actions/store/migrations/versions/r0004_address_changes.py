"""The record of delivery addresses changed in the chat.

``address_changes``: one row per change (idempotency key, order, conversation, who, when), so
a retried confirmation changes nothing twice and the order question and the person taking
over can say when the address changed (actions/store/address_changes.py).

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
    # A store that create_all made from a newer tables.py (adopted at 0002) has it already.
    if "address_changes" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "address_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("order_number", sa.String(12), nullable=False),
        sa.Column("conversation_id", sa.String(120), nullable=False),
        sa.Column("changed_by", sa.String(40), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_address_changes_order_number", "address_changes", ["order_number"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_address_changes_order_number", table_name="address_changes")
    op.drop_table("address_changes")
