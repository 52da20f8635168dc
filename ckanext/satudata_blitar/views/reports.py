"""Pages of the SOP's reports (steps 7 and 8): the Walidata's report page and the report files."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.reports import report_files
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
    return tk.render("satudata/reports/index.html", page)


def report_download(kind: str, fmt: str) -> Any:
    """A report as .xlsx, .csv or .json, with the page's filters."""
    data = _report_request()
    try:
        report = tk.get_action(f"satudata_report_{kind}")({}, {"period": data["period"], "owner_org": data["opd"]})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ValidationError as error:
        return tk.abort(400, error_text(error))
    lang = file_language()
    content = report_files.write(fmt, report, report_files.sections(kind, report, lang),
                                 report_files.title(kind, report, lang), lang)
    return file_response(content, report_files.filename(kind, report, fmt), report_files.MIMETYPES[fmt])


satudata.add_url_rule("/laporan", view_func=reports_page)
satudata.add_url_rule("/laporan/<any(monitoring, evaluation):kind>.<any(xlsx, csv, json):fmt>",
                      view_func=report_download)
