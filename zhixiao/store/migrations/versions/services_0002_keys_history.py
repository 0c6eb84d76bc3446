"""services: rating numbers (评价编号, unique per court) and the change history of service records

Revision ID: services_0002
Revises: services_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "services_0002"
down_revision = "services_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("svc_rating", sa.Column("rating_no", sa.String(64)))
    # An index rather than a constraint: SQLite adds it without rebuilding the table.
    op.create_index("uq_svc_rating_no", "svc_rating", ["court_code", "rating_no"], unique=True)
    op.create_table(
        "svc_change",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("register", sa.String(24), nullable=False),
        sa.Column("record_key", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_svc_change_record", "svc_change", ["register", "record_key"])


def downgrade() -> None:
    op.drop_index("ix_svc_change_record", "svc_change")
    op.drop_table("svc_change")
    op.drop_index("uq_svc_rating_no", "svc_rating")
    with op.batch_alter_table("svc_rating") as b:
        b.drop_column("rating_no")
