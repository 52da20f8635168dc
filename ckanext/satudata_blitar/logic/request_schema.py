"""navl schemas of the data request actions (logic/action/requests.py): every field one text value of a bounded
length; choices from requests/data_requests.py."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic import validators
from ckanext.satudata_blitar.requests import data_requests as flow


def _v(*names: str) -> list[Callable[..., Any]]:
    return [tk.get_validator(name) for name in names]


def _one_of(choices: Iterable[str]) -> Callable[[Any], Any]:
    allowed = list(choices)

    def validator(value: Any) -> Any:
        if value not in allowed:
            raise tk.Invalid(tk._("Choose one of: {choices}").format(choices=", ".join(allowed)))
        return value

    return validator


def _flag(value: Any) -> Any:
    """true/false, as JSON or as the text a form sends."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "false", "0", "no", "off", ""):
        return value.strip().lower() in ("true", "1", "yes", "on")
    raise tk.Invalid(tk._("Must be true or false"))


def _text(field: str, required: bool = False) -> list[Callable[..., Any]]:
    first = _v("not_empty") if required else _v("ignore_missing")
    return [*first, validators.satudata_text, *_v("unicode_safe", "strip_value"),
            validators.satudata_max_length(flow.MAX_LENGTH.get(field, flow.MAX_LENGTH["note"]))]


def _visible_title() -> list[Callable[..., Any]]:
    return [*_text("title", required=True), validators.satudata_visible_text]


def create_schema() -> dict[str, Any]:
    return {
        "title": _visible_title(),
        "description": _text("description", required=True),
        "period": _text("period"),
        "area": _text("area"),
        "purpose": _text("purpose"),
        "data_format": [*_v("ignore_missing"), validators.satudata_text, *_v("unicode_safe"), _one_of(flow.FORMATS)],
        "owner_org": [*_v("ignore_missing"), validators.satudata_text, *_v("unicode_safe", "strip_value")],
        # The honeypot: a field people never see (hidden by the form's stylesheet), which bots fill.
        "website": [*_v("ignore_missing"), validators.satudata_text],
    }


def id_schema() -> dict[str, Any]:
    return {"id": [*_v("not_empty"), validators.satudata_text, *_v("unicode_safe")]}


def route_schema() -> dict[str, Any]:
    return {**id_schema(), "owner_org": [*_v("not_empty"), validators.satudata_text, *_v("unicode_safe")],
            "note": _text("note")}


def answer_schema() -> dict[str, Any]:
    return {
        **id_schema(),
        "outcome": [*_v("not_empty"), validators.satudata_text, _one_of(flow.OUTCOMES)],
        "package_id": [*_v("ignore_missing"), validators.satudata_text, *_v("unicode_safe", "strip_value")],
        "reason": [*_v("ignore_missing"), validators.satudata_text, _one_of(flow.REASON_LABELS)],
        "clause": [*_v("ignore_missing"), validators.satudata_text, _one_of(flow.KIP_CLAUSES)],
        "note": _text("note"),
    }


def note_schema(required: bool) -> dict[str, Any]:
    return {**id_schema(), "note": _text("note", required=required)}


def hide_schema() -> dict[str, Any]:
    return {**id_schema(), "hidden": [*_v("not_missing"), _flag]}


def list_schema() -> dict[str, Any]:
    return {
        "q": _text("q"),
        "state": [*_v("ignore_missing"), validators.satudata_text, _one_of(flow.STATES)],
        "owner_org": [*_v("ignore_missing"), validators.satudata_text, *_v("unicode_safe")],
        "mine": [*_v("ignore_missing"), _flag],
        "queue": [*_v("ignore_missing"), _flag],
        "limit": [*_v("ignore_missing", "natural_number_validator", "int_validator")],
        "offset": [*_v("ignore_missing", "natural_number_validator", "int_validator")],
    }
