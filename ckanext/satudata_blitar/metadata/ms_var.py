"""MS-Var (Peraturan BPS 5/2020, metadata variabel): the statistical description of each column of a loaded table.

It lives in CKAN's own Data Dictionary: the keys below are keys of the DataStore field's `info` (beside CKAN's
`label`, `notes` and `type_override`), so `datastore_info`, `datastore_search`, `datastore_create` and CKAN's Data
Dictionary form read and write them; no side table. What this module holds:

- the keys, their labels and help texts (English msgids, Indonesian in the catalogue), the choices;
- `prefill(column)`: what the loader knows of a column (header text, detected type, a unit in parentheses such as
  "Luas (km²)"), merged under what the table's dictionary already said (`merged`) so a reload keeps it;
- `info_validator`: the `info` of `datastore_create` (IDataDictionaryForm, registered in plugins/) — values are
  trimmed, bounded and checked, a key not given keeps its stored value, and CKAN's `label`/`notes` follow
  `nama_variabel`/`definisi` (and the other way round), so both always say the same;
- `missing(fields)`: what a table lacks before it may be submitted (definisi of every column, satuan of numeric
  ones), for metadata/completeness.py.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Optional

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.language import LANGUAGES, N_, translated

# The MS-Var elements, in the order of BPS's form.
KEYS = ("nama_variabel", "alias", "konsep", "definisi", "referensi_pemilihan", "referensi_waktu", "tipe_data",
        "klasifikasi_isian", "ukuran", "satuan", "aturan_validasi", "kalimat_pertanyaan", "akses_publik")
# CKAN's own Data Dictionary keys that say the same as one of ours: each pair is kept in step.
IN_STEP = {"nama_variabel": "label", "definisi": "notes"}

LABELS = {
    "nama_variabel": N_("Variable name"),
    "alias": N_("Alias"),
    "konsep": N_("Concept"),
    "definisi": N_("Definition"),
    "referensi_pemilihan": N_("Selection reference"),
    "referensi_waktu": N_("Time reference"),
    "tipe_data": N_("Data type"),
    "klasifikasi_isian": N_("Classification of values"),
    "ukuran": N_("Measure"),
    "satuan": N_("Unit"),
    "aturan_validasi": N_("Validation rule"),
    "kalimat_pertanyaan": N_("Question text"),
    "akses_publik": N_("Publicly accessible"),
}
HELP = {
    "nama_variabel": N_("The variable's name as people read it, e.g. Luas Wilayah. Also the column's label."),
    "alias": N_("Another name or abbreviation of the variable, if any."),
    "konsep": N_("The general idea the variable measures, e.g. the concept of a household."),
    "definisi": N_("What exactly the column holds, so that a reader counts it the same way. Required."),
    "referensi_pemilihan": N_("Which units are counted, e.g. residents with a Kota Blitar identity card."),
    "referensi_waktu": N_("The moment or period the values refer to, e.g. 31 December of each year."),
    "tipe_data": N_("The kind of value in the column."),
    "klasifikasi_isian": N_("The classification or code list the values come from, e.g. Kemendagri region codes "
                            "or KBLI 2020."),
    "ukuran": N_("What is measured, e.g. number, percentage, average."),
    "satuan": N_("The unit of the numbers, e.g. jiwa, km², persen. Required for numeric columns."),
    "aturan_validasi": N_("The rule a value must meet, e.g. a whole number from 0 upwards."),
    "kalimat_pertanyaan": N_("The question asked to collect the value, if it comes from a survey or form."),
    "akses_publik": N_("Whether the public may see this variable."),
}

TIPE_DATA = {
    "bilangan_bulat": N_("Whole number"),
    "desimal": N_("Decimal number"),
    "teks": N_("Text"),
    "tanggal": N_("Date"),
    "tanggal_waktu": N_("Date and time"),
    "kode": N_("Code (classification)"),
}
NUMERIC_TYPES = ("bilangan_bulat", "desimal")
AKSES_PUBLIK = {"ya": N_("Yes"), "tidak": N_("No")}
CHOICES = {"tipe_data": TIPE_DATA, "akses_publik": AKSES_PUBLIK}
# Keys written as one line (the rest may be a paragraph).
SHORT_KEYS = ("nama_variabel", "alias", "tipe_data", "ukuran", "satuan", "akses_publik")
MAX_SHORT_CHARS = 200
MAX_TEXT_CHARS = 2000

# The DataStore's column types (and our spreadsheet's detected types) in MS-Var words.
DETECTED_TYPES = {"int2": "bilangan_bulat", "int4": "bilangan_bulat", "int8": "bilangan_bulat",
                  "integer": "bilangan_bulat", "int": "bilangan_bulat", "bigint": "bilangan_bulat",
                  "numeric": "desimal", "float4": "desimal", "float8": "desimal", "float": "desimal",
                  "date": "tanggal", "timestamp": "tanggal_waktu", "timestamptz": "tanggal_waktu",
                  "text": "teks", "bool": "teks"}
# A unit at the end of a header: "Luas (km²)", "Persentase [%]".
UNIT = re.compile(r"^(?P<name>.*?\S)\s*[(\[](?P<unit>[^()\[\]]{1,40})[)\]]\s*$")
YEAR_HEADERS = ("tahun", "year")


def label(key: str) -> str:
    return tk._(LABELS[key])


def help_text(key: str) -> str:
    return tk._(HELP[key])


def choices(key: str) -> list[tuple[str, str]]:
    """(value, label in the user's language) of a choice key."""
    return [(value, tk._(text)) for value, text in CHOICES.get(key, {}).items()]


def choice_label(key: str, value: Any) -> str:
    """A stored value in words: a choice's label, anything else as it is."""
    text = CHOICES.get(key, {}).get(value)
    return tk._(text) if text else ("" if value is None else str(value))


def split_unit(header: str) -> tuple[str, str]:
    """("Luas", "km²") from "Luas (km²)"; (header, "") when it names no unit."""
    header = " ".join(str(header or "").split())
    found = UNIT.match(header)
    if not found:
        return header, ""
    return found["name"].rstrip(" -–:"), found["unit"].strip()


def detected_type(datastore_type: Optional[str]) -> str:
    """A DataStore column type (int4, numeric, …, or an array `_int4`) as a tipe_data value."""
    return DETECTED_TYPES.get((datastore_type or "").lstrip("_"), "teks")


def prefill(header: str, datastore_type: Optional[str]) -> dict[str, str]:
    """What the loader knows of a column, as MS-Var (and CKAN's label): its name and unit from the header, its
    type from the detected one, public access, and "tahun" as the unit of a year column."""
    name, unit = split_unit(header)
    tipe = detected_type(datastore_type)
    if not unit and tipe in NUMERIC_TYPES and name.casefold() in YEAR_HEADERS:
        unit = "tahun"
    info = {"nama_variabel": name, "label": name, "tipe_data": tipe, "akses_publik": "ya"}
    if unit:
        info["satuan"] = unit
    return info


def usable(values: dict[str, Any]) -> dict[str, Any]:
    """The MS-Var values of a file (the data template's MS-Var sheet) that pass the checks, as stored; a wrong
    value is left out rather than stopping the load (the Data Dictionary form shows what is missing)."""
    found = {}
    for key, value in values.items():
        if key in KEYS:
            value, error = clean(key, value)
            if not error and value != "":
                found[key] = value
    return found


def merged(known: dict[str, Any], stored: Optional[dict[str, Any]]) -> dict[str, Any]:
    """The info of a reloaded column: what its dictionary already said wins over what the loader knows; a key the
    dictionary left empty takes the loader's value."""
    info = dict(known)
    stored = stored or {}
    for key, value in stored.items():
        if value not in (None, "") or key not in info:
            info[key] = value
    for ours, ckan in IN_STEP.items():
        if stored.get(ckan) and not stored.get(ours):  # a dictionary written before MS-Var: its label stays
            info[ours] = stored[ckan]
    return info


def clean(key: str, value: Any) -> tuple[Any, Optional[str]]:
    """A submitted value, trimmed and checked: (value, error message or None)."""
    if value is None:
        return "", None
    if key == "akses_publik" and isinstance(value, bool):
        return ("ya" if value else "tidak"), None
    if not isinstance(value, (str, int, float)):
        return value, tk._("{name}: must be text").format(name=label(key))
    text = str(value).strip()
    if key in SHORT_KEYS:
        text = " ".join(text.split())
    limit = MAX_SHORT_CHARS if key in SHORT_KEYS else MAX_TEXT_CHARS
    if len(text) > limit:
        return text, tk._("{name}: at most {count} characters").format(name=label(key), count=limit)
    if key in CHOICES and text:
        wanted = text.casefold()
        for code, message in CHOICES[key].items():
            if wanted in (code, message.casefold(), *(translated(message, lang).casefold() for lang in LANGUAGES)):
                return code, None
        return text, tk._("{name}: choose one of {choices}").format(
            name=label(key), choices=", ".join(tk._(message) for message in CHOICES[key].values()))
    return text, None


def normalize(info: dict[str, Any], current: Optional[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The `info` a datastore_create stores for a column: MS-Var values checked, a key not given kept from the
    stored info (`current`), and CKAN's label/notes in step with nama_variabel/definisi (the one that changed wins;
    an empty one takes the other's value). A column with no MS-Var in either keeps CKAN's info unchanged. Returns
    (info, error messages)."""
    current = current if isinstance(current, dict) else {}
    if not any(key in info or key in current for key in KEYS):
        return dict(info), []  # a table without MS-Var (written by other tools): CKAN's info as it is
    out = dict(info)
    errors = []
    for key in (*KEYS, *IN_STEP.values()):
        if key in info:
            value, error = clean(key, info[key]) if key in KEYS else (info[key], None)
            if error:
                errors.append(error)
            out[key] = value
        elif current.get(key) not in (None, ""):
            out[key] = current[key]
    for ours, ckan in IN_STEP.items():
        mine, theirs = out.get(ours) or "", out.get(ckan) or ""
        if mine != (current.get(ours) or "") and ours in info:
            out[ckan] = mine
        elif theirs != (current.get(ckan) or "") and ckan in info:
            out[ours] = theirs
        elif not mine and theirs:
            out[ours] = theirs
        elif mine and not theirs:
            out[ckan] = mine
    return out, errors


def info_validator(key: Any, data: dict[Any, Any], errors: dict[Any, list[str]], context: dict[str, Any]) -> None:
    """datastore_create's `fields[n].info` (IDataDictionaryForm): normalize() against the column's stored info,
    which the DataStore hands its validators as `context["plugin_data"][n]["_current"]["_info"]`."""
    value = data.get(key)
    if not isinstance(value, dict):
        return
    index = key[-2]
    current = context.get("plugin_data", {}).get(index, {}).get("_current", {}).get("_info")
    data[key], messages = normalize(value, current)
    errors[key].extend(messages)


# --- What a table lacks ---------------------------------------------------------------------------------------------

REQUIRED = ("definisi",)
REQUIRED_NUMERIC = ("satuan",)


def is_numeric(field: dict[str, Any]) -> bool:
    """Numeric by its MS-Var type when set, else by its DataStore type."""
    info = field.get("info") or {}
    return (info.get("tipe_data") or detected_type(field.get("type"))) in NUMERIC_TYPES


def missing_keys(field: dict[str, Any]) -> list[str]:
    info = field.get("info") or {}
    wanted = REQUIRED + (REQUIRED_NUMERIC if is_numeric(field) else ())
    return [key for key in wanted if not str(info.get(key) or "").strip()]


def columns(fields: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's own columns (not the DataStore's _id, _full_text)."""
    return [field for field in fields if not str(field.get("id", "")).startswith("_")]


def missing(fields: Iterable[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(column, missing keys) of each column of a table that lacks a required MS-Var element."""
    found = []
    for field in columns(fields):
        keys = missing_keys(field)
        if keys:
            found.append(((field.get("info") or {}).get("label") or field["id"], keys))
    return found


def loaded_tables(pkg_dict: dict[str, Any], context: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's tables in the DataStore as {id, name, fields} (datastore_info as whoever `context` names;
    a table they may not read is left out)."""
    tables = []
    for resource in pkg_dict.get("resources", []):
        if not resource.get("datastore_active"):
            continue
        try:
            fields = tk.get_action("datastore_info")(dict(context), {"id": resource["id"]}).get("fields", [])
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        tables.append({"id": resource["id"], "name": resource.get("name") or resource["id"], "fields": fields})
    return tables
