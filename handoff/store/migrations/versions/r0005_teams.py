"""Teams, routing rules and a case's team: who a case is handed on to.

``teams`` and ``team_members`` (leads say who is in which team), ``routing_rules`` (which team
a new case from the bot goes to), and on ``tickets`` the team whose queue the case is in and
when it went back into a queue. Existing cases keep no team: everyone's queue, as before.

Revision ID: 0003
Revises: 0002
Created: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The name PostgreSQL gives ``unique=True`` in a CREATE TABLE, so create_all and this
#: revision name it alike.
NAME_UNIQUE = "teams_name_key"
TEAM_FK = "fk_tickets_team_id_teams"


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.UniqueConstraint("name", name=NAME_UNIQUE),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id"), primary_key=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), primary_key=True),
    )
    op.create_index("ix_team_members_agent_id", "team_members", ["agent_id"])
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("topic", sa.String(60), nullable=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
    )
    # Batch: SQLite cannot add a foreign key to an existing table; it copies the table.
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("queued_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(TEAM_FK, "teams", ["team_id"], ["id"])
        batch.create_index("ix_tickets_team_id", ["team_id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_team_id")
        batch.drop_constraint(TEAM_FK, type_="foreignkey")
        batch.drop_column("queued_at")
        batch.drop_column("team_id")
    op.drop_table("routing_rules")
    op.drop_index("ix_team_members_agent_id", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
