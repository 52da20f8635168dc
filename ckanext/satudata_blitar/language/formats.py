"""One way to write dates, times, numbers, percentages and periods in each language, for pages, report files and
e-mails alike. Indonesian: `1 Desember 2026, 13.20 WIB`, `1.234,5`, `85,8%`, `2026-T3`, `4,8 KB`; English: `1 December
2026, 13:20 WIB`, `1,234.5`, `85.8%`, `2026-Q3`, `4.8 KB`. Times are shown in ckan.display_timezone (Asia/Jakarta for the portal).

The template helpers are the satudata_* functions below; `render_datetime` replaces CKAN's helper of that name
(activity stream, dataset history, our workflow pages), which writes "Desember 1, 2026, 13:19 (UTC)".
`xlsx_number_format` gives the same formats as number formats of .xlsx cells, whose values stay numbers and dates."""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, Callable

from babel import Locale, dates, numbers

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language

# The template helpers (helpers/language.py registers these); zone_name and xlsx_number_format are for the file writers.
__all__ = ["render_datetime", "satudata_datetime", "satudata_date", "satudata_number", "satudata_percent",
           "satudata_period", "satudata_month", "satudata_month_short", "satudata_file_size"]

NONE = "—"
# How Indonesians name their time zones; babel only knows "Waktu Indonesia (Jakarta)".
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                      "Asia/Jayapura": "WIT"}
DATE_PATTERN = "d MMMM y"
TIME_PATTERN = {"id": "HH.mm", "en": "HH:mm"}
SECONDS_PATTERN = {"id": "HH.mm.ss", "en": "HH:mm:ss"}
# Quarters: triwulan (T) in Indonesian, Q in English; the period parsers accept both.
_QUARTER = re.compile(r"^(\d{4})-[QqTt]([1-4])$")


def _lang(lang: str | None) -> str:
    return lang or language.current()


def _timezone():
    return dates.get_timezone(tk.config.get("ckan.display_timezone") or "UTC")


def _moment(value: Any, local: bool = False) -> dt.datetime | dt.date | None:
    """A datetime (naive ones are UTC, as CKAN stores them, or already in the display time zone when `local`), a
    date, or an ISO string of either."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value or " " in value.strip() \
            else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        zone = _timezone() if local else dt.timezone.utc
        value = zone.localize(value) if hasattr(zone, "localize") else value.replace(tzinfo=zone)
    return value


def satudata_date(value: Any, lang: str | None = None) -> str:
    """`1 Desember 2026` (the day in the display time zone for a datetime)."""
    moment = _moment(value)
    if moment is None:
        return NONE
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(_timezone()).date()
    return dates.format_date(moment, DATE_PATTERN, locale=_lang(lang))


def _month(value: Any, pattern: str, lang: str | None) -> str:
    """A month ("2026-07" or a date) written with a babel date pattern."""
    if isinstance(value, str) and len(value) == 7:
        value = f"{value}-01"
    moment = _moment(value)
    if moment is None:
        return NONE
    return dates.format_date(moment, pattern, locale=_lang(lang))


def satudata_month_short(value: Any, lang: str | None = None) -> str:
    """`Jul`: the month's abbreviated name (a chart's axis; "2026-07" or a date)."""
    return _month(value, "MMM", lang)


def satudata_month(value: Any, lang: str | None = None) -> str:
    """`Juli 2026`: the month of a date (or of "2026-07")."""
    return _month(value, "MMMM y", lang)


def satudata_datetime(value: Any, lang: str | None = None, with_seconds: bool = False, local: bool = False) -> str:
    """`1 Desember 2026, 13.20 WIB`. `local`: a naive value is already in the display time zone (the reports')."""
    moment = _moment(value, local)
    if moment is None:
        return NONE
    if not isinstance(moment, dt.datetime):
        return satudata_date(moment, lang)
    lang, zone = _lang(lang), _timezone()
    time = (SECONDS_PATTERN if with_seconds else TIME_PATTERN)[lang if lang in TIME_PATTERN else "id"]
    text = dates.format_datetime(moment, f"{DATE_PATTERN}, {time}", tzinfo=zone, locale=lang)
    return f"{text} {zone_name(moment, lang)}"


def zone_name(moment: dt.datetime | None = None, lang: str | None = None) -> str:
    """The display time zone as people name it: WIB, WITA, WIT, UTC, else its GMT offset (at `moment`)."""
    zone = _timezone()
    if str(zone) in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[str(zone)]
    if str(zone) in ("UTC", "Etc/UTC"):
        return "UTC"
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return dates.get_timezone_gmt(moment.astimezone(zone), locale=_lang(lang))


def satudata_number(value: Any, decimals: int | None = None, lang: str | None = None) -> str:
    """`1.234,5`: whole numbers without decimals, others with up to one (or exactly `decimals`)."""
    if value is None or value == "":
        return NONE
    if type(value) is int and not decimals:  # a count: Python groups its digits as babel would (a report has 50,000)
        return f"{value:,}".replace(",", _group_symbol(_lang(lang)))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "" if decimals == 0 else ".#")
    # numbers.format_decimal(value, format=pattern, locale=…), without parsing the locale and the pattern again for
    # each of the thousands of figures a queue or a report shows.
    return _number_pattern(pattern).apply(value, _locale(_lang(lang)))


@functools.lru_cache(maxsize=None)
def _number_pattern(pattern: str) -> numbers.NumberPattern:
    return numbers.parse_pattern(pattern)


@functools.lru_cache(maxsize=None)
def _group_symbol(lang: str) -> str:
    return numbers.get_group_symbol(_locale(lang))


@functools.lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


# File sizes as people read them on their computers: KB, MB, GB of 1024 (CKAN's helper writes "4,8 KiB").
_SIZE_UNITS = (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024))


def satudata_file_size(size: Any, lang: str | None = None) -> str:
    """`4,8 KB`, `1,2 MB`; below 1 KB in bytes (`215 bita` / `215 bytes`)."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return NONE
    for unit, factor in _SIZE_UNITS:
        if size >= factor:
            return f"{satudata_number(size / factor, lang=lang)} {unit}"
    return f"{satudata_number(size, lang=lang)} {'bita' if _lang(lang) == 'id' else 'bytes'}"


def satudata_percent(share: Any, decimals: int = 1, lang: str | None = None) -> str:
    """`85,8%` for the share 0.858."""
    if share is None or share == "":
        return NONE
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return numbers.format_percent(share, format=pattern, locale=_lang(lang))


def satudata_period(value: Any, lang: str | None = None) -> str:
    """A period as people write it: 2026-T3 (triwulan) in Indonesian, 2026-Q3 in English; others unchanged."""
    if not value:
        return ""
    match = _QUARTER.match(str(value).strip())
    if not match:
        return str(value)
    return f"{match[1]}-{'Q' if _lang(lang) == 'en' else 'T'}{match[2]}"


@tk.chained_helper
def render_datetime(next_helper: Callable[..., str], datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN's h.render_datetime in our format; an explicit strftime `date_format` keeps CKAN's behaviour."""
    if date_format or not datetime_:
        return next_helper(datetime_, date_format=date_format, with_hours=with_hours, with_seconds=with_seconds)
    try:
        moment = _moment(datetime_)
    except (TypeError, ValueError):
        return next_helper(datetime_, date_format=date_format, with_hours=with_hours, with_seconds=with_seconds)
    if with_hours or with_seconds:
        return satudata_datetime(moment, with_seconds=with_seconds)
    return satudata_date(moment)


# --- .xlsx number formats ----------------------------------------------------------------------------------------
# A cell keeps its number or date (people compute with them); its number format makes the spreadsheet show it as
# our pages write it. In a format code `,` and `.` stand for separators, and the language tag in front
# ([$-421] Indonesian, [$-409] English) says whose: LibreOffice then shows the Indonesian file's 1234.5 as 1.234,5
# and 0.858 as 85,8% whatever the computer's region (checked with LibreOffice 7.4 under en_US and id_ID); Excel
# takes the separators from the computer's region (1.234,5 where it is Indonesia) and the tag for the month names
# (1 Desember 2026). The time's separator and the zone are quoted text: an unquoted `:` or `.` would be replaced
# by the reader's separator too.
XLSX_LANGUAGE_TAGS = {"id": "[$-421]", "en": "[$-409]"}
XLSX_TIME_SEPARATORS = {"id": ".", "en": ":"}


def xlsx_number_format(kind: str, lang: str | None = None) -> str:
    """The number format of an .xlsx cell of `kind` in `lang`: integer 1.234, decimal 1.234,5 (one decimal, as the
    pages round), percent 85,8% (of the share 0.858), year 2026, date 1 Desember 2026, datetime 1 Desember 2026,
    13.20 WIB (the value in the display time zone), timestamp the same without a zone (a DataStore column's),
    month Juli 2026."""
    lang = _lang(lang)
    tag = XLSX_LANGUAGE_TAGS.get(lang, XLSX_LANGUAGE_TAGS["id"])
    separator = XLSX_TIME_SEPARATORS.get(lang, ".")
    return {
        "integer": f"{tag}#,##0",
        "decimal": f"{tag}#,##0.0",
        "percent": f"{tag}0.0%",
        "year": "0",
        "date": f"{tag}d mmmm yyyy",
        "datetime": f'{tag}d mmmm yyyy", "hh"{separator}"mm" {zone_name(lang=lang)}"',
        "timestamp": f'{tag}d mmmm yyyy", "hh"{separator}"mm',
        "month": f"{tag}mmmm yyyy",
    }[kind]
