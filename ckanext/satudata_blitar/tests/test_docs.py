"""The documentation stays true to the code and fit to read: docs/configuration.md's option reference is what
`make docs` writes from config_declaration.yaml, CKAN describes every option, the README stays a front door (under
15,000 bytes), no page cites issue numbers or files outside the repository, and every relative link resolves."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from ckan.cli.config import declaration as declaration_command

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
# Links to check: the front door, the changelog and docs/.
LINKED = [README, ROOT / "CHANGELOG.md", *PAGES]
# Read for words that do not belong in documentation others install from.
WRITTEN = [README, ROOT / "CHANGELOG.md", *PAGES]
NOT_IN_DOCS = {
    "an issue number": re.compile(r"\bissues?[ -]?#?\d+", re.IGNORECASE),
    "a path outside the repository": re.compile(r"\.\./shared|shared/notes"),
}
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _docs_script():
    """services/docs.py (no package: the scripts in services/ run on their own)."""
    spec = importlib.util.spec_from_file_location("satudata_docs_script", ROOT / "services" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _options() -> list[dict]:
    declaration = _docs_script().load()
    return [option for group in declaration["groups"] for option in group["options"]]


# --- the configuration reference -----------------------------------------------------------------------------------

def test_the_configuration_reference_is_what_make_docs_writes():
    docs = _docs_script()
    page = docs.PAGE.read_text(encoding="utf-8")
    assert page == docs.updated(page, docs.load()), (
        "docs/configuration.md is out of date with config_declaration.yaml: run `make docs`")


def test_every_declared_option_is_in_the_reference_with_its_default():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for option in _options():
        row = next((line for line in page.splitlines() if line.startswith(f"| `{option['key']}` |")), None)
        assert row, f"{option['key']} is not in docs/configuration.md: run `make docs`"
        if str(option.get("default", "")) not in ("", "True", "False"):
            assert f"`{option['default']}`" in row, row


def test_an_option_added_to_the_declaration_changes_the_reference():
    docs = _docs_script()
    page = docs.PAGE.read_text(encoding="utf-8")
    declaration = docs.load()
    declaration["groups"][0]["options"].append(
        {"key": "ckanext.satudata_blitar.example", "type": "int", "default": 7, "description": "An example | pipe."})
    written = docs.updated(page, declaration)
    assert written != page
    assert "| `ckanext.satudata_blitar.example` | int | `7` | An example \\| pipe. |" in written
    # Only the part between the markers is written: the page's own text stays.
    assert written.split(docs.BEGIN)[0] == page.split(docs.BEGIN)[0]
    assert written.split(docs.END)[1] == page.split(docs.END)[1]


def test_ckan_describes_every_option(cli):
    """`ckan config declaration satudata_blitar -d` prints each option with a description above it."""
    result = cli.invoke(declaration_command, ["satudata_blitar", "-d"])
    assert result.exit_code == 0, result.output
    described: dict[str, list[str]] = {}
    comments: list[str] = []
    for line in result.output.splitlines():
        if line.startswith("## ") and not line.rstrip().endswith("#"):  # not the group's "## name ####" header
            comments.append(line[3:].strip())
        elif "=" in line and not line.startswith("#"):
            described[line.split("=", 1)[0].strip()] = comments
            comments = []
        else:
            comments = []
    for option in _options():
        assert option["key"] in described, f"{option['key']} is not printed by `ckan config declaration`"
        assert " ".join(described[option["key"]]).strip(), f"{option['key']} has no description"


def test_ckan_lists_every_option_under_its_part(cli):
    """`ckan config declaration satudata_blitar` prints the options by part (as ckanext-dcat groups its own): each
    under the header of its group in config_declaration.yaml, every group with a name of its own, and no group a
    bag of everything (one part's options: at most 15)."""
    result = cli.invoke(declaration_command, ["satudata_blitar"])
    assert result.exit_code == 0, result.output
    printed: dict[str, str | None] = {}
    group = None
    for line in result.output.splitlines():
        if line.startswith("## ") and line.rstrip().endswith("#"):
            group = line[3:].rstrip("# ").strip()
        elif "=" in line and not line.startswith("#"):
            printed[line.split("=", 1)[0].strip()] = group
    groups = _docs_script().load()["groups"]
    assert printed == {option["key"]: group["annotation"] for group in groups for option in group["options"]}
    names = [group["annotation"] for group in groups]
    assert len(names) == len(set(names)) > 1, names
    assert max(len(group["options"]) for group in groups) <= 15, {name: len(group["options"]) for name, group in
                                                                 zip(names, groups)}


# --- what the pages say and link to ----------------------------------------------------------------------------

def test_the_readme_is_a_front_door():
    assert README.stat().st_size < 15_000, "README.md: move details to a page under docs/"


@pytest.mark.parametrize("path", WRITTEN, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_issue_numbers_or_paths_outside_the_repository(path):
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    text = path.read_text(encoding="utf-8")
    found = {what: pattern.findall(text) for what, pattern in NOT_IN_DOCS.items() if pattern.search(text)}
    assert found == {}


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown page's headings."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    headings = (line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("path", LINKED, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file_that_exists(path):
    broken = []
    for target in LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no such heading")
    assert broken == []


# --- the changelog -------------------------------------------------------------------------------------------------

def test_the_changelog_has_unreleased_changes_first_and_this_version():
    """Keep a Changelog: `## [Unreleased]` first, then a section per release, the package's version among them."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert versions[0] == "Unreleased"
    setup_cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    version = re.search(r"^version = (\S+)", setup_cfg, re.MULTILINE).group(1)
    assert version in versions
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.MULTILINE)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_every_former_name_the_code_keeps_is_deprecated_with_the_release_that_removes_it():
    """Each release's "Deprecated" entries name the release that removes them, a later one than this version."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = [part.split("\n## ", 1)[0] for part in text.split("### Deprecated")[1:]]
    deprecated = "\n".join(sections)
    entries = [entry for section in sections for entry in section.split("\n- ")[1:]]
    setup_cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    version = _version(re.search(r"^version = (\S+)", setup_cfg, re.MULTILINE).group(1))
    removed_in = [re.search(r"Removed in (\d+\.\d+\.\d+)\.", entry) for entry in entries]
    assert entries and all(removed_in), entries
    assert all(_version(found.group(1)) > version for found in removed_in), [found.group(0) for found in removed_in]
    package = ROOT / "ckanext" / "satudata_blitar"
    kept = "".join(path.read_text(encoding="utf-8") for path in package.rglob("*.py") if "tests" not in path.parts)
    # Each former name the code still accepts (as the code spells it) and its entry in the changelog.
    former_names = {"def satudata_upload_report": "Action `satudata_upload_report`",
                    '"opd" in data_dict': "Parameter `opd`",
                    'args.get("opd")': "Query parameter `?opd=`",
                    '"--opd"': "CLI option `--opd`",
                    '"--year"': "CLI option `--year`",
                    "ACCEPTED_REPORTS =": "`ckanext.satudata_blitar.tables.submission.ACCEPTED_REPORTS`",
                    "tables.load_job import load_job": "Job function `ckanext.satudata_blitar.tables.ingest.load_job`"}
    for in_code, entry in former_names.items():
        assert in_code in kept, f"{in_code} is gone from the code: move its changelog entry to Removed"
        assert entry in deprecated, entry
