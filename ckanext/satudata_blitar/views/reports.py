"""Pages of the SOP's reports (steps 7 and 8): the Walidata's report page and the report files, issuing a report
and the archive of issued reports (/laporan/arsip) with their kept files."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page

from ckanext.satudata_blitar import config, language
from ckanext.satudata_blitar.reports import RUN, archive, report_document, report_files, report_pdf
from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import error_text, file_language, file_response, refuse

REPORT_KINDS = ("monitoring", "evaluation")


def _report_request() -> dict[str, str]:
    """The page's filters; the period defaults to the current year. The OPD is `owner_org` (`opd` before). The
    report shown is `report` (monitoring, the default, or evaluation)."""
    args = tk.request.args
    return {"period": args.get("period", "").strip() or str(datetime.date.today().year),
            "opd": (args.get("owner_org") or args.get("opd") or "").strip(),
            "report": args.get("report") if args.get("report") in REPORT_KINDS else REPORT_KINDS[0]}


def reports_page() -> Any:
    """The Walidata's report page: filters (period, OPD), one report at a time (monitoring or evaluation, as tabs)
    with its charts, tables and downloads. The evaluation's document also says what the monitoring found: the
    monitoring of the same run gives its summary (no list) and its steps, which the evaluation reads."""
    data = _report_request()
    kind = data["report"]
    page: dict[str, Any] = {"data": data, "kind": kind, "errors": {}, "monitoring": None, "evaluation": None,
                            "lang": language.current()}
    # The page lists the longest overdue steps and late elements only (the downloads have every one).
    query = {"period": data["period"], "owner_org": data["opd"], "list_limit": config.report_list_limit()}
    asked = {"monitoring": query} if kind == "monitoring" else {"monitoring": {**query, "list_limit": 0},
                                                                "evaluation": query}
    context = {RUN: {}}
    for name, name_query in asked.items():
        try:
            page[name] = tk.get_action(f"satudata_report_{name}")(context, dict(name_query))
        except tk.NotAuthorized as error:
            return refuse(str(error))
        except tk.ValidationError as error:
            page["errors"] = {("opd" if key == "owner_org" else key): value for key, value in error.error_dict.items()}
            break
    page["opds"] = tk.h.satudata_opds()
    # What a print of the page adds around the report: letterhead, number, date, summary, signatures.
    page["document"] = None if page["errors"] else report_document.document(
        kind, {name: page[name] for name in asked}, page["lang"])
    return tk.render("satudata/reports/index.html", page)


def report_download(kind: str, fmt: str) -> Any:
    """A report as .pdf, .xlsx, .csv or .json, with the page's filters. The documents (.pdf and the .xlsx's cover
    sheet) of the evaluation also say what the monitoring found, so both reports are asked for."""
    data = _report_request()
    query = {"period": data["period"], "owner_org": data["opd"]}
    reports, context = {}, {RUN: {}}  # one run: the evaluation reads the monitoring's steps
    try:
        for name in REPORT_KINDS if kind == "evaluation" and fmt in ("pdf", "xlsx") else (kind,):
            # The PDF, as the page, lists the longest overdue steps and late elements; the .xlsx, .csv and .json
            # every one. The monitoring report of an evaluation's document gives only its summary.
            cut = fmt == "pdf" or name != kind
            reports[name] = tk.get_action(f"satudata_report_{name}")(
                context, {**query, "list_limit": config.report_list_limit()} if cut else dict(query))
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ValidationError as error:
        return tk.abort(400, error_text(error))
    lang, report = file_language(), reports[kind]
    if fmt == "pdf":
        document = report_document.document(kind, reports, lang)
        content = report_pdf.write(report_pdf.html(kind, reports, document, lang))
    else:
        document = report_document.document(kind, reports, lang) if fmt == "xlsx" else None
        content = report_files.write(fmt, report, report_files.sections(kind, report, lang),
                                     report_files.title(kind, report, lang), lang, document)
    return file_response(content, report_files.filename(kind, report, fmt), report_files.MIMETYPES[fmt])


def report_issue() -> Any:
    """POST from /laporan's "Issue report" form: the report of the page's filters is numbered and kept."""
    form = tk.request.form
    query = {"period": form.get("period", "").strip(), "owner_org": form.get("owner_org", "").strip()}
    try:
        issued = tk.get_action("satudata_report_issue")({}, {**query, "kind": form.get("kind", ""),
                                                            "language": form.get("language", "id")})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ValidationError as error:
        tk.h.flash_error(error_text(error))
        return tk.redirect_to("satudata.reports_page", period=query["period"] or None,
                              owner_org=query["owner_org"] or None)
    tk.h.flash_success(tk._("The report was issued with number {number}").format(number=issued["number"]))
    return tk.redirect_to("satudata.report_archive")


ARCHIVE_PAGE_SIZE = 50


def report_archive() -> Any:
    """The issued reports, newest first, with their kept files."""
    page = tk.h.get_page_number(tk.request.args)
    try:
        found = tk.get_action("satudata_report_archive_list")(
            {}, {"limit": ARCHIVE_PAGE_SIZE, "offset": (page - 1) * ARCHIVE_PAGE_SIZE})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    pager = Page(collection=found["results"], page=page, item_count=found["count"],
                      items_per_page=ARCHIVE_PAGE_SIZE, presliced_list=True,
                      url=lambda q=None, page=1: tk.h.url_for("satudata.report_archive", page=page))
    return tk.render("satudata/reports/archive.html", {"reports": found["results"], "count": found["count"],
                                                       "page": pager})


def report_archive_download(id: int, fmt: str) -> Any:
    """An issued report's PDF or .xlsx: the bytes kept when it was issued."""
    try:
        record = tk.get_action("satudata_report_archive_show")({}, {"id": id})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Issued report not found"))
    try:
        content = archive.stored_file(record, fmt)
    except archive.StoredFileChanged:
        return tk.abort(500, tk._("The kept file of this report is missing or was changed"))
    return file_response(content, record[f"{fmt}_name"], report_files.MIMETYPES[fmt])


satudata.add_url_rule("/laporan", view_func=reports_page)
satudata.add_url_rule("/laporan/terbitkan", view_func=report_issue, methods=["POST"])
satudata.add_url_rule("/laporan/arsip", view_func=report_archive)
satudata.add_url_rule("/laporan/arsip/<int:id>.<any(pdf, xlsx):fmt>", view_func=report_archive_download)
satudata.add_url_rule("/laporan/<any(monitoring, evaluation):kind>.<any(pdf, xlsx, csv, json):fmt>",
                      view_func=report_download)
