"""The verification queue: what waits for a user (transitions.waiting_for), oldest first, as the queue's items
(the time waited against the SOP's standard time in working days, the day it is due, whether it is overdue), and
its counts over the whole queue in SQL (how many wait, are overdue, were returned for revision), so that a page of
a long queue costs the page and one COUNT, not the whole list (docs/workflow.md).

Working days are counted twice, with the same calendar (working_days.py): in Python for the items of a page (once
per arrival day), and in SQL with the calendar table for the overdue count, as reports/pipeline.py counts them.
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.workflow import roles, transitions, working_days


def items(user: Any, rows: list[Any], now: datetime.datetime) -> list[dict[str, Any]]:
    """The queue's items of `rows` (transitions.waiting_for's) without checks (empty `files` and `completeness`).
    Working days, due days, labels and transitions are worked out once per arrival day, state or OPD, not once per
    waiting dataset."""
    held = roles.memberships(user)  # one query for the whole list, not one per waiting dataset
    calendar, tz = working_days.current(), config.portal_zone()
    today = working_days.local(now, tz).date()
    days_since: dict[datetime.date, int] = {}  # working days from an arrival day to today: once per day
    due_after: dict[tuple[datetime.date, int], datetime.date] = {}
    labels: dict[str, str] = {}
    moves: dict[tuple[str, str], list[str]] = {}  # the transitions per state and OPD
    made = []
    for row in rows:
        standard = transitions.STANDARD_DAYS.get(row.state)
        # Working days after the day it arrived, up to and including today (working_days.py).
        arrived = working_days.local(row.changed_at, tz).date()
        if arrived not in days_since:
            days_since[arrived] = calendar.working_days_after(arrived, today)
        days = days_since[arrived]
        if (arrived, standard or 0) not in due_after:
            due_after[arrived, standard or 0] = calendar.nth_working_day_after(arrived, standard or 0)
        if row.state not in labels:
            labels[row.state] = transitions.state_label(row.state)
        if (row.state, row.owner_org) not in moves:
            moves[row.state, row.owner_org] = [
                t.name for t in transitions.available(row.state, held.roles_for(row.owner_org))]
        made.append({
            "id": row.id, "name": row.name, "title": row.title, "owner_org": row.owner_org,
            "state": row.state, "state_label": labels[row.state],
            "since": row.changed_at.isoformat(), "waited_hours": round((now - row.changed_at).total_seconds() / 3600, 1),
            "standard_days": standard, "waited_working_days": days,
            "due": due_after[arrived, standard or 0].isoformat() if standard else None,
            "overdue": bool(standard) and days > standard,
            "late_working_days": max(days - standard, 0) if standard else 0,
            "transitions": moves[row.state, row.owner_org],
            "files": [], "completeness": [],
        })
    return made


def counts(user: Any, now: datetime.datetime) -> dict[str, int]:
    """Over the whole queue, in one statement whatever its length: how many datasets wait for the user
    (`waiting`), how many of them are overdue (`overdue`: the working days after the day each arrived, up to and
    including today, exceed its state's standard time; as items() says of each) and how many were returned for
    revision (`returned`)."""
    query = transitions.waiting_query(user)
    if query is None:
        return {"waiting": 0, "overdue": 0, "returned": 0}
    tz = config.portal_zone()
    today = working_days.local(now, tz).date()
    working_days.ensure(now)
    row = _counted(query, today, tz)
    if row.oldest is not None and working_days.local(row.oldest, tz).year < working_days.FIRST_YEAR:
        # Waiting since before the years the table always covers: it is extended to them, then counted again.
        working_days.ensure(now, working_days.local(row.oldest, tz))
        row = _counted(query, today, tz)
    transitions.waiting_count(user, row.waiting)  # the header's count of this request: the same COUNT
    return {"waiting": row.waiting, "overdue": row.overdue, "returned": row.returned}


def _counted(query: Any, today: datetime.date, tz: Any) -> Any:
    arrived = working_days.C.alias("arrived")
    waited = working_days.sql_day_index(today) - arrived.c.day_index
    standard = sa.case(*[(DatasetStatus.state == state, days) for state, days in transitions.STANDARD_DAYS.items()],
                       else_=sa.null())
    overdue = sa.func.coalesce(waited > standard, False)
    return (query.outerjoin(arrived, arrived.c.day == working_days.sql_day(DatasetStatus.changed_at, tz))
            .with_entities(sa.func.count(DatasetStatus.package_id).label("waiting"),
                           sa.func.count().filter(overdue).label("overdue"),
                           sa.func.count().filter(DatasetStatus.state == transitions.PERLU_PERBAIKAN).label("returned"),
                           sa.func.min(DatasetStatus.changed_at).label("oldest"))
            .one())

