"""Claims' refunds, and room for a partial refund in an order's payment status.

``claim_refunds``: the money paid back for a claim, one row per claim (its number, the order,
amount and currency, where it went, when Baton started paying and when it was paid, the
platform's refund id), so a claim refunded twice — a retry, a double tap, two replicas, a
restart — pays once (actions/store/claim_refunds.py).

``orders.payment_status`` goes from 12 to 20 characters: ``partially_refunded`` (18), what a
claim's refund leaves on an order and what Shopify's and WooCommerce's copies already said,
did not fit PostgreSQL's VARCHAR(12). SQLite rebuilds ``orders`` for it (batch mode; foreign
keys are off during an upgrade, infra/migrations.py).

Revision ID: 0006
Revises: 0005
Created: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WIDE, NARROW = sa.String(20), sa.String(12)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    # A store that create_all made from a newer tables.py (adopted at 0002) has both already.
    if "claim_refunds" not in inspector.get_table_names():
        op.create_table(
            "claim_refunds",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("claim", sa.String(16), nullable=False, unique=True),
            sa.Column("order_number", sa.String(12), nullable=False),
            sa.Column("amount", sa.Numeric(10, 2), nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            sa.Column("destination", sa.String(60), nullable=True),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("refunded_at", sa.DateTime(), nullable=True),
            sa.Column("external_ref", sa.String(120), nullable=True),
        )
        op.create_index(
            "ix_claim_refunds_order_number", "claim_refunds", ["order_number"], unique=False
        )
    status = next(c for c in inspector.get_columns("orders") if c["name"] == "payment_status")
    if getattr(status["type"], "length", None) != WIDE.length:
        with op.batch_alter_table("orders") as batch:
            batch.alter_column(
                "payment_status", existing_type=NARROW, type_=WIDE, existing_nullable=False
            )


def downgrade() -> None:
    # "partially_refunded" does not fit the old width: such an order reads paid again (its
    # claims' refunds go with the table).
    orders = sa.table("orders", sa.column("payment_status", WIDE))
    op.execute(
        orders.update()
        .where(orders.c.payment_status == "partially_refunded")
        .values(payment_status="paid")
    )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column(
            "payment_status", existing_type=WIDE, type_=NARROW, existing_nullable=False
        )
    op.drop_index("ix_claim_refunds_order_number", table_name="claim_refunds")
    op.drop_table("claim_refunds")
