"""Writes the reference part of docs/configuration.md from ckanext/satudata_blitar/config_declaration.yaml.

    python services/docs.py           rewrite the reference (what `make docs` runs)
    python services/docs.py --check   exit 1 when docs/configuration.md is out of date with the declaration

The reference is everything between the two marker comments of docs/configuration.md; the rest of the page is
written by hand and left as it is. One table per group of the declaration: option, type, default, description.
tests/test_docs.py fails when the page differs from what this script would write.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DECLARATION = ROOT / "ckanext" / "satudata_blitar" / "config_declaration.yaml"
PAGE = ROOT / "docs" / "configuration.md"
BEGIN = "<!-- BEGIN reference: written by `make docs` from config_declaration.yaml, do not edit by hand -->"
END = "<!-- END reference -->"


def load(path: Path = DECLARATION) -> dict[str, Any]:
    with open(path, encoding="utf-8") as source:
        return yaml.safe_load(source)


def _cell(text: str) -> str:
    """One table cell: the text on one line, pipes escaped."""
    return re.sub(r"\s+", " ", text).strip().replace("|", "\\|")


def _default(option: dict[str, Any]) -> str:
    if "default" not in option:
        return f"computed by `{option['default_callable']}`" if "default_callable" in option else "(none)"
    value = option["default"]
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`" if str(value) != "" else "(empty)"


def reference(declaration: dict[str, Any]) -> str:
    """The reference as Markdown: a table per group, options in the declaration's order."""
    parts = []
    for group in declaration.get("groups", []):
        rows = ["| option | type | default | description |", "|---|---|---|---|"]
        for option in group.get("options", []):
            description = option.get("description") or ""
            if option.get("required"):
                description = f"Required. {description}"
            if "example" in option:
                description = f"{description.rstrip()} Example: `{option['example']}`."
            rows.append(f"| `{option['key']}` | {option.get('type', 'string')} | {_cell(_default(option))} | "
                        f"{_cell(description)} |")
        parts.append(f"### {group.get('annotation') or 'Options'}\n\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def updated(page: str, declaration: dict[str, Any]) -> str:
    """The page with its reference part written from the declaration."""
    if page.count(BEGIN) != 1 or page.count(END) != 1 or page.index(BEGIN) > page.index(END):
        raise ValueError(f"{PAGE.relative_to(ROOT)} needs the two marker lines, once each:\n{BEGIN}\n{END}")
    head, rest = page.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n\n{reference(declaration)}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check: exit 1 when the page is out of date")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    try:
        new = updated(page, load())
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.check:
        if new != page:
            print(f"{PAGE.relative_to(ROOT)} is out of date with the config declaration: run `make docs`",
                  file=sys.stderr)
            return 1
        return 0
    if new != page:
        PAGE.write_text(new, encoding="utf-8")
        print(f"{PAGE.relative_to(ROOT)}: reference written")
    else:
        print(f"{PAGE.relative_to(ROOT)}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
