"""The benchmarks in bench/ never run in CI (docs/benchmarks.md); this only checks that their harness still imports,
parses its options and writes the two configs it compares: the same database, ours and stock CKAN's plugins."""
from __future__ import annotations

import configparser
import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
MODULES = ("serve", "world", "load", "pages")


@pytest.fixture
def bench(monkeypatch, tmp_path):
    """bench/serve.py imported as the scripts import it, writing into tmp_path; forgotten afterwards."""
    monkeypatch.syspath_prepend(str(BENCH))
    serve = importlib.import_module("serve")
    monkeypatch.setattr(serve, "STATE", tmp_path)
    yield serve
    for name in MODULES:
        sys.modules.pop(name, None)


def _app_main(path: Path) -> configparser.SectionProxy:
    config = configparser.ConfigParser(interpolation=None, strict=False)
    config.read(path)
    return config["app:main"]


def test_ours_and_stock_serve_the_same_database_with_and_without_our_plugins(bench):
    ours = _app_main(bench.write_ini("smoke", 5999))
    stock = _app_main(bench.write_ini("smoke", 6000, stock=True))
    test_ini = _app_main(BENCH.parent / "test.ini")
    assert ours["sqlalchemy.url"] == stock["sqlalchemy.url"]
    assert ours["sqlalchemy.url"].endswith("/ckan_bench_smoke")
    assert ours["ckan.site_id"] != stock["ckan.site_id"]  # each variant indexes the rows itself
    assert ours["ckan.plugins"].split() == test_ini["ckan.plugins"].split()
    assert stock["ckan.plugins"].split() == [p for p in ours["ckan.plugins"].split() if not p.startswith("satudata")]
    assert "satudata" not in stock["scheming.dataset_schemas"]
    assert "testing" not in ours and ours["debug"] == "false"


def test_each_benchmark_parses_its_options(bench, capsys):
    for module in ("serve", "load", "pages"):
        with pytest.raises(SystemExit) as done:
            importlib.import_module(module).main(["--help"])
        assert done.value.code == 0, module
        assert "--max-minutes" in capsys.readouterr().out, module
