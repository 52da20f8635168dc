"""The daftar elemen data as a workbook: the blank template, the download of a year's list (same layout plus the
status columns) and the reading of an uploaded one.

One sheet, one element per row under a header row. Headers may be Indonesian, English or the API's field names,
in any order; unknown columns (the download's status columns among them) are ignored, so a downloaded list can be
edited and uploaded again. Cells are turned into the API's values here (an OPD's title into its name, a frequency's
label into its value, a dataset's address into its name); the action's navl schema then judges them.
"""
from __future__ import annotations

import datetime
import re
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_language_text

from ckanext.satudata_blitar.language import formats, translated
from ckanext.satudata_blitar.files import safety, workbooks
from ckanext.satudata_blitar.elements.data_elements import STATUS_LABELS
from ckanext.satudata_blitar.files.workbooks import FILE_KEY
MAX_ROWS = 5000

# (field, Indonesian header, English header, width); the first eight are read back, the others only written.
COLUMNS = [
    ("owner_org", "OPD", "OPD", 34),
    ("nama", "Nama Elemen Data", "Data element", 40),
    ("definisi", "Definisi", "Definition", 50),
    ("satuan", "Satuan", "Unit", 14),
    ("frekuensi", "Frekuensi", "Frequency", 16),
    ("data_prioritas", "Data Prioritas", "Priority data", 12),
    ("tanggal_target", "Tanggal Target", "Target date", 14),
    ("package_id", "Dataset", "Dataset", 30),
]
STATUS_COLUMNS = [
    ("status", "Status", "Status", 24),
    ("late", "Terlambat", "Late", 11),
]
SHEET_TITLE = {"id": "Elemen Data", "en": "Data elements"}
LISTS_TITLE = "Pilihan"
YES = {"id": "Ya", "en": "Yes"}
NO = {"id": "Tidak", "en": "No"}
GUIDE = {
    "id": ["Daftar Elemen Data {year}",
           "Satu baris untuk setiap elemen data. Wajib: OPD dan Nama Elemen Data.",
           "OPD: nama atau judul OPD (pilih dari daftar). Frekuensi: pilih dari daftar. Data Prioritas: Ya atau "
           "Tidak. Tanggal Target: tanggal (2026-06-30). Dataset: nama dataset OPD yang memenuhinya (boleh kosong).",
           "Mengunggah lagi memperbarui elemen dengan nama yang sama; sel kosong tidak menghapus isi yang ada."],
    "en": ["Daftar Elemen Data (data elements) {year}",
           "One row per data element. Required: OPD and Data element.",
           "OPD: the OPD's name or title (pick from the list). Frequency: pick from the list. Priority data: Yes or "
           "No. Target date: a date (2026-06-30). Dataset: the name of the OPD's dataset that provides it (optional).",
           "Uploading again updates the elements of the same name; empty cells never clear what is there."],
}


def _normal(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


# --- writing -----------------------------------------------------------------------------------------------------

def build_workbook(year: int, elements: Sequence[dict[str, Any]], opds: Sequence[dict[str, Any]],
                   frequencies: Sequence[dict[str, Any]], lang: str = "id", with_status: bool = False) -> bytes:
    """The template (no elements) or a year's list as .xlsx bytes. `opds` are `{name, title}` for the OPD
    drop-down, `frequencies` the schema's choices; `with_status` adds the derived status columns."""
    lang = workbooks.language(lang)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE[lang]
    columns = COLUMNS + (STATUS_COLUMNS if with_status else [])
    for index, (_field, header_id, header_en, width) in enumerate(columns, start=1):
        workbooks.style_header([sheet.cell(row=1, column=index, value=header_en if lang == "en" else header_id)])
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    frequency_labels = {choice["value"]: scheming_language_text(choice["label"], prefer_lang=lang)
                        for choice in frequencies}
    for element in elements:
        workbooks.append_row(sheet, [
            element.get("opd_title") or element.get("opd_name"), element["nama"], element.get("definisi"),
            element.get("satuan"), frequency_labels.get(element.get("frekuensi"), element.get("frekuensi")),
            (YES if element.get("data_prioritas") else NO)[lang],
            datetime.date.fromisoformat(element["tanggal_target"]) if element.get("tanggal_target") else None,
            element.get("package_name"),
            # The status in the file's language (an element's status_label is in the request's).
            *([translated(STATUS_LABELS[element["status"]], lang) if element.get("status") in STATUS_LABELS
               else element.get("status_label"), (YES if element.get("late") else NO)[lang]] if with_status else []),
        ])
    for (cell,) in sheet.iter_rows(min_row=2, max_row=max(sheet.max_row, 2), min_col=7, max_col=7):
        cell.number_format = formats.xlsx_number_format("date", lang)  # 30 Juni 2026, still a date

    lists = workbook.create_sheet(LISTS_TITLE)
    lists.sheet_state = "hidden"
    rows = MAX_ROWS + 1
    for column, (options, target) in enumerate([([opd["title"] or opd["name"] for opd in opds], "A"),
                                                (list(frequency_labels.values()), "E"),
                                                ([YES[lang], NO[lang]], "F")], start=1):
        letter = get_column_letter(column)
        for row, option in enumerate(options, start=1):
            workbooks.write_cell(lists.cell(row=row, column=column), option)
        if options:
            validation = DataValidation(type="list", formula1=f"'{LISTS_TITLE}'!${letter}$1:${letter}${len(options)}",
                                        allow_blank=True, showErrorMessage=True, errorStyle="warning")
            validation.add(f"{target}2:{target}{rows}")
            sheet.add_data_validation(validation)
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                           showErrorMessage=True, errorStyle="warning")
    dates.add(f"G2:G{rows}")
    sheet.add_data_validation(dates)

    guide = workbook.create_sheet("Petunjuk" if lang == "id" else "Guide")
    for row, line in enumerate(GUIDE[lang], start=1):
        guide.cell(row=row, column=1, value=line.format(year=year)).font = Font(bold=row == 1)
    guide.column_dimensions["A"].width = 120
    workbook.properties.title = GUIDE[lang][0].format(year=year)
    return workbooks.workbook_bytes(workbook)


# --- reading -----------------------------------------------------------------------------------------------------

def _header_fields() -> dict[str, str]:
    """Every accepted spelling of a header -> its field."""
    found = {}
    for field, header_id, header_en, _width in COLUMNS:
        for text in (field, header_id, header_en):
            found[_normal(text)] = field
    return found


def _plain(value: Any) -> Any:
    """Text stripped (None when blank), whole floats as integers' text, dates kept."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None or isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    return text or None


def _opd(value: str, opds: Sequence[dict[str, Any]]) -> str:
    wanted = _normal(value)
    for opd in opds:
        if wanted in {_normal(opd["name"]), _normal(opd["title"]), _normal(opd["id"])}:
            return opd["name"]
    return value  # the schema's OPD validator reports it


def _frequency(value: str, frequencies: Sequence[dict[str, Any]]) -> str:
    wanted = _normal(value)
    for choice in frequencies:
        label = choice.get("label") if isinstance(choice.get("label"), dict) else {}
        if wanted in {_normal(choice["value"]), *(_normal(text) for text in label.values())}:
            return choice["value"]
    return value


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _date(value: Any) -> Any:
    """A date cell as it is; text as YYYY-MM-DD or, as Indonesians write it, DD/MM/YYYY."""
    if isinstance(value, datetime.date):
        return value
    match = _DMY.match(str(value))
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    return str(value)  # satudata_iso_date judges it


def _dataset(value: str) -> str:
    """A dataset's name or id, also from its address (…/dataset/<name>)."""
    match = re.search(r"/dataset/([^/?#]+)", value)
    return match.group(1) if match else value


def read_workbook(data: bytes, opds: Sequence[dict[str, Any]], frequencies: Sequence[dict[str, Any]],
                  limits: safety.Limits) -> list[tuple[int, dict[str, Any]]]:
    """(row number, values) for every non-blank row of the first sheet, holding only the columns the file has and
    the cells that are filled. Raises ValidationError under `upload` for the file, or for cells it cannot read."""
    return workbooks.read_first_sheet(
        data, limits, lambda _workbook, sheet: _read_rows(sheet.iter_rows(values_only=True), opds, frequencies))


def _read_rows(cells: Iterable[tuple[Any, ...]], opds: Sequence[dict[str, Any]],
               frequencies: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    cells = iter(cells)
    header = next(cells, None) or ()
    known = _header_fields()
    columns = {index: known[_normal(text)] for index, text in enumerate(header) if _normal(text) in known}
    if "nama" not in columns.values():
        raise tk.ValidationError({FILE_KEY: [tk._(
            'The first row must hold the column headers of the template, "Nama Elemen Data" among them')]})
    rows = []
    for number, values in enumerate(cells, start=2):
        cells_of_row = {field: _plain(values[index]) for index, field in columns.items() if index < len(values)}
        filled = {field: value for field, value in cells_of_row.items() if value is not None}
        if not filled:
            continue
        if len(rows) >= MAX_ROWS:
            raise tk.ValidationError({FILE_KEY: [tk._("The file has more than {rows} elements").format(
                rows=MAX_ROWS)]})
        if "owner_org" in filled:
            filled["owner_org"] = _opd(str(filled["owner_org"]), opds)
        if "frekuensi" in filled:
            filled["frekuensi"] = _frequency(str(filled["frekuensi"]), frequencies)
        if "tanggal_target" in filled:
            filled["tanggal_target"] = _date(filled["tanggal_target"])
        if "package_id" in filled:
            filled["package_id"] = _dataset(str(filled["package_id"]))
        for field in ("nama", "definisi", "satuan"):
            if field in filled:
                filled[field] = str(filled[field])
        rows.append((number, filled))
    return rows


def header_label(field: str, lang: str) -> str:
    """The column header of a field, for messages about a row."""
    for name, header_id, header_en, _width in COLUMNS:
        if name == field:
            return header_en if lang == "en" else header_id
    return field
