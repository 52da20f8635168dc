"""The reports the Walidata issued: numbered per year, their PDF and .xlsx kept unchanged

Revision ID: e3b7c9d1f5a2
Revises: d8f2a4c6e1b3
Create Date: 2026-12-07 12:00:00

The files live under ckan.storage_path/satudata_reports; a row names them and their SHA-256, so a download later
gives the same bytes (and a changed file is refused).
"""
import sqlalchemy as sa
from alembic import op

revision = "e3b7c9d1f5a2"
down_revision = "d8f2a4c6e1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_issued_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("opd_title", sa.UnicodeText),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.UnicodeText, nullable=False),
        sa.Column("issued_by", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("issued_by_name", sa.UnicodeText, nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("pdf_name", sa.UnicodeText, nullable=False),
        sa.Column("pdf_sha256", sa.UnicodeText, nullable=False),
        sa.Column("xlsx_name", sa.UnicodeText, nullable=False),
        sa.Column("xlsx_sha256", sa.UnicodeText, nullable=False),
        sa.UniqueConstraint("year", "seq", name="satudata_issued_report_year_seq"),
    )


def downgrade():
    op.drop_table("satudata_issued_report")
