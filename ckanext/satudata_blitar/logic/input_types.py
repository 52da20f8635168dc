"""The JSON types and the size limits of the fields our actions (and the core actions we chain) read, checked before
the action runs.

The API takes any JSON, and a list or an object where CKAN or our code expects text ends deep inside (a
database query, a string method) as a 500. One table says which fields are text and which are whole numbers;
every registered action is wrapped (logic/action/__init__.py), so a wrong type is a ValidationError (409) naming
the field, whatever the action. The same table holds the limits: the length of every text field, the number of a
dataset's extras, tags, resources and groups (config.py), and titles without invisible or text-direction
characters; so a dataset with 200 000 extras or a 20 MB description is refused before CKAN validates it."""
from __future__ import annotations

import functools
from typing import Any, Callable

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.language import names

# Fields that are one text value (a number is accepted: it is sent as text by some clients). Not `q`: the
# DataStore takes an object there ({"column": "words"}).
TEXT = frozenset({
    "id", "name", "owner_org", "package_id", "resource_id", "object", "object_type", "capacity", "username",
    "role", "vocabulary_id", "query", "fq", "sort", "transition", "note", "period", "opd", "status",
    "tag_string", "org_id", "organization_id", "records_format", "user_id",
})
# Longest identifier-like text accepted (the TEXT fields); Solr refuses a longer value in a field it indexes whole
# (32 766 bytes), which would end the request in a 500 after the database had accepted it.
MAX_TEXT = 8000
# Fixed limits of some fields; titles and names follow config.max_title_chars(), every other free text (notes,
# descriptions, metadata fields, extras' values) config.max_text_chars().
MAX_LENGTH = {"license_id": 200, "key": 200, "url": MAX_TEXT}
# Titles and names people read: at most config.max_title_chars(), and never an invisible or text-direction
# character (language/names.py).
TITLES = frozenset({"title", "name", "nama", "display_name"})
# Lists of a dataset (or an OPD, a group) whose length config.max_list_items() limits, each item's text fields
# limited as the top-level ones.
LISTS = frozenset({"extras", "tags", "resources", "groups"})
# Fields the DataStore's actions also take as a list of text: `sort` ("a nulls first", ["a", "b desc"]).
DATASTORE_TEXT_LISTS = frozenset({"sort"})
# Fields that are a whole number, or text (whose digits the action's own validators judge, with their own message).
WHOLE = frozenset({"rows", "start", "limit", "offset", "tahun"})


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _whole(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _max_length(key: str) -> int:
    if key in MAX_LENGTH:
        return MAX_LENGTH[key]
    if key in TITLES:
        return config.max_title_chars()
    return MAX_TEXT if key in TEXT else config.max_text_chars()


def _text_errors(key: str, value: str) -> list[str]:
    """What is wrong with the text `value` of the field `key`: its length, invisible characters in a title."""
    if len(value) > _max_length(key):
        return [tk._("Must be at most {length} characters long").format(length=_max_length(key))]
    if key in TITLES and names.has_invisible(value):
        return [tk._("Must not contain invisible or text-direction characters")]
    return []


def _list_errors(key: str, value: Any, limits: dict[str, int]) -> list[Any]:
    """A list of LISTS: at most its number of items, each item's text fields as the top-level ones. Errors in
    CKAN's shape for lists: one dict per item (resource_create reports its resource's, the forms each item's);
    tags' always dicts (CKAN's ValidationError reads their `name`)."""
    if key == "tag_string" and isinstance(value, str):
        value = [tag for tag in value.split(",") if tag.strip()]
    elif not isinstance(value, list):
        return []
    limit = limits["tags" if key == "tag_string" else key]
    if len(value) > limit:
        message = tk._("At most {number} items are accepted").format(number=limit)
        return [{"name": [message]}] if key == "tags" else [message]
    items = [{field: _text_errors(field, text) for field, text in item.items() if isinstance(text, str)}
             if isinstance(item, dict) else {} for item in value]
    items = [{field: errors for field, errors in item.items() if errors} for item in items]
    return items if any(items) else []


def type_errors(data_dict: Any, text_lists: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """The fields of the wrong type or over their limits, with a message each; numbers given for text fields become
    text (in place). `text_lists`: TEXT fields the action also takes as a list of text."""
    if not isinstance(data_dict, dict):
        return {"__input": [tk._("The request must be a JSON object")]}
    errors = {}
    limits = config.max_list_items()
    for key, value in list(data_dict.items()):
        if key in text_lists and isinstance(value, list) and all(isinstance(item, str) for item in value):
            errors[key] = next(([error] for item in value for error in _text_errors(key, item)), [])
        elif key in TEXT and not _text(value):
            errors[key] = [tk._("Must be a single text value")]
        elif key in TEXT and isinstance(value, int):
            data_dict[key] = str(value)
        elif key in WHOLE and not _whole(value):
            errors[key] = [tk._("Must be a whole number")]
        elif key in LISTS or key == "tag_string":
            errors[key] = _list_errors(key, value, limits)
        if isinstance(value, str) and not errors.get(key):
            errors[key] = _text_errors(key, value)
        if not errors.get(key):
            errors.pop(key, None)
    return errors


def checked(action: Callable[..., Any]) -> Callable[..., Any]:
    """The action, refusing wrong JSON types first (chained actions take the next action as first argument)."""

    text_lists = DATASTORE_TEXT_LISTS if action.__name__.startswith("datastore_") else frozenset()

    @functools.wraps(action)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        errors = type_errors(args[-1] if args and args[-1] is not None else {}, text_lists)
        if errors:
            raise tk.ValidationError(errors)
        return action(*args, **kwargs)

    return wrapper
