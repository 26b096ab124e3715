"""Items cancelled on their own: a multi-item order can be cancelled item by item.

``order_items.cancelled_at`` (when the item was cancelled; the rest of the order goes ahead)
and ``order_items.refunded_amount`` (what that cancellation refunded, its share of an order
discount taken off). A store that ``create_all`` made from a tables.py that already had them
is stamped 0002 by the adoption and keeps its columns: they are added only when missing.

Revision ID: 0003
Revises: 0002
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("cancelled_at", sa.DateTime()),
    ("refunded_amount", sa.Numeric(10, 2)),
)


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("order_items")}
    for name, kind in COLUMNS:
        if name not in present:
            op.add_column("order_items", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_items") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
