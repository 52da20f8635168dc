"""Pages of the SOP's reports (steps 7 and 8): the Walidata's report page and the report files."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.reports import report_document, report_files, report_pdf
from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import error_text, file_language, file_response, refuse

REPORT_KINDS = ("monitoring", "evaluation")


def _report_request() -> dict[str, str]:
    """The page's filters; the period defaults to the current year. The OPD is `owner_org` (`opd` before)."""
    args = tk.request.args
    return {"period": args.get("period", "").strip() or str(datetime.date.today().year),
            "opd": (args.get("owner_org") or args.get("opd") or "").strip()}


def reports_page() -> Any:
    """The Walidata's report page: filters (period, OPD), charts, tables and the downloads."""
    data = _report_request()
    page: dict[str, Any] = {"data": data, "errors": {}, "monitoring": None, "evaluation": None,
                            "lang": language.current()}
    query = {"period": data["period"], "owner_org": data["opd"]}
    for kind in REPORT_KINDS:
        try:
            page[kind] = tk.get_action(f"satudata_report_{kind}")({}, dict(query))
        except tk.NotAuthorized as error:
            return refuse(str(error))
        except tk.ValidationError as error:
            page["errors"] = {("opd" if key == "owner_org" else key): value for key, value in error.error_dict.items()}
            break
    page["opds"] = tk.h.satudata_opds()
    # What a print of the page adds around each report: letterhead, number, date, summary, signatures.
    page["documents"] = {} if page["errors"] else {
        kind: report_document.document(kind, {"monitoring": page["monitoring"], kind: page[kind]}, page["lang"])
        for kind in REPORT_KINDS}
    return tk.render("satudata/reports/index.html", page)


def report_download(kind: str, fmt: str) -> Any:
    """A report as .pdf, .xlsx, .csv or .json, with the page's filters. The documents (.pdf and the .xlsx's cover
    sheet) of the evaluation also say what the monitoring found, so both reports are asked for."""
    data = _report_request()
    query = {"period": data["period"], "owner_org": data["opd"]}
    reports = {}
    try:
        for name in REPORT_KINDS if kind == "evaluation" and fmt in ("pdf", "xlsx") else (kind,):
            reports[name] = tk.get_action(f"satudata_report_{name}")({}, dict(query))
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


satudata.add_url_rule("/laporan", view_func=reports_page)
satudata.add_url_rule("/laporan/<any(monitoring, evaluation):kind>.<any(pdf, xlsx, csv, json):fmt>",
                      view_func=report_download)
