"""One cell's value read as people write it: integers, numbers (Indonesian "1.234", "12.345,67", "5,5 %" or English
"1,234.5"), dates (Excel dates, "17 Agustus 2024", "17/08/2024", "2024-08-17") or text; "-" is empty.

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import datetime
import re
from typing import Any, Optional


INT4 = 2 ** 31 - 1
MIDNIGHT = datetime.time()
INT8 = 2 ** 63 - 1

EMPTY_MARKERS = {"", "-", "--", "\u2013", "\u2014"}
COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")

MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7, "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "october": 10, "november": 11,
    "nov": 11, "nopember": 11, "desember": 12, "des": 12, "dec": 12, "december": 12,
}
DATE_TEXT = re.compile(r"^(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4})$")
DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")

# Numbers written as text. "id": Indonesian (1.234,5), "en": English (1,234.5); "1.234" and "1,234" are ambiguous
# and read the Indonesian way unless the column shows English numbers elsewhere.
NUM_PLAIN = re.compile(r"^[+-]?(0|[1-9]\d*)$")
NUM_ID_DECIMAL = re.compile(r"^[+-]?(0|[1-9]\d*),\d+$")
NUM_EN_DECIMAL = re.compile(r"^[+-]?(0|[1-9]\d*)\.\d+$")
NUM_ID_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
NUM_EN_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
PERCENT = re.compile(r"\s*%$")


# Kinds of a single value, from pass 1.
EMPTY, INT, NUM, DATE, DATETIME, TEXT = range(6)


def as_int(number: float) -> Optional[int]:
    return int(number) if number.is_integer() and abs(number) <= INT8 else None


def parse_number(text: str, locale: str = "id") -> Optional[float | int]:
    """A number written as text, or None. `locale` decides the ambiguous "1.234" / "1,234"."""
    s = PERCENT.sub("", text.replace("\u00a0", " ").strip())
    if not s or (s[0] == "0" and len(s) > 1 and s[1].isdigit()) or (s[:2] in ("-0", "+0") and len(s) > 2
                                                                    and s[2].isdigit()):
        return None  # identifiers with leading zeros (kode wilayah, NIP) stay text
    if NUM_PLAIN.match(s):
        return int(s)
    if NUM_ID_GROUPED.match(s) and (locale == "id" or "," in s or s.count(".") > 1):
        s = s.replace(".", "").replace(",", ".")
    elif NUM_EN_GROUPED.match(s) and (locale == "en" or "." in s or s.count(",") > 1):
        s = s.replace(",", "")
    elif NUM_ID_DECIMAL.match(s):
        s = s.replace(",", ".")
    elif not NUM_EN_DECIMAL.match(s):
        return None
    value = float(s)
    whole = as_int(value) if "." not in s else None
    return whole if whole is not None else value


def number_locale(text: str) -> Optional[str]:
    """"id" or "en" when the text can only be a number written one way, else None."""
    s = PERCENT.sub("", text.strip())
    if NUM_ID_DECIMAL.match(s) or (NUM_ID_GROUPED.match(s) and ("," in s or s.count(".") > 1)):
        return "id"
    if (NUM_EN_DECIMAL.match(s) and not NUM_ID_GROUPED.match(s)) or \
            (NUM_EN_GROUPED.match(s) and ("." in s or s.count(",") > 1)):
        return "en"
    return None


def parse_date(text: str) -> Optional[datetime.date | datetime.datetime]:
    """"17 Agustus 2024", "17 Agt 2024", "17/08/2024", "17-08-2024", "2024-08-17[ 10:30]" or None."""
    s = text.strip()
    try:
        m = DATE_TEXT.match(s)
        if m:
            month = MONTHS.get(m.group(2).lower())
            return datetime.date(int(m.group(3)), month, int(m.group(1))) if month else None
        m = DATE_DMY.match(s)
        if m:
            return datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = DATE_ISO.match(s)
        if m:
            if m.group(4):
                return datetime.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                                         int(m.group(5)), int(m.group(6) or 0))
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def classify(value: Any) -> tuple[int, Any]:
    """The kind of one cell (EMPTY, INT, NUM, DATE, DATETIME, TEXT) and its value (the text for TEXT)."""
    t = type(value)
    if t is float:
        i = as_int(value)
        return (INT, i) if i is not None else (NUM, value)
    if t is str:
        s = value.strip()
        if s in EMPTY_MARKERS:
            return EMPTY, None
        c = s[0]
        if c.isdigit() or c in "+-.":
            n = parse_number(s)
            if n is not None:
                return (INT, n) if type(n) is int else (NUM, n)
            if c.isdigit():
                d = parse_date(s)
                if d is not None:
                    return (DATETIME, d) if type(d) is datetime.datetime else (DATE, d)
        elif c.isalpha() and s[-1].isdigit():
            d = parse_date(s)
            if d is not None:
                return DATE, d
        return TEXT, value
    if t is int:
        return INT, value
    if t is datetime.datetime:
        return (DATE, value.date()) if value.time() == datetime.time() else (DATETIME, value)
    if t is datetime.date:
        return DATE, value
    if value is None:
        return EMPTY, None
    return TEXT, str(value)   # booleans, times, durations


def filled_cells(row: list[Any]) -> int:
    return sum(1 for v in row if v is not None and v != "" and not (type(v) is str and not v.strip()))


def is_empty(value: Any) -> bool:
    return value is None or (type(value) is str and value.strip() in EMPTY_MARKERS)


EMPTY_FIRST = frozenset(m[0] for m in EMPTY_MARKERS if m) | {" "}
