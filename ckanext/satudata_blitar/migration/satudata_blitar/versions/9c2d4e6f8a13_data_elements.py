"""Daftar elemen data: the data elements each OPD must provide in a year

Revision ID: 9c2d4e6f8a13
Revises: 7b3e5d2c9a41
Create Date: 2026-11-25 15:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "9c2d4e6f8a13"
down_revision = "7b3e5d2c9a41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satudata_data_element",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("owner_org", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=False),
        sa.Column("nama", sa.UnicodeText, nullable=False),
        sa.Column("definisi", sa.UnicodeText),
        sa.Column("satuan", sa.UnicodeText),
        sa.Column("frekuensi", sa.UnicodeText),
        sa.Column("data_prioritas", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("tanggal_target", sa.Date),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("modified_at", sa.DateTime, nullable=False),
    )
    # One element of a name per OPD and year, whatever its case: the .xlsx import updates elements by name.
    op.create_index("satudata_data_element_name_idx", "satudata_data_element",
                    ["tahun", "owner_org", sa.text("lower(nama)")], unique=True)
    op.create_index("satudata_data_element_package_idx", "satudata_data_element", ["package_id"])


def downgrade():
    op.drop_table("satudata_data_element")
