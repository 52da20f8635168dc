"""Typed getters for this extension's options (declared in config_declaration.yaml).

Nothing else in the package reads tk.config for them, so each option has one name and one type.
"""
from __future__ import annotations

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


# Uploaded tables (ingest.py, file_safety.py, spreadsheet.py)

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


def portal_zone() -> zoneinfo.ZoneInfo:
    """The portal's time zone (CKAN's ckan.display_timezone), UTC when unset, `server` or unknown: report periods,
    target dates and the times shown in files are in it."""
    try:
        return zoneinfo.ZoneInfo(tk.config.get("ckan.display_timezone") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# CKAN settings that cannot work with the SOP: refused when CKAN starts rather than silently ignored
# (docs/configuration.md). Each: setting -> why.
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


# The portal's face (helpers_portal.py)

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
