"""Core actions chained so that what the portal makes by itself speaks the portal's language."""
from __future__ import annotations

from flask import has_request_context

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language

__all__ = ["resource_view_create"]


@tk.chained_action
def resource_view_create(original_action, context, data_dict):
    """Views made outside a web request (the xloader worker's default "Table" view after a load, the CLI) get
    their title in the portal's language (ckan.locale_default): CKAN's gettext answers in English there."""
    if not has_request_context() and data_dict.get("title"):
        data_dict = {**data_dict, "title": language.translated(data_dict["title"])}
    return original_action(context, data_dict)
