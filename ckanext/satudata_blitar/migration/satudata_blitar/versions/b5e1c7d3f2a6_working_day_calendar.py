"""The working-day calendar the reports' SQL counts standard times with

Revision ID: b5e1c7d3f2a6
Revises: 9c2d4e6f8a13
Create Date: 2026-12-02 09:00:00

The tables are created empty: workflow/working_days.py fills them from the Python calendar (the `holidays`
package and the Walidata's configuration) the first time a report, the pipeline or the daftar elemen data asks,
and refreshes them whenever the configuration, the package or the range of years asked for changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "b5e1c7d3f2a6"
down_revision = "9c2d4e6f8a13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_calendar",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("working", sa.Boolean, nullable=False),
        sa.Column("day_index", sa.Integer, nullable=False),
        sa.Column("seconds_before", sa.BigInteger, nullable=False),
        sa.Column("opens", sa.Integer, nullable=False),
        sa.Column("closes", sa.Integer, nullable=False),
    )
    op.create_table(
        "satudata_calendar_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("signature", sa.UnicodeText, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("filled_at", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("satudata_calendar_state")
    op.drop_table("satudata_calendar")
