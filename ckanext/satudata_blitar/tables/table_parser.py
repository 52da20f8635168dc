"""Read an OPD's table (.xlsx, .xls, .ods, .csv) into typed rows, with a report of what the operator should fix.

`parse(path, extension, out_csv, limits)`:
  1. file_safety.check() refuses hostile or mislabelled files before any parser sees them;
  2. the rows are read (sheet_reading.py);
  3. the header row is found past title rows (header_finding.py), and total rows, footnotes, blank rows and a
     column-number row are left out (data_rows.py);
  4. pass 1 reads every value of every column and infers its type from the whole column (column_typing.py,
     cell_values.py);
  5. pass 2 writes a CSV in PostgreSQL's COPY format with the typed values (typed_csv.py).

Returns a `Result` (parse_result.py) holding the columns, row count and issues. Errors stop the load; warnings and
notes do not.

No CKAN import here or in the modules above: parse_child.py runs `python -m ckanext.satudata_blitar.tables.table_parser`
as a child process with memory and time limits, so that a hostile file costs bounded memory and time and the worker
stays small.
"""
from __future__ import annotations

import json
import resource
import sys
from typing import Any, Optional

from ckanext.satudata_blitar.files import safety as file_safety
from ckanext.satudata_blitar.files.safety import N_, Limits, UnsafeFile
from ckanext.satudata_blitar.tables.column_typing import ColumnStats, decide_types, scan
from ckanext.satudata_blitar.tables.header_finding import (HEADER_SCAN_ROWS, build_headers,
                                                           check_cells_in_unnamed_columns, find_header, name_columns)
from ckanext.satudata_blitar.tables.cell_values import filled_cells
from ckanext.satudata_blitar.tables.parse_result import Issue, Result, Stop, stop
from ckanext.satudata_blitar.tables.sheet_reading import Sheet, forward_filled, open_sheet
from ckanext.satudata_blitar.tables.typed_csv import write_typed_csv
from ckanext.satudata_blitar.tables.xlsx_formulas import formulas_and_errors


def parse(path: str, extension: str, out_csv: Optional[str], limits: Limits = Limits()) -> Result:
    """Check, read, type and (when `out_csv` is given and there is no error) write the table. See the module doc."""
    result = Result()
    try:
        try:
            result.format = file_safety.check(path, extension, limits)
        except UnsafeFile as e:
            result.issues.append(Issue("error", e.code, e.msgid, e.params))
            raise Stop()
        sheet = open_sheet(path, result.format, result)
        _parse_sheet(path, sheet, result, out_csv, limits)
    except Stop:
        pass
    return result


def _parse_sheet(path: str, sheet: Sheet, result: Result, out_csv: Optional[str], limits: Limits) -> None:
    name = sheet.name
    if sheet.width > limits.max_columns:
        stop(result, "too_many_columns", N_("The sheet has {count} columns; at most {limit} are accepted. Remove "
                                            "the empty or extra columns."), count=sheet.width, limit=limits.max_columns)
    if sheet.height > limits.max_rows + HEADER_SCAN_ROWS:
        stop(result, "too_many_rows", N_("The sheet has {count} rows; at most {limit} are accepted. Split the "
                                         "table into smaller files."), count=sheet.height, limit=limits.max_rows)
    rows = sheet.rows()
    head: list[list[Any]] = []
    for row in rows:
        if len(row) > limits.max_columns and filled_cells(row[limits.max_columns:]):
            stop(result, "too_many_columns", N_("The sheet has {count} columns; at most {limit} are accepted. "
                                                "Remove the empty or extra columns."),
                 count=len(row), limit=limits.max_columns)
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    index = find_header(head)
    if index is None:
        stop(result, "no_header", N_("No header row was found. Put the column names in one row above the data, "
                                     "with a name for every column."))
    labels, header_rows = build_headers(head, index, sheet)
    result.header_row = index + 1
    if index:
        result.issues.append(Issue("note", "title_rows", N_("Rows 1 to {last} are read as the title and left out; "
                                                            "the header is row {header}."),
                                   {"last": index, "header": index + 1}, sheet=name, row=index + 1))
    columns, keep = name_columns(labels, result, sheet, index + 1)
    first_data = index + header_rows  # 0-based index of the first row after the header
    sheet = forward_filled(sheet, first_data)
    check_cells_in_unnamed_columns(head[first_data:], keep, labels, result, sheet, first_data)
    stats = [ColumnStats() for _ in columns]
    scanned = scan(sheet, first_data, keep, columns, stats, result, limits)
    skipped = scanned.skipped
    if result.format == "xlsx":
        formulas, errors = formulas_and_errors(path, name, skip=lambda r: r <= first_data or r - 1 in skipped)
        for letter, row in formulas:
            result.issues.append(Issue("error", "formula_without_value", N_(
                "The formula has no saved value (the file was not calculated and saved in Excel). Open the file "
                "in Excel, press Ctrl+Alt+F9, save it and upload it again."), {}, sheet=name, row=row,
                column=letter))
        for letter, row, error in errors:
            result.issues.append(Issue("warning", "error_value", N_(
                "The cell holds the spreadsheet error {value}; it is loaded as empty. Correct the formula and "
                "upload the file again if the value is needed."), {"value": error}, sheet=name, row=row,
                column=letter))
    if not result.ok:
        raise Stop()
    if not result.rows:
        stop(result, "no_rows", N_("The table has a header but no data rows below it."))
    decide_types(columns, stats, result, name)
    result.stats["skipped_rows"] = len(skipped)
    if out_csv:
        write_typed_csv(sheet, first_data, keep, columns, out_csv, limits, scanned)


def main(argv: list[str]) -> int:
    """`python -m ckanext.satudata_blitar.tables.table_parser PATH EXTENSION OUT_CSV LIMITS_JSON`: the Result as
    JSON."""
    path, extension, out_csv, limits_json = argv
    limits = Limits(**json.loads(limits_json))
    result = parse(path, extension, out_csv or None, limits)
    result.stats["parser_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    json.dump(result.as_dict(), sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
