"""The SOP's reports to the head of Diskominfotik: the monitoring report (step 7) and the evaluation report (step 8).

Every figure is an SQL aggregate over our workflow tables and CKAN's package tables (GROUP BY, window functions,
percentile_cont), never a loop over package_show. Times are the workflow's: naive UTC, as workflow.py writes them.

Periods are calendar periods in the portal's time zone (`ckan.display_timezone`, e.g. Asia/Jakarta for WIB; UTC
when unset, `server` or unknown); the times in the report are in that zone too.

Steps and their standard times (the SOP), in working days and working hours (workflow/working_days.py: Monday to
Friday without Indonesia's national holidays, cuti bersama and the days the Walidata adds, in the portal's zone):

| step                  | from                                  | to                         | standard          |
|-----------------------|---------------------------------------|----------------------------|-------------------|
| unggah (upload)       | creation                              | first submission           | 1 working hour    |
| verifikasi_opd        | entering Diajukan                     | verified or returned       | 1 working day     |
| verifikasi_walidata   | entering Terverifikasi OPD            | verified or returned       | 1 working day     |
| publikasi             | entering Disetujui                    | published                  | 1 working day     |

A step belongs to a period when it was under way during it: it started before the period's end and had not ended
before the period's start. It is *done* when it ended within the period, otherwise *waiting* (at the period's end,
or now for a period not over yet), measured up to then. What a step *took* is counted in its standard's unit: the
working days after the day it started up to and including the day it ended (or was measured), or the working
hours between the two. A done step is on time when it took at most the standard; a waiting step is overdue once
it has taken longer, and either is late by the difference. The on-time share is on time / (done + overdue
waiting): the steps whose outcome is known. The median is over done steps; the worst over all of them, in the
step's unit; `hours` is the plain elapsed time. The SQL counts with the calendar table (working_days.ensure fills
it for the years asked for): two joins per step, no loop per row.

The daftar elemen data of the period's year is judged as of the period's end (or now, for a period not over
yet): an element is fulfilled when its dataset was published by then (data_elements.py).
"""
from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, config
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.requests import data_requests
from ckanext.satudata_blitar.language import N_
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.workflow import working_days
from ckanext.satudata_blitar.model import DatasetStatus, WorkflowEvent

# --- periods -----------------------------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:[QqTt](?P<quarter>\d)|(?P<month>\d{2})))?$")


@dataclasses.dataclass(frozen=True)
class Period:
    label: str
    kind: str  # "year", "quarter" or "month"
    start: datetime.datetime
    end: datetime.datetime  # exclusive

    def months(self) -> list[str]:
        """The months of the period, "YYYY-MM"."""
        months, day = [], self.start
        while day < self.end:
            months.append(day.strftime("%Y-%m"))
            day = _add_months(day, 1)
        return months

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "kind": self.kind, "start": self.start.isoformat(),
                "end": self.end.isoformat()}


def _add_months(day: datetime.datetime, months: int) -> datetime.datetime:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def parse_period(text: Any) -> Period:
    """A year (2026), a quarter (2026-Q3 or, in Indonesian, 2026-T3 for triwulan) or a month (2026-07).

    Raises ValueError with a message a person can act on."""
    value = str(text or "").strip()
    match = _PERIOD.match(value)
    error = ValueError(tk._('"{value}" is not a period: give a year (2026), a quarter (2026-Q3 or 2026-T3) or a '
                            'month (2026-07)').format(value=value))
    if not match:
        raise error
    year = int(match["year"])
    if not 1900 <= year < datetime.MAXYEAR:  # the period's end must be a date too
        raise error
    if match["quarter"]:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise error
        start = datetime.datetime(year, 3 * quarter - 2, 1)
        return Period(f"{year}-Q{quarter}", "quarter", start, _add_months(start, 3))
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise error
        start = datetime.datetime(year, month, 1)
        return Period(f"{year}-{month:02d}", "month", start, _add_months(start, 1))
    start = datetime.datetime(year, 1, 1)
    return Period(str(year), "year", start, _add_months(start, 12))


def _to_utc(local: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return local.replace(tzinfo=tz).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _to_local(utc: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return utc.replace(tzinfo=datetime.timezone.utc).astimezone(tz).replace(tzinfo=None)


def _in_utc(period: Period, tz: zoneinfo.ZoneInfo) -> Period:
    """The period with its bounds in UTC, as our tables store times."""
    return dataclasses.replace(period, start=_to_utc(period.start, tz), end=_to_utc(period.end, tz))


# --- the tables the reports read ------------------------------------------------------------------------------------

P = model.package_table
G = model.group_table
S = DatasetStatus.__table__
E = WorkflowEvent.__table__

# Transitions counted in the monitoring report, as (key, transitions): one movement per transition, named by its
# kind and stage (transitions.Transition.movement).
MOVEMENTS = [(t.movement, (t.name,)) for t in transitions.TRANSITIONS.values()]

WORKING_DAYS, WORKING_HOURS = working_days.WORKING_DAYS, working_days.WORKING_HOURS
# (step, the state the dataset waits in during the step, standard, its unit). The upload step is Draf after creation.
STEPS = [
    ("unggah", transitions.DRAF, working_days.UPLOAD_STANDARD_HOURS, WORKING_HOURS),
    ("verifikasi_opd", transitions.DIAJUKAN, transitions.STANDARD_DAYS[transitions.DIAJUKAN], WORKING_DAYS),
    ("verifikasi_walidata", transitions.TERVERIFIKASI_OPD, transitions.STANDARD_DAYS[transitions.TERVERIFIKASI_OPD],
     WORKING_DAYS),
    ("publikasi", transitions.DISETUJUI, transitions.STANDARD_DAYS[transitions.DISETUJUI], WORKING_DAYS),
]
STEP_NAMES = [step for step, _state, _standard, _unit in STEPS]
STEP_STANDARDS = {step: (standard, unit) for step, _state, standard, unit in STEPS}
STEP_LABELS = {
    "unggah": N_("Upload"),
    "verifikasi_opd": N_("Verification (OPD)"),
    "verifikasi_walidata": N_("Verification (Walidata)"),
    "publikasi": N_("Publication"),
}


def _datasets():
    """Datasets in the portal (not deleted, not drafts of CKAN's own form)."""
    return sa.and_(P.c.state == "active", P.c.type == "dataset")


def _opds(opd_id: str | None, run: dict | None = None) -> list[dict[str, Any]]:
    """The OPDs of the report, by title: every active organisation, or the one asked for."""
    return _once(run, ("opds", opd_id),
                 lambda: [opd for opd in data_elements.opds() if not opd_id or opd["id"] == opd_id])


# --- reports asked together ------------------------------------------------------------------------------------------
#
# The evaluation's documents (the page, the PDF, the .xlsx's cover sheet) also say what the monitoring found, so
# both reports of one period and OPD are asked for one after the other. A `run` (a dict the caller gives both,
# through the actions' context: logic/action/reports.py) makes them one computation: both are as of the same
# moment, and what both read is computed once: the OPDs, the data elements' fulfilment, the data requests and the
# steps (the window over every workflow event, 3-6 s of each report at a province's 1,000,000 events), which the
# monitoring keeps in its temporary table for the evaluation to read.

def _without_jit() -> None:
    """PostgreSQL's JIT compilation off for the rest of this transaction (the report's request or command). The
    reports' statements look expensive enough to the planner for JIT with inlining and optimisation, which then
    costs more than it saves: at a province's 100,000 datasets 4.4 s of the evaluation's 12 s scores query and a
    third of the elements' fulfilment (EXPLAIN ANALYZE, docs/benchmarks.md). A page's other statements are too
    cheap for JIT anyway."""
    model.Session.execute(sa.text("SET LOCAL jit = off"))


def _once(run: dict | None, key: Any, compute):
    """compute(), once per run for `key` (every time without a run)."""
    if run is None:
        return compute()
    if key not in run:
        run[key] = compute()
    return run[key]


def _run_now(run: dict | None, now: datetime.datetime | None) -> datetime.datetime:
    """The moment the report is made as of: `now`, else the run's (the first report's), else the clock's."""
    if now is not None:
        return now
    return _once(run, "now", datetime.datetime.utcnow)


def _steps_key(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo) -> tuple:
    """What the kept steps were computed for, and in which transaction (a commit drops the temporary table)."""
    return (period, opd_id, now, tz.key, model.Session().get_transaction())


def _shared_steps(run: dict | None, key: tuple) -> sa.Table | None:
    """The steps a report of this run kept in its temporary table for `key`, if they are still there (no commit,
    no other report's steps since)."""
    if run is None or run.get("steps") != key or model.Session.info.get(_KEPT_STEPS_KEY) != key:
        return None
    return _KEPT_STEPS.get("steps")


def _states_now(opd_id: str | None) -> dict[str | None, dict[str, int]]:
    """owner_org -> state -> datasets in it now (a dataset without a status row is Draf)."""
    state = sa.func.coalesce(S.c.state, transitions.DRAF)
    query = (sa.select(P.c.owner_org, state.label("state"), sa.func.count().label("n"))
             .select_from(P.outerjoin(S, S.c.package_id == P.c.id))
             .where(_datasets()).group_by(P.c.owner_org, state))
    if opd_id:
        query = query.where(P.c.owner_org == opd_id)
    result: dict[str | None, dict[str, int]] = {}
    for owner_org, state_name, count in model.Session.execute(query):
        result.setdefault(owner_org, {})[state_name] = count
    return result


def _movements(period: Period, opd_id: str | None, tz: zoneinfo.ZoneInfo) -> tuple[dict[Any, dict[str, int]],
                                                                                  dict[Any, dict[str, int]]]:
    """(owner_org -> movement -> events of the period, local month "YYYY-MM" -> the same): one pass over the
    events with two grouping sets."""
    # The local month's first moment (named "YYYY-MM" here: to_char on every event cost 0.2 s of a province's year).
    month = sa.func.date_trunc("month", working_days.sql_local(E.c.created_at, tz))
    columns = [sa.func.count().filter(E.c.transition.in_(names)).label(key) for key, names in MOVEMENTS]
    query = (sa.select(P.c.owner_org, month.label("month"), sa.func.grouping(P.c.owner_org).label("by_month"),
                       *columns)
             .select_from(E.join(P, P.c.id == E.c.package_id))
             .where(_datasets(), E.c.created_at >= period.start, E.c.created_at < period.end)
             .group_by(sa.func.grouping_sets(sa.tuple_(P.c.owner_org), sa.tuple_(month))))
    if opd_id:
        query = query.where(P.c.owner_org == opd_id)
    by_opd: dict[Any, dict[str, int]] = {}
    by_month: dict[Any, dict[str, int]] = {}
    for row in model.Session.execute(query):
        counts = {key: getattr(row, key) for key, _t in MOVEMENTS}
        if row.by_month:
            by_month[row.month.strftime("%Y-%m")] = counts
        else:
            by_opd[row.owner_org] = counts
    return by_opd, by_month


def _steps(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo):
    """One row per step under way during the period: package id, OPD, step, standard and its unit, start, end,
    hours, what it took in its unit (`taken`), done. Without the datasets' names and titles: a province's 700,000
    steps of a year are narrower to sort and keep, and the few overdue steps listed look theirs up (_overdue).

    Each workflow event starts the time spent in its new state; the next event of the dataset (LEAD) ends it. The
    datasets are chosen before the window (every event of a dataset shares its package row), so the planner joins
    20,000 packages to the events once instead of looking a package up per step. The calendar table is joined
    twice, on the local days the step started and was measured to (working_days.ensure has filled it)."""
    ended = sa.func.lead(E.c.created_at).over(partition_by=E.c.package_id, order_by=(E.c.created_at, E.c.id))
    after_creation = E.c.transition != transitions.CREATED
    step = sa.case(
        (E.c.transition == transitions.CREATED, "unggah"),
        *[(sa.and_(after_creation, E.c.to_state == state), name) for name, state, _standard, _unit in STEPS
          if state != transitions.DRAF],
        else_=sa.null())
    spans = (sa.select(E.c.package_id, P.c.owner_org, step.label("step"),
                       E.c.created_at.label("started_at"), ended.label("ended_at"))
             .select_from(E.join(P, P.c.id == E.c.package_id))
             .where(_datasets()))
    if opd_id:
        spans = spans.where(P.c.owner_org == opd_id)
    spans = spans.subquery("spans")
    now_ = sa.literal(now, sa.DateTime)
    until = sa.func.least(sa.func.coalesce(spans.c.ended_at, now_), sa.literal(period.end, sa.DateTime))
    hours = sa.extract("epoch", until - spans.c.started_at) / 3600.0
    done = sa.and_(spans.c.ended_at.isnot(None), spans.c.ended_at < period.end)
    # A step still waiting at the period's end is measured on the period's last day, up to its last moment (the
    # end is exclusive; working hours never reach midnight, so this loses no working time).
    until_day_of = sa.func.least(sa.func.coalesce(spans.c.ended_at, now_),
                                 sa.literal(period.end - datetime.timedelta(microseconds=1), sa.DateTime))
    start_day, until_day = working_days.C.alias("start_day"), working_days.C.alias("until_day")
    in_hours = {name for name, _state, _standard, unit in STEPS if unit == WORKING_HOURS}
    standard = sa.case(*[(spans.c.step == name, sa.literal(float(value), sa.Float))
                         for name, _state, value, _unit in STEPS], else_=sa.null())
    unit = sa.case((spans.c.step.in_(in_hours), WORKING_HOURS), else_=WORKING_DAYS)
    working_hours = (working_days.sql_working_clock(until_day, until_day_of, tz)
                     - working_days.sql_working_clock(start_day, spans.c.started_at, tz)) / 3600.0
    taken = sa.case((spans.c.step.in_(in_hours), sa.cast(working_hours, sa.Float)),
                    else_=sa.cast(until_day.c.day_index - start_day.c.day_index, sa.Float))
    query = (sa.select(spans.c.package_id, spans.c.owner_org,
                       spans.c.step, standard.label("standard"), unit.label("unit"), spans.c.started_at,
                       sa.case((done, spans.c.ended_at), else_=sa.null()).label("ended_at"),
                       hours.label("hours"), taken.label("taken"), done.label("done"))
             .select_from(spans
                          .outerjoin(start_day, start_day.c.day == working_days.sql_day(spans.c.started_at, tz))
                          .outerjoin(until_day, until_day.c.day == working_days.sql_day(until_day_of, tz)))
             .where(spans.c.step.isnot(None), spans.c.started_at < period.end,
                    sa.func.coalesce(spans.c.ended_at, now_) >= period.start))
    return query.subquery("steps")


_KEPT_STEPS: dict[str, sa.Table] = {}  # one Table object, so SQLAlchemy compiles its statements once per process
_KEPT_STEPS_KEY = "satudata_report_steps"  # in Session.info: the _steps_key of the temporary table's rows


def _kept_steps(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo) -> sa.Table:
    """The steps of _steps computed once into a temporary table of this transaction: the timeliness table and the
    longest overdue steps both read it, and the evaluation of the same run (the window over a province's 1,000,000
    events took 3-6 s a reading). The monitoring drops it (_drop_kept_steps) unless a run keeps it; PostgreSQL
    drops it at the transaction's end. Temporary tables are the connection's own: two requests never see each
    other's."""
    steps = _steps(period, opd_id, now, tz)
    kept = list(steps.c)
    table = _KEPT_STEPS.get("steps")
    if table is None:
        table = _KEPT_STEPS["steps"] = sa.Table(
            "satudata_report_steps", sa.MetaData(),
            *[sa.Column(column.name, sa.DateTime if column.name == "ended_at" else column.type) for column in kept],
            prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    connection = model.Session.connection()
    model.Session.info.pop(_KEPT_STEPS_KEY, None)
    table.drop(connection, checkfirst=True)  # left by a report that failed earlier in this transaction, or a run's
    table.create(connection)
    model.Session.execute(table.insert().from_select([column.name for column in kept], sa.select(*kept)))
    model.Session.info[_KEPT_STEPS_KEY] = _steps_key(period, opd_id, now, tz)
    return table


def _drop_kept_steps(table: sa.Table) -> None:
    model.Session.info.pop(_KEPT_STEPS_KEY, None)
    table.drop(model.Session.connection())


def _timeliness(steps) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(per OPD and step, per step over all OPDs): one pass over the steps with two grouping sets."""
    late = steps.c.taken > steps.c.standard
    query = (sa.select(steps.c.owner_org, steps.c.step,
                       sa.func.grouping(steps.c.owner_org).label("overall"),
                       sa.func.count().filter(steps.c.done).label("done"),
                       sa.func.count().filter(sa.and_(steps.c.done, sa.not_(late))).label("on_time"),
                       sa.func.count().filter(sa.and_(steps.c.done, late)).label("late"),
                       sa.func.count().filter(sa.not_(steps.c.done)).label("waiting"),
                       sa.func.count().filter(sa.and_(sa.not_(steps.c.done), late)).label("overdue_waiting"),
                       sa.func.percentile_cont(0.5).within_group(
                           sa.case((steps.c.done, steps.c.taken), else_=sa.null())).label("median"),
                       sa.func.max(steps.c.taken).label("worst"))
             .group_by(sa.func.grouping_sets(sa.tuple_(steps.c.owner_org, steps.c.step), sa.tuple_(steps.c.step))))
    by_opd, overall = [], []
    for row in model.Session.execute(query):
        known = row.done + row.overdue_waiting
        standard, unit = STEP_STANDARDS[row.step]
        (overall if row.overall else by_opd).append({
            "owner_org": None if row.overall else row.owner_org, "step": row.step,
            "standard": standard, "unit": unit, "done": row.done, "on_time": row.on_time,
            "late": row.late, "waiting": row.waiting, "overdue_waiting": row.overdue_waiting,
            "on_time_share": round(row.on_time / known, 4) if known else None,
            "median": _hours(row.median), "worst": _hours(row.worst),
        })
    return by_opd, overall


def _hours(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _overdue(steps, tz: zoneinfo.ZoneInfo, limit: int | None = None) -> list[dict[str, Any]]:
    """The steps past their standard, longest first, with what they took and how late they are in the standard's
    unit; the first `limit` of them only when it is given (PostgreSQL keeps the top ones while it reads the steps,
    a province's 66,000 rows are never sorted or read). Times are turned into the portal's zone by PostgreSQL and
    the rows read as plain tuples: a year has tens of thousands of them."""
    local = lambda column: working_days.sql_local(column, tz)  # noqa: E731
    query = (sa.select(P.c.name, P.c.title, G.c.name, G.c.title, steps.c.step,
                       local(steps.c.started_at), local(steps.c.ended_at), steps.c.hours, steps.c.taken,
                       steps.c.standard, steps.c.unit, steps.c.done)
             .select_from(steps.join(P, P.c.id == steps.c.package_id).outerjoin(G, G.c.id == steps.c.owner_org))
             .where(steps.c.taken > steps.c.standard)
             .order_by(steps.c.hours.desc(), P.c.name, steps.c.started_at))
    if limit is not None:
        query = query.limit(limit)
    return [{
        "dataset": dataset, "title": title, "opd": opd, "opd_title": opd_title, "step": step,
        "started_at": started.isoformat(), "ended_at": ended.isoformat() if ended else None, "hours": _hours(hours),
        "taken": _hours(taken), "standard": _hours(standard), "unit": unit, "late_by": _hours(taken - standard),
        "status": "late" if done else "waiting",
    } for dataset, title, opd, opd_title, step, started, ended, hours, taken, standard, unit, done
        in model.Session.execute(query).fetchall()]


def _sum(dicts: Iterable[dict[str, int]], keys: Iterable[str]) -> dict[str, int]:
    dicts = list(dicts)
    return {key: sum(d.get(key, 0) for d in dicts) for key in keys}


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _with_shares(counts: dict[str, int]) -> dict[str, Any]:
    """Element counts with the fulfilment shares: published of all, and of the priority ones."""
    return {**counts, "share": _share(counts["terbit"], counts["elements"]),
            "priority_share": _share(counts["priority_terbit"], counts["priority"])}


def _as_of(period: Period, now: datetime.datetime) -> datetime.datetime:
    """When a report judges the daftar elemen data: the period's end, or now for a period not over yet."""
    return min(period.end, now)


def _late_elements(year: int, as_of: datetime.datetime, opd_id: str | None,
                   tz: zoneinfo.ZoneInfo, limit: int | None = None) -> list[dict[str, Any]]:
    """The year's elements past their target date as of the report, by target date, OPD and name (the longest
    late first); the first `limit` of them only when it is given."""
    elements = data_elements.element_rows(year, opd_id, as_of, tz)
    query = (sa.select(elements).where(elements.c.late)
             .order_by(elements.c.tanggal_target, elements.c.opd_title, sa.func.lower(elements.c.nama),
                       elements.c.id))
    if limit is not None:
        query = query.limit(limit)
    return [_element_fact(row, tz) for row in model.Session.execute(query)]


def _element_fact(row: Any, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    element = data_elements.as_dict(row, tz)
    return {"opd": element["opd_name"], "opd_title": element["opd_title"], "nama": element["nama"],
            "data_prioritas": element["data_prioritas"], "tanggal_target": element["tanggal_target"],
            "dataset": element["package_name"], "title": element["package_title"], "status": element["status"],
            "late": element["late"], "late_days": element["late_days"], "published_at": element["published_at"]}


def monitoring(period: Period, opd_id: str | None = None, now: datetime.datetime | None = None,
               list_limit: int | None = None, run: dict | None = None) -> dict[str, Any]:
    """The monitoring report (SOP step 7) for a period (in the portal's time zone), for every OPD or one.

    The overdue steps and the late data elements are listed in full, or only the first `list_limit` of each (the
    report page and the PDF: a province has tens of thousands); `overdue_count`, `data_elements.late_count` and
    the counts per OPD (timeliness, data elements) cover every one either way. With a `run` (see _once), the steps
    stay in their temporary table for the evaluation of the same run."""
    now = _run_now(run, now)
    _without_jit()
    tz, shown = config.portal_zone(), period
    period = _in_utc(period, tz)
    working_days.ensure(period.start, period.end, now)
    states = list(transitions.STATE_LABELS)
    movement_keys = [key for key, _t in MOVEMENTS]
    states_now = _states_now(opd_id)
    movements, trend = _movements(period, opd_id, tz)
    # The period's year in the portal's zone (the UTC bounds may start in the year before).
    year, as_of = shown.start.year, _as_of(period, now)
    fulfilment = _fulfilment(run, year, opd_id, as_of, tz)
    opds = []
    for opd in _opds(opd_id, run):
        counts = states_now.get(opd["id"], {})
        elements = fulfilment.get(opd["id"], {})
        opds.append({**opd, "states": {state: counts.get(state, 0) for state in states},
                     "total": sum(counts.values()),
                     **{key: movements.get(opd["id"], {}).get(key, 0) for key in movement_keys},
                     "data_elements": _with_shares({key: elements.get(key, 0) for key in data_elements.COUNT_KEYS})})
    totals = {"states": _sum((opd["states"] for opd in opds), states), "total": sum(o["total"] for o in opds),
              **_sum(opds, movement_keys),
              "data_elements": _with_shares(_sum((opd["data_elements"] for opd in opds), data_elements.COUNT_KEYS))}

    names = {opd["id"]: opd for opd in opds}
    by_opd, overall, overdue = _step_figures(period, opd_id, now, tz, list_limit, run)
    by_opd, overall = _timeliness_in_order(by_opd, overall, opds)

    return {
        "report": "monitoring", "period": {**shown.as_dict(), "timezone": tz.key},
        "opd": names[opd_id]["name"] if opd_id else None,
        "generated_at": _to_local(now, tz).isoformat(), "states": states, "movements": movement_keys, "steps": STEP_NAMES,
        "opds": opds, "totals": totals,
        "timeliness": by_opd + overall,
        # Every step past its standard is done late or still waiting past it: the overall rows count them all.
        "overdue": overdue,
        "overdue_count": sum(row["late"] + row["overdue_waiting"] for row in overall),
        "list_limit": list_limit,
        "data_requests": _data_requests(run, period, now, opd_id),
        "data_elements": {"year": year, "as_of": _to_local(as_of, tz).isoformat(),
                          "counts": data_elements.COUNT_KEYS,
                          "late": _late_elements(year, as_of, opd_id, tz, list_limit),
                          "late_count": sum(counts["late"] for counts in fulfilment.values())},
        "trend": [{"month": month, **{key: trend.get(month, {}).get(key, 0) for key in movement_keys}}
                  for month in shown.months()],
    }


def _step_figures(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo,
                  list_limit: int | None, run: dict | None) -> tuple[list, list, list]:
    """The timeliness rows (per OPD and step, per step) and the overdue steps, from the steps computed once into
    their temporary table (or the run's, kept by an earlier monitoring of the run; a run keeps them for its
    evaluation)."""
    steps = _shared_steps(run, _steps_key(period, opd_id, now, tz))
    if steps is None:
        steps = _kept_steps(period, opd_id, now, tz)
        if run is not None:
            run["steps"] = model.Session.info[_KEPT_STEPS_KEY]
    by_opd, overall = _timeliness(steps)
    overdue = _overdue(steps, tz, list_limit)
    if run is None:
        _drop_kept_steps(steps)
    return by_opd, overall, overdue


def _fulfilment(run: dict | None, year: int, opd_id: str | None, as_of: datetime.datetime,
                tz: zoneinfo.ZoneInfo) -> dict[str, dict[str, int]]:
    """data_elements.fulfilment, once per run."""
    return _once(run, ("fulfilment", year, opd_id, as_of, tz.key),
                 lambda: data_elements.fulfilment(year, opd_id, as_of, tz))


def _data_requests(run: dict | None, period: Period, now: datetime.datetime, opd_id: str | None) -> dict[str, Any]:
    """The data requests' section of both reports (`period` in UTC), once per run."""
    return _once(run, ("data_requests", period.start, period.end, now, opd_id),
                 lambda: data_requests.report(period.start, period.end, now, opd_id))


def _timeliness_in_order(by_opd: list[dict[str, Any]], overall: list[dict[str, Any]],
                         opds: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The timeliness rows of the report's OPDs in the report's OPD order then the SOP's step order, named; the
    overall rows (no OPD) in step order."""
    names = {opd["id"]: opd for opd in opds}
    order = {step: index for index, step in enumerate(STEP_NAMES)}
    titles = {opd["id"]: index for index, opd in enumerate(opds)}
    by_opd = sorted((row for row in by_opd if row["owner_org"] in names),
                    key=lambda row: (titles[row["owner_org"]], order[row["step"]]))
    for row in by_opd:
        row["opd"], row["opd_title"] = names[row["owner_org"]]["name"], names[row["owner_org"]]["title"]
    overall = sorted(overall, key=lambda row: order[row["step"]])
    for row in overall:
        row["opd"], row["opd_title"] = None, None
    return by_opd, overall


def listed(report: dict[str, Any], limit: int) -> dict[str, Any]:
    """A full report with its lists cut as `list_limit` cuts them, for a document made beside the full files (an
    issued report's PDF beside its .xlsx): the longest `limit` overdue steps and late elements of a monitoring
    report; an evaluation as it is (its documents show the scores only)."""
    if report["report"] != "monitoring" or report.get("list_limit") is not None:
        return report
    return {**report, "overdue": report["overdue"][:limit], "list_limit": limit,
            "data_elements": {**report["data_elements"], "late": report["data_elements"]["late"][:limit]}}


# --- evaluation (SOP step 8) --------------------------------------------------------------------------------------
#
# A scorecard per OPD under the EPSS aspects (Peraturan BPS 3/2022), every score 0–100 from facts the portal holds,
# with the numerator and denominator behind it and the datasets that make them:
#
# | aspect        | indicator           | score                                                                     |
# |---------------|---------------------|---------------------------------------------------------------------------|
# | Prinsip SDI   | standar_data        | concept, definition, classification, measure and unit filled / asked        |
# |               | metadata            | required + recommended fields of schemas/dataset.yaml filled / asked        |
# |               | kode_referensi      | datasets with a reference code (kode referensi, MS-Keg or MS-Ind id)        |
# | Kualitas Data | ketepatan_waktu     | the monitoring report's on-time share of the OPD's steps in the period      |
# |               | aksesibilitas       | (machine-readable resources + resources in the DataStore) / 2 × resources  |
# | Proses Bisnis | pemeriksaan         | checks passed / checks made (verifications / verifications + returns)      |
# |               | penyebarluasan      | datasets published now / datasets                                          |
# |               | elemen_data         | the year's data elements published by the period's end / data elements     |
#
# The daftar elemen data is the plan of the business process (what each OPD is to provide in the year): its
# fulfilment is evidence for the Proses Bisnis domain, beside the checking and the dissemination it ends in.
#
# An indicator without a basis (no datasets, no steps, …) has no score; an aspect is the mean of its indicators
# that have one, the total the mean of the aspects. The ranking orders OPDs by total (OPDs without one last).

ASPECTS = {
    "prinsip_sdi": ["standar_data", "metadata", "kode_referensi"],
    "kualitas_data": ["ketepatan_waktu", "aksesibilitas"],
    "proses_bisnis": ["pemeriksaan", "penyebarluasan", "elemen_data"],
}
ASPECT_LABELS = {
    "prinsip_sdi": N_("SDI principles"),
    "kualitas_data": N_("Data quality"),
    "proses_bisnis": N_("Business process"),
}
INDICATOR_LABELS = {
    "standar_data": N_("Data standards"),
    "metadata": N_("Metadata"),
    "kode_referensi": N_("Reference codes"),
    "ketepatan_waktu": N_("Timeliness"),
    "aksesibilitas": N_("Accessibility"),
    "pemeriksaan": N_("Checking"),
    "penyebarluasan": N_("Dissemination"),
    "elemen_data": N_("Data element list fulfilled"),
}
STANDARD_FIELDS = ["konsep", "definisi", "klasifikasi", "ukuran", "satuan"]
REFERENCE_FIELDS = ["kode_referensi", "ms_keg_id", "ms_ind_id"]
MACHINE_READABLE = ["CSV", "XLSX", "XLS", "ODS", "JSON", "GEOJSON", "XML", "TSV", "SHP", "KML", "PARQUET"]
PT = model.package_tag_table
R = model.resource_table


def metadata_fields() -> tuple[list[str], list[str]]:
    """The dataset schema's (required, recommended) fields: required ones as marked, every other one recommended
    (the URL name, always set, is neither)."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    fields = [f for f in scheming_get_dataset_schema("dataset")["dataset_fields"] if f["field_name"] != "name"]
    return ([f["field_name"] for f in fields if f.get("required")],
            [f["field_name"] for f in fields if not f.get("required")])


def _filled(fields: list[str], extras) -> Any:
    """How many of `fields` a dataset has filled, as an SQL expression over the package row and its extras."""
    terms = []
    for field in fields:
        if field == "tag_string":
            tagged = sa.exists().where(PT.c.package_id == P.c.id, PT.c.state == "active")
            terms.append(sa.case((tagged, 1), else_=0))
        elif field in P.c:
            terms.append(sa.case((sa.func.coalesce(sa.cast(P.c[field], sa.UnicodeText), "") != "", 1), else_=0))
        else:
            terms.append(sa.case((extras.c[field] > 0, 1), else_=0))
    return sum(terms, sa.literal(0)) if terms else sa.literal(0)


def _facts_query(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo,
                 steps: sa.Table | None = None):
    """One row per dataset (of the OPD): its state and the facts the indicators count, as a SELECT; the steps
    from the monitoring's temporary table when given (a run), else computed here."""
    required, recommended = metadata_fields()
    extra_keys = sorted({f for f in required + recommended + STANDARD_FIELDS + REFERENCE_FIELDS
                         if f not in P.c and f != "tag_string"})
    extras = adapters.filled_extras(extra_keys)
    datastore = sa.cast(sa.func.coalesce(R.c.extras, "{}"), postgresql.JSONB)["datastore_active"].astext
    resources = (sa.select(R.c.package_id, sa.func.count().label("resources"),
                           sa.func.count().filter(sa.func.upper(sa.func.trim(sa.func.coalesce(R.c.format, "")))
                                                  .in_(MACHINE_READABLE)).label("machine_readable"),
                           sa.func.count().filter(datastore == "true").label("datastore"))
                 .where(R.c.state == "active").group_by(R.c.package_id).subquery("resources"))
    steps = _steps(period, opd_id, now, tz) if steps is None else steps
    late = steps.c.taken > steps.c.standard
    timing = (sa.select(steps.c.package_id,
                        sa.func.count().filter(steps.c.done).label("steps_done"),
                        sa.func.count().filter(sa.and_(steps.c.done, sa.not_(late))).label("steps_on_time"),
                        sa.func.count().filter(sa.and_(sa.not_(steps.c.done), late)).label("steps_overdue"))
              .group_by(steps.c.package_id).subquery("timing"))
    passed, returned = transitions.of_kind(transitions.VERIFY), transitions.of_kind(transitions.RETURN)
    checks = (sa.select(E.c.package_id,
                        sa.func.count().filter(E.c.transition.in_(passed)).label("checks_passed"),
                        sa.func.count().filter(E.c.transition.in_(passed + returned)).label("checks_made"))
              .where(E.c.created_at >= period.start, E.c.created_at < period.end)
              .group_by(E.c.package_id).subquery("checks"))
    zero = lambda column: sa.func.coalesce(column, 0)  # noqa: E731
    query = (sa.select(P.c.id, P.c.name, P.c.title, P.c.owner_org,
                       sa.func.coalesce(S.c.state, transitions.DRAF).label("state"),
                       _filled(required, extras).label("required_filled"),
                       _filled(recommended, extras).label("recommended_filled"),
                       _filled(STANDARD_FIELDS, extras).label("standard_filled"),
                       (_filled(REFERENCE_FIELDS, extras) > 0).label("reference_code"),
                       *[zero(resources.c[c]).label(c) for c in ("resources", "machine_readable", "datastore")],
                       *[zero(timing.c[c]).label(c) for c in ("steps_done", "steps_on_time", "steps_overdue")],
                       *[zero(checks.c[c]).label(c) for c in ("checks_passed", "checks_made")])
             .select_from(P.outerjoin(S, S.c.package_id == P.c.id)
                          .outerjoin(extras, extras.c.package_id == P.c.id)
                          .outerjoin(resources, resources.c.package_id == P.c.id)
                          .outerjoin(timing, timing.c.package_id == P.c.id)
                          .outerjoin(checks, checks.c.package_id == P.c.id))
             .where(_datasets()))
    if opd_id:
        query = query.where(P.c.owner_org == opd_id)
    return query


def _field_totals(datasets: int) -> dict[str, int]:
    """How many fields `datasets` datasets are asked to fill: required, recommended, data standards."""
    required, recommended = metadata_fields()
    return {"required_total": len(required) * datasets, "recommended_total": len(recommended) * datasets,
            "standard_total": len(STANDARD_FIELDS) * datasets}


def _dataset_facts(period: Period, opd_id: str | None, now: datetime.datetime,
                   tz: zoneinfo.ZoneInfo, steps: sa.Table | None = None) -> list[dict[str, Any]]:
    """Every dataset's facts, by title and name (the .xlsx's sheet of datasets)."""
    query = _facts_query(period, opd_id, now, tz, steps).order_by(P.c.title, P.c.name)
    totals = _field_totals(1)  # the schema read once, not per dataset
    return [{**dict(row._mapping), **totals} for row in model.Session.execute(query)]


# What the indicators add up over an OPD's datasets (besides how many there are, published, with a reference code).
SUMMED_FACTS = ["required_filled", "recommended_filled", "standard_filled", "resources", "machine_readable",
                "datastore", "steps_done", "steps_on_time", "steps_overdue", "checks_passed", "checks_made"]


def _fact_sums(datasets: list[dict[str, Any]]) -> dict[str, int]:
    """The sums the indicators are made of, over a list of _dataset_facts."""
    return {"datasets": len(datasets), "published": sum(1 for d in datasets if d["state"] == transitions.TERBIT),
            "reference_code": sum(1 for d in datasets if d["reference_code"]),
            **{key: sum(d[key] for d in datasets) for key in SUMMED_FACTS}, **_field_totals(len(datasets))}


def _dataset_sums(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo,
                  steps: sa.Table | None = None) -> tuple[dict[str | None, dict[str, int]], dict[str, int]]:
    """(owner_org -> _fact_sums of its datasets, the sums of all of them): added up by PostgreSQL (GROUP BY
    ROLLUP), no row per dataset read (the page and the PDF show the scores only)."""
    facts = _facts_query(period, opd_id, now, tz, steps).subquery("facts")
    count = sa.func.count
    query = (sa.select(facts.c.owner_org, sa.func.grouping(facts.c.owner_org).label("overall"),
                       count().label("datasets"),
                       count().filter(facts.c.state == transitions.TERBIT).label("published"),
                       count().filter(facts.c.reference_code).label("reference_code"),
                       *[sa.func.sum(facts.c[key]).label(key) for key in SUMMED_FACTS])
             .group_by(sa.func.rollup(facts.c.owner_org)))
    sums: dict[str | None, dict[str, int]] = {}
    portal = _fact_sums([])
    for row in model.Session.execute(query):
        counts = {key: int(row._mapping[key] or 0) for key in ("datasets", "published", "reference_code",
                                                                *SUMMED_FACTS)}
        if row.overall:
            portal = {**counts, **_field_totals(counts["datasets"])}
        else:
            sums[row.owner_org] = {**counts, **_field_totals(counts["datasets"])}
    return sums, portal


def _element_facts(year: int, as_of: datetime.datetime, opd_id: str | None,
                   tz: zoneinfo.ZoneInfo) -> list[dict[str, Any]]:
    """The year's data elements as of the report, by OPD title and name."""
    elements = data_elements.element_rows(year, opd_id, as_of, tz)
    query = sa.select(elements).order_by(elements.c.opd_title, elements.c.opd_name, sa.func.lower(elements.c.nama))
    return [_element_fact(row, tz) for row in model.Session.execute(query)]


def _score(numerator: float, denominator: float) -> dict[str, Any]:
    return {"numerator": numerator, "denominator": denominator,
            "score": round(100.0 * numerator / denominator, 1) if denominator else None}


def _mean(scores: list[float | None]) -> float | None:
    known = [score for score in scores if score is not None]
    return round(sum(known) / len(known), 1) if known else None


def _indicators(sums: dict[str, int], elements: dict[str, int]) -> dict[str, dict[str, Any]]:
    """The indicators from the sums of an OPD's (or every) dataset facts and its data elements' counts."""
    return {
        "standar_data": _score(sums["standard_filled"], sums["standard_total"]),
        "metadata": _score(sums["required_filled"] + sums["recommended_filled"],
                           sums["required_total"] + sums["recommended_total"]),
        "kode_referensi": _score(sums["reference_code"], sums["datasets"]),
        "ketepatan_waktu": _score(sums["steps_on_time"], sums["steps_done"] + sums["steps_overdue"]),
        "aksesibilitas": _score(sums["machine_readable"] + sums["datastore"], 2 * sums["resources"]),
        "pemeriksaan": _score(sums["checks_passed"], sums["checks_made"]),
        "penyebarluasan": _score(sums["published"], sums["datasets"]),
        "elemen_data": _score(elements.get(data_elements.STATUS_TERBIT, 0), elements.get("elements", 0)),
    }


def _element_counts(elements: list[dict[str, Any]]) -> dict[str, int]:
    return {"elements": len(elements),
            data_elements.STATUS_TERBIT: sum(1 for e in elements if e["status"] == data_elements.STATUS_TERBIT)}


def _scorecard(sums: dict[str, int] | None, elements: dict[str, int] | None) -> dict[str, Any]:
    sums, elements = sums or _fact_sums([]), elements or {}
    indicators = _indicators(sums, elements)
    aspects = {aspect: _mean([indicators[name]["score"] for name in names]) for aspect, names in ASPECTS.items()}
    return {"indicators": indicators, "aspects": aspects, "total": _mean(list(aspects.values())),
            "datasets": sums["datasets"], "data_elements": elements.get("elements", 0)}


def evaluation(period: Period, opd_id: str | None = None, now: datetime.datetime | None = None,
               list_limit: int | None = None, run: dict | None = None) -> dict[str, Any]:
    """The evaluation report (SOP step 8) for a period (in the portal's time zone), for every OPD or one.

    With `list_limit` (any number: the report page and the PDF), the scores only: PostgreSQL adds up each OPD's
    facts and `dataset_facts` and `element_facts` stay empty; without it, the facts of every dataset and element
    too (the .xlsx, .csv and .json). The scores are the same. With a `run` (see _once) after the monitoring of the
    same period and OPD, the steps, the OPDs, the elements' fulfilment and the data requests are the monitoring's."""
    now = _run_now(run, now)
    _without_jit()
    tz, shown = config.portal_zone(), period
    working_days.ensure(period.start, period.end, now)
    utc = _in_utc(period, tz)
    year, as_of = period.start.year, _as_of(utc, now)
    opds = _opds(opd_id, run)
    steps = _shared_steps(run, _steps_key(utc, opd_id, now, tz))
    if list_limit is None:
        found = _scores_of_facts(utc, opd_id, now, tz, year, as_of, steps)
    else:
        found = _scores_summed(utc, opd_id, now, tz, year, as_of, opds, steps, run)
    opds = [{**opd, **_scorecard(found["sums"].get(opd["id"]), found["element_counts"].get(opd["name"])),
             "dataset_facts": [{k: v for k, v in d.items() if k not in ("id", "owner_org")}
                               for d in found["facts_of"].get(opd["id"], [])],
             "element_facts": found["elements_of"].get(opd["name"], [])} for opd in opds]
    ranked = _ranked(opds)
    required, recommended = metadata_fields()
    return {
        "report": "evaluation", "period": {**shown.as_dict(), "timezone": tz.key},
        "opd": next((o["name"] for o in opds), None) if opd_id else None,
        "generated_at": _to_local(now, tz).isoformat(),
        "aspects": ASPECTS, "required_fields": required, "recommended_fields": recommended,
        "standard_fields": STANDARD_FIELDS, "reference_fields": REFERENCE_FIELDS,
        "machine_readable_formats": MACHINE_READABLE,
        "opds": opds, "ranking": [o["name"] for o in ranked],
        "portal": _scorecard(found["portal_sums"], found["portal_elements"]),
        "data_elements": {"year": year, "as_of": _to_local(as_of, tz).isoformat()},
        # The same section as the monitoring report's (requests received, answered on time, by OPD, by outcome).
        "data_requests": _data_requests(run, utc, now, opd_id),
    }


def _scores_of_facts(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo, year: int,
                     as_of: datetime.datetime, steps: sa.Table | None) -> dict[str, Any]:
    """What the scores are made of, from every dataset's and element's facts (kept by OPD for the files)."""
    facts = _dataset_facts(period, opd_id, now, tz, steps)
    elements = _element_facts(year, as_of, opd_id, tz)
    facts_of: dict[str, list[dict[str, Any]]] = {}
    elements_of: dict[str, list[dict[str, Any]]] = {}
    # Each OPD's datasets and elements, in the order read, grouped in one pass (a province's 1,000 OPDs each
    # scanning 100,000 datasets took most of the report).
    for fact in facts:
        facts_of.setdefault(fact["owner_org"], []).append(fact)
    for element in elements:
        elements_of.setdefault(element["opd"], []).append(element)
    return {"facts_of": facts_of, "elements_of": elements_of,
            "sums": {owner_org: _fact_sums(rows) for owner_org, rows in facts_of.items()},
            "portal_sums": _fact_sums(facts),
            "element_counts": {name: _element_counts(rows) for name, rows in elements_of.items()},
            "portal_elements": _element_counts(elements)}


def _scores_summed(period: Period, opd_id: str | None, now: datetime.datetime, tz: zoneinfo.ZoneInfo, year: int,
                   as_of: datetime.datetime, opds: list[dict[str, Any]], steps: sa.Table | None,
                   run: dict | None) -> dict[str, Any]:
    """What the scores are made of, added up by PostgreSQL (no dataset's or element's facts kept)."""
    sums, portal_sums = _dataset_sums(period, opd_id, now, tz, steps)
    by_id = _fulfilment(run, year, opd_id, as_of, tz)
    names = {opd["id"]: opd["name"] for opd in opds}
    return {"facts_of": {}, "elements_of": {}, "sums": sums, "portal_sums": portal_sums,
            "element_counts": {names.get(owner_org, owner_org): counts for owner_org, counts in by_id.items()},
            "portal_elements": {key: sum(counts.get(key, 0) for counts in by_id.values())
                                for key in ("elements", data_elements.STATUS_TERBIT)}}


def _ranked(opds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The OPDs by total score (those without one last), each given its `rank` (equal totals share one)."""
    ranked = sorted(opds, key=lambda o: (o["total"] is None, -(o["total"] or 0), o["title"] or "", o["name"]))
    rank = 0
    for index, opd in enumerate(ranked, start=1):
        rank = rank if index > 1 and opd["total"] == ranked[index - 2]["total"] else index
        opd["rank"] = rank if opd["total"] is not None else None
    return ranked
