"""The reminders sent by `ckan satudata remind`: at most one per person and day

Revision ID: d8f2a4c6e1b3
Revises: b5e1c7d3f2a6
Create Date: 2026-12-07 09:00:00

A row is written before the mail goes out (and removed again when the mail fails), so two runs on the same day,
even at the same moment, send one mail; the Walidata reads the rows through `satudata_reminder_list`.
"""
import sqlalchemy as sa
from alembic import op

revision = "d8f2a4c6e1b3"
down_revision = "b5e1c7d3f2a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_reminder",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.UniqueConstraint("user_id", "day", name="satudata_reminder_user_day"),
    )
    op.create_index("satudata_reminder_day", "satudata_reminder", ["day"])


def downgrade():
    op.drop_index("satudata_reminder_day", "satudata_reminder")
    op.drop_table("satudata_reminder")
