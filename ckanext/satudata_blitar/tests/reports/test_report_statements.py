"""What makes the reports' statements cheaper at a province's 1,000,000 workflow events, with the reports the same.

- The local times: PostgreSQL's timezone() looks the zone up and converts on every call, a quarter of the steps'
  statement; for a zone with one offset over the years the reports can hold (Asia/Jakarta's +7) the times are
  shifted by it instead (working_days.sql_local).
- The events are indexed in the steps' window order (package, time, id): no sort of every event.

Over test_reports.py's known history (its `world`, "now" 2026-08-20 12:00 UTC)."""
from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.satudata_blitar.reports import figures as reports
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.reports.test_reports import world  # noqa: F401 (a fixture)
from ckanext.satudata_blitar.workflow import working_days

ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Asia/Kolkata", "Europe/Berlin"]
MOMENTS = [  # naive UTC, around the shortcut's bounds, the zones' changes and the reports' years
    "1963-12-31 16:29:59", "1969-12-31 23:59:59.999999", "1970-01-01 00:00:00", "1999-12-31 16:30:00",
    "2025-12-31 16:59:59.999999", "2025-12-31 17:00:00", "2026-03-29 01:00:00", "2026-10-25 00:59:59",
    "2026-08-20 12:00:00", "2099-12-31 23:59:59.999999", "2100-01-01 00:00:00", "2150-06-30 20:00:00",
]


def test_the_steady_offsets():
    assert working_days.steady_offset("Asia/Jakarta") == datetime.timedelta(hours=7)
    assert working_days.steady_offset("Asia/Kolkata") == datetime.timedelta(hours=5, minutes=30)
    assert working_days.steady_offset("UTC") == datetime.timedelta(0)
    assert working_days.steady_offset("Europe/Berlin") is None  # daylight saving


@pytest.mark.parametrize("key", ZONES)
def test_the_local_times_are_postgresqls(world, key):
    """sql_local gives PostgreSQL's own conversion for every moment, within the shifted years and outside."""
    tz = zoneinfo.ZoneInfo(key)
    moments = sa.values(sa.column("moment", sa.DateTime), name="moments").data(
        [(datetime.datetime.fromisoformat(moment),) for moment in MOMENTS])
    query = sa.select(moments.c.moment, working_days.sql_local(moments.c.moment, tz),
                      sa.func.timezone(key, sa.func.timezone("UTC", moments.c.moment)),
                      working_days.sql_day(moments.c.moment, tz))
    rows = model.Session.execute(query).fetchall()
    assert len(rows) == len(MOMENTS)
    for moment, shortcut, exact, day in rows:
        assert shortcut == exact, (key, moment)
        assert day == exact.date()


@pytest.mark.parametrize("key", ["Asia/Jakarta", "Asia/Kolkata"])
def test_the_reports_shift_the_events_times_and_equal_the_exact_conversions(world, ckan_config, monkeypatch, key):
    """In a zone of one offset, the monitoring's steps and movements shift the events' times (no per-row
    conversion); both reports equal those computed with PostgreSQL's conversion on every row (the code before)."""
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", key)
    now = datetime.datetime(2026, 8, 20, 12)
    for period in ["2026", "2026-Q3", "2026-07"]:
        shown = reports.parse_period(period)
        with world_module.sql_statements() as found:
            shifted = (reports.monitoring(shown, None, now), reports.evaluation(shown, None, now))
        steps = [s for s in found if "INSERT INTO satudata_report_steps" in s]
        movements = [s for s in found if "GROUPING SETS" in s and "satudata_workflow_event" in s]
        assert steps and movements
        assert re.search(r"spans\.started_at \+ %\(\w+\)s", steps[0])
        assert re.search(r"satudata_workflow_event\.created_at \+ %\(\w+\)s", movements[0])
        with monkeypatch.context() as exact:
            exact.setattr(working_days, "steady_offset", lambda _key: None)
            converted = (reports.monitoring(shown, None, now), reports.evaluation(shown, None, now))
        assert shifted == converted, period
        assert shifted[0]["overdue"], period  # steps measured in the zone's working days and hours
    model.Session.rollback()


def test_the_events_are_indexed_in_the_windows_order(world):
    """The steps' window (LEAD over package, time, id) can read the events in the order of an index: the migration
    replaced the index on (package, time) by one on (package, time, id). (Whether the planner uses it depends on
    the numbers: on a province's it does, docs/benchmarks.md; on these few events it loops over the datasets.)"""
    indexes = dict(model.Session.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'satudata_workflow_event'")).fetchall())
    ordered = [name for name, definition in indexes.items() if "(package_id, created_at, id)" in definition]
    assert ordered
    assert not [definition for definition in indexes.values() if "(package_id, created_at)" in definition]
    model.Session.rollback()
