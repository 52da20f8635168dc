"""Workflow status, workflow events and role changes

Revision ID: 4f1c2a9d7e10
Revises:
Create Date: 2026-11-25 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "4f1c2a9d7e10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_dataset_status",
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "satudata_workflow_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_org", sa.UnicodeText, nullable=True),
        sa.Column("transition", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText, nullable=True),
        sa.Column("to_state", sa.UnicodeText, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, nullable=False),
        sa.Column("actor_role", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_workflow_event_package_idx", "satudata_workflow_event", ["package_id", "created_at"])
    op.create_index("satudata_workflow_event_org_idx", "satudata_workflow_event", ["owner_org", "created_at"])
    op.create_table(
        "satudata_role_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("old_role", sa.UnicodeText, nullable=True),
        sa.Column("new_role", sa.UnicodeText, nullable=True),
        sa.Column("actor_id", sa.UnicodeText, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_role_event_org_idx", "satudata_role_event", ["organization_id", "created_at"])


def downgrade():
    op.drop_table("satudata_role_event")
    op.drop_table("satudata_workflow_event")
    op.drop_table("satudata_dataset_status")
