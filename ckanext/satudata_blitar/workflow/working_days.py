"""The working-day calendar the SOP's standard times are counted in (docs/working-days.md).

A *working day* is a Monday to Friday that is not one of Indonesia's national holidays or cuti bersama (the
`holidays` package, country `ID`, categories `public` and `government`; the latter holds the cuti bersama) nor a
day the Walidata adds (`ckanext.satudata_blitar.extra_holidays`); a day listed in
`ckanext.satudata_blitar.working_days_override` is a working day whatever the rest says. Days are dates in the
portal's time zone (`ckan.display_timezone`); the workflow stores naive UTC.

**Standard times in working days** (SOP steps 4–6: 1; step 1: 5). A step that started at time t with a standard
of N working days is due by the end of the N-th working day after the day of t. The working days it *took* are
the working days after the day it started, up to and including the day it ended (or today, while it waits). It is
on time while they are at most N and late by the difference otherwise, so the days off right after the due day
cost nothing: a step due on Friday and done on Saturday is on time; it is late from the start of Monday.

    started Friday 16.00, done Monday 09.00                     1 working day    on time
    started Friday, done Tuesday 10.00                          2 working days   late by 1 working day
    started Tuesday 17 March 2026, done Wednesday 25 March 2026 1 working day    on time (Nyepi, Idul Fitri and
                                                                                 their cuti bersama in between)

**Standard times in working hours** (the upload, SOP step 3: 1 hour). Only the time within the working hours
(`ckanext.satudata_blitar.working_hours`, default 07.30–16.00) of working days counts: a dataset created on Friday
at 15.30 is due to be submitted on Monday at 08.00.

The same calendar is used twice: in Python (the verification queue) and as the table `satudata_calendar` (the
pipeline, the reports and the daftar elemen data, in set-based SQL). `ensure` fills the table from the Python
calendar for the years asked for (at least 2019 to next year) and refills it when the configuration or the
`holidays` package changes.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import zoneinfo
from typing import Any

import holidays
import sqlalchemy as sa

import ckan.model as model

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.model import CalendarDay, CalendarState

WORKING_DAYS, WORKING_HOURS = "working_days", "working_hours"

# Standard times not kept in the workflow's table (transitions.STANDARD_DAYS holds steps 4–6).
UPLOAD_STANDARD_HOURS = 1  # SOP step 3, in working hours
ELEMENT_LIST_STANDARD_DAYS = 5  # SOP step 1, in working days (not measured: the portal does not see it start)

# The table always covers these years and next year; a report for an earlier year extends it.
FIRST_YEAR = 2019

C = CalendarDay.__table__
CS = CalendarState.__table__


@functools.lru_cache(maxsize=64)
def national_days_off(year: int) -> dict[datetime.date, str]:
    """Indonesia's national holidays and cuti bersama of a year, with their names (in Indonesian)."""
    return dict(holidays.country_holidays("ID", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT),
                                          language="id"))


@dataclasses.dataclass(frozen=True)
class Calendar:
    extra_holidays: frozenset[datetime.date] = frozenset()
    working_days_override: frozenset[datetime.date] = frozenset()
    opens: datetime.time = datetime.time(7, 30)
    closes: datetime.time = datetime.time(16, 0)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.working_days_override:
            return True
        return day.weekday() < 5 and day not in self.extra_holidays and day not in national_days_off(day.year)

    def days_off(self, year: int) -> dict[datetime.date, str]:
        """The year's days off on weekdays and the Walidata's changes: date -> name ("" for a day the Walidata
        added), the overridden days left out."""
        days = {day: name for day, name in national_days_off(year).items() if day.weekday() < 5}
        days.update({day: days.get(day, "") for day in self.extra_holidays if day.year == year})
        return {day: days[day] for day in sorted(days) if day not in self.working_days_override}

    def working_days_after(self, start: datetime.date, end: datetime.date) -> int:
        """The working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
        count, day = 0, start + datetime.timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += datetime.timedelta(days=1)
        return count

    def nth_working_day_after(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `start` (the day a step of n working days that started on `start` is due)."""
        day = start
        while n > 0:
            day += datetime.timedelta(days=1)
            n -= self.is_working_day(day)
        return day

    def _seconds(self, time: datetime.time) -> int:
        return time.hour * 3600 + time.minute * 60 + time.second

    def working_seconds(self, start: datetime.datetime, end: datetime.datetime) -> float:
        """Seconds within working hours of working days between two local (naive) times."""
        opens, closes = self._seconds(self.opens), self._seconds(self.closes)

        def clock(moment: datetime.datetime) -> float:  # working seconds of the moment's day up to it
            if not self.is_working_day(moment.date()):
                return 0
            seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
            return min(max(seconds, opens), closes) - opens

        if end <= start:
            return 0.0
        total = -clock(start)
        day = start.date()
        while day < end.date():
            total += (closes - opens) if self.is_working_day(day) else 0
            day += datetime.timedelta(days=1)
        return float(total + clock(end))

    def signature(self) -> str:
        """What the table was filled from: the package's version and the configuration."""
        text = json.dumps([holidays.__version__, sorted(map(str, self.extra_holidays)),
                           sorted(map(str, self.working_days_override)), str(self.opens), str(self.closes)])
        return hashlib.sha256(text.encode()).hexdigest()


def current() -> Calendar:
    """The portal's calendar, from its configuration."""
    opens, closes = config.working_hours()
    return Calendar(config.extra_holidays(), config.working_days_override(), opens, closes)


def local(utc: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """A naive UTC time (as the workflow stores them) in the portal's zone, naive."""
    return utc.replace(tzinfo=datetime.timezone.utc).astimezone(tz).replace(tzinfo=None)


def taken(started: datetime.datetime, until: datetime.datetime, unit: str, tz: zoneinfo.ZoneInfo,
          calendar: Calendar | None = None) -> float:
    """The time a step took from `started` to `until` (naive UTC) in its unit: working days (an int) or working
    hours."""
    calendar = calendar or current()
    start, end = local(started, tz), local(until, tz)
    if unit == WORKING_DAYS:
        return calendar.working_days_after(start.date(), end.date())
    return round(calendar.working_seconds(start, end) / 3600, 4)


# --- the table the SQL reads ------------------------------------------------------------------------------------

def _rows(calendar: Calendar, first_year: int, last_year: int) -> list[dict[str, Any]]:
    opens, closes = calendar._seconds(calendar.opens), calendar._seconds(calendar.closes)
    rows, index, seconds = [], 0, 0
    day, end = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
    while day <= end:
        working = calendar.is_working_day(day)
        index += working
        rows.append({"day": day, "working": working, "day_index": index, "seconds_before": seconds,
                     "opens": opens, "closes": closes})
        seconds += (closes - opens) if working else 0
        day += datetime.timedelta(days=1)
    return rows


def _covers(state: Any, signature: str, first_year: int, last_year: int) -> bool:
    return (state is not None and state.signature == signature and state.first_day.year <= first_year
            and state.last_day.year >= last_year)


# A transaction-level advisory lock (not a table lock, which would wait for a caller's own transaction that holds
# e.g. ANALYZE's lock on the table): one filler at a time.
_FILL_LOCK = 0x5A7D_CA1E


def _fill(connection: Any, calendar: Calendar, signature: str, first: int, last: int) -> None:
    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_FILL_LOCK)))
    state = connection.execute(sa.select(CS).where(CS.c.id == 1)).first()
    if _covers(state, signature, first, last):
        return  # another process filled it meanwhile
    if state is not None and state.signature == signature:
        first, last = min(first, state.first_day.year), max(last, state.last_day.year)
    connection.execute(C.delete())
    connection.execute(C.insert(), _rows(calendar, first, last))
    connection.execute(CS.delete())
    connection.execute(CS.insert().values(id=1, signature=signature, first_day=datetime.date(first, 1, 1),
                                          last_day=datetime.date(last, 12, 31), filled_at=datetime.datetime.utcnow()))


def ensure(*moments: datetime.date | datetime.datetime | None) -> None:
    """Makes the table hold the current calendar for the years of `moments` (and 2019 to next year).

    One small query when it does; otherwise the table is filled anew (a few thousand rows) in a transaction of its
    own, committed at once, so that a read-only request fills it for every process. Should that transaction wait
    for the caller's own (which holds a conflicting lock), it gives up after a few seconds and the table is filled
    in the caller's transaction instead (committed or rolled back with it)."""
    calendar = current()
    signature = calendar.signature()
    years = {m.year for m in moments if m is not None} | {datetime.datetime.utcnow().year}
    first, last = min(FIRST_YEAR, *years), max(years) + 1
    state = model.Session.execute(sa.select(CS).where(CS.c.id == 1)).first()
    if _covers(state, signature, first, last):
        return
    try:
        with model.meta.engine.begin() as connection:
            connection.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            _fill(connection, calendar, signature, first, last)
    except sa.exc.OperationalError:
        _fill(model.Session, calendar, signature, first, last)


# SQL expressions over naive UTC columns (the workflow's times), in the portal's zone.

# The years over which a zone's offset is checked for sql_local's shortcut (inclusive, exclusive).
STEADY_FROM, STEADY_UNTIL = datetime.datetime(1970, 1, 1), datetime.datetime(2100, 1, 1)


@functools.lru_cache(maxsize=16)
def steady_offset(key: str) -> datetime.timedelta | None:
    """The zone's UTC offset when it is the same from STEADY_FROM to STEADY_UNTIL (Asia/Jakarta: +7 since 1964),
    else None (daylight saving, a change of zone). Checked at every day's start (UTC): an offset held for less
    than a day would be missed, and tzdata has none in these years. Once per zone and process (47,000 look-ups,
    a few tens of milliseconds)."""
    zone, utc = zoneinfo.ZoneInfo(key), datetime.timezone.utc
    moment, end = STEADY_FROM.replace(tzinfo=utc), STEADY_UNTIL.replace(tzinfo=utc)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        if moment.astimezone(zone).utcoffset() != offset:
            return None
        moment += datetime.timedelta(days=1)
    return offset


def sql_local(column: Any, tz: zoneinfo.ZoneInfo) -> Any:
    """The column's time in the portal's zone, naive. PostgreSQL's timezone() looks the zone up and converts on
    every call: for a zone with one offset over STEADY_FROM..STEADY_UNTIL the times within those years are only
    shifted by it (the same value; PostgreSQL's own conversion outside them). At a province's 700,000 steps of a
    year the reports' steps are written in a quarter less time, the movements' months counted in 0.6 s less
    (docs/benchmarks.md)."""
    exact = sa.func.timezone(tz.key, sa.func.timezone("UTC", column))
    offset = steady_offset(tz.key)
    if offset is None:
        return exact
    within = sa.and_(column >= sa.literal(STEADY_FROM, sa.DateTime), column < sa.literal(STEADY_UNTIL, sa.DateTime))
    return sa.case((within, column + sa.literal(offset, sa.Interval)), else_=exact)


def sql_day(column: Any, tz: zoneinfo.ZoneInfo) -> Any:
    """The column's date in the portal's zone (join it to `C.c.day`)."""
    return sa.cast(sql_local(column, tz), sa.Date)


def sql_working_clock(day: Any, column: Any, tz: zoneinfo.ZoneInfo) -> Any:
    """Working seconds from the table's first day up to the moment `column`, where `day` is the calendar row (an
    alias of C) of its date: the difference of two clocks is the working time between them."""
    seconds = sa.extract("epoch", sa.cast(sql_local(column, tz), sa.Time))
    within = sa.func.least(sa.func.greatest(seconds, day.c.opens), day.c.closes) - day.c.opens
    return day.c.seconds_before + sa.case((day.c.working, within), else_=0)


def sql_day_index(day: datetime.date) -> Any:
    """The table's working-day index of a date, as a scalar subquery (one lookup per statement)."""
    return sa.select(C.c.day_index).where(C.c.day == day).scalar_subquery()
