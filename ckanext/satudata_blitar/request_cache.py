"""What is remembered within one web request: figures a page asks for more than once (the header's queue count,
the user's roles, an OPD's fulfilment), computed once. Outside a request (CLI, jobs, tests calling actions) nothing
is remembered.

And, in or outside a request, what package_show read for the search index of the dataset it showed (`hand_to_index`,
`handed_to_index`): `ckan search-index rebuild` shows each dataset and indexes it at once, in the same thread, so
the index hook takes what the show read instead of asking again."""
from __future__ import annotations

import threading
from typing import Any, Callable

_handed = threading.local()


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
    forget_handed()
    cache = store()
    for key in [key for key in cache or () if isinstance(key, tuple) and key and key[0] == prefix]:
        del cache[key]


def forget_all() -> None:
    """Drops everything remembered in this request (a workflow transition changes counts and states)."""
    forget_handed()
    cache = store()
    if cache:
        cache.clear()


# --- from package_show to the index of the dataset it showed -------------------------------------------------------

def hand_to_index(package_id: str, **values: Any) -> None:
    """What the show of the dataset read for its index, for the index that follows it in this thread (one dataset:
    the show of another replaces it)."""
    _handed.value = (package_id, values)


def handed_to_index(package_id: str) -> dict[str, Any]:
    """What the last show handed to the index if it showed this dataset, once ({} otherwise: the caller reads)."""
    handed = getattr(_handed, "value", None)
    _handed.value = None
    return handed[1] if handed is not None and handed[0] == package_id else {}


def forget_handed() -> None:
    """Drops what a show handed to the index: what it read has changed (`forget`, `forget_all` do it too)."""
    _handed.value = None
