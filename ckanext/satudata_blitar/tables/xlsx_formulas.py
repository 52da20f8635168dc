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


def _matching_cells(path: str, sheet: Optional[str], marker: bytes, pattern: "re.Pattern[bytes]",
                    skip: Callable[[int], bool], limit: int) -> list["re.Match[bytes]"]:
    """The cells of `sheet` matching `pattern` (at most `limit`, rows for which `skip` is true left out), read from
    the sheet's XML a megabyte at a time, split at cell ends; blocks without `marker` are not searched."""
    found: list[re.Match[bytes]] = []
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
                if marker not in chunk:
                    continue
                for m in pattern.finditer(chunk):
                    if skip(int(m.group(2))):
                        continue
                    found.append(m)
                    if len(found) >= limit:
                        return found
    return found


def formulas_without_values(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                            limit: int = MAX_ISSUES_PER_KIND) -> list[tuple[str, int]]:
    """(column letter, row) of formula cells that Excel never calculated (files written by scripts), for `sheet`."""
    return [(m.group(1).decode(), int(m.group(2)))
            for m in _matching_cells(path, sheet, b"<f", _FORMULA_NO_VALUE, skip, limit)]


# A cell holding a spreadsheet error (#DIV/0!, #N/A, #REF! …): t="e", with or without its formula.
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*\bt="e"[^>]*>\s*(?:<f\b(?:[^>]*/>|[^>]*>[^<]*</f>))?\s*<v>([^<]*)</v>')


def error_cells(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                limit: int = MAX_ISSUES_PER_KIND) -> list[tuple[str, int, str]]:
    """(column letter, row, error) of the cells of `sheet` holding a spreadsheet error: calamine reads them as
    empty, so the report says so."""
    return [(m.group(1).decode(), int(m.group(2)), m.group(3).decode("utf-8", "replace"))
            for m in _matching_cells(path, sheet, b't="e"', _ERROR_CELL, skip, limit)]


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
