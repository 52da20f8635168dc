"""The working-day calendar (workflow/working_days.py) and everything that judges a standard time with it: the
verification queue (Python), the Walidata's pipeline (SQL over the calendar table), the pages' words.

The SOP's examples: a dataset submitted on Friday at 16.00 and verified on Monday at 09.00 is on time; one verified
on Tuesday took 2 working days and is 1 working day late; a wait across Nyepi and Idul Fitri 2026 with their cuti
bersama (18–24 March) is 1 working day. Times are UTC, the test portal's zone."""
from __future__ import annotations

import datetime
import zoneinfo

import freezegun
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

import ckan.model as model
import ckan.tests.helpers as helpers
from ckan.exceptions import CkanConfigurationException

from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.workflow import working_days

D = datetime.date
T = datetime.datetime
CALENDAR = working_days.Calendar()

# (started, ended, working days taken): 1 is on time for steps 4–6, 2 is 1 working day late.
WAITS = [
    (T(2026, 11, 27, 16), T(2026, 11, 30, 9), 1),   # Friday 16.00 -> Monday 09.00
    (T(2026, 11, 27, 16), T(2026, 12, 1, 10), 2),   # Friday -> Tuesday 10.00: late
    (T(2026, 11, 27, 16), T(2026, 11, 28, 10), 0),  # Friday -> Saturday
    (T(2026, 11, 25, 9), T(2026, 11, 25, 23), 0),   # the same day
    (T(2026, 7, 1, 20, 30), T(2026, 7, 3, 8, 30), 2),  # Wednesday evening -> Friday morning: late
    (T(2026, 3, 17, 10), T(2026, 3, 25, 15), 1),    # across Nyepi, Idul Fitri and their cuti bersama
    (T(2026, 3, 17, 10), T(2026, 3, 26, 9), 2),
    (T(2026, 8, 14, 10), T(2026, 8, 18, 10), 1),    # across Independence Day (Monday 17 August)
    (T(2026, 12, 23, 10), T(2026, 12, 28, 10), 1),  # across Christmas and its cuti bersama
]


@pytest.mark.parametrize("started, ended, days", WAITS)
def test_working_days_taken(started, ended, days):
    assert working_days.taken(started, ended, working_days.WORKING_DAYS, datetime.timezone.utc, CALENDAR) == days


def test_the_cuti_bersama_of_idul_fitri_2026_are_days_off():
    """From the `holidays` package's `government` category: without them 18, 20, 23 and 24 March would count."""
    off = CALENDAR.days_off(2026)
    assert [day for day in off if day.month == 3] == [D(2026, 3, 18), D(2026, 3, 19), D(2026, 3, 20),
                                                      D(2026, 3, 23), D(2026, 3, 24)]
    assert off[D(2026, 3, 20)] == off[D(2026, 3, 23)] == "Cuti Bersama Hari Raya Idul Fitri"
    assert CALENDAR.nth_working_day_after(D(2026, 3, 17), 1) == D(2026, 3, 25)
    assert CALENDAR.nth_working_day_after(D(2026, 11, 27), 1) == D(2026, 11, 30)


@pytest.mark.parametrize("started, ended, hours", [
    (T(2026, 11, 27, 15, 30), T(2026, 11, 30, 8, 0), 1.0),   # Friday 15.30 -> Monday 08.00
    (T(2026, 11, 30, 6, 0), T(2026, 11, 30, 8, 30), 1.0),    # before opening
    (T(2026, 11, 30, 15, 0), T(2026, 11, 30, 20, 0), 1.0),   # after closing
    (T(2026, 11, 28, 9, 0), T(2026, 11, 29, 17, 0), 0.0),    # a weekend
    (T(2026, 3, 17, 15, 0), T(2026, 3, 25, 7, 45), 1.25),    # across the Idul Fitri holidays
    (T(2026, 11, 30, 9, 0), T(2026, 12, 1, 9, 0), 8.5),
])
def test_working_hours_taken(started, ended, hours):
    assert working_days.taken(started, ended, working_days.WORKING_HOURS, datetime.timezone.utc,
                              CALENDAR) == hours


def test_days_are_the_portals(ckan_config, monkeypatch):
    """In WIB, Friday 16.00 local is 09.00 UTC, Monday 09.00 local is Monday 02.00 UTC."""
    wib = datetime.timezone(datetime.timedelta(hours=7))
    assert working_days.taken(T(2026, 11, 27, 9), T(2026, 11, 30, 2), working_days.WORKING_DAYS, wib, CALENDAR) == 1
    # 23.00 UTC on Sunday is Monday 06.00 in WIB: a working day has begun there, not in UTC.
    assert working_days.taken(T(2026, 11, 26, 9), T(2026, 11, 29, 23), working_days.WORKING_DAYS, wib,
                              CALENDAR) == 2
    assert working_days.taken(T(2026, 11, 26, 9), T(2026, 11, 29, 23), working_days.WORKING_DAYS,
                              datetime.timezone.utc, CALENDAR) == 1


def test_the_walidata_adds_and_removes_days(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.extra_holidays", ["2026-07-02"])
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.working_days_override", ["2026-03-23"])
    calendar = working_days.current()
    assert not calendar.is_working_day(D(2026, 7, 2)) and calendar.is_working_day(D(2026, 3, 23))
    assert calendar.working_days_after(D(2026, 7, 1), D(2026, 7, 3)) == 1
    assert calendar.nth_working_day_after(D(2026, 3, 17), 1) == D(2026, 3, 23)
    assert calendar.days_off(2026)[D(2026, 7, 2)] == "" and D(2026, 3, 23) not in calendar.days_off(2026)


def test_the_working_hours_are_an_option(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.working_hours", "08:00-15:00")
    calendar = working_days.current()
    assert calendar.working_seconds(T(2026, 11, 27, 14, 30), T(2026, 11, 30, 8, 30)) == 3600


@pytest.mark.parametrize("key, value", [
    ("ckanext.satudata_blitar.extra_holidays", ["2026-02-30"]),
    ("ckanext.satudata_blitar.working_days_override", ["17-08-2026"]),
    ("ckanext.satudata_blitar.working_hours", "16:00-07:30"),
    ("ckanext.satudata_blitar.working_hours", "pagi"),
])
def test_bad_calendar_options_are_refused_with_their_name(ckan_config, monkeypatch, key, value):
    monkeypatch.setitem(ckan_config, key, value)
    with pytest.raises(CkanConfigurationException, match=key):
        working_days.current()


# --- the calendar table: the SQL counts as the Python does -------------------------------------------------------

def _sql_taken(pairs, zone="UTC"):
    """Working days and working hours of each (start, end) pair, counted by PostgreSQL with the calendar table."""
    rows = sa.values(sa.column("started", sa.DateTime), sa.column("ended", sa.DateTime), name="pairs").data(pairs)
    tz = zoneinfo.ZoneInfo(zone)
    start, end = working_days.C.alias("s"), working_days.C.alias("e")
    clock = lambda day, column: working_days.sql_working_clock(day, column, tz)  # noqa: E731
    query = (sa.select(end.c.day_index - start.c.day_index,
                       (clock(end, rows.c.ended) - clock(start, rows.c.started)) / 3600.0)
             .select_from(rows.join(start, start.c.day == working_days.sql_day(rows.c.started, tz))
                          .join(end, end.c.day == working_days.sql_day(rows.c.ended, tz))))
    return [(days, float(hours)) for days, hours in model.Session.execute(query)]


@pytest.fixture(scope="module")
def calendar_db(reset_db, migrate_db_for):
    from ckanext.satudata_blitar.tests import world as world_module
    with world_module.building(reset_db, migrate_db_for):
        yield


def test_the_table_counts_as_the_python_calendar(calendar_db):
    working_days.ensure(T(2026, 1, 1))
    pairs = [(started, ended) for started, ended, _days in WAITS]
    expected = [(CALENDAR.working_days_after(s.date(), e.date()), CALENDAR.working_seconds(s, e) / 3600)
                for s, e in pairs]
    assert _sql_taken(pairs) == expected
    assert [days for days, _hours in expected] == [days for _s, _e, days in WAITS]


def test_the_table_follows_the_walidata_s_days_and_covers_the_years_asked(calendar_db, ckan_config, monkeypatch):
    pair = [(T(2026, 7, 1, 20, 30), T(2026, 7, 3, 8, 30))]
    working_days.ensure(T(2026, 1, 1))
    assert _sql_taken(pair) == [(2, 8.5 + 1)]
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.extra_holidays", ["2026-07-02"])
    working_days.ensure(T(2026, 1, 1))
    assert _sql_taken(pair) == [(1, 1.0)]
    old = [(T(2015, 1, 2, 10), T(2015, 1, 5, 10))]  # Friday -> Monday, before the table's usual range
    assert _sql_taken(old) == []
    working_days.ensure(T(2015, 6, 1))
    assert _sql_taken(old) == [(1, 8.5)]
    state = model.Session.execute(sa.select(working_days.CS)).one()
    assert state.first_day == D(2015, 1, 1) and state.last_day.year >= datetime.date.today().year + 1


# --- the queue (Python) and the pipeline (SQL) judge alike --------------------------------------------------------

@pytest.fixture(scope="module")
def submitted(world):
    """The world's Diajukan dataset, put in that state at a chosen time by each test."""
    dataset = world.datasets[transitions.DIAJUKAN]

    def since(when: datetime.datetime) -> dict:
        status = model.Session.get(DatasetStatus, dataset["id"])
        status.changed_at = when
        model.Session.commit()
        return dataset
    return since


def _judged(world, now):
    """(queue item, pipeline overdue item or None) for the Diajukan dataset, at `now`."""
    with freezegun.freeze_time(now, ignore=["jwt"]):
        queue = helpers.call_action("satudata_verification_queue", context={"user": world.name("verifikator_opd")})
        page = helpers.call_action("satudata_verification_queue_page", context={"user": world.name("verifikator_opd")},
                                   limit=1000)
        pipeline = helpers.call_action("satudata_pipeline", context={"user": world.name("walidata")})
    # A page of the queue (its overdue count in SQL with the calendar table) judges as the whole list in Python.
    assert page["results"] == queue and page["overdue"] == sum(item["overdue"] for item in queue)
    name = world.datasets[transitions.DIAJUKAN]["name"]
    item = next(i for i in queue if i["name"] == name)
    overdue = next((i for i in pipeline["overdue"] if i["name"] == name), None)
    opd = next(o for o in pipeline["opds"] if o["name"] == "dinas-kesehatan")
    assert opd["overdue"] == (1 if overdue else 0)
    return item, overdue


@pytest.mark.parametrize("since, now, overdue, late, due", [
    (T(2026, 11, 27, 16), T(2026, 11, 30, 9), False, 0, "2026-11-30"),   # Friday 16.00 -> Monday 09.00
    (T(2026, 11, 27, 16), T(2026, 11, 30, 23, 59), False, 0, "2026-11-30"),
    (T(2026, 11, 27, 16), T(2026, 12, 1, 10), True, 1, "2026-11-30"),    # Tuesday 10.00: 1 working day late
    (T(2026, 11, 27, 16), T(2026, 12, 2, 10), True, 2, "2026-11-30"),
    (T(2026, 3, 17, 10), T(2026, 3, 25, 15), False, 0, "2026-03-25"),    # across the Idul Fitri cuti bersama
    (T(2026, 3, 17, 10), T(2026, 3, 26, 9), True, 1, "2026-03-25"),
])
def test_the_queue_and_the_pipeline_count_working_days(world, submitted, since, now, overdue, late, due):
    submitted(since)
    item, listed = _judged(world, now)
    assert (item["overdue"], item["late_working_days"], item["due"], item["standard_days"]) == (
        overdue, late, due, 1)
    assert (listed is not None) == overdue
    if listed:
        assert (listed["late_working_days"], listed["standard_days"]) == (late, 1)


@pytest.mark.parametrize("since, now, days", WAITS + [
    (T(2018, 12, 28, 10), T(2019, 1, 3, 10), None),  # before the years the calendar table always covers
])
def test_the_queue_s_overdue_count_in_sql_is_the_python_queue_s(world, submitted, since, now, days):
    model.Session.execute(sa.delete(working_days.CS))  # the table as a new portal fills it: 2019 to next year
    model.Session.commit()
    submitted(since)
    context = {"user": world.name("verifikator_opd")}
    with freezegun.freeze_time(now, ignore=["jwt"]):
        queue = helpers.call_action("satudata_verification_queue", context=dict(context))
        page = helpers.call_action("satudata_verification_queue_page", context=dict(context), checks=False)
    [item] = [item for item in queue if item["name"] == world.datasets[transitions.DIAJUKAN]["name"]]
    assert days is None or item["waited_working_days"] == days
    assert page["overdue"] == sum(item["overdue"] for item in queue) and page["count"] == len(queue)
    assert item["overdue"] == (item["waited_working_days"] > 1)


def test_a_holiday_the_walidata_added_counts_in_the_queue_and_the_pipeline(world, submitted, ckan_config,
                                                                           monkeypatch):
    submitted(T(2026, 7, 1, 10))  # Wednesday; Friday 09.00 is 2 working days later
    assert [_judged(world, T(2026, 7, 3, 9))[0]["overdue"], _judged(world, T(2026, 7, 3, 9))[1] is not None] == [
        True, True]
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.extra_holidays", ["2026-07-02"])
    item, listed = _judged(world, T(2026, 7, 3, 9))
    assert (item["overdue"], item["due"], listed) == (False, "2026-07-03", None)


def _soup(response):
    return BeautifulSoup(response.body, "html.parser")


@pytest.mark.parametrize("path, standard, late", [
    ("/verifikasi", "1 hari kerja", "terlambat 2 hari kerja"),
    ("/en/verifikasi", "1 working day", "2 working days late"),
    ("/dasbor", "1 hari kerja", "terlambat 2 hari kerja"),
    ("/en/dasbor", "1 working day", "2 working days late"),
])
def test_the_pages_say_working_days(app, world, submitted, path, standard, late):
    submitted(T(2026, 11, 27, 16))
    with freezegun.freeze_time(T(2026, 12, 2, 10), ignore=["jwt"]):
        soup = _soup(app.get(path, headers=world.token("verifikator_opd")))
    row = next(row for row in soup.select("table.satudata-queue tbody tr")
               if row.a["href"].endswith(world.datasets[transitions.DIAJUKAN]["name"]))
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert cells[-1] == standard
    assert row.select_one(".satudata-late").get_text(strip=True) == late


def test_the_walidata_s_overdue_list_says_how_late(app, world, submitted):
    submitted(T(2026, 11, 27, 16))
    with freezegun.freeze_time(T(2026, 12, 1, 10), ignore=["jwt"]):
        soup = _soup(app.get("/dasbor", headers=world.token("walidata")))
    assert [item.get_text(strip=True) for item in soup.select(".satudata-overdue-list .satudata-late")] == [
        "terlambat 1 hari kerja"]
