"""Typed getters for this extension's options (declared in config_declaration.yaml).

Nothing else in the package reads tk.config for them, so each option has one name and one type.
"""
from __future__ import annotations

import datetime
import re
import zoneinfo

import ckan.plugins.toolkit as tk
from ckan.exceptions import CkanConfigurationException


def demo_password() -> str:
    return tk.config["ckanext.satudata_blitar.demo_password"]


def metadata_xlsx_max_upload_bytes() -> int:
    return tk.config["ckanext.satudata_blitar.metadata_xlsx.max_upload_bytes"]


def metadata_xlsx_max_uncompressed_bytes() -> int:
    return tk.config["ckanext.satudata_blitar.metadata_xlsx.max_uncompressed_bytes"]


def metadata_xlsx_max_compression_ratio() -> int:
    return tk.config["ckanext.satudata_blitar.metadata_xlsx.max_compression_ratio"]


def walidata_org() -> str:
    return tk.config["ckanext.satudata_blitar.walidata_org"]


def notify_by_email() -> bool:
    return tk.config["ckanext.satudata_blitar.notify_by_email"]


def reminders_escalate_after_days() -> int:
    return max(tk.config["ckanext.satudata_blitar.reminders.escalate_after_days"], 1)


def reminders_element_notice_days() -> int:
    return max(tk.config["ckanext.satudata_blitar.reminders.element_notice_days"], 0)


# Uploaded tables (tables/load_queue.py, files/safety.py, tables/table_parser.py)

def upload_max_bytes() -> int:
    return tk.config["ckanext.satudata_blitar.upload.max_bytes"]


def upload_max_uncompressed_bytes() -> int:
    return tk.config["ckanext.satudata_blitar.upload.max_uncompressed_bytes"]


def upload_max_compression_ratio() -> int:
    return tk.config["ckanext.satudata_blitar.upload.max_compression_ratio"]


def upload_max_rows() -> int:
    return tk.config["ckanext.satudata_blitar.upload.max_rows"]


def upload_max_columns() -> int:
    return tk.config["ckanext.satudata_blitar.upload.max_columns"]


def upload_max_cell_chars() -> int:
    return tk.config["ckanext.satudata_blitar.upload.max_cell_chars"]


def upload_parser_memory_mb() -> int:
    return tk.config["ckanext.satudata_blitar.upload.parser_memory_mb"]


def upload_parser_timeout() -> int:
    return tk.config["ckanext.satudata_blitar.upload.parser_timeout"]


# Limits on requests and fields (views/guards.py, logic/input_types.py)

def max_body_bytes() -> int:
    return tk.config["ckanext.satudata_blitar.limits.max_body_bytes"]


def max_json_depth() -> int:
    return tk.config["ckanext.satudata_blitar.limits.max_json_depth"]


def max_title_chars() -> int:
    return tk.config["ckanext.satudata_blitar.limits.max_title_chars"]


def max_text_chars() -> int:
    return tk.config["ckanext.satudata_blitar.limits.max_text_chars"]


def max_list_items() -> dict[str, int]:
    """The most items of each list a dataset (or a group) holds: extras, tags, resources, groups."""
    return {key: tk.config[f"ckanext.satudata_blitar.limits.max_{key}"]
            for key in ("extras", "tags", "resources", "groups")}


def upload_max_queued_per_opd() -> int:
    return tk.config["ckanext.satudata_blitar.upload_max_queued_per_opd"]


def portal_zone() -> zoneinfo.ZoneInfo:
    """The portal's time zone (CKAN's ckan.display_timezone), UTC when unset, `server` or unknown: report periods,
    target dates and the times shown in files are in it."""
    try:
        return zoneinfo.ZoneInfo(tk.config.get("ckan.display_timezone") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# CKAN settings that cannot work with the SOP: refused when CKAN starts rather than silently ignored
# (docs/configuration.md). Each: setting -> why.

# The working-day calendar (workflow/working_days.py)

def _dates(key: str) -> frozenset[datetime.date]:
    try:
        return frozenset(datetime.date.fromisoformat(str(value)) for value in tk.config[key] or [])
    except ValueError as error:
        raise CkanConfigurationException(f"{key}: give ISO dates separated by spaces, e.g. 2026-03-25 ({error})")


def extra_holidays() -> frozenset[datetime.date]:
    """Days off the Walidata adds to the calendar."""
    return _dates("ckanext.satudata_blitar.extra_holidays")


def working_days_override() -> frozenset[datetime.date]:
    """Days that are working days whatever the calendar says (wins over extra_holidays)."""
    return _dates("ckanext.satudata_blitar.working_days_override")


_HOURS = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def working_hours() -> tuple[datetime.time, datetime.time]:
    """(opens, closes) of a working day, in the portal's time zone."""
    key = "ckanext.satudata_blitar.working_hours"
    match = _HOURS.match(tk.config[key] or "")
    try:
        opens, closes = (datetime.time(int(match[1]), int(match[2])), datetime.time(int(match[3]), int(match[4])))
    except (TypeError, ValueError):
        opens = closes = None
    if opens is None or opens >= closes:
        raise CkanConfigurationException(f"{key}: give the working hours as HH:MM-HH:MM, e.g. 07:30-16:00")
    return opens, closes


# CKAN settings that cannot work with the SOP: refused when CKAN starts rather than silently ignored (README,
# "Configuration"). Each: setting -> why.
REFUSED_CORE_SETTINGS = {
    "ckan.auth.allow_dataset_collaborators": (
        "dataset collaborators would see and edit datasets that are not published, outside the SOP's two-stage "
        "verification (only the OPD's Operator Data and Verifikator OPD and the Walidata's roles may)"),
    "ckan.auth.create_unowned_dataset": "every dataset belongs to an OPD, whose roles verify it",
}


def refuse_unsupported_core_settings(config_) -> None:
    """Raises CkanConfigurationException, naming the setting and why, for a CKAN setting our plugin cannot honour."""
    for key, why in REFUSED_CORE_SETTINGS.items():
        if tk.asbool(config_.get(key)):
            raise CkanConfigurationException(
                f"satudata_blitar: {key} = true cannot work with Satu Data Kota Blitar: {why}. "
                f"Remove it from the ini file or set it to false.")


# The portal's face (helpers/portal.py)

def logo() -> str:
    return tk.config["ckanext.satudata_blitar.logo"] or ""


def contact() -> dict[str, str]:
    """The Walidata office's contact for the footer and the About page: name, address, email, phone, website."""
    return {key: tk.config[f"ckanext.satudata_blitar.contact.{key}"] or ""
            for key in ("name", "address", "email", "phone", "website")}


def home_chart_views() -> list[str]:
    return list(tk.config["ckanext.satudata_blitar.home_chart_views"] or [])


def home_dataset_count() -> int:
    return tk.config["ckanext.satudata_blitar.home_dataset_count"]


# Reports as documents (reports/report_document.py)

def report_letterhead() -> dict[str, str]:
    """The reports' kop surat: government, office, address, phone, e-mail, website and emblem; `name` is the
    office's full name (contact.name), the documents' author."""
    office = contact()
    return {**office, "government": tk.config["ckanext.satudata_blitar.report.government"] or "",
            "office": tk.config["ckanext.satudata_blitar.report.office"] or office["name"],
            "logo": tk.config["ckanext.satudata_blitar.report.logo"] or ""}


def report_place() -> str:
    return tk.config["ckanext.satudata_blitar.report.place"] or ""


def report_number_format() -> str:
    return tk.config["ckanext.satudata_blitar.report.number_format"] or ""


def report_signatory(who: str) -> dict[str, str]:
    """`division_head` (Kepala Bidang Statistik dan Persandian) or `agency_head` (Kepala Dinas): position, name,
    rank, nip."""
    return {key: tk.config[f"ckanext.satudata_blitar.report.{who}.{key}"] or ""
            for key in ("position", "name", "rank", "nip")}


# Accounts and sessions (accounts/)

def login_max_failures_per_account() -> int:
    return tk.config["ckanext.satudata_blitar.login.max_failures_per_account"]


def login_max_failures_per_address() -> int:
    return tk.config["ckanext.satudata_blitar.login.max_failures_per_address"]


def login_failure_window() -> int:
    return tk.config["ckanext.satudata_blitar.login.failure_window"]


def login_trusted_proxies() -> int:
    return tk.config["ckanext.satudata_blitar.login.trusted_proxies"]


def session_idle_timeout() -> int:
    return tk.config["ckanext.satudata_blitar.session.idle_timeout"]


def session_max_age() -> int:
    return tk.config["ckanext.satudata_blitar.session.max_age"]


# HTTP headers (views/http_headers.py)

def content_security_policy() -> str:
    return (tk.config["ckanext.satudata_blitar.content_security_policy"] or "").strip()


# Data requests (requests/)

def data_requests_max_open_per_account() -> int:
    return tk.config["ckanext.satudata_blitar.data_requests.max_open_per_account"]


def data_requests_max_per_address_per_day() -> int:
    return tk.config["ckanext.satudata_blitar.data_requests.max_per_address_per_day"]


# Statistical activities (metadata/ms_keg.py)

def ms_keg_required() -> bool:
    return tk.config["ckanext.satudata_blitar.ms_keg.required"]


# Statistical metadata completeness (metadata/completeness.py)

def completeness_enforce() -> bool:
    return tk.config["ckanext.satudata_blitar.completeness.enforce"]


# Report lists on the page and in the PDF (reports/figures.py)

def report_list_limit() -> int:
    """How many overdue steps and late data elements the report page and the PDFs list (the longest first)."""
    return max(0, tk.config["ckanext.satudata_blitar.report.list_limit"])
