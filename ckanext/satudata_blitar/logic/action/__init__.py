"""Our actions (prefixed satudata_) and the core actions we chain, one module per part of the SOP; each module's
__all__ says what it registers."""
from __future__ import annotations

from typing import Any, Callable

from ckanext.satudata_blitar.logic import input_types
from ckanext.satudata_blitar.logic.action import (accounts, core, elements, language, metadata, portal, reminders,
                                                 reports, requests, tables, workflow)

PARTS = (metadata, workflow, tables, elements, reports, portal, core, language, accounts, reminders, requests)


def get_actions() -> dict[str, Callable[..., Any]]:
    """Every action checks the JSON types of its fields first (input_types.py)."""
    return {name: input_types.checked(getattr(part, name)) for part in PARTS for name in part.__all__}
