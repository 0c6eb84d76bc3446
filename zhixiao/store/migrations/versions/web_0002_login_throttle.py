"""web: login throttle counters, one row per (account, address) and per address

Revision ID: web_0002
Revises: web_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "web_0002"
down_revision = "web_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_login_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", sa.DateTime, nullable=False),
        sa.Column("next_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_login_throttle")
