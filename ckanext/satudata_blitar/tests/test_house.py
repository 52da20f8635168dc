"""House rules the code keeps by itself: one way to write a thing, names that exist.

- A table or list with nothing to show says so through one macro (`empty` of templates/satudata/macros.html) and one
  CSS class, `satudata-empty`.
"""
from __future__ import annotations

import pathlib
import re

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1]
TEMPLATES = PACKAGE / "templates"
MACROS = TEMPLATES / "satudata" / "macros.html"


@pytest.fixture(autouse=True)
def _plugins_of_test_ini():
    """These tests only read files: they skip conftest's loading of the plugins."""


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


# --- the empty message ----------------------------------------------------------------------------------------------
# A paragraph written by hand in the `else` of a list: the message the macro writes.
HAND_WRITTEN_EMPTY = re.compile(
    r"\{%-?\s*(?:else|elif\b[^%]*)\s*-?%\}\s*<p\b[^>]*class=\"[^\"]*\b(?:empty|satudata-note|text-muted)\b")


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_an_empty_list_says_so_through_the_macro(path):
    text = path.read_text()
    assert not HAND_WRITTEN_EMPTY.search(text), "write {{ macros.empty(_('…')) }} (templates/satudata/macros.html)"
    assert 'class="empty' not in text
    if path != MACROS:
        assert "satudata-empty" not in text, "the class is the macro's own"


def test_the_macro_writes_one_class_the_theme_styles():
    assert 'class="satudata-empty' in MACROS.read_text()
    assert ".satudata-empty {" in (PACKAGE / "assets" / "css" / "theme.css").read_text()
