"""The words of the portal's concepts (states, movements, steps, statuses, indicators, file headers) in either
language, from the same catalogue the pages use.

Each concept keeps one dict of English msgids beside its definition (workflow/transitions.py STATE_LABELS, …);
pages translate them with toolkit._, files and the CLI with `text(msgid, lang)`, which reads our compiled
catalogue (i18n/<lang>) directly, so it works without a web request and whatever the user's page language is.
"""
from __future__ import annotations

import functools
import os

from babel.support import Translations

I18N_DIRECTORY = os.path.join(os.path.dirname(__file__), "i18n")
DOMAIN = "ckanext-satudata_blitar"


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; it is translated where it is shown."""
    return msgid


@functools.lru_cache(maxsize=None)
def _catalogue(lang: str) -> Translations:
    return Translations.load(I18N_DIRECTORY, [lang], DOMAIN)


def text(msgid: str, lang: str) -> str:
    """`msgid` in `lang`: English is the msgid itself, other languages come from our catalogue."""
    return msgid if lang == "en" else _catalogue(lang).gettext(msgid)
