"""Template helpers of the words and formats in the user's language: the labels of the portal's concepts,
licence titles, and the dates, numbers and periods of language/formats.py."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.language.formats import (  # noqa: F401  (registered through __all__)
    render_datetime, satudata_date, satudata_datetime, satudata_file_size, satudata_number, satudata_percent,
    satudata_period, satudata_month, satudata_month_short)
from ckanext.satudata_blitar.reports import figures
from ckanext.satudata_blitar.workflow import transitions

__all__: list[str] = [
    "satudata_label", "satudata_license_title", *formats.__all__,
]

# The words of the portal's concepts: one registry each, beside the concept.
LABELS = {
    "state": transitions.STATE_LABELS,
    "movement": transitions.MOVEMENT_LABELS,
    "step": figures.STEP_LABELS,
    "element_status": data_elements.STATUS_LABELS,
    "aspect": figures.ASPECT_LABELS,
    "indicator": figures.INDICATOR_LABELS,
}


def satudata_label(concept: str, key: str) -> str:
    """The label of `key` (a state, a movement, …) in the user's language; an unknown key as it is."""
    msgid = LABELS[concept].get(key)
    return tk._(msgid) if msgid else key


def satudata_license_title(pkg_dict: dict[str, Any]) -> str:
    return language.license_title(pkg_dict)
