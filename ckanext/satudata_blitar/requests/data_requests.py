"""The data requests' flow (docs/data-requests.md): states, the one table of events, the answer's time in working
days, and what people see of a request.

| event             | from                         | to                | who                                        |
|-------------------|------------------------------|-------------------|--------------------------------------------|
| `ajukan`          | –                            | diajukan          | anyone with an account                     |
| `teruskan`        | diajukan, diteruskan         | diteruskan        | the Walidata (routes it to an OPD)         |
| `terpenuhi`       | diajukan (Walidata), diteruskan | terpenuhi      | the OPD's Operator Data / Verifikator, the Walidata |
| `akan_disediakan` | the same                     | akan_disediakan   | the same; adds an element to next year's daftar elemen data |
| `ditolak`         | the same                     | ditolak           | the same; reason `bukan_opd` goes back to diajukan for re-routing |
| `perpanjang`      | diajukan, diteruskan, once   | (same)            | the same: 7 more working days, with a reason |
| `tanya_lanjut`    | terpenuhi, akan_disediakan, ditolak | diteruskan (diajukan without OPD) | the requester: the clock starts again |
| `tutup`           | every state but ditutup      | ditutup           | the requester, the Walidata                |
| `sembunyikan`     | (any)                        | (same)            | the Walidata hides (or shows) the request's text |

Time (UU 14/2008 Pasal 22): an answer is due within 10 working days after the day the request was received, 17
after an extension; counted with the portal's working-day calendar (workflow/working_days.py).
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.language import N_
from ckanext.satudata_blitar.requests.model import DataRequest, DataRequestEvent
from ckanext.satudata_blitar.workflow import roles, working_days

DIAJUKAN, DITERUSKAN = "diajukan", "diteruskan"
TERPENUHI, AKAN_DISEDIAKAN, DITOLAK, DITUTUP = "terpenuhi", "akan_disediakan", "ditolak", "ditutup"

STATE_LABELS = {
    DIAJUKAN: N_("Submitted"),
    DITERUSKAN: N_("Routed to the OPD"),
    TERPENUHI: N_("Fulfilled"),
    AKAN_DISEDIAKAN: N_("Will be provided"),
    DITOLAK: N_("Refused"),
    DITUTUP: N_("Closed"),
}
STATES = list(STATE_LABELS)
OPEN = (DIAJUKAN, DITERUSKAN)  # waiting for an answer: the clock runs
ANSWERED = (TERPENUHI, AKAN_DISEDIAKAN, DITOLAK)
OUTCOMES = ANSWERED

STANDARD_DAYS = 10  # UU 14/2008 Pasal 22 ayat (7)
EXTENSION_DAYS = 7  # Pasal 22 ayat (8), once, with a reason

# Why a request is refused.
TIDAK_ADA, DIKECUALIKAN, BUKAN_OPD = "tidak_ada", "dikecualikan", "bukan_opd"
REASON_LABELS = {
    TIDAK_ADA: N_("The data does not exist"),
    DIKECUALIKAN: N_("Excepted information (UU KIP Pasal 17)"),
    BUKAN_OPD: N_("Not this OPD's data (back to the Walidata to route it)"),
}
# The letters of UU 14/2008 Pasal 17 (a–j): the clause an exception names.
KIP_CLAUSES = tuple("abcdefghij")

FORMATS = {
    "xlsx": N_("Spreadsheet (.xlsx)"),
    "csv": N_("CSV"),
    "pdf": N_("PDF document"),
    "lainnya": N_("Any format"),
}

EVENT_LABELS = {
    "ajukan": N_("Request filed"),
    "teruskan": N_("Routed to an OPD"),
    TERPENUHI: N_("Answered: fulfilled"),
    AKAN_DISEDIAKAN: N_("Answered: will be provided"),
    DITOLAK: N_("Answered: refused"),
    "kembalikan": N_("Returned to the Walidata: not this OPD's data"),
    "perpanjang": N_("Time extended by 7 working days"),
    "tanya_lanjut": N_("Follow-up question"),
    "tutup": N_("Closed"),
    "sembunyikan": N_("Text hidden"),
    "tampilkan": N_("Text shown again"),
}

REQUESTER = "pemohon"  # the actor role of the requester in events
ROLE_LABELS = {REQUESTER: N_("Requester")}

# Limits of the form's fields (characters).
MAX_LENGTH = {"title": 200, "description": 4000, "period": 100, "area": 200, "purpose": 1000, "note": 2000,
              "q": 200}


def state_label(state: str) -> str:
    return tk._(STATE_LABELS[state]) if state in STATE_LABELS else state


def reason_label(reason: str | None) -> str:
    return tk._(REASON_LABELS[reason]) if reason in REASON_LABELS else (reason or "")


def event_label(event: str) -> str:
    return tk._(EVENT_LABELS[event]) if event in EVENT_LABELS else event


def role_label(role: str) -> str:
    if role in ROLE_LABELS:
        return tk._(ROLE_LABELS[role])
    return roles.role_label(role)


def get(request_id: Any, lock: bool = False) -> DataRequest | None:
    """The request of a number; with `lock`, its row locked (and read again) until the transaction ends, so of two
    people answering at once the second sees the first's answer and is refused."""
    try:
        number = int(str(request_id).strip())
    except (TypeError, ValueError):
        return None
    if not 0 < number < 2 ** 31:
        return None
    if lock:
        return (model.Session.query(DataRequest).filter(DataRequest.id == number).with_for_update()
                .populate_existing().one_or_none())
    return model.Session.get(DataRequest, number)


# --- who ------------------------------------------------------------------------------------------------------

def handler_roles(user: Any, request: DataRequest) -> set[str]:
    """The roles in which `user` answers `request`: the Walidata's (any request) and the OPD's Operator Data and
    Verifikator OPD of the OPD it is routed to."""
    held = roles.roles_for(user, request.owner_org)
    answering = {roles.WALIDATA, roles.SYSADMIN}
    if request.owner_org and request.state == DITERUSKAN:
        answering |= {roles.OPERATOR, roles.VERIFIKATOR_OPD}
    return held & answering


def is_requester(user: Any, request: DataRequest) -> bool:
    user_obj = roles.as_user(user)
    return bool(user_obj and request.user_id and user_obj.id == request.user_id)


def is_staff(user: Any, request: DataRequest) -> bool:
    """Who sees the request whole (its requester's name, hidden text): the Walidata's roles, sysadmins, and the
    Operator Data and Verifikator OPD of the OPD it is routed to."""
    held = roles.roles_for(user, request.owner_org)
    return bool(held & {roles.WALIDATA, roles.VERIFIKATOR_KOMINFOTIK, roles.SYSADMIN}
                or (request.owner_org and held & {roles.OPERATOR, roles.VERIFIKATOR_OPD}))


def actor_role(user: Any, request: DataRequest, allowed: set[str]) -> str:
    """The role an event is recorded in: the most specific of those that allowed it."""
    if is_requester(user, request) and REQUESTER in allowed:
        return REQUESTER
    held = roles.roles_for(user, request.owner_org) & allowed
    for role in (roles.WALIDATA, roles.VERIFIKATOR_OPD, roles.OPERATOR, roles.SYSADMIN):
        if role in held:
            return role
    return roles.SYSADMIN


# --- time -----------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Timer:
    standard: int  # working days: 10, or 17 after the extension
    due: datetime.date  # the last working day of the answer's time
    taken: int  # working days after the day received, up to the answer (or today)
    open: bool  # still waiting for an answer

    @property
    def late_by(self) -> int:
        return max(0, self.taken - self.standard)

    @property
    def days_left(self) -> int:
        return max(0, self.standard - self.taken)

    @property
    def on_time(self) -> bool:
        return self.taken <= self.standard

    def as_dict(self) -> dict[str, Any]:
        return {"open": self.open, "standard_days": self.standard, "due_date": self.due.isoformat(),
                "days_taken": self.taken,
                "days_left": self.days_left if self.open else None, "late_by": self.late_by,
                "on_time": self.on_time, "due_today": self.open and self.taken == self.standard}


def timer(request: DataRequest, now: datetime.datetime | None = None) -> Timer | None:
    """The answer's clock: from the day the request (or its follow-up) was received, up to the answer or now.
    None for a closed request never answered."""
    calendar, zone = working_days.current(), config.portal_zone()
    standard = STANDARD_DAYS + (EXTENSION_DAYS if request.extended_at else 0)
    start = working_days.local(request.received_at, zone).date()
    is_open = request.state in OPEN
    if is_open:
        end_moment = now or datetime.datetime.utcnow()
    elif request.answered_at and request.answered_at >= request.received_at:
        end_moment = request.answered_at
    else:
        return None
    end = working_days.local(end_moment, zone).date()
    return Timer(standard=standard, due=calendar.nth_working_day_after(start, standard),
                 taken=calendar.working_days_after(start, end), open=is_open)


# --- limits ---------------------------------------------------------------------------------------------------

def address_hash(address: str) -> str:
    """A keyed hash of a client address (the key is the site's secret): equal addresses compare, none is kept."""
    key = str(tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or "satudata").encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def open_count(user_id: str) -> int:
    return model.Session.query(DataRequest).filter(DataRequest.user_id == user_id,
                                                   DataRequest.state.in_(OPEN)).count()


def count_from_address_today(digest: str, now: datetime.datetime | None = None) -> int:
    zone = config.portal_zone()
    moment = now or datetime.datetime.utcnow()
    today = working_days.local(moment, zone).date()
    midnight = datetime.datetime.combine(today, datetime.time()).replace(tzinfo=zone)
    start = midnight.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return model.Session.query(DataRequest).filter(DataRequest.address_hash == digest,
                                                   DataRequest.created_at >= start).count()


# --- changes --------------------------------------------------------------------------------------------------

def record(request: DataRequest, event: str, to_state: str, actor: Any, role: str, note: str | None = None,
           now: datetime.datetime | None = None) -> DataRequestEvent:
    """Moves the request to `to_state` and records the event (the caller commits)."""
    user_obj = roles.as_user(actor)
    row = DataRequestEvent(request_id=request.id, event=event, from_state=request.state or None, to_state=to_state,
                           owner_org=request.owner_org, actor_id=user_obj.id if user_obj else None,
                           actor_role=role, note=note or None, created_at=now or datetime.datetime.utcnow())
    request.state = to_state
    model.Session.add(row)
    return row


def events(request_id: int) -> list[DataRequestEvent]:
    return (model.Session.query(DataRequestEvent).filter(DataRequestEvent.request_id == request_id)
            .order_by(DataRequestEvent.created_at, DataRequestEvent.id).all())


# --- lists ----------------------------------------------------------------------------------------------------

R = DataRequest.__table__


def query(state: str | None = None, owner_org: str | None = None, user_id: str | None = None,
          opd_ids: list[str] | None = None, text: str | None = None, with_hidden_text: bool = False):
    """The requests matching the filters, newest first (a SQLAlchemy query of DataRequest)."""
    found = model.Session.query(DataRequest)
    if state:
        found = found.filter(DataRequest.state == state)
    if owner_org:
        found = found.filter(DataRequest.owner_org == owner_org)
    if user_id:
        found = found.filter(DataRequest.user_id == user_id)
    if opd_ids is not None:
        found = found.filter(DataRequest.owner_org.in_(opd_ids or ["-"]))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = sa.or_(DataRequest.title.ilike(pattern), DataRequest.description.ilike(pattern))
        found = found.filter(matches if with_hidden_text else sa.and_(DataRequest.text_hidden.is_(False), matches))
    return found.order_by(DataRequest.created_at.desc(), DataRequest.id.desc())


def waiting(opd_ids: list[str] | None) -> list[DataRequest]:
    """The open requests an answerer's queue holds: those routed to `opd_ids` (None: every open request, the
    Walidata's), oldest first."""
    found = model.Session.query(DataRequest).filter(DataRequest.state.in_(OPEN))
    if opd_ids is not None:
        found = found.filter(DataRequest.state == DITERUSKAN, DataRequest.owner_org.in_(opd_ids or ["-"]))
    return found.order_by(DataRequest.received_at, DataRequest.id).all()


def requests_in(start: datetime.datetime, end: datetime.datetime, owner_org: str | None = None) -> list[DataRequest]:
    """The requests received in [start, end) (naive UTC), or answered then, for the reports."""
    found = model.Session.query(DataRequest).filter(
        sa.or_(sa.and_(DataRequest.created_at >= start, DataRequest.created_at < end),
               sa.and_(DataRequest.answered_at >= start, DataRequest.answered_at < end),
               sa.and_(DataRequest.state.in_(OPEN), DataRequest.created_at < end)))
    if owner_org:
        found = found.filter(DataRequest.owner_org == owner_org)
    return found.order_by(DataRequest.created_at, DataRequest.id).all()


def opd(org_id: str | None) -> dict[str, str] | None:
    group = model.Group.get(org_id) if org_id else None
    if not group or not group.is_organization:
        return None
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


# --- reminders and reports ------------------------------------------------------------------------------------

REMINDER_NOTICE_DAYS = 2  # an open request is in the daily reminder from 2 working days before it is due


def reminder_items(user: Any, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """The open requests waiting for `user`'s answer that are due within REMINDER_NOTICE_DAYS working days or late
    (for `ckan satudata remind`): the Walidata's every one, an OPD's Operator Data's and Verifikator OPD's those
    routed to their OPD."""
    held = roles.memberships(user)
    if roles.WALIDATA in held.portal:
        opd_ids = None
    else:
        opd_ids = [org for org, role in held.opds.items() if role in (roles.OPERATOR, roles.VERIFIKATOR_OPD)]
        if not opd_ids:
            return []
    items = []
    for request in waiting(opd_ids):
        clock = timer(request, now)
        if clock and clock.days_left <= REMINDER_NOTICE_DAYS:
            group = opd(request.owner_org)
            items.append({"id": request.id, "title": request.title, "opd_title": group["title"] if group else None,
                          "due_date": clock.due.isoformat(), "late_by": clock.late_by, "days_left": clock.days_left})
    return items


REPORT_KEYS = ["received", "answered", "on_time", "late", TERPENUHI, AKAN_DISEDIAKAN, DITOLAK, "waiting",
               "waiting_late"]


def report(start: datetime.datetime, end: datetime.datetime, now: datetime.datetime,
           opd_id: str | None = None) -> dict[str, Any]:
    """The data requests of a period [start, end) (naive UTC) for the monitoring report, per OPD and overall:
    received in the period; answered in it (on time or late against 10 or 17 working days, and by outcome); still
    waiting for an answer at the period's end (or now), and of those past their time. A request not yet routed
    counts under "OPD not known yet"."""
    until = min(end, now)
    rows: dict[str | None, dict[str, int]] = {}
    for request in requests_in(start, end, opd_id):
        counts = rows.setdefault(request.owner_org, dict.fromkeys(REPORT_KEYS, 0))
        counts["received"] += start <= request.created_at < end
        if request.answered_at and start <= request.answered_at < end:
            clock = timer(request)
            answer = next((e.event for e in reversed(events(request.id)) if e.event in ANSWERED), None)
            counts["answered"] += 1
            if clock:
                counts["on_time" if clock.on_time else "late"] += 1
            if answer:
                counts[answer] += 1
        if request.state in OPEN and request.created_at < end:
            clock = timer(request, until)
            counts["waiting"] += 1
            counts["waiting_late"] += bool(clock and clock.late_by)
    by_opd = []
    for owner_org, counts in rows.items():
        group = opd(owner_org)
        by_opd.append({"owner_org": owner_org, "opd": group["name"] if group else None,
                       "opd_title": group["title"] if group else None, **counts,
                       "on_time_share": counts["on_time"] / counts["answered"] if counts["answered"] else None})
    by_opd.sort(key=lambda row: (row["opd_title"] is None, (row["opd_title"] or "").lower()))
    totals = {key: sum(row[key] for row in by_opd) for key in REPORT_KEYS}
    totals["on_time_share"] = totals["on_time"] / totals["answered"] if totals["answered"] else None
    return {"standard_days": STANDARD_DAYS, "extension_days": EXTENSION_DAYS, "keys": REPORT_KEYS,
            "by_opd": by_opd, "totals": totals}
