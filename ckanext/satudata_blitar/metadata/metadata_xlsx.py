"""A dataset's statistical metadata as an .xlsx laid out like the BPS metadata form, and back.

Pure functions over the scheming dataset schema and a dataset dict; no request, no model:

- `build_workbook(schema, pkg_dict)` writes one sheet: a header row, then for each section of the form (the fields'
  `group`, in schema order) a section row and one (label, value, hint) row per field. Without `pkg_dict` it is the
  blank template. Choice fields show their label; the allowed labels are a drop-down (data validation over a hidden
  list column of the same sheet) and are spelled out in the hint column.
- `read_workbook(data, schema, limits)` checks the upload (workbooks.check_workbook) and turns an uploaded workbook
  back into `{field_name: value}` (None for an empty cell), accepting Indonesian labels, English labels and field
  names, and choice labels in either language.
- `package_dict(values)` shapes those values for `package_create` / `package_patch`.
- a second sheet, MS-Var, holds one row per column of the dataset's loaded tables (table, column, the thirteen
  MS-Var elements: metadata/ms_var.py); `read_workbook_parts` returns its rows beside the metadata, and
  `ms_var_changes` matches them to the tables, with an error per row that names it.

Problems raise `toolkit.ValidationError` with a message per field (or under `upload` for the file as a whole), in
the user's language through `toolkit._`.
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable, Optional, Sequence

import ckan.plugins.toolkit as tk
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ckanext.satudata_blitar.language import formats, translated
from ckanext.satudata_blitar.files import safety, workbooks
from ckanext.satudata_blitar.files.workbooks import FILE_KEY, LANGUAGES, WRAP
from ckanext.satudata_blitar.metadata import metadata_groups, ms_var

# What the workbook says itself, in the workbook's language (not the UI's: the form is Indonesian by default).
SHEET_TITLE = {"id": "Metadata", "en": "Metadata"}
HEADINGS = (
    {"id": "Elemen Metadata", "en": "Metadata element"},
    {"id": "Isian", "en": "Value"},
    {"id": "Keterangan", "en": "Notes"},
)
HINTS = {
    "required": {"id": "Wajib diisi.", "en": "Required."},
    "choice": {"id": "Pilih salah satu: {choices}.", "en": "One of: {choices}."},
    "year": {"id": "Tahun, mis. 2024.", "en": "A year, e.g. 2024."},
    "date": {"id": "Tanggal (TTTT-BB-HH), mis. 2025-01-31.", "en": "A date (YYYY-MM-DD), e.g. 2025-01-31."},
    "tags": {"id": "Pisahkan dengan koma.", "en": "Separated by commas."},
    "organization": {"id": "URL (nama singkat) OPD, mis. dinas-kesehatan.",
                     "en": "The agency's URL name, e.g. dinas-kesehatan."},
    "license": {"id": "Kode lisensi, mis. cc-by.", "en": "A licence code, e.g. cc-by."},
    "name": {"id": "Boleh kosong: dataset baru mendapat URL dari judulnya, dataset yang ada tetap memakai URL-nya.",
             "en": "May be left empty: a new dataset gets a URL from its title, an existing one keeps its URL."},
    "pick": {"id": "Pilih dari daftar.", "en": "Pick a value from the list."},
}

LABEL_COLUMN, VALUE_COLUMN, HINT_COLUMN = 1, 2, 3
# The allowed values of choice fields, for the drop-downs: hidden columns of the same sheet from AA on (a second
# sheet would be refused on import).
FIRST_LIST_COLUMN = 27
COLUMN_WIDTHS = {"A": 38, "B": 60, "C": 60}
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")

# Upper bounds of a metadata workbook that no real one comes near (the template has about 40 rows, ~10 parts).
MAX_ROWS = 1000
# Excel's limit for the message of a data validation.
MAX_VALIDATION_MESSAGE = 255


def _invalid(key: str, message: str) -> tk.ValidationError:
    return tk.ValidationError({key: [message]})


# --- The fields ------------------------------------------------------------------------------------------------

def _text(value: Any, lang: str) -> str:
    """A `{id, en}` text in `lang` (else Indonesian, else any), or a plain string as it is."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("id") or next(iter(value.values()), ""))
    return value or ""


def _kind(field: dict[str, Any]) -> str:
    """How a field is written to and read from a cell."""
    validators = str(field.get("validators", "")).split()
    preset = field.get("preset")
    if preset == "dataset_organization" or field["field_name"] == "owner_org":
        return "organization"
    if preset == "tag_string_autocomplete" or field["field_name"] == "tag_string":
        return "tags"
    if field["field_name"] == "license_id":
        return "license"
    if field.get("choices"):
        return "choice"
    if preset == "satudata_year" or "satudata_year" in validators:
        return "year"
    if preset == "satudata_date" or "isodate" in validators:
        return "date"
    return "text"


def _choices(field: dict[str, Any], licenses: Sequence[tuple[str, str]]) -> list[tuple[str, dict[str, str]]]:
    """(value, {lang: label}) of a choice field; the licence field's are CKAN's licences (id, title)."""
    if _kind(field) == "license":
        return [(license_id, {"id": title, "en": title}) for license_id, title in licenses]
    return [(choice["value"], choice.get("label") or {"id": choice["value"]}) for choice in field.get("choices", [])]


def license_choices() -> list[tuple[str, str]]:
    """CKAN's licences as (id, title), for the licence row."""
    return [(item["id"], item["title"]) for item in tk.get_action("license_list")({}, {})]


def _is_required(field: dict[str, Any]) -> bool:
    return bool(field.get("required")) or "not_empty" in str(field.get("validators", "")).split()


def _normal(text: Any) -> str:
    """How labels are compared: case, spacing and a trailing colon or asterisk do not matter."""
    return " ".join(str(text).split()).rstrip(":*").strip().casefold()


def field_label(schema: dict[str, Any], key: str, lang: str) -> str:
    """The label of a field (or of `upload`, the file) for error messages; an unknown key as it is."""
    if key == FILE_KEY:
        return tk._("File")
    if key == "tags":
        key = "tag_string"
    for field in schema["dataset_fields"]:
        if field["field_name"] == key:
            return _text(field.get("label"), lang) or key
    return key


def error_messages(errors: dict[str, Any]) -> dict[str, list[str]]:
    """A ValidationError's error_dict with nested messages (e.g. of tags) flattened to strings."""

    def flat(value: Any) -> Iterable[str]:
        if isinstance(value, dict):
            for item in value.values():
                yield from flat(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from flat(item)
        elif value:
            yield str(value)

    return {key: list(dict.fromkeys(flat(value))) for key, value in errors.items()}


# --- Writing ---------------------------------------------------------------------------------------------------

def _cell_value(field: dict[str, Any], pkg_dict: dict[str, Any], lang: str,
                licenses: Sequence[tuple[str, str]]) -> Any:
    kind, name = _kind(field), field["field_name"]
    if kind == "organization":
        return (pkg_dict.get("organization") or {}).get("name") or pkg_dict.get("owner_org")
    if kind == "tags":
        if "tags" in pkg_dict:
            return ", ".join(tag["name"] for tag in pkg_dict["tags"])
        return pkg_dict.get("tag_string")
    value = pkg_dict.get(name)
    if value is None or value == "":
        return None
    if kind == "choice":
        labels = dict(_choices(field, licenses))
        return _text(labels[value], lang) if value in labels else value
    if kind == "year":
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value)[:10])
        except ValueError:
            return value
    return value if isinstance(value, str) else str(value)


def _hint(field: dict[str, Any], labels: list[str], lang: str) -> str:
    kind = _kind(field)
    parts = []
    if _is_required(field):
        parts.append(HINTS["required"][lang])
    if kind == "choice" and labels:
        parts.append(HINTS["choice"][lang].format(choices="; ".join(labels)))
    elif kind in HINTS:
        parts.append(HINTS[kind][lang])
    elif field["field_name"] == "name":
        parts.append(HINTS["name"][lang])
    help_text = _text(field.get("help_text"), lang)
    if help_text:
        parts.append(help_text)
    return " ".join(parts)


def build_workbook(schema: dict[str, Any], pkg_dict: Optional[dict[str, Any]] = None, lang: str = "id",
                   licenses: Sequence[tuple[str, str]] = (), tables: Sequence[dict[str, Any]] = ()) -> bytes:
    """The metadata of `pkg_dict` (a package_show result), or the blank template when it is None, as .xlsx bytes.

    `licenses` are CKAN's licences as (id, title): the licence cell gets a drop-down of their ids. `tables` are the
    dataset's loaded tables ({id, name, fields}: datastore_info's fields) for the MS-Var sheet.
    """
    lang = workbooks.language(lang)
    workbook = Workbook()
    write_sheet(workbook.active, schema, pkg_dict, lang, licenses)
    write_ms_var_sheet(workbook.create_sheet(), tables, lang)
    workbook.properties.title = _text((pkg_dict or {}).get("title"), lang) or HEADINGS[0][lang]
    return workbooks.workbook_bytes(workbook)


def write_sheet(sheet: Any, schema: dict[str, Any], pkg_dict: Optional[dict[str, Any]] = None, lang: str = "id",
                licenses: Sequence[tuple[str, str]] = ()) -> None:
    """The metadata sheet of build_workbook() written into `sheet`, a sheet of any workbook (data_template.py)."""
    lang = workbooks.language(lang)
    sheet.title = SHEET_TITLE[lang]
    workbooks.style_header(sheet.cell(row=1, column=column, value=heading[lang])
                       for column, heading in enumerate(HEADINGS, start=1))
    sheet.freeze_panes = "A2"
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width

    row, list_column = 2, FIRST_LIST_COLUMN
    for group, fields in metadata_groups.grouped_fields(schema["dataset_fields"]):
        section = sheet.cell(row=row, column=LABEL_COLUMN, value=_text(metadata_groups.group_title(group), lang))
        section.font = Font(bold=True)
        for column in (LABEL_COLUMN, VALUE_COLUMN, HINT_COLUMN):
            sheet.cell(row=row, column=column).fill = SECTION_FILL
        row += 1
        for field in fields:
            kind = _kind(field)
            label = sheet.cell(row=row, column=LABEL_COLUMN, value=_text(field.get("label"), lang))
            label.font = Font(bold=_is_required(field))
            label.alignment = WRAP
            value = sheet.cell(row=row, column=VALUE_COLUMN)
            if pkg_dict is not None:
                workbooks.write_cell(value, _cell_value(field, pkg_dict, lang, licenses))
            value.alignment = WRAP
            # A date shows as 31 Januari 2025 and stays a date cell; everything else but a year is text.
            value.number_format = (formats.xlsx_number_format(kind, lang) if kind in ("year", "date") else "@")

            choices = _choices(field, licenses) if kind in ("choice", "license") else []
            options = [value_ if kind == "license" else _text(text, lang) for value_, text in choices]
            sheet.cell(row=row, column=HINT_COLUMN, value=_hint(field, options, lang)).alignment = WRAP
            if options:
                _add_drop_down(sheet, row, list_column, field["field_name"], options, lang)
                list_column += 1
            row += 1


def _add_drop_down(sheet: Any, row: int, column: int, name: str, options: list[str], lang: str) -> None:
    letter = get_column_letter(column)
    sheet.cell(row=1, column=column, value=name)
    for offset, option in enumerate(options, start=2):
        workbooks.write_cell(sheet.cell(row=offset, column=column), option)
    sheet.column_dimensions[letter].hidden = True
    message = HINTS["choice"][lang].format(choices="; ".join(options))
    validation = DataValidation(
        type="list", formula1=f"${letter}$2:${letter}${len(options) + 1}", allow_blank=True,
        showErrorMessage=True, errorStyle="warning",
        error=message if len(message) <= MAX_VALIDATION_MESSAGE else HINTS["pick"][lang])
    validation.add(f"{get_column_letter(VALUE_COLUMN)}{row}")
    sheet.add_data_validation(validation)


# --- The MS-Var sheet ---------------------------------------------------------------------------------------------

MS_VAR_SHEET = "MS-Var"
MS_VAR_TABLE = {"id": "Tabel", "en": "Table"}
MS_VAR_TABLE_ID = {"id": "ID Tabel", "en": "Table ID"}
MS_VAR_COLUMN = {"id": "Kolom", "en": "Column"}
MS_VAR_WIDTHS = (30, 38, 24)


def ms_var_headings(lang: str) -> list[str]:
    return [MS_VAR_TABLE[lang], MS_VAR_TABLE_ID[lang], MS_VAR_COLUMN[lang],
            *(translated(ms_var.LABELS[key], lang) for key in ms_var.KEYS)]


def write_ms_var_sheet(sheet: Any, tables: Sequence[dict[str, Any]], lang: str = "id") -> None:
    """Sheet MS-Var: one row per column of each table (its name, id and column id, then the MS-Var elements;
    choices by their label in the workbook's language)."""
    lang = workbooks.language(lang)
    sheet.title = MS_VAR_SHEET
    workbooks.style_header(sheet.cell(row=1, column=n, value=heading)
                       for n, heading in enumerate(ms_var_headings(lang), start=1))
    sheet.freeze_panes = "D2"
    for n in range(1, len(ms_var.KEYS) + 4):
        sheet.column_dimensions[get_column_letter(n)].width = MS_VAR_WIDTHS[n - 1] if n <= 3 else 28
    for table in tables:
        for field in ms_var.columns(table.get("fields", [])):
            info = field.get("info") or {}
            values = [table.get("name") or table["id"] or None, table["id"] or None, field["id"]]
            for key in ms_var.KEYS:
                value = info.get(key) or ""
                if key in ms_var.CHOICES and value in ms_var.CHOICES[key]:
                    value = translated(ms_var.CHOICES[key][value], lang)
                values.append(value or None)
            row = sheet.max_row + 1
            for n, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=n)
                workbooks.write_cell(cell, value)
                cell.number_format = "@"
                cell.alignment = WRAP


def ms_var_sheet_keys(header: Sequence[Any]) -> list[Optional[str]]:
    """The key of each heading of an MS-Var sheet (table, table_id, column or an MS-Var key); None when unknown."""
    spellings: dict[str, str] = {}
    for key, texts in (("table", MS_VAR_TABLE), ("table_id", MS_VAR_TABLE_ID), ("column", MS_VAR_COLUMN)):
        for text in (key, *texts.values()):
            spellings[_normal(text)] = key
    for key in ms_var.KEYS:
        for text in (key, ms_var.LABELS[key], *(translated(ms_var.LABELS[key], lang) for lang in LANGUAGES)):
            spellings.setdefault(_normal(text), key)
    return [spellings.get(_normal(value)) if _plain(value) is not None else None for value in header]


def _ms_var_rows(sheet: Any) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {table, table_id, column, MS-Var key: text}) of an MS-Var sheet's filled rows."""
    rows = sheet.iter_rows()
    header = [cell.value for cell in next(rows, ())]
    keys = ms_var_sheet_keys(header)
    if "column" not in keys:
        raise _invalid(MS_VAR_SHEET, tk._('Sheet "{sheet}": its first row must name the columns of the template '
                                          '(Tabel, ID Tabel, Kolom, …)').format(sheet=MS_VAR_SHEET))
    found = []
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise _invalid(MS_VAR_SHEET, tk._("The sheet has more than {rows} rows").format(rows=MAX_ROWS))
        row: dict[str, Any] = {key: "" for key in keys if key}  # a heading left out of the sheet changes nothing
        for key, cell in zip(keys, cells):
            value = _plain(getattr(cell, "value", None))
            if key and value is not None:
                if getattr(cell, "data_type", "n") == "f":
                    raise _invalid(MS_VAR_SHEET, tk._("Sheet \"{sheet}\", row {row}: formulas are not accepted; type "
                                                      "the value").format(sheet=MS_VAR_SHEET, row=number))
                row[key] = value if isinstance(value, str) else str(value)
        if any(row.values()):
            found.append((number, row))
    return found


def ms_var_sheet_values(rows: Sequence[Sequence[Any]]) -> dict[str, dict[str, str]]:
    """The MS-Var sheet of an uploaded data table (its rows as values, header first) as {column: {key: text}},
    the filled cells only; rows without a column name are left out."""
    if not rows:
        return {}
    keys = ms_var_sheet_keys(rows[0])
    found: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        values = {key: str(_plain(value)).strip() for key, value in zip(keys, row)
                  if key and _plain(value) is not None and str(_plain(value)).strip()}
        column = values.pop("column", "")
        if column:
            found[column] = {key: value for key, value in values.items() if key in ms_var.KEYS}
    return found


def ms_var_changes(rows: Sequence[tuple[int, dict[str, Any]]], tables: Sequence[dict[str, Any]]
                   ) -> dict[str, list[dict[str, Any]]]:
    """The rows of an MS-Var sheet as each table's new fields for datastore_create ({resource id: [{id, type,
    info}]}): every column of a table that has a row, its info the stored one with the row's elements over it (an
    empty cell clears; a choice by label or code), checked by ms_var.normalize. Raises ValidationError with one
    message per wrong row, under the sheet's name."""
    by_id = {table["id"]: table for table in tables}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        by_name.setdefault(_normal(table.get("name") or table["id"]), []).append(table)
    changes: dict[str, dict[str, dict[str, Any]]] = {}
    errors: list[str] = []
    for number, row in rows:
        where = tk._('Sheet "{sheet}", row {row}').format(sheet=MS_VAR_SHEET, row=number)
        table = by_id.get(str(row.get("table_id") or "").strip())
        if table is None:
            named = by_name.get(_normal(row.get("table") or ""), [])
            table = named[0] if len(named) == 1 else None
        if table is None:
            errors.append(tk._('{where}: the dataset has no loaded table "{table}"').format(
                where=where, table=row.get("table") or row.get("table_id") or ""))
            continue
        fields = {field["id"]: field for field in ms_var.columns(table.get("fields", []))}
        column = str(row.get("column") or "").strip()
        if column not in fields:
            errors.append(tk._('{where}: the table "{table}" has no column "{column}"').format(
                where=where, table=table.get("name") or table["id"], column=column))
            continue
        current = dict(fields[column].get("info") or {})
        given = {key: row[key] for key in ms_var.KEYS if key in row}
        info, messages = ms_var.normalize({**current, **given}, current)
        errors.extend(f"{where}: {message}" for message in messages)
        changes.setdefault(table["id"], {})[column] = info
    if errors:
        raise tk.ValidationError({MS_VAR_SHEET: errors})
    return {table_id: [{"id": field["id"], "type": field["type"],
                        "info": infos.get(field["id"], field.get("info") or {})}
                       for field in ms_var.columns(by_id[table_id].get("fields", []))]
            for table_id, infos in changes.items()}


# --- Reading ---------------------------------------------------------------------------------------------------

def _labels(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every accepted spelling of each field's label (Indonesian, English, field name) -> the field."""
    found: dict[str, dict[str, Any]] = {}
    for field in schema["dataset_fields"]:
        label = field.get("label")
        spellings = list(label.values()) if isinstance(label, dict) else [label]
        for spelling in [field["field_name"], *spellings]:
            if spelling:
                found.setdefault(_normal(spelling), field)
    return found


def _section_rows(schema: dict[str, Any]) -> set[str]:
    """The labels of section rows, in any language."""
    texts = set()
    for group, _fields in metadata_groups.grouped_fields(schema["dataset_fields"]):
        texts.add(_normal(group))
        texts.update(_normal(text) for text in metadata_groups.group_title(group).values())
    return texts


def _plain(value: Any) -> Any:
    """A cell's value as text (numbers without a spurious `.0`), dates and times kept; blank cells are None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value
    value = str(value)
    return value if value.strip() else None


def _from_cell(field: dict[str, Any], value: Any, licenses: Sequence[tuple[str, str]]) -> Any:
    """A cell's value in the form the dataset schema takes: choice labels become choice values. What cannot be
    recognised passes unchanged, for the schema's validators to judge and report."""
    value = _plain(value)
    if value is None:
        return None
    kind = _kind(field)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if kind in ("choice", "license"):
        wanted = _normal(value)
        for choice_value, label in _choices(field, licenses):
            if wanted in {_normal(choice_value), *(_normal(text) for text in label.values())}:
                return choice_value
        return value.strip()
    if kind in ("year", "organization", "license"):
        return value.strip()
    return value


def read_workbook(data: bytes, schema: dict[str, Any], limits: safety.Limits | None = None,
                  licenses: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The metadata in an uploaded workbook as `{field_name: value}`, for the fields with a row (None when the row
    is empty), within `limits` (the declared ones by default). Raises ValidationError: under `upload` for the file
    as a whole, under the field name otherwise."""

    return read_workbook_parts(data, schema, limits, licenses)[0]


def read_workbook_parts(data: bytes, schema: dict[str, Any], limits: safety.Limits | None = None,
                        licenses: Sequence[tuple[str, str]] = ()
                        ) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    """read_workbook's values and the rows of the MS-Var sheet, if the workbook has one (ms_var_changes matches
    them to the dataset's tables)."""

    def read(workbook: Any, sheet: Any) -> tuple[list[tuple[int, Any, Any, str]], list]:
        extra = [name for name in workbook.sheetnames[1:] if name != MS_VAR_SHEET]
        if extra:
            raise _invalid(FILE_KEY, tk._("The workbook may hold only the metadata sheet and the sheet "
                                          "\"{ms_var}\"; remove: {sheets}").format(
                ms_var=MS_VAR_SHEET, sheets=", ".join(f'"{name}"' for name in extra)))
        variables = _ms_var_rows(workbook[MS_VAR_SHEET]) if MS_VAR_SHEET in workbook.sheetnames[1:] else []
        return list(_rows(sheet)), variables

    rows, variables = workbooks.read_first_sheet(data, limits or workbooks.upload_limits(), read, data_only=False)
    return _values(rows, schema, licenses), variables


def _rows(sheet: Any) -> Iterable[tuple[int, Any, Any, str]]:
    """(row number, label, value, value's cell type) of the rows with a label or a value."""
    count = 0
    for number, cells in enumerate(sheet.iter_rows(min_col=LABEL_COLUMN, max_col=VALUE_COLUMN), start=1):
        cells = tuple(cells) + (None, None)
        label, value = cells[0], cells[1]
        label_value = getattr(label, "value", None)
        value_value = getattr(value, "value", None)
        if _plain(label_value) is None and _plain(value_value) is None:
            continue
        count += 1
        if count > MAX_ROWS:
            raise _invalid(FILE_KEY, tk._("The sheet has more than {rows} rows").format(rows=MAX_ROWS))
        yield number, label_value, value_value, getattr(value, "data_type", "n")


def _values(rows: list[tuple[int, Any, Any, str]], schema: dict[str, Any],
            licenses: Sequence[tuple[str, str]]) -> dict[str, Any]:
    labels, sections = _labels(schema), _section_rows(schema)
    header = {_normal(HEADINGS[0][lang]): _normal(HEADINGS[1][lang]) for lang in LANGUAGES}
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for number, label, value, data_type in rows:
        key = _normal(label) if label is not None else ""
        field = labels.get(key)
        if field is None:
            if (key in sections and _plain(value) is None) or (key in header and _normal(value) == header[key]):
                continue
            errors.setdefault(FILE_KEY, []).append(
                tk._('Row {row}: unknown label "{label}"; use the labels of the template').format(
                    row=number, label=label if label is not None else ""))
            continue
        name = field["field_name"]
        if name in values:
            errors.setdefault(name, []).append(
                tk._("Row {row}: this field has already been given in another row").format(row=number))
        elif data_type == "f":
            errors.setdefault(name, []).append(
                tk._("Row {row}: formulas are not accepted; type the value").format(row=number))
        else:
            values[name] = _from_cell(field, value, licenses)
    if errors:
        raise tk.ValidationError(errors)
    return values


def package_dict(values: dict[str, Any]) -> dict[str, Any]:
    """The values of `read_workbook` as a package_create / package_patch data dict.

    Tags replace the dataset's tags (CKAN appends a tag_string to the tags it already has). None clears a field.
    """
    data = dict(values)
    if "tag_string" in data:
        data["tags"] = []
    return data


# --- The BPS layout: one sheet per metadata form (MS-Keg, MS-Ind) -------------------------------------------------

# The forms of Peraturan BPS 5/2020 a dataset's metadata file holds, by sheet title: the statistical activity
# (MS-Keg, schemas/kegiatan.yaml) and the dataset-level indicator fields (MS-Ind, schemas/dataset.yaml).
MS_KEG_SHEET = "MS-Keg"
MS_IND_SHEET = "MS-Ind"


def build_forms_workbook(forms: Sequence[tuple[str, dict[str, Any], Optional[dict[str, Any]]]], lang: str = "id",
                         licenses: Sequence[tuple[str, str]] = (), active: int = 0,
                         tables: Optional[Sequence[dict[str, Any]]] = None) -> bytes:
    """Several forms, one sheet each as write_sheet() lays it out: `forms` are (sheet title, schema, values or
    None for a blank form). `active` is the form the file opens on. `tables` (a dataset's loaded tables, as
    build_workbook takes them; () for a blank one): a last sheet MS-Var, one row per column."""
    lang = workbooks.language(lang)
    active = active % len(forms)
    workbook = Workbook()
    for number, (title, schema, values) in enumerate(forms):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        write_sheet(sheet, schema, values, lang, licenses)
        sheet.title = title
    if tables is not None:
        write_ms_var_sheet(workbook.create_sheet(), tables, lang)
    workbook.active = active
    workbook.properties.title = _text((forms[active][2] or {}).get("title"), lang) or HEADINGS[0][lang]
    return workbooks.workbook_bytes(workbook)


def read_forms(data: bytes, schemas: dict[str, dict[str, Any]], limits: safety.Limits | None = None,
               licenses: Sequence[tuple[str, str]] = (), ms_var: bool = False) -> dict[str, Any]:
    """The forms of an uploaded workbook, `{sheet title: {field_name: value}}`, for the sheets named in `schemas`
    (the first of `schemas` for a workbook of one sheet, whatever its title: a file of before the BPS layout).
    With `ms_var`, a sheet MS-Var may be there too: its rows come as `found[MS_VAR_SHEET]` (ms_var_changes matches
    them to the dataset's tables). Errors are raised together as one ValidationError; those of a sheet other than
    the first of `schemas` under `<sheet>/<field>` (field_label() names them)."""
    titles = list(schemas)

    def read(workbook: Any, _sheet: Any) -> tuple[dict[str, list[tuple[int, Any, Any, str]]], list]:
        names = workbook.sheetnames
        variables = []
        if ms_var and MS_VAR_SHEET in names and len(names) > 1:
            variables = _ms_var_rows(workbook[MS_VAR_SHEET])
            names = [name for name in names if name != MS_VAR_SHEET]
        if len(names) == 1:
            return {titles[0]: list(_rows(workbook[names[0]]))}, variables
        unknown = [name for name in names if name not in schemas]
        if unknown:
            expected = titles + ([MS_VAR_SHEET] if ms_var else [])
            raise _invalid(FILE_KEY, tk._("Unknown sheets: {sheets}; the sheets are: {expected}").format(
                sheets=", ".join(f'"{name}"' for name in unknown),
                expected=", ".join(f'"{name}"' for name in expected)))
        return {name: list(_rows(workbook[name])) for name in names}, variables

    sheets, variables = workbooks.read_first_sheet(data, limits or workbooks.upload_limits(), read, data_only=False)
    found: dict[str, Any] = {MS_VAR_SHEET: variables} if ms_var else {}
    errors: dict[str, list[str]] = {}
    for title, rows in sheets.items():
        try:
            found[title] = _values(rows, schemas[title], licenses)
        except tk.ValidationError as error:
            for key, messages in error.error_dict.items():
                errors.setdefault(key if title == titles[0] else f"{title}/{key}", []).extend(messages)
    if errors:
        raise tk.ValidationError(errors)
    return found


def form_field_label(schemas: dict[str, dict[str, Any]], key: str, lang: str) -> str:
    """field_label() of a read_forms() error key: `<sheet>/<field>` is named "<sheet>: <label>"."""
    titles = list(schemas)
    sheet, _slash, field = key.partition("/")
    if field and sheet in schemas:
        return f"{sheet}: {field_label(schemas[sheet], field, lang)}"
    return field_label(schemas[titles[0]], key, lang)
