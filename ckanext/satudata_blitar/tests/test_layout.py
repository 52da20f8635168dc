"""The package's shape holds by itself (docs/architecture.md): every subpackage and module at the package's root is
in a layer of setup.cfg's import-linter contract (`make test` checks the contracts), and the root keeps a few
modules beside the part folders."""
from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "ckanext" / "satudata_blitar"
# Folders that are no Python package of ours: data, templates, the catalogue, the Solr fields.
NOT_PYTHON = {"assets", "i18n", "public", "solr", "templates", "__pycache__"}
MAX_ROOT_MODULES = 8


def _layered() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    layers = config["importlinter:contract:layers"]["layers"]
    return {name.strip().removeprefix("ckanext.satudata_blitar.") for line in layers.splitlines()
            for name in line.split("|") if name.strip()}


def _root_modules() -> set[str]:
    return {path.stem for path in PACKAGE.glob("*.py") if path.name != "__init__.py"}


def _subpackages() -> set[str]:
    return {path.name for path in PACKAGE.iterdir()
            if path.is_dir() and path.name not in NOT_PYTHON and (path / "__init__.py").exists()}


def test_every_subpackage_and_root_module_is_in_a_layer():
    # tests/ may import anything and is in no layer.
    assert sorted((_subpackages() - {"tests"}) - _layered()) == []
    assert sorted(_root_modules() - _layered()) == []
    # No layer names a module that is gone (a move that forgot setup.cfg).
    assert sorted(_layered() - _subpackages() - _root_modules()) == []


def test_the_root_keeps_a_few_modules_beside_the_part_folders():
    assert len(_root_modules()) <= MAX_ROOT_MODULES, sorted(_root_modules())


def test_no_folder_at_the_root_is_a_python_package_without_its_init():
    # A folder of modules without __init__.py would escape both checks above.
    stray = [path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name not in NOT_PYTHON
             and not (path / "__init__.py").exists() and any(path.rglob("*.py"))]
    assert stray == []
