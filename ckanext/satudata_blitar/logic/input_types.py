"""The JSON types of the fields our actions (and the core actions we chain) read, checked before the action runs.

The API takes any JSON, and a list or an object where CKAN or our code expects text ends deep inside (a
database query, a string method) as a 500. One table says which fields are text and which are whole numbers;
every registered action is wrapped (logic/action/__init__.py), so a wrong type is a ValidationError (409) naming
the field, whatever the action."""
from __future__ import annotations

import functools
from typing import Any, Callable

import ckan.plugins.toolkit as tk

# Fields that are one text value (a number is accepted: it is sent as text by some clients). Not `q`: the
# DataStore takes an object there ({"column": "words"}).
TEXT = frozenset({
    "id", "name", "owner_org", "package_id", "resource_id", "object", "object_type", "capacity", "username",
    "role", "vocabulary_id", "query", "fq", "sort", "transition", "note", "period", "opd", "status",
    "tag_string", "org_id", "organization_id", "records_format", "user_id",
})
# Longest text accepted; Solr refuses a longer value in a field it indexes whole (32 766 bytes), which would end the
# request in a 500 after the database had accepted it.
MAX_TEXT = 8000
MAX_LENGTH = {"title": 2000, "license_id": 200}
# Fields that are a whole number, or text (whose digits the action's own validators judge, with their own message).
WHOLE = frozenset({"rows", "start", "limit", "offset", "tahun"})


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _whole(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def type_errors(data_dict: Any) -> dict[str, list[str]]:
    """The fields of the wrong type, with a message each; numbers given for text fields become text (in place)."""
    if not isinstance(data_dict, dict):
        return {"__input": [tk._("The request must be a JSON object")]}
    errors = {}
    for key, value in list(data_dict.items()):
        if key in TEXT and not _text(value):
            errors[key] = [tk._("Must be a single text value")]
        elif key in TEXT and isinstance(value, int):
            data_dict[key] = str(value)
        elif isinstance(value, str) and len(value) > MAX_LENGTH.get(key, MAX_TEXT if key in TEXT else len(value)):
            errors[key] = [tk._("Must be at most {length} characters long").format(
                length=MAX_LENGTH.get(key, MAX_TEXT))]
        elif key in WHOLE and not _whole(value):
            errors[key] = [tk._("Must be a whole number")]
    return errors


def checked(action: Callable[..., Any]) -> Callable[..., Any]:
    """The action, refusing wrong JSON types first (chained actions take the next action as first argument)."""

    @functools.wraps(action)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        errors = type_errors(args[-1] if args and args[-1] is not None else {})
        if errors:
            raise tk.ValidationError(errors)
        return action(*args, **kwargs)

    return wrapper
