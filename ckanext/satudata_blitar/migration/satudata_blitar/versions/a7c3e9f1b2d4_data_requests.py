"""Data requests (permohonan data) and their events

Revision ID: a7c3e9f1b2d4
Revises: e3b7c9d1f5a2
Create Date: 2026-12-07 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a7c3e9f1b2d4"
down_revision = "e3b7c9d1f5a2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_data_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("owner_org", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="SET NULL")),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText),
        sa.Column("area", sa.UnicodeText),
        sa.Column("purpose", sa.UnicodeText),
        sa.Column("data_format", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("text_hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("address_hash", sa.UnicodeText),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("extended_at", sa.DateTime),
        sa.Column("extension_reason", sa.UnicodeText),
        sa.Column("answered_at", sa.DateTime),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="SET NULL")),
        sa.Column("element_id", sa.UnicodeText, sa.ForeignKey("satudata_data_element.id", ondelete="SET NULL")),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("clause", sa.UnicodeText),
        sa.Column("answer_note", sa.UnicodeText),
        sa.Column("closed_at", sa.DateTime),
    )
    op.create_index("satudata_data_request_user", "satudata_data_request", ["user_id"])
    op.create_index("satudata_data_request_state", "satudata_data_request", ["state"])
    op.create_table(
        "satudata_data_request_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("satudata_data_request.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText),
        sa.Column("to_state", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("actor_role", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_satudata_data_request_event_request_id", "satudata_data_request_event", ["request_id"])


def downgrade():
    op.drop_table("satudata_data_request_event")
    op.drop_table("satudata_data_request")
