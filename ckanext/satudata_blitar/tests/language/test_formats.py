"""One format per language for dates, times, numbers, percentages and periods (language/formats.py)."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.language import formats

MOMENT = dt.datetime(2026, 12, 1, 6, 20)  # UTC, as CKAN stores it: 13.20 in Kota Blitar


@pytest.fixture
def wib(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")


@pytest.mark.parametrize("lang, expected", [("id", "1 Desember 2026, 13.20 WIB"), ("en", "1 December 2026, 13:20 WIB")])
def test_date_and_time(wib, lang, expected):
    assert formats.satudata_datetime(MOMENT, lang) == expected
    assert formats.satudata_datetime(MOMENT.isoformat(), lang) == expected


def test_naive_local_times_of_the_reports(wib):
    assert formats.satudata_datetime("2026-12-01T13:20:00", "id", local=True) == "1 Desember 2026, 13.20 WIB"


def test_date_is_the_day_in_the_display_time_zone(wib):
    assert formats.satudata_date(dt.datetime(2026, 11, 30, 20, 0), "id") == "1 Desember 2026"
    assert formats.satudata_date("2026-06-30", "id") == "30 Juni 2026"
    assert formats.satudata_date(None) == "—"


@pytest.mark.parametrize("helper, value, lang, expected", [
    ("satudata_month", "2026-07", "id", "Juli 2026"), ("satudata_month", dt.date(2026, 7, 17), "en", "July 2026"),
    ("satudata_month_short", "2026-08", "id", "Agu"), ("satudata_month_short", "2026-08", "en", "Aug"),
    ("satudata_month", None, "id", "—"), ("satudata_month_short", "", "en", "—")])
def test_months(helper, value, lang, expected):
    assert getattr(formats, helper)(value, lang) == expected


@pytest.mark.parametrize("value, lang, expected", [
    (1234.5, "id", "1.234,5"), (1234.5, "en", "1,234.5"), (24.0, "id", "24"), (0.1, "id", "0,1"),
    (1035, "id", "1.035"), (None, "id", "—")])
def test_numbers(value, lang, expected):
    assert formats.satudata_number(value, lang=lang) == expected


@pytest.mark.parametrize("size, lang, expected", [
    (4915, "id", "4,8 KB"), (4915, "en", "4.8 KB"), (215, "id", "215 bita"), (215, "en", "215 bytes"),
    (1024, "id", "1 KB"), (3 * 1024 ** 2 // 2, "id", "1,5 MB"), (None, "id", "—"), ("", "en", "—")])
def test_file_sizes(size, lang, expected):
    assert formats.satudata_file_size(size, lang=lang) == expected


@pytest.mark.parametrize("share, lang, expected", [
    (0.858, "id", "85,8%"), (0.858, "en", "85.8%"), (1, "id", "100,0%"), (None, "id", "—")])
def test_percentages(share, lang, expected):
    assert formats.satudata_percent(share, lang=lang) == expected


@pytest.mark.parametrize("value, lang, expected", [
    ("2026-Q3", "id", "2026-T3"), ("2026-T3", "en", "2026-Q3"), ("2026-07", "id", "2026-07"), ("2026", "en", "2026")])
def test_periods(value, lang, expected):
    assert formats.satudata_period(value, lang) == expected


def test_ckans_render_datetime_uses_our_format(wib):
    """Activity, history and our workflow pages call h.render_datetime; outside a request: the portal's language."""
    assert tk.h.render_datetime(MOMENT, with_hours=True) == "1 Desember 2026, 13.20 WIB"
    assert tk.h.render_datetime(MOMENT) == "1 Desember 2026"
    assert tk.h.render_datetime(MOMENT, date_format="%Y-%m-%d") == "2026-12-01"


def test_numbers_inside_upload_check_messages():
    """The upload check stores its messages' numbers raw; they are shown as the language writes them."""
    from ckanext.satudata_blitar.tables import upload_check

    issue = {"msgid": "{limit} rows at most, {size} MB, sheet {sheet}", "params": {"limit": 1000000, "size": 2.5,
                                                                                  "sheet": "Data"}}
    assert upload_check.message(issue) == "1.000.000 rows at most, 2,5 MB, sheet Data"
