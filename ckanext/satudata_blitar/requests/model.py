"""The tables of the data requests (created by migration/satudata_blitar, revision a7c3e9f1b2d4): the request,
and every step of it as an event (who, in which role, when, from, to, note), like the dataset workflow."""
from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

import ckan.plugins.toolkit as tk


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class DataRequest(tk.BaseModel):
    """One permohonan data. `received_at` starts the answer's clock (the filing, or the last follow-up question);
    `extended_at` says the 7 working days of the extension were taken (once)."""
    __tablename__ = "satudata_data_request"
    __table_args__ = (sa.Index("satudata_data_request_user", "user_id"),
                      sa.Index("satudata_data_request_state", "state"))

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    user_id: Mapped[str | None] = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The OPD that answers (None: "tidak tahu", until the Walidata routes it).
    owner_org: Mapped[str | None] = sa.Column(sa.UnicodeText, sa.ForeignKey("group.id", ondelete="SET NULL"))
    title: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    description: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str | None] = sa.Column(sa.UnicodeText)
    area: Mapped[str | None] = sa.Column(sa.UnicodeText)
    purpose: Mapped[str | None] = sa.Column(sa.UnicodeText)
    data_format: Mapped[str | None] = sa.Column(sa.UnicodeText)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    text_hidden: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)
    # A keyed hash of the client's address: the per-address daily limit, never the address itself.
    address_hash: Mapped[str | None] = sa.Column(sa.UnicodeText)
    created_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    received_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    extended_at: Mapped[datetime.datetime | None] = sa.Column(sa.DateTime)
    extension_reason: Mapped[str | None] = sa.Column(sa.UnicodeText)
    answered_at: Mapped[datetime.datetime | None] = sa.Column(sa.DateTime)
    package_id: Mapped[str | None] = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="SET NULL"))
    element_id: Mapped[str | None] = sa.Column(sa.UnicodeText, sa.ForeignKey("satudata_data_element.id",
                                                                              ondelete="SET NULL"))
    reason: Mapped[str | None] = sa.Column(sa.UnicodeText)
    clause: Mapped[str | None] = sa.Column(sa.UnicodeText)
    answer_note: Mapped[str | None] = sa.Column(sa.UnicodeText)
    closed_at: Mapped[datetime.datetime | None] = sa.Column(sa.DateTime)


class DataRequestEvent(tk.BaseModel):
    __tablename__ = "satudata_data_request_event"

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    request_id: Mapped[int] = sa.Column(sa.Integer, sa.ForeignKey("satudata_data_request.id", ondelete="CASCADE"),
                                        nullable=False, index=True)
    event: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    from_state: Mapped[str | None] = sa.Column(sa.UnicodeText)
    to_state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    owner_org: Mapped[str | None] = sa.Column(sa.UnicodeText)
    actor_id: Mapped[str | None] = sa.Column(sa.UnicodeText)
    actor_role: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    note: Mapped[str | None] = sa.Column(sa.UnicodeText)
    created_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
