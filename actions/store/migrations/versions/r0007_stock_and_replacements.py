"""Stock levels and claims' replacement orders.

``stock_levels``: units of each SKU the shop can send now (a SKU without a row is not tracked),
read by the problem report to offer a replacement only for what is in stock
(``ShopBackend.stock``).

``claim_replacements``: the replacement order sent for a claim, one row per claim (its number,
the claimed order, the new order's number, when Baton started and when it was sent, the
platform's id), so a claim replaced twice — a retry, a double tap, two replicas, a restart —
sends one parcel (actions/store/claim_replacements.py).

A store already seeded keeps no stock rows: every SKU reads untracked there, and claims settle as
refunds, as before this revision. A fresh demo seed writes them.

Revision ID: 0007
Revises: 0006
Created: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = sa.inspect(op.get_bind()).get_table_names()
    # A store that create_all made from a newer tables.py (adopted at 0002) has both already.
    if "stock_levels" not in existing:
        op.create_table(
            "stock_levels",
            sa.Column("sku", sa.String(40), primary_key=True),
            sa.Column("available", sa.Integer(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
        )
    if "claim_replacements" not in existing:
        op.create_table(
            "claim_replacements",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("claim", sa.String(16), nullable=False, unique=True),
            sa.Column("order_number", sa.String(12), nullable=False),
            sa.Column("replacement_number", sa.String(12), nullable=True),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("sent_at", sa.DateTime(), nullable=True),
            sa.Column("external_ref", sa.String(120), nullable=True),
        )
        op.create_index(
            "ix_claim_replacements_order_number",
            "claim_replacements",
            ["order_number"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_index("ix_claim_replacements_order_number", table_name="claim_replacements")
    op.drop_table("claim_replacements")
    op.drop_table("stock_levels")
