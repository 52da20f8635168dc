"""Our tables (created by migration/satudata_blitar): the workflow state of each dataset, every workflow
transition, every role change, pending revisions, the daftar elemen data, the reminders sent and the reports issued. The reports read
these with SQL aggregates."""
from __future__ import annotations

import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

import ckan.plugins.toolkit as tk


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class DatasetStatus(tk.BaseModel):
    __tablename__ = "satudata_dataset_status"

    package_id: Mapped[str] = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"),
                                        primary_key=True)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    changed_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class WorkflowEvent(tk.BaseModel):
    __tablename__ = "satudata_workflow_event"

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"),
                                        nullable=False)
    owner_org: Mapped[str | None] = sa.Column(sa.UnicodeText)
    transition: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    from_state: Mapped[str | None] = sa.Column(sa.UnicodeText)
    to_state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    actor_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    actor_role: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    note: Mapped[str | None] = sa.Column(sa.UnicodeText)
    created_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)

    def as_dict(self) -> dict:
        return {
            "package_id": self.package_id, "owner_org": self.owner_org, "transition": self.transition,
            "from_state": self.from_state, "to_state": self.to_state, "actor_id": self.actor_id,
            "actor_role": self.actor_role, "note": self.note, "created_at": self.created_at.isoformat(),
        }


class CalendarDay(tk.BaseModel):
    """One day of the working-day calendar (workflow/working_days.py fills it): the reports' SQL counts working
    days and working hours with it instead of a Python loop per row."""
    __tablename__ = "satudata_calendar"

    day: Mapped[datetime.date] = sa.Column(sa.Date, primary_key=True)
    working: Mapped[bool] = sa.Column(sa.Boolean, nullable=False)
    # Working days from the table's first day up to and including this one.
    day_index: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    # Working seconds from the table's first day up to this day's start; the day's working hours in seconds after
    # midnight (the same every day, from the configuration).
    seconds_before: Mapped[int] = sa.Column(sa.BigInteger, nullable=False)
    opens: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    closes: Mapped[int] = sa.Column(sa.Integer, nullable=False)


class CalendarState(tk.BaseModel):
    """What the calendar table was filled from (one row): a refresh follows a change of the configuration or of
    the `holidays` package."""
    __tablename__ = "satudata_calendar_state"

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    signature: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    first_day: Mapped[datetime.date] = sa.Column(sa.Date, nullable=False)
    last_day: Mapped[datetime.date] = sa.Column(sa.Date, nullable=False)
    filled_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class RoleEvent(tk.BaseModel):
    __tablename__ = "satudata_role_event"

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    organization_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    old_role: Mapped[str | None] = sa.Column(sa.UnicodeText)
    new_role: Mapped[str | None] = sa.Column(sa.UnicodeText)
    actor_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)

    def as_dict(self) -> dict:
        return {
            "organization_id": self.organization_id, "user_id": self.user_id, "old_role": self.old_role,
            "new_role": self.new_role, "actor_id": self.actor_id, "created_at": self.created_at.isoformat(),
        }


class Revision(tk.BaseModel):
    """A pending revision of a published dataset: a private copy that goes through the workflow; publishing it
    applies it to the live dataset. resource_map: revision resource id -> live resource id it replaces."""
    __tablename__ = "satudata_revision"

    revision_id: Mapped[str] = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"),
                                         primary_key=True)
    live_id: Mapped[str] = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"),
                                     nullable=False)
    resource_map: Mapped[dict] = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    applied_at: Mapped[datetime.datetime | None] = sa.Column(sa.DateTime)


class DataElement(tk.BaseModel):
    """One entry of an OPD's daftar elemen data for a year (SOP step 1): what the OPD must provide, and the dataset
    that provides it. Its status is derived from that dataset's workflow (data_elements.py), never stored."""
    __tablename__ = "satudata_data_element"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    tahun: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    owner_org: Mapped[str] = sa.Column(sa.UnicodeText, sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=False)
    nama: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    definisi: Mapped[str | None] = sa.Column(sa.UnicodeText)
    satuan: Mapped[str | None] = sa.Column(sa.UnicodeText)
    frekuensi: Mapped[str | None] = sa.Column(sa.UnicodeText)
    data_prioritas: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)
    tanggal_target: Mapped[datetime.date | None] = sa.Column(sa.Date)
    # A deleted dataset leaves the element without one (belum ada dataset) rather than deleting the element.
    package_id: Mapped[str | None] = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="SET NULL"))
    created_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    modified_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now, onupdate=_now)


class Reminder(tk.BaseModel):
    """One reminder mail of `ckan satudata remind` (workflow/reminders.py): at most one per person and day (the
    day in the portal's time zone); `items` says what it listed."""
    __tablename__ = "satudata_reminder"
    __table_args__ = (sa.UniqueConstraint("user_id", "day", name="satudata_reminder_user_day"),
                      sa.Index("satudata_reminder_day", "day"))

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[datetime.date] = sa.Column(sa.Date, nullable=False)
    sent_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    language: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    subject: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    items: Mapped[dict] = sa.Column(sa.JSON, nullable=False)


class IssuedReport(tk.BaseModel):
    """A report the Walidata issued (reports/archive.py): its number (`seq` of the year of issue, the {seq} of the
    report number format), its filters, who issued it and when, and the names and SHA-256 of its stored PDF and
    .xlsx (kept under ckan.storage_path/satudata_reports, never changed)."""
    __tablename__ = "satudata_issued_report"
    __table_args__ = (sa.UniqueConstraint("year", "seq", name="satudata_issued_report_year_seq"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    kind: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    owner_org: Mapped[str | None] = sa.Column(sa.UnicodeText)
    opd_title: Mapped[str | None] = sa.Column(sa.UnicodeText)
    year: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    seq: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    number: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    issued_by: Mapped[str | None] = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"))
    issued_by_name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    issued_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    language: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    pdf_name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    pdf_sha256: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    xlsx_name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    xlsx_sha256: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
