"""Validators of the Blitar metadata schemas (used by schemas/*.yaml through scheming).

Messages are English msgids translated in i18n/; the portal speaks Bahasa Indonesia by default.
"""
from __future__ import annotations

import datetime
import re
import urllib.parse
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckanext.scheming.validation import scheming_validator

import ckan.model as model

from ckanext.satudata_blitar.language import names
from ckanext.satudata_blitar.metadata import ms_keg
from ckanext.satudata_blitar.reports import figures

__all__ = [
    "satudata_choices", "satudata_year", "satudata_int_or_empty", "satudata_not_before", "satudata_required_if",
    "satudata_only_terbuka_public", "satudata_phone", "satudata_period", "satudata_max_length",
    "satudata_element_year", "satudata_iso_date", "satudata_yes_no", "satudata_report_period", "satudata_opd",
    "satudata_name_from_url", "satudata_text", "satudata_visible_text", "satudata_resource_url",
    "satudata_ms_keg_link",
]

MIN_YEAR = 1900
# The URL datastore_create gives a resource it creates without one.
DATASTORE_ONLY_URL = "_datastore_only_resource"

# Indonesian phone numbers as people write them: +62 / 62 / 0 prefix, spaces, dots, dashes, (area code).
_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-]+$")
_PHONE_PREFIX = re.compile(r"^(\+?62|0)")

# Periods a resource file can cover: 2024, 2020-2024, 2024-T1 (triwulan), 2024-S2 (semester), 2024-03 (month).
_PERIOD = re.compile(r"^(?P<y>\d{4})(-(?P<y2>\d{4})|-T[1-4]|-S[12]|-(0[1-9]|1[0-2]))?$")


def _is_empty(value: Any) -> bool:
    return value is missing or value is None or value == ""


def satudata_name_from_url(key, data, errors, context):
    """A resource without a name is named after its file or URL, as CKAN's resource form does: `data.csv` for an
    upload (CKAN's uploader has put the file name in `url`) or `http://x/files/data.csv`. Clients that create
    resources the stock way (`datastore_create(resource={…})`, harvesters) need not send a name. An existing
    resource updated without a name keeps its own."""
    if not _is_empty(data.get(key)):
        return
    resource_id = data.get(key[:-1] + ("id",))
    existing = model.Resource.get(resource_id) if isinstance(resource_id, str) and resource_id else None
    if existing is not None and existing.name:
        # An update that does not send the name keeps the one the resource has, as in CKAN (a resource_update that
        # changes the description must not rename the resource after its URL, nor change its metadata_modified).
        data[key] = existing.name
        return
    url = data.get(key[:-1] + ("url",))
    if _is_empty(url):
        return
    if url == DATASTORE_ONLY_URL:  # datastore_create(resource={…}) without a URL: a table, "Data" in both languages
        data[key] = "Data"
        return
    parts = urllib.parse.urlsplit(str(url).strip())
    segment = urllib.parse.unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path else ""
    name = segment or parts.netloc or str(url).strip()
    if name:
        data[key] = name


# A link is opened by citizens in their own browser: a web address, nothing a browser or a server would run or read
# locally (javascript:, data:, file:) and no other protocol (ftp:, gopher:).
LINK_SCHEMES = ("http", "https")


def satudata_resource_url(key, data, errors, context):
    """A link resource's URL is an absolute http(s) address with a host. An upload's `url` is its file name (CKAN's
    uploader sets url_type `upload`) and a DataStore-only resource's is DataStore's marker: both are left alone."""
    value = data.get(key)
    if _is_empty(value) or value == DATASTORE_ONLY_URL:
        return
    if data.get(key[:-1] + ("url_type",)) == "upload":
        return
    text = str(value).strip()
    try:
        parts = urllib.parse.urlsplit(text)
        valid = (parts.scheme.lower() in LINK_SCHEMES and bool(parts.hostname)
                 and not any(ord(ch) < 32 or ord(ch) == 127 for ch in text))
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError:
        valid = False
    if not valid:
        errors[key].append(tk._("A link must be a full web address beginning with http:// or https://, "
                                "e.g. https://bps.go.id/data.csv"))
        raise tk.StopOnError


@scheming_validator
def satudata_choices(field: dict[str, Any], schema: dict[str, Any]):
    """One of the field's choices. Replaces scheming_choices, whose CKAN message cannot be translated (CKAN 2.11
    formats it before looking it up) and lists values as a Python list."""
    values = [choice["value"] for choice in field["choices"]]

    def validator(value: Any) -> Any:
        if _is_empty(value) or value in values:
            return value
        raise tk.Invalid(tk._('Unknown choice "{value}"; choose one of: {choices}').format(
            value=value, choices=", ".join(values)))

    return validator


def satudata_text(value: Any) -> Any:
    """A single text value (a number is taken as its text): a list, an object or a boolean sent through the JSON API
    is a validation error, not a 500 further on."""
    if _is_empty(value) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise tk.Invalid(tk._("Must be a single text value"))


def _whole_year(value: Any) -> int:
    """A year as a whole number: 2024, "2024" or " 2024 " (not a list, mapping or boolean), else Invalid."""
    if isinstance(value, (list, dict, bool)):
        raise tk.Invalid(tk._("Year must be a whole number, e.g. 2024"))
    try:
        return int(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Year must be a whole number, e.g. 2024"))


def satudata_year(value: Any) -> Any:
    """A whole calendar year from 1900 to this year, kept as text like every CKAN extra."""
    if _is_empty(value):
        return value
    year = _whole_year(value)
    this_year = datetime.date.today().year
    if year < MIN_YEAR:
        raise tk.Invalid(tk._("Year must not be before {min_year}").format(min_year=MIN_YEAR))
    if year > this_year:
        raise tk.Invalid(tk._("Year must not be in the future (after {this_year})").format(this_year=this_year))
    return str(year)


def satudata_int_or_empty(value: Any) -> Any:
    """Output: years leave package_show as integers."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def satudata_not_before(other_field: str):
    """The value (a year) must not be earlier than the year in `other_field`."""

    def validator(key, data, errors, context):
        value, other = data.get(key), data.get((other_field,))
        if _is_empty(value) or _is_empty(other) or errors.get((other_field,)):
            return
        try:
            if int(value) < int(other):
                errors[key].append(tk._("Last year must not be before the first year ({first})").format(first=other))
        except (TypeError, ValueError):
            return  # satudata_year already reported it

    return validator


def satudata_required_if(other_field: str, other_value: str):
    """Required when `other_field` has `other_value` (e.g. the priority year when data_prioritas is `ya`)."""

    def validator(key, data, errors, context):
        if data.get((other_field,)) == other_value and _is_empty(data.get(key)):
            errors[key].append(tk._("Missing value"))
            raise tk.StopOnError

    return validator


def satudata_only_terbuka_public(key, data, errors, context):
    """Only Terbuka (open) data may ever be public; Terbatas and Tertutup stay private."""
    value = data.get(key)
    if _is_empty(value) or value == "terbuka":
        return
    if not tk.asbool(data.get(("private",), False)):
        errors[key].append(tk._("Only Terbuka (open) data can be public; make the dataset private first"))


def satudata_ms_keg_link(key, data, errors, context):
    """`ms_keg_id` naming a statistical activity of the dataset's OPD (by id or URL name) is stored as its id, a
    link; any other value (a BPS registry number from before MS-Keg records) is kept as it is, not linked
    (metadata/ms_keg.py)."""
    value = data.get(key)
    if _is_empty(value) or not isinstance(value, str):
        return
    org = model.Group.get(data.get(("owner_org",)) or "") if isinstance(data.get(("owner_org",)), str) else None
    data[key] = ms_keg.link_value(value, org.id if org else None)


def satudata_phone(value: Any) -> Any:
    if _is_empty(value):
        return value
    value = satudata_text(value)
    digits = re.sub(r"\D", "", value)
    if not _PHONE_CHARS.match(value) or not _PHONE_PREFIX.match(value.lstrip("(")) or not 8 <= len(digits) <= 15:
        raise tk.Invalid(tk._("Not a valid phone number, e.g. (0342) 801234 or +62 812 3456 7890"))
    return value


def satudata_period(value: Any) -> Any:
    if _is_empty(value):
        return value
    value = satudata_text(value)
    match = _PERIOD.match(value)
    if not match or (match["y2"] and int(match["y2"]) < int(match["y"])):
        raise tk.Invalid(tk._("Period must look like 2024, 2020-2024, 2024-T1, 2024-S2 or 2024-03"))
    return value


def satudata_max_length(length: int):
    """Like CKAN's unicode length check, with a limit taken from the schema."""

    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > length:
            raise tk.Invalid(tk._("Must be at most {length} characters long").format(length=length))
        return value

    return validator


def satudata_visible_text(value: Any) -> Any:
    """No zero-width, invisible or text-direction character (language/names.py): a name shows what it holds."""
    if isinstance(value, str) and names.has_invisible(value):
        raise tk.Invalid(tk._("Must not contain invisible or text-direction characters"))
    return value


def satudata_element_year(value: Any) -> Any:
    """The year of a daftar elemen data: 1900 to next year (the list is drafted before its year starts)."""
    year = _whole_year(value)
    next_year = datetime.date.today().year + 1
    if not MIN_YEAR <= year <= next_year:
        raise tk.Invalid(tk._("Year must be from {min_year} to {max_year}").format(min_year=MIN_YEAR,
                                                                                  max_year=next_year))
    return year


def satudata_iso_date(value: Any) -> Any:
    """A calendar date as YYYY-MM-DD (a date or datetime is taken as it is) becomes a datetime.date."""
    if _is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Date must look like 2026-06-30"))
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Date must look like 2026-06-30"))


_YES = {"ya", "yes", "y", "true", "t", "1", "on"}
_NO = {"tidak", "no", "n", "false", "f", "0", "off"}


def satudata_yes_no(value: Any) -> Any:
    """A yes/no answer as a boolean, in Bahasa Indonesia or English (empty is no). Unlike CKAN's
    boolean_validator, an answer it does not know is an error, not a silent no."""
    if _is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    if not isinstance(value, (str, int)):
        raise tk.Invalid(tk._("Must be Ya or Tidak (yes or no)"))
    word = str(value).strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise tk.Invalid(tk._("Must be Ya or Tidak (yes or no)"))


def satudata_report_period(value: Any) -> figures.Period:
    """navl validator: the period string becomes a Period."""
    if isinstance(value, figures.Period):
        return value
    try:
        return figures.parse_period(value)
    except ValueError as error:
        raise tk.Invalid(str(error))


def satudata_opd(value: Any) -> str:
    """navl validator: an OPD's name or id becomes its id."""
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL refuses NUL in text
        raise tk.Invalid(tk._('There is no OPD "{opd}"').format(opd=str(value).replace("\x00", "")))
    org = model.Group.get(value) if value else None
    if not org or not org.is_organization or org.state != "active":
        raise tk.Invalid(tk._('There is no OPD "{opd}"').format(opd=value))
    return org.id
