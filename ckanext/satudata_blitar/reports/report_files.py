"""The reports of figures.py as files a person opens: .xlsx (one sheet per section, printable), .csv (the sections
one after another, each under its title row and separated by an empty row) and .json (the action's result as is).

Headers are Indonesian (the SOP's language) or English (`lang="en"`), in the words of the pages: the concepts'
labels (states, movements, steps, statuses, aspects, indicators) are their modules' msgids, and every word is
translated from the same catalogue (language.translated).

Numbers and dates are written as the pages write them in the file's language (language/formats.py): in .xlsx they stay
numbers and dates with a number format (1.234,5; 85,8%; 1 Desember 2026, 13.20 WIB); the .csv is written the way
a spreadsheet in that language's region reads it: Indonesian with `;` between fields and 1.234,5, English with
`,` and 1,234.5 (docs/i18n.md). The .json keeps the machine format (ISO times, shares 0-1)."""
from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Callable, Iterable

from ckanext.satudata_blitar.language import N_, formats, translated
from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.reports import figures
from ckanext.satudata_blitar.workflow import transitions

FORMATS = ("xlsx", "csv", "json", "pdf")
MIMETYPES = {"xlsx": workbooks.XLSX_MIMETYPE, "csv": workbooks.CSV_MIMETYPE + "; charset=utf-8",
             "json": workbooks.JSON_MIMETYPE, "pdf": "application/pdf"}
# The files' names say what they are in the SOP's words, whatever the file's language: laporan-pemantauan-2026.pdf,
# laporan-pemantauan-evaluasi-2026-T3.xlsx.
FILE_NAMES = {"monitoring": "laporan-pemantauan", "evaluation": "laporan-pemantauan-evaluasi"}

TEXT, INT, HOURS, SHARE, TIME, SCORE, DATE, MONTH = "text", "int", "hours", "share", "time", "score", "date", "month"


@dataclasses.dataclass
class Column:
    label: str | Callable[[str], str]  # a msgid, or a function of the language
    width: int
    kind: str = INT


@dataclasses.dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    widths: list[int]
    kinds: list[str]
    rows: list[list[Any]]


STATUS_LABELS = {"late": N_("Done late"), "waiting": N_("Still waiting")}
# The units of the SOP's standard times (workflow/working_days.py).
UNIT_LABELS = {figures.WORKING_DAYS: N_("working days"), figures.WORKING_HOURS: N_("working hours")}
ALL_OPDS = N_("All OPDs")
REPORT_TITLES = {"monitoring": N_("Monitoring report"),
                 "evaluation": N_("Evaluation report")}


def _header(label: str | Callable[[str], str], lang: str) -> str:
    return label(lang) if callable(label) else translated(label, lang)


def _section(key: str, title: str, columns: list[Column], rows: list[list[Any]], lang: str) -> Section:
    return Section(key, translated(title, lang), [_header(c.label, lang) for c in columns], [c.width for c in columns],
                   [c.kind for c in columns], rows)


def _now(label: str) -> Callable[[str], str]:
    """The header of a count now: "Draf (kini)"."""
    return lambda lang: translated(N_("{label} (now)"), lang).format(label=translated(label, lang))


def _in_period(label: str) -> Callable[[str], str]:
    """The header of a count in the period: "Diajukan (periode)"."""
    return lambda lang: translated(N_("{label} (period)"), lang).format(label=translated(label, lang))


def _time(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# --- the daftar elemen data (both reports) -----------------------------------------------------------------------

YES_NO = {True: N_("Yes"), False: N_("No")}


def _element_columns() -> list[Column]:
    return [Column(N_("OPD"), 30, TEXT), Column(N_("Data element"), 36, TEXT),
            Column(N_("Priority"), 10, TEXT), Column(N_("Target date"), 13, DATE),
            Column(N_("Dataset"), 26, TEXT), Column(N_("Status"), 20, TEXT),
            Column(N_("Late"), 10, TEXT), Column(N_("Published"), 17, TIME)]


def _element_row(element: dict[str, Any], lang: str) -> list[Any]:
    return [element["opd_title"], element["nama"], translated(YES_NO[bool(element["data_prioritas"])], lang),
            _date(element["tanggal_target"]), element["dataset"],
            translated(data_elements.STATUS_LABELS[element["status"]], lang),
            translated(YES_NO[bool(element["late"])], lang),
            _time(element["published_at"])]


# --- monitoring -------------------------------------------------------------------------------------------------

def monitoring_sections(report: dict[str, Any], lang: str = "id") -> list[Section]:
    return [
        _summary_section(report, lang),
        _timeliness_section(report, lang),
        _overdue_section(report, lang),
        _fulfilment_section(report, lang),
        _section("late_elements", N_("Late data elements"), _element_columns(),
                 [_element_row(element, lang) for element in report["data_elements"]["late"]], lang),
        _trend_section(report, lang),
    ] + _data_request_sections(report, lang)


def _summary_section(report: dict[str, Any], lang: str) -> Section:
    states, movements = report["states"], report["movements"]
    summary_columns = (
        [Column(N_("OPD"), 34, TEXT)]
        + [Column(_now(transitions.STATE_LABELS[s]), 14) for s in states]
        + [Column(N_("Datasets (now)"), 14)]
        + [Column(_in_period(transitions.MOVEMENT_LABELS[m]), 14) for m in movements])
    summary = [[opd["title"]] + [opd["states"][s] for s in states] + [opd["total"]] + [opd[m] for m in movements]
               for opd in report["opds"]]
    totals = report["totals"]
    summary.append([translated(ALL_OPDS, lang)] + [totals["states"][s] for s in states] + [totals["total"]]
                   + [totals[m] for m in movements])
    return _section("summary", N_("Summary by OPD"), summary_columns, summary, lang)


def _timeliness_section(report: dict[str, Any], lang: str) -> Section:
    timeliness_columns = [
        Column(N_("OPD"), 34, TEXT), Column(N_("Step"), 22, TEXT),
        Column(N_("Standard"), 10, HOURS), Column(N_("Unit"), 14, TEXT), Column(N_("Done"), 10),
        Column(N_("On time"), 11), Column(N_("Late"), 11),
        Column(N_("Still waiting"), 12),
        Column(N_("Waiting past standard"), 14),
        Column(N_("On time (%)"), 12, SHARE),
        Column(N_("Median"), 10, HOURS),
        Column(N_("Worst"), 10, HOURS),
    ]
    timeliness = [[row["opd_title"] or translated(ALL_OPDS, lang), translated(figures.STEP_LABELS[row["step"]], lang),
                   row["standard"], translated(UNIT_LABELS[row["unit"]], lang), row["done"], row["on_time"],
                   row["late"], row["waiting"], row["overdue_waiting"], row["on_time_share"], row["median"],
                   row["worst"]]
                  for row in report["timeliness"]]
    return _section("timeliness", N_("Timeliness against the SOP"), timeliness_columns, timeliness, lang)


def _overdue_section(report: dict[str, Any], lang: str) -> Section:
    overdue_columns = [
        Column(N_("Dataset"), 28, TEXT), Column(N_("Title"), 40, TEXT),
        Column(N_("OPD"), 30, TEXT), Column(N_("Step"), 22, TEXT),
        Column(N_("Started"), 17, TIME), Column(N_("Ended"), 17, TIME),
        Column(N_("Hours"), 11, HOURS), Column(N_("Taken"), 10, HOURS), Column(N_("Standard"), 10, HOURS),
        Column(N_("Unit"), 14, TEXT), Column(N_("Late by"), 10, HOURS),
        Column(N_("Status"), 18, TEXT),
    ]
    overdue = [[row["dataset"], row["title"], row["opd_title"], translated(figures.STEP_LABELS[row["step"]], lang),
                _time(row["started_at"]), _time(row["ended_at"]), row["hours"], row["taken"], row["standard"],
                translated(UNIT_LABELS[row["unit"]], lang), row["late_by"],
                translated(STATUS_LABELS[row["status"]], lang)] for row in report["overdue"]]
    return _section("overdue", N_("Past the standard time"), overdue_columns, overdue, lang)


def _fulfilment_section(report: dict[str, Any], lang: str) -> Section:
    totals = report["totals"]
    fulfilment_columns = [
        Column(N_("OPD"), 34, TEXT), Column(N_("Number of data elements"), 11),
        Column(N_("Priority"), 10), Column(N_("Published"), 10),
        Column(N_("Not yet published"), 12), Column(N_("No dataset yet"), 12),
        Column(N_("Late"), 10), Column(N_("Published on time"), 12),
        Column(N_("Fulfilled (%)"), 12, SHARE),
        Column(N_("Priority fulfilled (%)"), 13, SHARE),
    ]
    fulfilment = [[title] + [counts[key] for key in ("elements", "priority", "terbit", "belum_terbit",
                                                     "belum_ada_dataset", "late", "terbit_on_time", "share",
                                                     "priority_share")]
                  for title, counts in [(opd["title"], opd["data_elements"]) for opd in report["opds"]]
                  + [(translated(ALL_OPDS, lang), totals["data_elements"])]]
    return _section("data_elements", N_("Data element fulfilment"), fulfilment_columns, fulfilment, lang)


def _trend_section(report: dict[str, Any], lang: str) -> Section:
    movements = report["movements"]
    trend_columns = ([Column(N_("Month"), 16, MONTH)]
                     + [Column(transitions.MOVEMENT_LABELS[m], 14) for m in movements])
    trend = [[_date(row["month"] + "-01")] + [row[m] for m in movements] for row in report["trend"]]
    return _section("trend", N_("Monthly trend"), trend_columns, trend, lang)


def _data_request_sections(report: dict[str, Any], lang: str) -> list[Section]:
    """The data requests (permohonan data) of the period, by OPD (requests/data_requests.py: report): the last
    section of both reports."""
    requests = report.get("data_requests")
    if not requests:
        return []
    columns = [Column(N_("OPD"), 34, TEXT), Column(N_("Received"), 11), Column(N_("Answered"), 11),
               Column(N_("On time"), 11), Column(N_("Late"), 11), Column(N_("Fulfilled"), 11),
               Column(N_("Will be provided"), 12), Column(N_("Refused"), 11), Column(N_("Still waiting"), 12),
               Column(N_("Waiting past the time"), 14), Column(N_("On time (%)"), 12, SHARE)]
    keys = ["received", "answered", "on_time", "late", "terpenuhi", "akan_disediakan", "ditolak", "waiting",
            "waiting_late", "on_time_share"]
    rows = [[row["opd_title"] or translated(N_("OPD not known yet"), lang)] + [row[key] for key in keys]
            for row in requests["by_opd"]]
    rows.append([translated(ALL_OPDS, lang)] + [requests["totals"][key] for key in keys])
    return [_section("data_requests", N_("Data requests"), columns, rows, lang)]


# --- evaluation -------------------------------------------------------------------------------------------------

def evaluation_sections(report: dict[str, Any], lang: str = "id") -> list[Section]:
    aspects = list(report["aspects"])
    by_name = {opd["name"]: opd for opd in report["opds"]}
    ranked = [by_name[name] for name in report["ranking"]]

    ranking_columns = ([Column(N_("Rank"), 10), Column(N_("OPD"), 34, TEXT),
                        Column(N_("Total score"), 12, SCORE)]
                       + [Column(figures.ASPECT_LABELS[a], 14, SCORE) for a in aspects]
                       + [Column(N_("Number of datasets"), 12),
                          Column(N_("Number of data elements"), 12)])
    ranking = [[opd["rank"], opd["title"], opd["total"], *[opd["aspects"][a] for a in aspects], opd["datasets"],
                opd["data_elements"]] for opd in ranked]

    card_columns = [Column(N_("OPD"), 34, TEXT), Column(N_("Aspect"), 18, TEXT),
                    Column(N_("Indicator"), 30, TEXT), Column(N_("Score"), 10, SCORE),
                    Column(N_("Numerator"), 12), Column(N_("Denominator"), 12)]
    card = []
    for title, scorecard in [(opd["title"], opd) for opd in ranked] + [(translated(ALL_OPDS, lang), report["portal"])]:
        for aspect in aspects:
            for name in report["aspects"][aspect]:
                indicator = scorecard["indicators"][name]
                card.append([title, translated(figures.ASPECT_LABELS[aspect], lang),
                             translated(figures.INDICATOR_LABELS[name], lang),
                             indicator["score"], indicator["numerator"], indicator["denominator"]])

    dataset_columns = [
        Column(N_("OPD"), 30, TEXT), Column(N_("Dataset"), 26, TEXT),
        Column(N_("Title"), 36, TEXT), Column(N_("Status"), 16, TEXT),
        Column(N_("Required filled"), 10), Column(N_("Required"), 10),
        Column(N_("Recommended filled"), 11), Column(N_("Recommended"), 11),
        Column(N_("Data standards filled"), 11),
        Column(N_("Reference code"), 10, TEXT),
        Column(N_("Resources"), 10), Column(N_("Machine-readable"), 10),
        Column(N_("In the DataStore"), 10), Column(N_("Steps done"), 10),
        Column(N_("Steps on time"), 10),
        Column(N_("Waiting past standard"), 12),
        Column(N_("Checks passed"), 11), Column(N_("Checks"), 11),
    ]
    datasets = [[opd["title"], d["name"], d["title"], translated(transitions.STATE_LABELS[d["state"]], lang),
                 d["required_filled"],
                 d["required_total"], d["recommended_filled"], d["recommended_total"], d["standard_filled"],
                 translated(YES_NO[bool(d["reference_code"])], lang), d["resources"], d["machine_readable"],
                 d["datastore"], d["steps_done"], d["steps_on_time"], d["steps_overdue"], d["checks_passed"],
                 d["checks_made"]]
                for opd in ranked for d in opd["dataset_facts"]]
    return [
        _section("ranking", N_("Ranking"), ranking_columns, ranking, lang),
        _section("scorecard", N_("Scorecard"), card_columns, card, lang),
        _section("datasets", N_("Datasets"), dataset_columns, datasets, lang),
        _section("data_elements", N_("Data elements"), _element_columns(),
                 [_element_row(element, lang) for opd in ranked for element in opd["element_facts"]], lang),
    ] + _data_request_sections(report, lang)


# --- files ------------------------------------------------------------------------------------------------------

def sections(kind: str, report: dict[str, Any], lang: str = "id") -> list[Section]:
    builders: dict[str, Callable[[dict[str, Any], str], list[Section]]] = {
        "monitoring": monitoring_sections, "evaluation": evaluation_sections}
    return builders[kind](report, lang)


def title(kind: str, report: dict[str, Any], lang: str = "id") -> str:
    opd = report.get("opd_title") or report.get("opd") or translated(ALL_OPDS, lang)
    return f"{translated(REPORT_TITLES[kind], lang)} {formats.satudata_period(report['period']['label'], lang)} - {opd}"


def filename(kind: str, report: dict[str, Any], fmt: str) -> str:
    """laporan-pemantauan-2026-T3.xlsx, laporan-pemantauan-evaluasi-2026-dinas-kesehatan.pdf (the period as
    written in Indonesian)."""
    opd = f"-{report['opd']}" if report.get("opd") else ""
    return f"{FILE_NAMES[kind]}-{formats.satudata_period(report['period']['label'], 'id')}{opd}.{fmt}"


def write(fmt: str, report: dict[str, Any], parts: Iterable[Section], heading: str, lang: str = "id",
          document: dict[str, Any] | None = None) -> bytes:
    """The file's bytes in `lang` (its numbers' and dates' format); `parts` is iterated once (the CLI wraps it in a
    progress bar). `document` (report_document.document) gives the .xlsx its cover sheet and properties."""
    if fmt == "json":
        for _part in parts:
            pass
        return json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        return _csv(parts, heading, workbooks.language(lang))
    if fmt == "xlsx":
        return _xlsx(parts, heading, workbooks.language(lang), document)
    raise ValueError(fmt)


def csv_text(value: Any, kind: str, lang: str) -> str:
    """A value as the pages write it: 1.234,5 hours, 85,8%, 45,9 points, 1 Desember 2026, 3 Juli 2026, 12.30 WIB
    (the report's naive local times), Juli 2026; empty when there is none."""
    if value is None:
        return ""
    if kind in (INT, HOURS, SCORE):
        return formats.satudata_number(value, lang=lang)
    if kind == SHARE:
        return formats.satudata_percent(value, lang=lang)
    if kind == TIME:
        return formats.satudata_datetime(value, lang, local=True)
    if kind == DATE:
        return formats.satudata_date(value, lang)
    if kind == MONTH:
        return formats.satudata_month(value, lang)
    return value


def _csv(parts: Iterable[Section], heading: str, lang: str) -> bytes:
    """The sections one after another, each under its title row and separated by an empty row."""
    def rows() -> Iterable[list[Any]]:
        yield [heading]
        for part in parts:
            yield from ([], [part.title], part.headers)
            for row in part.rows:
                yield [csv_text(value, kind, lang) for value, kind in zip(row, part.kinds)]
    return workbooks.csv_bytes(rows(), workbooks.csv_delimiter(lang))


# The number format of each kind of column (formats.xlsx_number_format); text has none.
XLSX_KINDS = {INT: "integer", HOURS: "decimal", SHARE: "percent", TIME: "datetime", SCORE: "decimal", DATE: "date",
              MONTH: "month"}


def _xlsx(parts: Iterable[Section], heading: str, lang: str, document: dict[str, Any] | None = None) -> bytes:
    """One sheet per section: bold header row, frozen, with widths; landscape, one page wide, the header repeated
    on every printed page and the report's title in the page header. With a `document`, a cover sheet first
    (letterhead, title, period, number and date of issue, summary, signatures) and the document's properties.

    A write-only workbook: each row goes to the file as it is appended (a province's full lists are 100,000 rows
    and more), never a sheet of cell objects in memory."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    number_formats = {kind: formats.xlsx_number_format(name, lang) for kind, name in XLSX_KINDS.items()}
    workbook = Workbook(write_only=True)
    workbook.properties.title = heading
    workbook.properties.language = lang
    workbook.properties.creator = workbook.properties.lastModifiedBy = None
    if document:
        _cover_sheet(workbook, document, lang)
    for part in parts:
        sheet = workbook.create_sheet(part.title[:31])
        for index, width in enumerate(part.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.oddHeader.center.text = f"{heading} - {part.title}"
        sheet.oddFooter.right.text = "&P / &N"
        header = [workbooks.write_only_cell(sheet, value) for value in part.headers]
        workbooks.style_header(header)
        sheet.append(header)
        formatted = [number_formats.get(kind) for kind in part.kinds]
        for row in part.rows:
            sheet.append([_xlsx_value(sheet, value, number_format) for value, number_format in zip(row, formatted)])
    if not workbook.sheetnames:
        workbook.create_sheet(heading[:31])
    return workbooks.workbook_bytes(workbook)


def _xlsx_value(sheet: Any, value: Any, number_format: str | None) -> Any:
    """A value of a write-only row: a cell with its number format, a text cell for text that would read as a
    formula, else the value itself (the cheapest: no cell object)."""
    if value is None:
        return None
    if number_format or (isinstance(value, str) and value.startswith("=")):
        cell = workbooks.write_only_cell(sheet, value)
        if number_format:
            cell.number_format = number_format
        return cell
    return workbooks.clean(value)


COVER_SHEET = N_("Report")


def _cover_sheet(workbook: Any, document: dict[str, Any], lang: str) -> None:
    """The document's first sheet, printed on one A4 page: the letterhead, title, scope, number, date of issue,
    period, summary and the signature blocks (side by side for step 8: "Mengetahui" left, the compiler right)."""
    from openpyxl.worksheet.worksheet import Worksheet  # as in _Cover
    properties = workbook.properties
    properties.title = document["full_title"]
    properties.subject = f"{document['title']} {document['period']}"
    properties.creator = properties.lastModifiedBy = document["author"]
    properties.description = " ".join(document["summary"])
    sheet = workbook.create_sheet(translated(COVER_SHEET, lang)[:31])
    for letter, width in zip("ABCD", (16, 40, 6, 40)):
        sheet.column_dimensions[letter].width = width
    cover = _Cover(sheet)
    _cover_heading(cover, document)
    _cover_details(cover, document, lang)
    _cover_signatures(cover, document["signatures"])
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


class _Cover:
    """The cover sheet written line by line (a write-only sheet: each line a row of styled cells), each line across
    the four columns unless `merge` is False."""

    def __init__(self, sheet: Any) -> None:
        # openpyxl is imported where a report file is written (as in _xlsx), not when the reports load
        from openpyxl.styles import Alignment
        self.sheet = sheet
        self.rows = 0
        self.centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.wrap = Alignment(vertical="top", wrap_text=True)

    def line(self, values: list[Any], font: Any = None, alignment: Any = None, merge: bool = True,
             height: float | None = None, border: Any = None, styles: dict[int, dict[str, Any]] | None = None) -> int:
        """Appends the line; `styles` sets attributes of single cells by column (1-4)."""
        sheet = self.sheet
        self.rows += 1
        row = self.rows
        if merge and values:
            values = list(values) + [None] * (4 - len(values))
            sheet.merged_cells.add(f"A{row}:D{row}")
        values = list(values) or [None]  # a blank line is a row too
        cells = []
        for column, value in enumerate(values, start=1):
            cell = workbooks.write_only_cell(sheet, value)
            for name, style in (("font", font), ("alignment", alignment), ("border", border)):
                if style is not None:
                    setattr(cell, name, style)
            for name, style in (styles or {}).get(column, {}).items():
                setattr(cell, name, style)
            cells.append(cell)
        if height:
            sheet.row_dimensions[row].height = height
        sheet.append(cells)
        return row


def _cover_heading(cover: _Cover, document: dict[str, Any]) -> None:
    """The letterhead (over a double rule), the document's title and scope."""
    from openpyxl.styles import Border, Font, Side  # as in _Cover
    letterhead, centre = document["letterhead"], cover.centre
    cover.line([letterhead["government"].upper()], Font(bold=True, size=13), centre)
    cover.line([letterhead["office"].upper()], Font(bold=True, size=14), centre)
    contact = ", ".join(filter(None, [letterhead["address"], letterhead["phone"] and f"Telp. {letterhead['phone']}",
                                      letterhead["email"], letterhead["website"]]))
    cover.line([contact], Font(size=9), centre, border=Border(bottom=Side(style="double")))
    cover.line([])
    cover.line([document["title"].upper()], Font(bold=True, size=13), centre)
    cover.line([document["scope"]], Font(bold=True), centre)
    cover.line([])


def _cover_details(cover: _Cover, document: dict[str, Any], lang: str) -> None:
    """Number, date of issue, period and recipient, then the summary."""
    from openpyxl.styles import Alignment, Font  # as in _Cover
    sheet = cover.sheet
    date = {2: {"number_format": formats.xlsx_number_format("date", lang), "alignment": Alignment(horizontal="left")}}
    labels = [(N_("Number"), document["number"]), (N_("Date"), datetime.date.fromisoformat(document["issued"])),
              (N_("Period"), document["period"])]
    if document["recipient"]:
        labels.append((N_("To"), document["recipient"]))
    for label, value in labels:
        row = cover.line([translated(label, lang), value], merge=False,
                         styles=date if isinstance(value, datetime.date) else None)
        sheet.merged_cells.add(f"B{row}:D{row}")
    cover.line([])
    cover.line([translated(N_("Summary"), lang)], Font(bold=True))
    text = " ".join(document["summary"])
    cover.line([text], alignment=cover.wrap, height=15 * (len(text) // 95 + 2))
    cover.line([])


def _cover_signatures(cover: _Cover, blocks: list[dict[str, Any]]) -> None:
    """The signature blocks: one signer on the right; with two, "Mengetahui" on the left."""
    from openpyxl.styles import Font  # as in _Cover
    columns = [4] if len(blocks) == 1 else [2, 4]
    for key in ("opening", "position", None, None, None, "name", "rank", "nip"):
        values: list[Any] = [None] * 4
        for column, block in zip(columns, blocks):
            if key == "opening":
                values[column - 1] = "\n".join(filter(None, [block["place_date"], block["heading"]]))
            elif key:
                values[column - 1] = block[key] or None
        name = {column: {"font": Font(bold=True, underline="single")} for column in columns} if key == "name" else None
        cover.line(values, merge=False, alignment=cover.centre,
                   height=30 if key in ("opening", "position") else None, styles=name)
