"""One auth function per action (and the core auth functions we chain), one module per part of the SOP; each
module's __all__ says what it registers."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins as p

from ckanext.satudata_blitar.logic.auth import (accounts, core, elements, metadata, portal, reminders, reports,
                                               requests, tables, workflow)

PARTS = (metadata, workflow, tables, elements, reports, portal, core, accounts, reminders, requests)


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    functions = {name: getattr(part, name) for part in PARTS for name in part.__all__}
    if p.plugin_loaded("activity"):
        functions.update({name: getattr(workflow, name) for name in workflow.ACTIVITY_CHAINED})
    return functions
