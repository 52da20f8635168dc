"""Cells of an .xlsx that calamine reads as empty: formulas Excel never calculated (files written by scripts) and
cells holding a spreadsheet error (#DIV/0!, #N/A …), read from the sheet's XML a megabyte at a time.

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import html
import re
import zipfile
from typing import Callable, Optional

from ckanext.satudata_blitar.tables.parse_result import MAX_ISSUES_PER_KIND


_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def _matching_cells(path: str, sheet: Optional[str], searches: list[tuple[bytes, "re.Pattern[bytes]"]],
                    skip: Callable[[int], bool], limit: int) -> list[list["re.Match[bytes]"]]:
    """The cells of `sheet` matching each (marker, pattern) of `searches` (at most `limit` each, rows for which
    `skip` is true left out), read from the sheet's XML once, a megabyte at a time, split at cell ends; blocks
    without a pattern's marker are not searched for it."""
    found: list[list[re.Match[bytes]]] = [[] for _ in searches]
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return found
        tail = b""
        with archive.open(part) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                data = tail + block
                cut = data.rfind(b"</c>")
                if cut < 0:
                    tail = data[-(1 << 16):]
                    continue
                chunk, tail = data[:cut + 4], data[cut + 4:]
                for (marker, pattern), hits in zip(searches, found):
                    if len(hits) >= limit or marker not in chunk:
                        continue
                    for m in pattern.finditer(chunk):
                        if skip(int(m.group(2))):
                            continue
                        hits.append(m)
                        if len(hits) >= limit:
                            break
                if all(len(hits) >= limit for hits in found):
                    break
    return found


def formulas_without_values(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                            limit: int = MAX_ISSUES_PER_KIND) -> list[tuple[str, int]]:
    """(column letter, row) of formula cells that Excel never calculated (files written by scripts), for `sheet`."""
    return formulas_and_errors(path, sheet, skip, limit)[0]


# A cell holding a spreadsheet error (#DIV/0!, #N/A, #REF! …): t="e", with or without its formula.
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*\bt="e"[^>]*>\s*(?:<f\b(?:[^>]*/>|[^>]*>[^<]*</f>))?\s*<v>([^<]*)</v>')


def error_cells(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                limit: int = MAX_ISSUES_PER_KIND) -> list[tuple[str, int, str]]:
    """(column letter, row, error) of the cells of `sheet` holding a spreadsheet error: calamine reads them as
    empty, so the report says so."""
    return formulas_and_errors(path, sheet, skip, limit)[1]


def formulas_and_errors(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                        limit: int = MAX_ISSUES_PER_KIND) -> tuple[list[tuple[str, int]], list[tuple[str, int, str]]]:
    """formulas_without_values() and error_cells() from one read of the sheet's XML."""
    formulas, errors = _matching_cells(path, sheet, [(b"<f", _FORMULA_NO_VALUE), (b't="e"', _ERROR_CELL)], skip,
                                       limit)
    return ([(m.group(1).decode(), int(m.group(2))) for m in formulas],
            [(m.group(1).decode(), int(m.group(2)), m.group(3).decode("utf-8", "replace")) for m in errors])


def _sheet_part(archive: zipfile.ZipFile, sheet: Optional[str]) -> Optional[str]:
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"',
                                                           rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if html.unescape(attrs.get("name", "")) == sheet and rid in targets:
            target = targets[rid].lstrip("/")
            return target if target.startswith("xl/") else "xl/" + target
    return None
