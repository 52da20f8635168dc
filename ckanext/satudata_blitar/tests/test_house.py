"""The house rules a reader relies on, checked on the source: no function too long to read at once."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
# A function longer than this (its def line to its last line, docstring included) is split into named steps.
MAX_FUNCTION_LINES = 60
# Tests and the migrations' generated upgrade/downgrade steps are not held to it.
EXCLUDED = ("tests/", "migration/satudata_blitar/versions/")


def long_functions(root: Path = PACKAGE, limit: int = MAX_FUNCTION_LINES) -> list[str]:
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
