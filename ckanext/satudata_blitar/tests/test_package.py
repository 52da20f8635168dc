"""The package as others get it: `pip wheel .` (what `pip install git+…` or a release does) and the sdist carry every
file of ckanext/ that the repository tracks — templates, migrations with alembic.ini and script.py.mako, public/
files, i18n, the Solr fields —, not only the ones an editable install happens to find in the work tree."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# A pkg_resources namespace package's __init__.py is left out of wheels on purpose (setuptools' -nspkg.pth).
NAMESPACE_INIT = "ckanext/__init__.py"


def _tracked() -> set[str]:
    out = subprocess.run(["git", "ls-files", "ckanext"], cwd=ROOT, check=True, capture_output=True, text=True)
    return set(out.stdout.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The wheel and sdist built from a copy of the work tree as a clone would have it (tracked and untracked files
    but not ignored ones): a build/ left by an earlier build here would add files a clean checkout does not have."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out),
                    str(source)], check=True, capture_output=True)
    subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(out)], cwd=source, check=True,
                   capture_output=True)
    return out


def test_the_wheel_carries_every_tracked_file(built):
    [wheel] = built.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_tracked() - names - {NAMESPACE_INIT})
    assert missing == []
    # Nothing from the work tree that git does not track (compiled files, local state).
    assert sorted(n for n in names if n.startswith("ckanext/") and n not in _tracked()) == []


def test_the_sdist_carries_every_tracked_file(built):
    [sdist] = built.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert sorted(_tracked() - names) == []
