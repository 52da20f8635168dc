"""House rules the code keeps by itself: one way to write a thing, names that exist.

- Our own templates live in one namespace, `templates/satudata/`; the other folders of templates/ override CKAN's
  and its plugins' templates at their own paths. Every template a template or module names exists.
- A table or list with nothing to show says so through one macro (`empty` of templates/satudata/macros.html) and one
  CSS class, `satudata-empty`.
"""
from __future__ import annotations

import importlib.util
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


# --- one namespace of our own, and every template named exists ---------------------------------------------------
OWN_NAMESPACE = "satudata"
# CKAN 2.11's folders that 2.12 no longer has: ajax_snippets/api_info.html (its "Data API" pop-up).
CKAN_2_11_FOLDERS = {"ajax_snippets"}
# {% extends/include/import/from/snippet "x.html" %} and tk.render("x.html"): names written out (not built from
# variables). ckan_extends names the template it is in.
TEMPLATE_NAME_IN_TEMPLATE = re.compile(r"\{%-?\s*(?:extends|include|import|from|snippet)\s+[\"']([^\"']+\.html)[\"']")
TEMPLATE_NAME_IN_PYTHON = re.compile(r"(?:render|render_template|render_snippet)\(\s*[\"']([^\"']+\.html)[\"']")


def _template_folders() -> list[pathlib.Path]:
    """Ours first, then CKAN's and those of the plugins the portal loads (what CKAN's template loader searches)."""
    folders = [TEMPLATES, pathlib.Path(importlib.util.find_spec("ckan").origin).parent / "templates"]
    for name in ("ckanext.scheming", "ckanext.xloader", "ckanext.datastore", "ckanext.activity", "ckanext.dcat",
                 "ckanext.datatablesview"):
        root = pathlib.Path(importlib.util.find_spec(name).origin).parent
        folders += [folder for folder in root.rglob("templates") if folder.is_dir()]
    return folders


def test_our_templates_have_one_namespace():
    ckan = _template_folders()[1]
    own = [folder.name for folder in TEMPLATES.iterdir() if folder.is_dir() and not (ckan / folder.name).exists()
           and not any((other / folder.name).is_dir() for other in _template_folders()[2:])
           and folder.name not in CKAN_2_11_FOLDERS]
    assert own == [OWN_NAMESPACE]


def _named_templates():
    for path in _templates():
        for name in TEMPLATE_NAME_IN_TEMPLATE.findall(path.read_text()):
            yield str(path.relative_to(PACKAGE)), name
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" not in path.relative_to(PACKAGE).parts:
            for name in TEMPLATE_NAME_IN_PYTHON.findall(path.read_text()):
                yield str(path.relative_to(PACKAGE)), name


def test_every_template_named_exists():
    folders = _template_folders()
    missing = [(where, name) for where, name in _named_templates()
               if not any((folder / name).is_file() for folder in folders)]
    assert list(_named_templates()) and not missing


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
