"""services: 12368 tickets, satisfaction ratings and follow-ups, 司法建议 register, 信访积案

Revision ID: services_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "services_0001"
down_revision = None
branch_labels = ("services",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "svc_hotline_ticket",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_no", sa.String(64), nullable=False, unique=True),
        sa.Column("court_code", sa.String(32), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("caller_name", sa.String(64)),
        sa.Column("caller_phone", sa.String(32), index=True),
        sa.Column("case_id", sa.String(64), index=True),
        sa.Column("content", sa.Text),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("assignee", sa.String(64)),
        sa.Column("assignee_id", sa.String(64)),
        sa.Column("division", sa.String(64)),
        sa.Column("responded_at", sa.DateTime),
        sa.Column("result", sa.Text),
        sa.Column("contacted", sa.Boolean),
        sa.Column("satisfaction", sa.Integer),
    )
    op.create_table(
        "svc_rating",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("court_code", sa.String(32), nullable=False, index=True),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("window", sa.String(64)),
        sa.Column("staff_id", sa.String(64)),
        sa.Column("staff_name", sa.String(64)),
        sa.Column("rated_on", sa.Date, nullable=False, index=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("channel", sa.String(32)),
        sa.Column("case_id", sa.String(64)),
    )
    op.create_table(
        "svc_followup",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rating_id", sa.Integer, sa.ForeignKey("svc_rating.id"), nullable=False, unique=True),
        sa.Column("owner", sa.String(64)),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("resolution", sa.Text),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_on", sa.Date),
    )
    op.create_table(
        "svc_suggestion_counter",
        sa.Column("court_code", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "svc_suggestion",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(64), nullable=False, unique=True),
        sa.Column("source_case_id", sa.String(64)),
        sa.Column("addressee", sa.String(128), nullable=False),
        sa.Column("issue", sa.Text, nullable=False),
        sa.Column("proposal", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("drafted_by", sa.String(64), nullable=False),
        sa.Column("drafted_on", sa.Date, nullable=False),
        sa.Column("sent_on", sa.Date),
        sa.Column("reply_due", sa.Date),
        sa.Column("reply_on", sa.Date),
        sa.Column("adopted", sa.Boolean),
        sa.Column("reply_summary", sa.Text),
        sa.Column("archived_on", sa.Date),
        sa.UniqueConstraint("court_code", "year", "seq", name="uq_svc_suggestion_seq"),
    )
    op.create_table(
        "svc_suggestion_step",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("suggestion_id", sa.Integer, sa.ForeignKey("svc_suggestion.id"), nullable=False, index=True),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("acted_on", sa.Date, nullable=False),
        sa.Column("opinion", sa.Text),
    )
    op.create_table(
        "svc_petition",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("court_code", sa.String(32), nullable=False, index=True),
        sa.Column("case_id", sa.String(64)),
        sa.Column("petitioner", sa.String(64), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_on", sa.Date),
    )


def downgrade() -> None:
    for name in ("svc_petition", "svc_suggestion_step", "svc_suggestion", "svc_suggestion_counter",
                 "svc_followup", "svc_rating", "svc_hotline_ticket"):
        op.drop_table(name)
