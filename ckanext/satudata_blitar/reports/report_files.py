"""The reports of reports.py as files a person opens: .xlsx (one sheet per section, printable), .csv (the sections one
after another, each under its title row and separated by an empty row) and .json (the action's result as is).

Headers are Indonesian (the SOP's language) or English (`lang="en"`)."""
from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Callable, Iterable

from ckanext.satudata_blitar import files, formats
from ckanext.satudata_blitar.workflow import transitions as workflow

FORMATS = ("xlsx", "csv", "json")
MIMETYPES = {"xlsx": files.XLSX_MIMETYPE, "csv": files.CSV_MIMETYPE + "; charset=utf-8", "json": files.JSON_MIMETYPE}

TEXT, INT, HOURS, SHARE, TIME, SCORE, DATE = "text", "int", "hours", "share", "time", "score", "date"


@dataclasses.dataclass
class Column:
    label: tuple[str, str]  # (Indonesian, English)
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


def _l(text_id: str, text_en: str) -> tuple[str, str]:
    return text_id, text_en


STATE_LABELS = {
    workflow.DRAF: _l("Draf", "Draft"),
    workflow.DIAJUKAN: _l("Diajukan", "Submitted"),
    workflow.TERVERIFIKASI_OPD: _l("Terverifikasi OPD", "Verified by OPD"),
    workflow.DISETUJUI: _l("Disetujui", "Approved"),
    workflow.TERBIT: _l("Terbit", "Published"),
    workflow.PERLU_PERBAIKAN: _l("Perlu Perbaikan", "Needs revision"),
}
MOVEMENT_LABELS = {
    "submitted": _l("Diajukan", "Submitted"),
    "verified_opd": _l("Diverifikasi OPD", "Verified (OPD)"),
    "returned_opd": _l("Dikembalikan OPD", "Returned (OPD)"),
    "verified_walidata": _l("Diverifikasi Walidata", "Verified (Walidata)"),
    "returned_walidata": _l("Dikembalikan Walidata", "Returned (Walidata)"),
    "published": _l("Diterbitkan", "Published"),
    "withdrawn": _l("Ditarik", "Withdrawn"),
}
STEP_LABELS = {
    "unggah": _l("Unggah", "Upload"),
    "verifikasi_opd": _l("Verifikasi OPD", "Verification (OPD)"),
    "verifikasi_walidata": _l("Verifikasi Walidata", "Verification (Walidata)"),
    "publikasi": _l("Publikasi", "Publication"),
}
STATUS_LABELS = {"late": _l("Selesai terlambat", "Done late"), "waiting": _l("Masih menunggu", "Still waiting")}
ALL_OPDS = _l("Semua OPD", "All OPDs")
REPORT_TITLES = {"monitoring": _l("Laporan Pemantauan", "Monitoring report"),
                 "evaluation": _l("Laporan Evaluasi", "Evaluation report")}


def _pick(label: tuple[str, str], lang: str) -> str:
    return label[1] if lang == "en" else label[0]


def _section(key: str, title: tuple[str, str], columns: list[Column], rows: list[list[Any]], lang: str) -> Section:
    return Section(key, _pick(title, lang), [_pick(c.label, lang) for c in columns], [c.width for c in columns],
                   [c.kind for c in columns], rows)


def _time(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# --- the daftar elemen data (both reports) -----------------------------------------------------------------------

ELEMENT_STATUS_LABELS = {
    "belum_ada_dataset": _l("Belum ada dataset", "No dataset yet"),
    "belum_terbit": _l("Ada, belum terbit", "Dataset not yet published"),
    "terbit": _l("Terbit", "Published"),
}
YES_NO = {True: _l("Ya", "Yes"), False: _l("Tidak", "No")}


def _element_columns() -> list[Column]:
    return [Column(_l("OPD", "OPD"), 30, TEXT), Column(_l("Elemen data", "Data element"), 36, TEXT),
            Column(_l("Prioritas", "Priority"), 10, TEXT), Column(_l("Tanggal target", "Target date"), 13, DATE),
            Column(_l("Dataset", "Dataset"), 26, TEXT), Column(_l("Status", "Status"), 20, TEXT),
            Column(_l("Terlambat", "Late"), 10, TEXT), Column(_l("Terbit", "Published"), 17, TIME)]


def _element_row(element: dict[str, Any], lang: str) -> list[Any]:
    return [element["opd_title"], element["nama"], _pick(YES_NO[bool(element["data_prioritas"])], lang),
            _date(element["tanggal_target"]), element["dataset"],
            _pick(ELEMENT_STATUS_LABELS[element["status"]], lang), _pick(YES_NO[bool(element["late"])], lang),
            _time(element["published_at"])]


# --- monitoring -------------------------------------------------------------------------------------------------

def monitoring_sections(report: dict[str, Any], lang: str = "id") -> list[Section]:
    states, movements = report["states"], report["movements"]
    summary_columns = (
        [Column(_l("OPD", "OPD"), 34, TEXT)]
        + [Column(_l(f"{STATE_LABELS[s][0]} (kini)", f"{STATE_LABELS[s][1]} (now)"), 14) for s in states]
        + [Column(_l("Jumlah dataset (kini)", "Datasets (now)"), 14)]
        + [Column(_l(f"{MOVEMENT_LABELS[m][0]} (periode)", f"{MOVEMENT_LABELS[m][1]} (period)"), 14)
           for m in movements])
    summary = [[opd["title"]] + [opd["states"][s] for s in states] + [opd["total"]] + [opd[m] for m in movements]
               for opd in report["opds"]]
    totals = report["totals"]
    summary.append([_pick(ALL_OPDS, lang)] + [totals["states"][s] for s in states] + [totals["total"]]
                   + [totals[m] for m in movements])

    timeliness_columns = [
        Column(_l("OPD", "OPD"), 34, TEXT), Column(_l("Tahap", "Step"), 22, TEXT),
        Column(_l("Standar (jam)", "Standard (hours)"), 12, HOURS), Column(_l("Selesai", "Done"), 10),
        Column(_l("Tepat waktu", "On time"), 11), Column(_l("Terlambat", "Late"), 11),
        Column(_l("Masih menunggu", "Still waiting"), 12),
        Column(_l("Menunggu melewati standar", "Waiting past standard"), 14),
        Column(_l("Tepat waktu (%)", "On time (%)"), 12, SHARE),
        Column(_l("Median (jam)", "Median (hours)"), 12, HOURS),
        Column(_l("Terlama (jam)", "Worst (hours)"), 12, HOURS),
    ]
    timeliness = [[row["opd_title"] or _pick(ALL_OPDS, lang), _pick(STEP_LABELS[row["step"]], lang),
                   row["standard_hours"], row["done"], row["on_time"], row["late"], row["waiting"],
                   row["overdue_waiting"], row["on_time_share"], row["median_hours"], row["worst_hours"]]
                  for row in report["timeliness"]]

    overdue_columns = [
        Column(_l("Dataset", "Dataset"), 28, TEXT), Column(_l("Judul", "Title"), 40, TEXT),
        Column(_l("OPD", "OPD"), 30, TEXT), Column(_l("Tahap", "Step"), 22, TEXT),
        Column(_l("Mulai", "Started"), 17, TIME), Column(_l("Selesai", "Ended"), 17, TIME),
        Column(_l("Lama (jam)", "Hours"), 11, HOURS), Column(_l("Standar (jam)", "Standard (hours)"), 12, HOURS),
        Column(_l("Keadaan", "Status"), 18, TEXT),
    ]
    overdue = [[row["dataset"], row["title"], row["opd_title"], _pick(STEP_LABELS[row["step"]], lang),
                _time(row["started_at"]), _time(row["ended_at"]), row["hours"], row["standard_hours"],
                _pick(STATUS_LABELS[row["status"]], lang)] for row in report["overdue"]]

    fulfilment_columns = [
        Column(_l("OPD", "OPD"), 34, TEXT), Column(_l("Elemen data", "Data elements"), 11),
        Column(_l("Prioritas", "Priority"), 10), Column(_l("Terbit", "Published"), 10),
        Column(_l("Ada, belum terbit", "Not yet published"), 12), Column(_l("Belum ada dataset", "No dataset yet"), 12),
        Column(_l("Terlambat", "Late"), 10), Column(_l("Terbit tepat waktu", "Published on time"), 12),
        Column(_l("Terpenuhi (%)", "Fulfilled (%)"), 12, SHARE),
        Column(_l("Prioritas terpenuhi (%)", "Priority fulfilled (%)"), 13, SHARE),
    ]
    fulfilment = [[title] + [counts[key] for key in ("elements", "priority", "terbit", "belum_terbit",
                                                     "belum_ada_dataset", "late", "terbit_on_time", "share",
                                                     "priority_share")]
                  for title, counts in [(opd["title"], opd["data_elements"]) for opd in report["opds"]]
                  + [(_pick(ALL_OPDS, lang), totals["data_elements"])]]
    late_elements = [_element_row(element, lang) for element in report["data_elements"]["late"]]

    trend_columns = ([Column(_l("Bulan", "Month"), 10, TEXT)]
                     + [Column(MOVEMENT_LABELS[m], 14) for m in movements])
    trend = [[row["month"]] + [row[m] for m in movements] for row in report["trend"]]

    return [
        _section("summary", _l("Ringkasan OPD", "Summary by OPD"), summary_columns, summary, lang),
        _section("timeliness", _l("Ketepatan Waktu", "Timeliness"), timeliness_columns, timeliness, lang),
        _section("overdue", _l("Melewati Standar", "Overdue"), overdue_columns, overdue, lang),
        _section("data_elements", _l("Pemenuhan Elemen Data", "Data element fulfilment"), fulfilment_columns,
                 fulfilment, lang),
        _section("late_elements", _l("Elemen Data Terlambat", "Late data elements"), _element_columns(),
                 late_elements, lang),
        _section("trend", _l("Tren Bulanan", "Monthly trend"), trend_columns, trend, lang),
    ]


# --- evaluation -------------------------------------------------------------------------------------------------

ASPECT_LABELS = {
    "prinsip_sdi": _l("Prinsip SDI", "SDI principles"),
    "kualitas_data": _l("Kualitas Data", "Data quality"),
    "proses_bisnis": _l("Proses Bisnis", "Business process"),
}
INDICATOR_LABELS = {
    "standar_data": _l("Standar data", "Data standards"),
    "metadata": _l("Metadata", "Metadata"),
    "kode_referensi": _l("Kode referensi", "Reference codes"),
    "ketepatan_waktu": _l("Aktualitas dan ketepatan waktu", "Timeliness"),
    "aksesibilitas": _l("Aksesibilitas", "Accessibility"),
    "pemeriksaan": _l("Pemeriksaan", "Checking"),
    "penyebarluasan": _l("Penyebarluasan", "Dissemination"),
    "elemen_data": _l("Pemenuhan daftar elemen data", "Daftar elemen data fulfilled"),
}


def evaluation_sections(report: dict[str, Any], lang: str = "id") -> list[Section]:
    aspects = list(report["aspects"])
    by_name = {opd["name"]: opd for opd in report["opds"]}
    ranked = [by_name[name] for name in report["ranking"]]

    ranking_columns = ([Column(_l("Peringkat", "Rank"), 10), Column(_l("OPD", "OPD"), 34, TEXT),
                        Column(_l("Nilai total", "Total score"), 12, SCORE)]
                       + [Column(ASPECT_LABELS[a], 14, SCORE) for a in aspects]
                       + [Column(_l("Jumlah dataset", "Datasets"), 12),
                          Column(_l("Jumlah elemen data", "Data elements"), 12)])
    ranking = [[opd["rank"], opd["title"], opd["total"], *[opd["aspects"][a] for a in aspects], opd["datasets"],
                opd["data_elements"]] for opd in ranked]

    card_columns = [Column(_l("OPD", "OPD"), 34, TEXT), Column(_l("Aspek", "Aspect"), 18, TEXT),
                    Column(_l("Indikator", "Indicator"), 30, TEXT), Column(_l("Nilai", "Score"), 10, SCORE),
                    Column(_l("Pembilang", "Numerator"), 12), Column(_l("Penyebut", "Denominator"), 12)]
    card = []
    for title, scorecard in [(opd["title"], opd) for opd in ranked] + [(_pick(ALL_OPDS, lang), report["portal"])]:
        for aspect in aspects:
            for name in report["aspects"][aspect]:
                indicator = scorecard["indicators"][name]
                card.append([title, _pick(ASPECT_LABELS[aspect], lang), _pick(INDICATOR_LABELS[name], lang),
                             indicator["score"], indicator["numerator"], indicator["denominator"]])

    dataset_columns = [
        Column(_l("OPD", "OPD"), 30, TEXT), Column(_l("Dataset", "Dataset"), 26, TEXT),
        Column(_l("Judul", "Title"), 36, TEXT), Column(_l("Status", "Status"), 16, TEXT),
        Column(_l("Wajib terisi", "Required filled"), 10), Column(_l("Wajib", "Required"), 10),
        Column(_l("Dianjurkan terisi", "Recommended filled"), 11), Column(_l("Dianjurkan", "Recommended"), 11),
        Column(_l("Standar data terisi", "Data standards filled"), 11),
        Column(_l("Kode referensi", "Reference code"), 10, TEXT),
        Column(_l("Sumber daya", "Resources"), 10), Column(_l("Terbaca mesin", "Machine-readable"), 10),
        Column(_l("Di DataStore", "In the DataStore"), 10), Column(_l("Tahap selesai", "Steps done"), 10),
        Column(_l("Tahap tepat waktu", "Steps on time"), 10),
        Column(_l("Menunggu melewati standar", "Waiting past standard"), 12),
        Column(_l("Pemeriksaan lolos", "Checks passed"), 11), Column(_l("Pemeriksaan", "Checks"), 11),
    ]
    datasets = [[opd["title"], d["name"], d["title"], _pick(STATE_LABELS[d["state"]], lang), d["required_filled"],
                 d["required_total"], d["recommended_filled"], d["recommended_total"], d["standard_filled"],
                 _pick(YES_NO[bool(d["reference_code"])], lang), d["resources"], d["machine_readable"],
                 d["datastore"], d["steps_done"], d["steps_on_time"], d["steps_overdue"], d["checks_passed"],
                 d["checks_made"]]
                for opd in ranked for d in opd["dataset_facts"]]
    return [
        _section("ranking", _l("Peringkat", "Ranking"), ranking_columns, ranking, lang),
        _section("scorecard", _l("Kartu Skor", "Scorecard"), card_columns, card, lang),
        _section("datasets", _l("Dataset", "Datasets"), dataset_columns, datasets, lang),
        _section("data_elements", _l("Elemen Data", "Data elements"), _element_columns(),
                 [_element_row(element, lang) for opd in ranked for element in opd["element_facts"]], lang),
    ]


# --- files ------------------------------------------------------------------------------------------------------

def sections(kind: str, report: dict[str, Any], lang: str = "id") -> list[Section]:
    builders: dict[str, Callable[[dict[str, Any], str], list[Section]]] = {
        "monitoring": monitoring_sections, "evaluation": evaluation_sections}
    return builders[kind](report, lang)


def title(kind: str, report: dict[str, Any], lang: str = "id") -> str:
    opd = report.get("opd_title") or report.get("opd") or _pick(ALL_OPDS, lang)
    return f"{_pick(REPORT_TITLES[kind], lang)} {formats.satudata_period(report['period']['label'], lang)} - {opd}"


def filename(kind: str, report: dict[str, Any], fmt: str) -> str:
    opd = f"-{report['opd']}" if report.get("opd") else ""
    return f"laporan-{kind}-{report['period']['label']}{opd}.{fmt}"


def write(fmt: str, report: dict[str, Any], parts: Iterable[Section], heading: str) -> bytes:
    """The file's bytes; `parts` is iterated once (the CLI wraps it in a progress bar)."""
    if fmt == "json":
        for _part in parts:
            pass
        return json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        return _csv(parts, heading)
    if fmt == "xlsx":
        return _xlsx(parts, heading)
    raise ValueError(fmt)


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == TIME:
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == DATE:
        return value.strftime("%Y-%m-%d")
    return value


def _csv(parts: Iterable[Section], heading: str) -> bytes:
    """The sections one after another, each under its title row and separated by an empty row."""
    def rows() -> Iterable[list[Any]]:
        yield [heading]
        for part in parts:
            yield from ([], [part.title], part.headers)
            for row in part.rows:
                yield [_csv_value(value, kind) for value, kind in zip(row, part.kinds)]
    return files.csv_bytes(rows())


NUMBER_FORMATS = {HOURS: "0.00", SHARE: "0.0%", TIME: "yyyy-mm-dd hh:mm", SCORE: "0.0", DATE: "yyyy-mm-dd"}


def _xlsx(parts: Iterable[Section], heading: str) -> bytes:
    """One sheet per section: bold header row, frozen, with widths; landscape, one page wide, the header repeated
    on every printed page and the report's title in the page header."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = heading
    for part in parts:
        sheet = workbook.create_sheet(part.title[:31])
        files.append_row(sheet, part.headers)
        files.style_header(sheet[1])
        for row in part.rows:
            files.append_row(sheet, row)
        for index, (width, kind) in enumerate(zip(part.widths, part.kinds), start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = width
            if kind in NUMBER_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = NUMBER_FORMATS[kind]
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.oddHeader.center.text = f"{heading} - {part.title}"
        sheet.oddFooter.right.text = "&P / &N"
    if not workbook.sheetnames:
        workbook.create_sheet(heading[:31])
    return files.workbook_bytes(workbook)
