"""What is remembered within one web request: figures a page asks for more than once (the header's queue count,
the user's roles, an OPD's fulfilment), computed once. Outside a request (CLI, jobs, tests calling actions) nothing
is remembered."""
from __future__ import annotations

from typing import Any, Callable


def store() -> dict | None:
    """This request's store on flask.g; None outside a request."""
    import flask
    if not flask.has_request_context():
        return None
    if not hasattr(flask.g, "satudata_cache"):
        flask.g.satudata_cache = {}
    return flask.g.satudata_cache


def once(key: Any, compute: Callable[[], Any]) -> Any:
    """compute(), once per request for `key`."""
    cache = store()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget(prefix: str) -> None:
    """Drops what was remembered under keys (tuples) starting with `prefix`: the data behind it changed."""
    cache = store()
    for key in [key for key in cache or () if isinstance(key, tuple) and key and key[0] == prefix]:
        del cache[key]


def forget_all() -> None:
    """Drops everything remembered in this request (a workflow transition changes counts and states)."""
    cache = store()
    if cache:
        cache.clear()
