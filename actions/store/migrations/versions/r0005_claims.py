"""The claims made for delivery problems in the chat.

``claims``: one row per claim (idempotency key, order, kind, reason, item and quantity, remedy,
amount and currency, state, the photo's upload reference, conversation, who, when), so the same
claim submitted twice, at once or after a restart is made once (actions/store/claims.py).

Revision ID: 0005
Revises: 0004
Created: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A store that create_all made from a newer tables.py (adopted at 0002) has it already.
    if "claims" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("order_number", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("order_item_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("remedy", sa.String(12), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("photo_upload_id", sa.String(420), nullable=True),
        sa.Column("conversation_id", sa.String(120), nullable=True),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_claims_order_number", "claims", ["order_number"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claims_order_number", table_name="claims")
    op.drop_table("claims")
