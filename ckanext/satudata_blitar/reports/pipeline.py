"""What the portal's public pages and role dashboards count beyond package_search: the Walidata's pipeline (datasets
per OPD and workflow state, with what waits past the SOP's standard time) and the public summary of the daftar elemen
data (only elements whose dataset is published are counted as fulfilled).

Read by the actions in logic/action/portal.py; views and templates reach it only through them.
"""
from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.workflow import working_days

STATES = [transitions.DRAF, transitions.DIAJUKAN, transitions.TERVERIFIKASI_OPD, transitions.DISETUJUI, transitions.TERBIT,
          transitions.PERLU_PERBAIKAN]


def _datasets(*columns, changed_day=None, tz=None):
    """Datasets that are not deleted (CKAN's `draft` ones too: they are in the workflow) with their workflow state
    and OPD; with `changed_day`, an alias of the calendar table, joined on the local day of the last change."""
    P, G = model.package_table, model.group_table
    joined = (P.join(DatasetStatus.__table__, DatasetStatus.package_id == P.c.id)
              .join(G, G.c.id == P.c.owner_org))
    if changed_day is not None:
        joined = joined.outerjoin(changed_day,
                                  changed_day.c.day == working_days.sql_day(DatasetStatus.changed_at, tz))
    return (sa.select(*columns).select_from(joined)
            .where(P.c.state.in_(["active", "draft"]), P.c.type == "dataset"))


def pipeline(now: datetime.datetime | None = None, overdue_limit: int | None = None) -> dict[str, Any]:
    """Per OPD the number of datasets in each workflow state and how many wait past the standard time; OPDs with
    overdue datasets first (most overdue first), then by title. Plus the overdue datasets themselves, oldest first
    (the oldest `overdue_limit` of them when given), and how many there are (`overdue_count`).

    A dataset is overdue when its state has a standard time (transitions.STANDARD_DAYS, in working days) and the
    working days after the day it entered the state, up to and including today, exceed it (working_days.py):
    counted in SQL with the calendar table, joined once on the day of the change.
    """
    now = now or datetime.datetime.utcnow()
    tz = config.portal_zone()
    working_days.ensure(now)
    P, G = model.package_table, model.group_table
    changed_day = working_days.C.alias("changed_day")
    today = working_days.sql_day_index(working_days.local(now, tz).date())
    waited = today - changed_day.c.day_index
    standard = sa.case(*[(DatasetStatus.state == state, days) for state, days in transitions.STANDARD_DAYS.items()],
                       else_=sa.null())
    overdue = sa.func.coalesce(waited > standard, False)
    counts = (_datasets(P.c.owner_org, DatasetStatus.state, sa.func.count().label("n"),
                        sa.func.count().filter(overdue).label("overdue"), changed_day=changed_day, tz=tz)
              .group_by(P.c.owner_org, DatasetStatus.state))
    opds = {row["id"]: {**row, "states": {state: 0 for state in STATES}, "overdue": 0, "total": 0}
            for row in data_elements.opds()}
    overdue_count = 0
    for row in model.Session.execute(counts):
        overdue_count += row.overdue
        opd = opds.get(row.owner_org)
        if opd is None:
            continue
        opd["states"][row.state] = opd["states"].get(row.state, 0) + row.n
        opd["overdue"] += row.overdue
        opd["total"] += row.n
    items = (_datasets(P.c.id, P.c.name, P.c.title, P.c.owner_org, G.c.title.label("opd_title"),
                       DatasetStatus.state, DatasetStatus.changed_at, waited.label("waited_days"),
                       changed_day=changed_day, tz=tz)
             .where(overdue).order_by(DatasetStatus.changed_at, P.c.id).limit(overdue_limit))
    overdue_items = [{
        "id": row.id, "name": row.name, "title": row.title, "owner_org": row.owner_org, "opd_title": row.opd_title,
        "state": row.state, "state_label": transitions.state_label(row.state), "since": row.changed_at.isoformat(),
        "waited_hours": round((now - row.changed_at).total_seconds() / 3600, 1),
        "standard_days": transitions.STANDARD_DAYS[row.state], "waited_working_days": row.waited_days,
        "late_working_days": row.waited_days - transitions.STANDARD_DAYS[row.state],
    } for row in model.Session.execute(items)]
    rows = sorted(opds.values(), key=lambda o: (-o["overdue"], (o["title"] or o["name"]).lower()))
    return {"states": [{"state": s, "label": transitions.state_label(s)} for s in STATES],
            "opds": rows, "overdue": overdue_items, "overdue_count": overdue_count,
            "totals": {s: sum(o["states"][s] for o in rows) for s in STATES}}


def element_summary(year: int, tz: zoneinfo.ZoneInfo, owner_org: str | None = None) -> list[dict[str, Any]]:
    """Per OPD with a daftar elemen data for the year: how many elements (and priority ones) it must provide and how
    many of them are published. Nothing about unpublished datasets: an element whose dataset is not published counts
    only as not yet fulfilled. With `owner_org` (an OPD's id or name), that OPD's row only: one small query when it
    has no list for the year, else the fulfilment query restricted to it (the box of an OPD page)."""
    if owner_org:
        opd = data_elements.opd_with_list(year, owner_org)
        if opd is None:
            return []
        opds, only = [opd], opd["id"]
    else:
        opds, only = data_elements.opds(), None
    counts = data_elements.fulfilment(year, only, datetime.datetime.utcnow(), tz)
    summary = []
    for opd in opds:
        count = counts.get(opd["id"])
        if not count:
            continue
        summary.append({**opd, "elements": count["elements"], "terbit": count[data_elements.STATUS_TERBIT],
                        "priority": count["priority"], "priority_terbit": count["priority_terbit"],
                        "percent": round(100 * count[data_elements.STATUS_TERBIT] / count["elements"])})
    return summary
