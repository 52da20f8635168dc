"""House rules the code keeps by itself: one way to write a thing, names that exist.

- Our own templates live in one namespace, `templates/satudata/`; the other folders of templates/ override CKAN's
  and its plugins' templates at their own paths. Every template a template or module names exists.
- Every module, template or dotted `ckanext.satudata_blitar.…` name a docstring, comment or template comment gives
  exists: a module moved or renamed leaves no stale name behind.
- A table or list with nothing to show says so through one macro (`empty` of templates/satudata/macros.html) and one
  CSS class, `satudata-empty`.
- A table wider than a phone scrolls in one kind of box, with its scroll cue: the `table`/`scroll_table` macros of
  templates/satudata/macros.html write every `satudata-wide` box.
- No function is too long to read at once (60 lines), outside the tests and the generated migrations.
"""
from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import io
import pathlib
import re
import subprocess
import tokenize

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
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
# {% extends/include/import/from/snippet "….html" %} and tk.render("….html"): names written out (not built from
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


# --- the wide table's scroll box ---------------------------------------------------------------------------------
# A box written by hand: a tag whose class holds satudata-wide, or the scroll cue named outside the macros.
HAND_WRITTEN_WIDE_BOX = re.compile(r"<\w+\b[^>]*\bclass=\"[^\"]*\bsatudata-wide\b")


@pytest.mark.parametrize("path", [path for path in _templates() if path != MACROS],
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_a_wide_table_s_scroll_box_comes_from_the_macro(path):
    text = path.read_text()
    assert not HAND_WRITTEN_WIDE_BOX.search(text), \
        "write {% call macros.table(rows, _('…'), 'table …') %}…{% endcall %} (templates/satudata/macros.html)"
    assert "scroll_cue.html" not in text, "the scroll cue is the box's own (macros.table, macros.scroll_table)"


def test_the_macro_writes_the_box_the_theme_styles():
    assert "scroll_cue.html" in MACROS.read_text() and "satudata-wide" in MACROS.read_text()
    assert ".satudata-wide {" in (PACKAGE / "assets" / "css" / "theme.css").read_text()


# --- no stale names in docstrings and comments --------------------------------------------------------------------
# A module or template named by its path (`logic/validators.py`, `templates/satudata/macros.html`, `helpers.py`,
# `satudata/workflow/badge.html`), not followed by another extension (script.py.mako).
NAMED_PATH = re.compile(r"(?<![\w./-])((?:[\w-]+/)*[\w-]+\.(?:py|html))(?![\w.]*\w)")
NAMED_DOTTED = re.compile(r"\bckanext\.satudata_blitar(?:\.\w+)+")
# Former names of modules, which a comment must not give (they are names, not paths).
FORMER_NAMES = re.compile(r"\b(?:views_portal|upload_report\.py)\b")
# Files of others, named as their projects name them: CKAN's (`ckan/…`) and its plugins' (`ckanext/<plugin>/…`)
# are looked up in the virtualenv; these are the base image's (docker/Dockerfile).
ELSEWHERE = {"prerun.py"}
# Stale names in files another change is rewriting, (file, name): each must still be stale (a fixed one is taken
# off this list) and is fixed when that change lands. None now.
KNOWN_STALE: set[tuple[str, str]] = set()


@functools.cache
def _repository_files() -> frozenset[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return frozenset(name for name in listed if (ROOT / name).exists())


def _comments(path: pathlib.Path):
    """(line, text) of each comment and docstring of a module, each {# … #} of a template, each # comment else."""
    text = path.read_text()
    if path.suffix == ".py":
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                if ast.get_docstring(node, clean=False):
                    yield node.body[0].lineno, ast.get_docstring(node, clean=False)
    elif path.suffix == ".html":
        for match in re.finditer(r"\{#.*?#\}", text, re.S):
            yield text.count("\n", 0, match.start()) + 1, match.group(0)
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if "#" in line:
                yield number, line[line.index("#"):]


def _scanned() -> list[str]:
    return sorted(name for name in _repository_files()
                  if name.endswith((".py", ".html", ".sh", ".ini", ".yaml", ".yml", ".cfg"))
                  or name.rsplit("/", 1)[-1] in ("Makefile", "Dockerfile"))


def _path_exists(name: str, where: str) -> bool:
    files = _repository_files()
    if name in ELSEWHERE:
        return True
    if name.startswith(("ckan/", "ckanext/")) and not name.startswith("ckanext/satudata_blitar/"):
        top = name.split("/")[0] if name.startswith("ckan/") else ".".join(name.split("/")[:2])
        spec = importlib.util.find_spec(top)
        return bool(spec) and (pathlib.Path(spec.origin).parent / name.split("/", 1 if top == "ckan" else 2)[-1]).exists()
    if name.startswith("templates/"):
        return (PACKAGE / name).is_file()
    beside = (pathlib.PurePosixPath(where).parent / name).as_posix()
    if name in files or beside in files or f"ckanext/satudata_blitar/{name}" in files:
        return True
    if any(file.endswith("/" + name) for file in files):  # helpers.py, satudata/workflow/badge.html, …
        return True
    return name.endswith(".html") and any(template == name or template.endswith("/" + name)
                                          for template in _other_templates())


@functools.cache
def _other_templates() -> frozenset[str]:
    """The templates of CKAN and the plugins the portal loads, by their names (`package/read.html`)."""
    return frozenset(path.relative_to(folder).as_posix() for folder in _template_folders()[1:]
                     for path in folder.rglob("*.html"))


@functools.cache
def _option_names() -> frozenset[str]:
    import yaml
    declaration = yaml.safe_load((PACKAGE / "config_declaration.yaml").read_text())
    return frozenset(option["key"] for group in declaration["groups"] for option in group["options"])


def _dotted_exists(name: str) -> bool:
    """A module, or a module's attribute; or a config option of ours, or the common start of some."""
    if any(option == name or option.startswith(name + ".") for option in _option_names()):
        return True
    parts = name.split(".")
    for end in range(len(parts), 2, -1):
        module = ".".join(parts[:end])
        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            found = None
        if found:
            value = importlib.import_module(module)
            for attribute in parts[end:]:
                if not hasattr(value, attribute):
                    return False
                value = getattr(value, attribute)
            return True
    return False


def _stale_names() -> set[tuple[str, str]]:
    stale = set()
    for name in _scanned():
        for line, text in _comments(ROOT / name):
            found = [match.group(1) for match in NAMED_PATH.finditer(text) if not _path_exists(match.group(1), name)]
            found += [match.group(0) for match in NAMED_DOTTED.finditer(text) if not _dotted_exists(match.group(0))]
            found += [match.group(0) for match in FORMER_NAMES.finditer(text)]
            stale.update((name, reference) for reference in found)
    return stale


def test_every_name_in_a_comment_or_docstring_exists():
    stale = _stale_names()
    assert stale - KNOWN_STALE == set(), "a comment or docstring names a module or template that does not exist"
    assert KNOWN_STALE <= stale, "fixed: take it off KNOWN_STALE"


@pytest.mark.parametrize("text, stale", [
    ("The actions of logic/action.py.", True), ("Views call helpers.py; views/portal.py.", False),
    ("Snippet satudata/workflow/badge.html and templates/satudata/macros.html.", False),
    ("The snippet satudata_blitar/package/metadata_sections.html.", True),
    ("CKAN's ckan/lib/helpers.py, ckan/lib/nope.py.", True), ("The role dashboard (views_portal.dashboard).", True),
    ("ckanext.satudata_blitar.tables.submission.data_files", False),
    ("ckanext.satudata_blitar.tables.submission.gone", True), ("option ckanext.satudata_blitar.logo", False),
    ("script.py.mako, the migration template", False),
])
def test_the_check_finds_a_stale_name(text, stale):
    where = "ckanext/satudata_blitar/tables/probe.py"
    found = [match.group(1) for match in NAMED_PATH.finditer(text) if not _path_exists(match.group(1), where)]
    found += [match.group(0) for match in NAMED_DOTTED.finditer(text) if not _dotted_exists(match.group(0))]
    found += FORMER_NAMES.findall(text)
    assert bool(found) == stale, found


# --- no function too long to read at once ----------------------------------------------------------------------
# A function longer than this (its def line to its last line, docstring included) is split into named steps.
MAX_FUNCTION_LINES = 60
# Tests and the migrations' generated upgrade/downgrade steps are not held to it.
EXCLUDED = ("tests/", "migration/satudata_blitar/versions/")


def long_functions(root: pathlib.Path = PACKAGE, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(EXCLUDED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{relative}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_sixty_lines():
    assert long_functions() == []


def test_the_length_check_finds_a_long_function(tmp_path):
    (tmp_path / "module.py").write_text("class A:\n    def long(self):\n" + "        x = 1\n" * 60 + "\n"
                                        "def short():\n    return 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("def test_long():\n" + "    x = 1\n" * 70)
    assert long_functions(tmp_path) == ["module.py:2 long (61 lines)"]
