"""Our translation catalogue's build steps (`make i18n`, `make i18n-upstream`).

The portal's Indonesian catalogue is ONE gettext domain, ckanext-satudata_blitar, which CKAN merges over its own
catalogue (flask-babel loads `ckan` first, then every ITranslation plugin's domain; a later entry replaces an
earlier one, and the last catalogue's Plural-Forms wins). So the catalogue translates our messages AND the messages
of CKAN core, its core plugins the portal enables, ckanext-scheming and ckanext-xloader:

  i18n/upstream.pot                   the upstream msgids (made by `upstream` from the installed, pinned packages)
  i18n/ckanext-satudata_blitar.pot    our extracted msgids + upstream.pot (made by `pot` after extract_messages,
                                      so that babel's update_catalog keeps the upstream entries)
  i18n/id/LC_MESSAGES/*.po            every msgid of that .pot, translated; compiled to the .mo CKAN loads, and
                                      read as is by CKAN's JavaScript translation builder

    python services/i18n.py upstream   # after changing the CKAN, scheming or xloader pin (the default CKAN)
    python services/i18n.py upstream --keep   # then in the other supported CKAN's virtualenv: adds its messages
    python services/i18n.py pot        # after `setup.py extract_messages` (the Makefile does it)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent.parent
I18N = HERE / "ckanext" / "satudata_blitar" / "i18n"
DOMAIN = "ckanext-satudata_blitar"
POT = I18N / f"{DOMAIN}.pot"
UPSTREAM_POT = I18N / "upstream.pot"

# Parts of CKAN the portal runs: core, and the core plugins in ckan.plugins (activity, datastore, datatables_view).
# Core's example plugins, developer pages and the plugins we do not enable are left out.
CKAN_PARTS = ("ckan/", "ckanext/activity/", "ckanext/datastore/", "ckanext/datatablesview/")
CKAN_LEFT_OUT = ("ckan/templates/development/", "ckan/tests/", "ckan/public/base/test/")

# Installed sources extracted as well: ckan.pot lags behind CKAN's templates (2.11.6 uses 15 msgids its .pot lacks),
# and scheming and xloader ship no catalogue at all.
EXTRACTED = {
    "ckan": ["tests/**", "templates/development/**", "public/base/test/**", "public/base/vendor/**", "i18n/**",
             "migration/**"],
    "ckanext.activity": ["tests/**"],
    "ckanext.datastore": ["tests/**"],
    "ckanext.datatablesview": ["tests/**"],
    "ckanext.scheming": ["2.8_templates/**", "tests/**"],
    "ckanext.xloader": ["tests/**"],
}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "ungettext": (1, 2), "N_": None, "translate": None}


def _site_packages() -> Path:
    import ckan

    return Path(ckan.__file__).resolve().parent.parent


def _wanted(locations) -> bool:
    return any(path.startswith(CKAN_PARTS) and not path.startswith(CKAN_LEFT_OUT) for path, _ in locations)


def upstream_catalog() -> Catalog:
    """CKAN's own .pot (only the parts we run) and the messages of scheming and xloader."""
    import importlib.metadata as md

    import ckan

    versions = ", ".join(f"{name} {md.version(name)}" for name in ("ckan", "ckanext-scheming", "ckanext-xloader"))
    out = Catalog(project="upstream messages of Satu Data Kota Blitar", version=versions, fuzzy=False)
    with open(Path(ckan.__file__).parent / "i18n" / "ckan.pot", "rb") as f:
        core = read_po(f)
    for message in core:
        if message.id and _wanted(message.locations):
            out[message.id] = message
            out[message.id].locations = [loc for loc in message.locations if loc[0].startswith(CKAN_PARTS)]

    site = _site_packages()
    for package, ignore in EXTRACTED.items():
        directory = site / package.replace(".", "/")
        prefix = package.replace(".", "/")
        method_map = [(pattern, "ignore") for pattern in ignore] + [
            ("**.py", "python"),
            ("**.js", "javascript"),
            ("templates/**.html", "ckan.lib.extract:extract_ckan"),
            ("templates/**.txt", "ckan.lib.extract:extract_ckan"),
            ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
        ]
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory), method_map=method_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if not msgid:
                continue
            location = (f"{prefix}/{filename}", lineno)
            if msgid in out:
                if location not in out[msgid].locations:
                    out[msgid].locations.append(location)
            else:
                out.add(message, locations=[location], auto_comments=comments, context=context)
    return out


def write(catalog: Catalog, path: Path) -> None:
    with open(path, "wb") as f:
        write_po(f, catalog, width=80, sort_output=False, include_previous=False)


def merged_pot() -> Catalog:
    """Our freshly extracted .pot plus the upstream messages (ours first: their locations are the ones we edit)."""
    with open(POT, "rb") as f:
        ours = read_po(f)
    with open(UPSTREAM_POT, "rb") as f:
        upstream = read_po(f)
    for message in upstream:
        if not message.id:
            continue
        if message.id in ours:
            ours[message.id].locations.extend(message.locations)
        else:
            ours[message.id] = message
    return ours


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "upstream":
        catalog = upstream_catalog()
        if "--keep" in argv[2:]:
            # Both supported CKAN minors render their own templates: the catalogue needs the msgids of each.
            with open(UPSTREAM_POT, "rb") as f:
                kept = read_po(f)
            for message in kept:
                if message.id and message.id not in catalog:
                    catalog[message.id] = message
            kept_versions = f"{kept.project} {kept.version}".removeprefix(catalog.project).strip()
            catalog.version = f"{kept_versions}; {catalog.version}"
        write(catalog, UPSTREAM_POT)
        print(f"{UPSTREAM_POT.relative_to(HERE)}: {len(catalog)} messages")
    elif command == "pot":
        catalog = merged_pot()
        write(catalog, POT)
        print(f"{POT.relative_to(HERE)}: {len(catalog)} messages")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    os.chdir(HERE)
    sys.exit(main(sys.argv))
