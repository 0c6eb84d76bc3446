"""supervision: alert ledger (提醒→督办→约谈→问责) and its history

Revision ID: supervision_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "supervision_0001"
down_revision = None
branch_labels = ("supervision",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sup_alert",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("case_id", sa.String(64), index=True),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("court_code", sa.String(32), index=True),
        sa.Column("division", sa.String(64)),
        sa.Column("judge_id", sa.String(64), index=True),
        sa.Column("judge_name", sa.String(64)),
        sa.Column("category", sa.String(32)),
        sa.Column("level", sa.String(24), nullable=False, index=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("rule_name", sa.String(128), nullable=False),
        sa.Column("triggered_on", sa.Date, nullable=False, index=True),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("provisional", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("detail", sa.Text),
        sa.Column("assignee_role", sa.String(24), nullable=False),
        sa.Column("assignee_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False, server_default="open", index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("key", name="uq_sup_alert_key"),
    )
    op.create_table(
        "sup_alert_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("sup_alert.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("sup_alert_event")
    op.drop_table("sup_alert")
