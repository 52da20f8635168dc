"""The language of what we say to the user: one answer for pages, messages, facets and files shown to them.

Here: the user's language, messages translated in it, licence titles. Beside it: `formats.py` (dates, times, numbers,
percentages and periods written one way per language) and `names.py` (names and titles people type: how two compare,
which characters they may not hold)."""
from __future__ import annotations

import functools
from typing import Any

from babel import support
from flask import has_request_context

import ckan.lib.i18n as i18n
import ckan.plugins as p
import ckan.plugins.toolkit as tk

LANGUAGES = ("id", "en")


def N_(message: str) -> str:
    """Marks an English msgid for extraction; it is translated where it is shown (toolkit._ on pages, translated()
    in files and jobs)."""
    return message


def current() -> str:
    """The user's language ("id" or "en"); the portal's default outside a web request (CLI, background jobs)."""
    lang = tk.h.lang() if has_request_context() else tk.config["ckan.locale_default"]
    return lang if lang in LANGUAGES else "id"


@functools.lru_cache(maxsize=None)
def _catalogue(lang: str) -> support.Translations:
    """CKAN's catalogue for `lang` with every ITranslation plugin's merged over it, as flask-babel builds it for a
    request; for text made outside one."""
    translations = support.Translations()
    pairs = [(i18n.get_ckan_i18n_dir(), "ckan")] + [
        (plugin.i18n_directory(), plugin.i18n_domain()) for plugin in p.PluginImplementations(p.ITranslation)]
    for directory, domain in pairs:
        translations.merge(support.Translations.load(directory, [lang], domain))
    return translations


def translated(message: str, lang: str | None = None) -> str:
    """`message` (an English msgid) in `lang`, by default the portal's language, also outside a web request."""
    lang = lang or tk.config["ckan.locale_default"]
    return message if lang == "en" else _catalogue(lang).gettext(message)


def license_title(pkg_dict: dict[str, Any]) -> str:
    """The dataset's licence in the user's language. `license_title` in a dataset dict was translated when the
    dataset was indexed, in whatever language that request had; the licence register translates it now."""
    for licence in tk.get_action("license_list")({}, {}):
        if licence["id"] == pkg_dict.get("license_id"):
            return licence["title"]
    return pkg_dict.get("license_title") or pkg_dict.get("license_id") or ""
