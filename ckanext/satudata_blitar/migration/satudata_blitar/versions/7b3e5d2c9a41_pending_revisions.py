"""Pending revisions of published datasets

Revision ID: 7b3e5d2c9a41
Revises: 4f1c2a9d7e10
Create Date: 2026-11-25 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7b3e5d2c9a41"
down_revision = "4f1c2a9d7e10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_revision",
        sa.Column("revision_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("live_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("resource_map", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("applied_at", sa.DateTime, nullable=True),
    )
    op.create_index("satudata_revision_live_idx", "satudata_revision", ["live_id"])


def downgrade():
    op.drop_table("satudata_revision")
