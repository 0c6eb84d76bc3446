"""quality: stored results of the 数据质量体检 (runs, per-court scores, per-check counts)

Revision ID: quality_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "quality_0001"
down_revision = None
branch_labels = ("quality",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64)),
    )
    op.create_index("ix_quality_runs_scope", "quality_runs", ["scope"])
    op.create_table(
        "quality_courts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("quality_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("checked", sa.Integer, nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
        sa.Column("missing", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("ix_quality_courts_run_id", "quality_courts", ["run_id"])
    op.create_table(
        "quality_counts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("quality_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("court_code", sa.String(32), nullable=False),
        sa.Column("check", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_quality_counts_run_id", "quality_counts", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_quality_counts_run_id", table_name="quality_counts")
    op.drop_table("quality_counts")
    op.drop_index("ix_quality_courts_run_id", table_name="quality_courts")
    op.drop_table("quality_courts")
    op.drop_index("ix_quality_runs_scope", table_name="quality_runs")
    op.drop_table("quality_runs")
