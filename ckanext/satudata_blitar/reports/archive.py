"""The archive of issued reports: when the Walidata issues a report ("Terbitkan laporan") it gets the next number of
its year (the {seq} of the report number format), its PDF and .xlsx are made once with that number and kept as
they are under ckan.storage_path/satudata_reports (never in a public folder), and a row (model.IssuedReport) says
what it is, who issued it and when, and the SHA-256 of each file. A download later reads those bytes, whatever the
data has become since, and refuses a file whose bytes no longer match their SHA-256."""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import pathlib
import tempfile
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.model import IssuedReport
from ckanext.satudata_blitar.reports import figures, report_document, report_files, report_pdf

log = logging.getLogger(__name__)

FOLDER = "satudata_reports"
FORMATS = ("pdf", "xlsx")
# pg_advisory_xact_lock's key: one issue at a time takes the next number of a year.
LOCK_KEY = 0x5D_A2C1


class StoredFileChanged(Exception):
    """The stored file of an issued report is missing or its bytes are not the ones issued."""


def folder() -> pathlib.Path:
    root = tk.config.get("ckan.storage_path")
    if not root:
        raise tk.ValidationError({"storage": [tk._("The portal has no file storage (ckan.storage_path) to keep "
                                                   "issued reports in")]})
    return pathlib.Path(root) / FOLDER


def stored_path(year: int, seq: int, fmt: str) -> pathlib.Path:
    return folder() / f"{year}-{seq:04d}.{fmt}"


def _write_atomically(path: pathlib.Path, content: bytes) -> None:
    """The file appears whole or not at all: written to a temporary file beside it, synced, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def documents(kind: str, reports: dict[str, dict[str, Any]], lang: str, issued: datetime.date,
              seq: int) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The PDF and .xlsx of `kind` with the number `seq` filled in (as /laporan's downloads make them)."""
    report = reports[kind]
    document = report_document.document(kind, reports, lang, issued, seq)
    # The PDF lists the longest overdue steps and late elements, as the page does; the .xlsx every one.
    listed = {name: figures.listed(found, config.report_list_limit()) for name, found in reports.items()}
    return {"pdf": report_pdf.write(report_pdf.html(kind, listed, document, lang)),
            "xlsx": report_files.write("xlsx", report, report_files.sections(kind, report, lang),
                                       report_files.title(kind, report, lang), lang, document)}, document


def as_dict(row: IssuedReport) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "period": row.period, "owner_org": row.owner_org,
            "opd_title": row.opd_title, "year": row.year, "seq": row.seq, "number": row.number,
            "issued_by": row.issued_by_name, "issued_at": row.issued_at.isoformat(), "language": row.language,
            "pdf_name": row.pdf_name, "pdf_sha256": row.pdf_sha256,
            "xlsx_name": row.xlsx_name, "xlsx_sha256": row.xlsx_sha256}


def issue(kind: str, reports: dict[str, dict[str, Any]], lang: str, user: model.User) -> dict[str, Any]:
    """Number, make and store the report of `kind`, and add its row to the session (the action commits). The
    lock holds until the transaction ends, so two issues in the same year never take the same number."""
    session = model.Session
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    issued = datetime.datetime.now(config.portal_zone()).date()
    seq = (session.query(sa.func.max(IssuedReport.seq)).filter(IssuedReport.year == issued.year).scalar() or 0) + 1
    contents, document = documents(kind, reports, lang, issued, seq)
    for fmt, content in contents.items():
        _write_atomically(stored_path(issued.year, seq, fmt), content)
    report = reports[kind]
    row = IssuedReport(
        kind=kind, period=report["period"]["label"], owner_org=report.get("opd") or None,
        opd_title=document["scope"] if report.get("opd") else None, year=issued.year, seq=seq,
        number=document["number"], issued_by=user.id, issued_by_name=user.name,
        issued_at=datetime.datetime.utcnow(), language=lang,
        pdf_name=report_files.filename(kind, report, "pdf"), pdf_sha256=_sha256(contents["pdf"]),
        xlsx_name=report_files.filename(kind, report, "xlsx"), xlsx_sha256=_sha256(contents["xlsx"]))
    session.add(row)
    session.flush()
    return as_dict(row)


def issued(limit: int, offset: int) -> dict[str, Any]:
    """A page of the issued reports, newest first, and how many there are."""
    query = model.Session.query(IssuedReport)
    rows = query.order_by(IssuedReport.issued_at.desc(), IssuedReport.id.desc()).limit(limit).offset(offset)
    return {"count": query.count(), "results": [as_dict(row) for row in rows]}


def issued_report(id: int) -> dict[str, Any] | None:
    row = model.Session.get(IssuedReport, id)
    return as_dict(row) if row else None


def stored_file(record: dict[str, Any], fmt: str) -> bytes:
    """The bytes issued as `record`'s `fmt` file; StoredFileChanged when they are gone or not the same."""
    path = stored_path(record["year"], record["seq"], fmt)
    try:
        content = path.read_bytes()
    except OSError as error:
        log.error("The issued report %s has no %s file: %s", record["number"], fmt, error)
        raise StoredFileChanged(record["number"]) from error
    if _sha256(content) != record[f"{fmt}_sha256"]:
        log.error("The %s file of the issued report %s is not the one issued", fmt, record["number"])
        raise StoredFileChanged(record["number"])
    return content
