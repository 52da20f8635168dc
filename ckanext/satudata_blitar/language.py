"""The language of what we say to the user: one answer for pages, messages, facets and files shown to them."""
from __future__ import annotations

from flask import has_request_context

import ckan.plugins.toolkit as tk

LANGUAGES = ("id", "en")


def current() -> str:
    """The user's language ("id" or "en"); the portal's default outside a web request (CLI, background jobs)."""
    lang = tk.h.lang() if has_request_context() else tk.config["ckan.locale_default"]
    return lang if lang in LANGUAGES else "id"
