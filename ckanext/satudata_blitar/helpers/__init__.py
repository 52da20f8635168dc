"""Our template helpers (prefixed satudata_, and the xloader/DataStore helpers we chain), one module per part as
logic/action/ has them; each module's __all__ says what it registers. The satudata_interop plugin registers its own
(interop/helpers.py)."""
from __future__ import annotations

from typing import Any, Callable

from ckanext.satudata_blitar.helpers import (core, elements, language, listing, metadata, portal, requests, tables,
                                              workflow)

PARTS = (core, language, metadata, workflow, tables, elements, requests, portal, listing)


def get_helpers() -> dict[str, Callable[..., Any]]:
    return {name: getattr(part, name) for part in PARTS for name in part.__all__}
