"""targets: annual targets per court and indicator.

Revision ID: targets_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "targets_0001"
down_revision = None
branch_labels = ("targets",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("created_by", sa.String(64)),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("court_code", "year", "indicator", name="uq_targets_court_year_indicator"),
    )
    op.create_index("ix_targets_court_code", "targets", ["court_code"])


def downgrade() -> None:
    op.drop_index("ix_targets_court_code", table_name="targets")
    op.drop_table("targets")
