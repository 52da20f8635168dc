"""Numbers, dates and times written the machine's or the English way, which Indonesian text must not hold: `0.1`,
`100.0%`, `2026-07-01 20:30`, `December 1, 2026`, `12/01/2026`, `13:20`, `(UTC)`. Used on pages (test_language)
and on the files people download (reports, e-mails)."""
from __future__ import annotations

import re

# A run of digits with dots or commas inside, and what follows it.
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)+)(?![\w])(\s*(?:WIB|WITA|WIT|UTC)\b)?")
# 1.234.567,5 or 1234,5: Indonesian (a leading group of 1-3 digits, not 0, before a thousands dot).
_INDONESIAN_NUMBER = re.compile(r"^(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_HH_MM = re.compile(r"^\d{1,2}\.\d{2}(?:\.\d{2})?$")
# Months whose English name differs from the Indonesian one (April, September, November are the same).
_ENGLISH_MONTHS = "January|February|March|May|June|July|August|October|December"
_ANY_MONTH = (_ENGLISH_MONTHS + "|Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November"
              "|Desember")
_PATTERNS = {
    "month before day": re.compile(rf"\b(?:{_ANY_MONTH})\s+\d{{1,2}},\s*\d{{4}}"),
    "ISO date": re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"),
    "English date": re.compile(rf"\b(?:{_ENGLISH_MONTHS})\b\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{_ENGLISH_MONTHS})\b"
                               rf"|\b(?:{_ENGLISH_MONTHS})\s+\d{{4}}\b"),
    "slashed date": re.compile(r"(?<![\w/])\d{1,2}/\d{1,2}/\d{2,4}(?![\w/])"),
    "time with a colon": re.compile(r"(?<![\w:])\d{1,2}:\d{2}(?::\d{2})?(?![\w:])"),
    "(UTC)": re.compile(r"\(UTC(?:[+-]\d{2}:?\d{2})?\)|\b[AP]M\b"),
}


def english_formats(text: str) -> list[str]:
    """The pieces of `text` written as English or a machine writes them; empty for Indonesian text."""
    found = []
    for match in _NUMBER.finditer(text):
        number, zone = match.group(1), match.group(2)
        if zone and _HH_MM.match(number):  # 13.20 WIB
            continue
        if "," in number and "." in number.rsplit(",", 1)[-1]:  # 1,234.5
            found.append(number)
        elif number.count(".") == 1 and not _INDONESIAN_NUMBER.match(number):  # 0.1; not 1.02.01, a code
            found.append(number)
    for pattern in _PATTERNS.values():
        found += pattern.findall(text)
    return found
