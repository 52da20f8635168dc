"""A dataset's statistical metadata as an .xlsx laid out like the BPS metadata form, and back.

Pure functions over the scheming dataset schema and a dataset dict; no request, no model:

- `build_workbook(schema, pkg_dict)` writes one sheet: a header row, then for each section of the form (the fields'
  `group`, in schema order) a section row and one (label, value, hint) row per field. Without `pkg_dict` it is the
  blank template. Choice fields show their label; the allowed labels are a drop-down (data validation over a hidden
  list column of the same sheet) and are spelled out in the hint column.
- `read_workbook(data, schema, limits)` checks the upload (files.check_workbook) and turns an uploaded workbook
  back into `{field_name: value}` (None for an empty cell), accepting Indonesian labels, English labels and field
  names, and choice labels in either language.
- `package_dict(values)` shapes those values for `package_create` / `package_patch`.

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

from ckanext.satudata_blitar import file_safety, files, formats
from ckanext.satudata_blitar.files import FILE_KEY, LANGUAGES, WRAP
from ckanext.satudata_blitar.metadata import metadata_groups

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
                   licenses: Sequence[tuple[str, str]] = ()) -> bytes:
    """The metadata of `pkg_dict` (a package_show result), or the blank template when it is None, as .xlsx bytes.

    `licenses` are CKAN's licences as (id, title): the licence cell gets a drop-down of their ids.
    """
    lang = files.language(lang)
    workbook = Workbook()
    write_sheet(workbook.active, schema, pkg_dict, lang, licenses)
    workbook.properties.title = _text((pkg_dict or {}).get("title"), lang) or HEADINGS[0][lang]
    return files.workbook_bytes(workbook)


def write_sheet(sheet: Any, schema: dict[str, Any], pkg_dict: Optional[dict[str, Any]] = None, lang: str = "id",
                licenses: Sequence[tuple[str, str]] = ()) -> None:
    """The metadata sheet of build_workbook() written into `sheet`, a sheet of any workbook (data_template.py)."""
    lang = files.language(lang)
    sheet.title = SHEET_TITLE[lang]
    files.style_header(sheet.cell(row=1, column=column, value=heading[lang])
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
                files.write_cell(value, _cell_value(field, pkg_dict, lang, licenses))
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
        files.write_cell(sheet.cell(row=offset, column=column), option)
    sheet.column_dimensions[letter].hidden = True
    message = HINTS["choice"][lang].format(choices="; ".join(options))
    validation = DataValidation(
        type="list", formula1=f"${letter}$2:${letter}${len(options) + 1}", allow_blank=True,
        showErrorMessage=True, errorStyle="warning",
        error=message if len(message) <= MAX_VALIDATION_MESSAGE else HINTS["pick"][lang])
    validation.add(f"{get_column_letter(VALUE_COLUMN)}{row}")
    sheet.add_data_validation(validation)


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


def read_workbook(data: bytes, schema: dict[str, Any], limits: file_safety.Limits | None = None,
                  licenses: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The metadata in an uploaded workbook as `{field_name: value}`, for the fields with a row (None when the row
    is empty), within `limits` (the declared ones by default). Raises ValidationError: under `upload` for the file
    as a whole, under the field name otherwise."""

    def read(workbook: Any, sheet: Any) -> list[tuple[int, Any, Any, str]]:
        if len(workbook.sheetnames) != 1:
            raise _invalid(FILE_KEY, tk._("The workbook must have exactly one sheet; remove: {sheets}").format(
                sheets=", ".join(f'"{name}"' for name in workbook.sheetnames[1:])))
        return list(_rows(sheet))

    return _values(files.read_first_sheet(data, limits or files.upload_limits(), read, data_only=False), schema,
                   licenses)


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
                         licenses: Sequence[tuple[str, str]] = (), active: int = 0) -> bytes:
    """Several forms, one sheet each as write_sheet() lays it out: `forms` are (sheet title, schema, values or
    None for a blank form). `active` is the sheet the file opens on."""
    lang = files.language(lang)
    active = active % len(forms)
    workbook = Workbook()
    for number, (title, schema, values) in enumerate(forms):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        write_sheet(sheet, schema, values, lang, licenses)
        sheet.title = title
    workbook.active = active
    workbook.properties.title = _text((forms[active][2] or {}).get("title"), lang) or HEADINGS[0][lang]
    return files.workbook_bytes(workbook)


def read_forms(data: bytes, schemas: dict[str, dict[str, Any]], limits: file_safety.Limits | None = None,
               licenses: Sequence[tuple[str, str]] = ()) -> dict[str, dict[str, Any]]:
    """The forms of an uploaded workbook, `{sheet title: {field_name: value}}`, for the sheets named in `schemas`
    (the first of `schemas` for a workbook of one sheet, whatever its title: a file of before the BPS layout).
    Errors are raised together as one ValidationError; those of a sheet other than the first of `schemas` under
    `<sheet>/<field>` (field_label() names them)."""
    titles = list(schemas)

    def read(workbook: Any, _sheet: Any) -> dict[str, list[tuple[int, Any, Any, str]]]:
        names = workbook.sheetnames
        if len(names) == 1:
            return {titles[0]: list(_rows(workbook[names[0]]))}
        unknown = [name for name in names if name not in schemas]
        if unknown:
            raise _invalid(FILE_KEY, tk._("Unknown sheets: {sheets}; the sheets are: {expected}").format(
                sheets=", ".join(f'"{name}"' for name in unknown),
                expected=", ".join(f'"{name}"' for name in titles)))
        return {name: list(_rows(workbook[name])) for name in names}

    sheets = files.read_first_sheet(data, limits or files.upload_limits(), read, data_only=False)
    found: dict[str, dict[str, Any]] = {}
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
