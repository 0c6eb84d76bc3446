"""imports: import_record (导入记录)

Revision ID: imports_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "imports_0001"
down_revision = None
branch_labels = ("imports",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.String(32), nullable=False, index=True),
        sa.Column("user", sa.String(64)),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("data_dir", sa.String(1024), nullable=False),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("file_name", sa.String(1024), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("encoding", sa.String(32)),
        sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("accepted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejects_path", sa.String(1024)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("manifest_version", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("import_record")
