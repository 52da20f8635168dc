"""The reports as PDF documents: the templates of the /laporan page (satudata/reports/document.html) rendered on
their own (satudata/reports/pdf.html) and laid out by WeasyPrint with the page's print stylesheet
(assets/css/report.css), so the PDF and a browser's print of /laporan are the same document.

WeasyPrint reads nothing from the network: the only files it gets are the portal's public files (the letterhead's
emblem) and data: URLs; anything else is left out."""
from __future__ import annotations

import mimetypes
import pathlib
from typing import Any
from urllib.parse import unquote, urlsplit

import ckan.plugins.toolkit as tk

TEMPLATE = "satudata/reports/pdf.html"
STYLESHEET = pathlib.Path(__file__).resolve().parent.parent / "assets" / "css" / "report.css"
# The base URL of the document's own links while it is laid out; never fetched.
BASE_URL = "http://satudata-report.invalid/"


def html(kind: str, reports: dict[str, dict[str, Any]], document: dict[str, Any], lang: str,
         app: Any = None) -> str:
    """The document of `kind` as one HTML page, in `lang`, rendered in a request context of its own: the CLI has
    none (it passes CKAN's Flask `app`), and a page's download may ask for the other language."""
    from flask import current_app
    from flask_babel import force_locale

    # The app context (and flask-babel's locale in it) is the page's when there is one: the locale is forced too.
    with (app or current_app).test_request_context(
            "/", base_url=BASE_URL, environ_overrides={"CKAN_LANG": lang,
                                                       "CKAN_LANG_IS_DEFAULT": lang == tk.config["ckan.locale_default"]}), \
            force_locale(lang):
        return tk.render(TEMPLATE, {"kind": kind, "monitoring": reports.get("monitoring"),
                                    "evaluation": reports.get("evaluation"), "doc": document, "lang": lang})


def _public_dirs() -> list[pathlib.Path]:
    """The folders CKAN serves public files from (ckan/config/middleware/flask_app.py), but not uploads."""
    extra = [path for path in (tk.config.get("extra_public_paths") or "").split(",") if path.strip()]
    return [pathlib.Path(path).resolve() for path in extra + list(tk.config.get("plugin_public_paths") or [])]


def public_file(path: str) -> pathlib.Path | None:
    """The file under the portal's public directories that `path` (/satudata_blitar/report-logo.svg) names."""
    relative = unquote(path).lstrip("/")
    if not relative or "\0" in relative:
        return None
    for directory in _public_dirs():
        candidate = (directory / relative).resolve()
        if candidate.is_relative_to(directory) and candidate.is_file():
            return candidate
    return None


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PublicFilesOnly(URLFetcher):
        """The portal's public files (by their path on the document's base URL) and data: URLs; nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            found = public_file(parts.path) if url.startswith(BASE_URL) else None
            if found is None:
                raise ValueError(f"not one of the portal's public files: {url}")
            mimetype = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mimetype})

    return PublicFilesOnly(allowed_protocols={"data"})


def render(markup: str) -> Any:
    """WeasyPrint's laid-out document (its pages and boxes: the tests measure the tables)."""
    from weasyprint import CSS, HTML

    fetcher = _fetcher()
    return HTML(string=markup, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[CSS(filename=str(STYLESHEET), url_fetcher=fetcher)])


def write(markup: str) -> bytes:
    return render(markup).write_pdf()
