"""Platform references on the store's copies of platform data.

The platform's ids on customers, orders, order items, refunds and returns, and when an order
was last read from the platform (``synced_at``): actions/shop/ keeps copies of what Shopify or
WooCommerce holds.

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

#: The name PostgreSQL gives ``unique=True`` in a CREATE TABLE, so a store that create_all
#: made (then adopted at 0002) and a migrated one name it alike.
CUSTOMERS_EXTERNAL_REF = "customers_external_ref_key"


def upgrade() -> None:
    # SQLite cannot add a UNIQUE constraint to a table: batch mode rebuilds customers there
    # (infra/migrations.py turns foreign keys off for it); PostgreSQL gets a plain ALTER.
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("external_ref", sa.String(120), nullable=True))
        batch.create_unique_constraint(CUSTOMERS_EXTERNAL_REF, ["external_ref"])
    op.add_column("orders", sa.Column("external_ref", sa.String(120), nullable=True))
    op.add_column("orders", sa.Column("synced_at", sa.DateTime(), nullable=True))
    op.add_column("order_items", sa.Column("external_ref", sa.String(120), nullable=True))
    op.add_column("returns", sa.Column("platform_ref", sa.String(120), nullable=True))
    op.add_column("refunds", sa.Column("external_ref", sa.String(120), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("refunds", "external_ref"),
        ("returns", "platform_ref"),
        ("order_items", "external_ref"),
        ("orders", "synced_at"),
        ("orders", "external_ref"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint(CUSTOMERS_EXTERNAL_REF, type_="unique")
        batch.drop_column("external_ref")
