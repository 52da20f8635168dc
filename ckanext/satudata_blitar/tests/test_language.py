"""Bahasa Indonesia throughout (issue 13): the catalogue is complete, and the main pages, rendered in `id` for every
role, show no English message of any catalogue the portal loads (CKAN's, and ours, which carries the msgids of CKAN
core, its core plugins, ckanext-scheming and ckanext-xloader)."""
from __future__ import annotations

import functools
import html.parser
import os
import re
import shutil
import subprocess

import pytest
from babel.messages.pofile import read_po

import ckan
import ckan.tests.helpers as helpers

I18N = os.path.join(os.path.dirname(__file__), "..", "i18n")
PO = os.path.join(I18N, "id", "LC_MESSAGES", "ckanext-satudata_blitar.po")
POT = os.path.join(I18N, "ckanext-satudata_blitar.pot")
CKAN_I18N = os.path.join(os.path.dirname(ckan.__file__), "i18n")

# Words that are the same in both languages; a page may show them.
SAME_IN_BOTH = {"Dataset", "Datasets", "Email", "API", "Admin", "Data", "Format", "Formats", "Tag", "Tags", "Token",
                "URL", "ID", "CSV", "JSON", "Label", "CKAN", "DataStore", "Editor", "Walidata", "Status"}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdi]|%[sdir]|\{[^}]*\}")


def _read(path):
    with open(path, "rb") as f:
        return read_po(f)


def _ids(message):
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


@functools.lru_cache(maxsize=None)
def english_messages():
    """(exact texts, patterns) of every English msgid the portal's catalogues hold that Indonesian translates
    differently. A msgid with markup contributes its text pieces; one with placeholders becomes a pattern."""
    ours = _read(PO)
    core_id = _read(os.path.join(CKAN_I18N, "id", "LC_MESSAGES", "ckan.po"))
    exact, patterns = set(), set()
    for catalogue in (_read(os.path.join(CKAN_I18N, "ckan.pot")), _read(POT)):
        for message in catalogue:
            if not message.id:
                continue
            for msgid in _ids(message):
                translated = ours.get(message.id) or core_id.get(message.id)
                if translated and msgid in _strings(translated):
                    continue
                # Names inside markup that the translation keeps ("<i>metadata</i>", a link's title) are no English.
                kept = {" ".join(piece.split()) for string in (_strings(translated) if translated else ())
                        for piece in re.split(r"<[^>]+>", string)}
                for piece in re.split(r"<[^>]+>", msgid):
                    piece = " ".join(piece.split())
                    if piece in SAME_IN_BOTH or piece in kept or not re.search(r"[A-Za-z]{2}", piece):
                        continue
                    if PLACEHOLDER.search(piece):
                        literal = PLACEHOLDER.sub(" ", piece)
                        if len(re.findall(r"[A-Za-z]", literal)) >= 4:
                            patterns.add("^" + ".+?".join(re.escape(part) for part in PLACEHOLDER.split(piece)) + "$")
                    else:
                        exact.add(piece)
    return frozenset(exact), re.compile("|".join(sorted(patterns)))


class _Texts(html.parser.HTMLParser):
    """Visible text nodes and the title, placeholder and aria-label attributes of a page. Code (the "Gunakan data
    ini" examples) is in no language."""

    HIDDEN = {"script", "style", "template", "noscript", "code"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label") and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.texts.append(data)


def english_on(page: str) -> set[str]:
    exact, pattern = english_messages()
    parser = _Texts()
    parser.feed(page)
    found = set()
    for text in parser.texts:
        text = " ".join(text.split())
        if text and (text in exact or text.rstrip(":") in exact or pattern.match(text)):
            found.add(text)
    return found


# --- the catalogue ------------------------------------------------------------------------------------------------


def test_catalogue_compiles_with_nothing_untranslated_or_fuzzy():
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext is missing: services/services.sh deps installs it"
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, PO],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.", result.stderr.strip().splitlines()[-1]), result.stderr


def test_every_message_in_the_catalogue_has_an_indonesian_translation_with_the_same_placeholders():
    catalogue = _read(PO)
    pot = {message.id for message in _read(POT) if message.id}
    assert pot == {message.id for message in catalogue if message.id}, "run `make i18n`"
    for message in catalogue:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        for msgid, msgstr in zip(_ids(message) * 2, _strings(message)):
            assert msgstr, f"untranslated: {msgid!r}"
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)) or (
                len(_ids(message)) > 1), f"placeholders differ: {msgid!r} -> {msgstr!r}"


def test_the_pot_holds_every_message_our_code_templates_and_schemas_use(tmp_path):
    """Our sources extracted afresh (as `make i18n` does) give no msgid the committed .pot lacks."""
    from babel.messages.extract import extract_from_dir

    package = os.path.join(os.path.dirname(__file__), "..")
    method_map = [("tests/**", "ignore"), ("**.py", "python"), ("**.js", "javascript"),
                  ("**/templates/**.html", "ckan.lib.extract:extract_ckan")]
    pot = {message.id if isinstance(message.id, str) else message.id[0] for message in _read(POT) if message.id}
    extracted = {(message[0] if isinstance(message, tuple) else message)
                 for _, _, message, _, _ in extract_from_dir(package, method_map=method_map)}
    assert extracted - {""} <= pot, f"run `make i18n`: {sorted(extracted - pot)[:20]}"


def test_every_schema_label_has_both_languages():
    import yaml

    schemas = os.path.join(os.path.dirname(__file__), "..", "metadata", "schemas")

    def walk(node, path):
        if isinstance(node, dict):
            if "id" in node and "en" in node and set(node) <= {"id", "en"}:
                assert node["id"] and node["en"], path
                return
            for key, value in node.items():
                if key in ("label", "help_text", "form_placeholder", "section", "title") and isinstance(value, str):
                    pytest.fail(f"{path}.{key} has one language only: {value!r}")
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    for name in os.listdir(schemas):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(schemas, name)) as f:
                walk(yaml.safe_load(f), name)


def test_the_check_finds_english():
    """The page check can fail: CKAN's English texts are caught, Indonesian ones and data are not."""
    page = ('<p>Skip to main content</p><span title="View profile">x</span><input placeholder="Search datasets...">'
            '<h1>3 datasets found</h1><p><strong>Powered by</strong> CKAN</p><p>Kabar terbaru</p><p>Dinas Kesehatan</p>'
            '<script>var a = "Skip to main content";</script>')
    assert english_on(page) == {"Skip to main content", "View profile", "Search datasets...", "3 datasets found",
                                "Powered by"}


# --- the pages ----------------------------------------------------------------------------------------------------


def _pages(world, viewer):
    """The pages each role meets in its work (URL, expected status)."""
    published = world.datasets["terbit"]
    draft = world.datasets["draf"]
    resource = published["resources"][0]
    public = [("/", 200), ("/dataset/", 200), ("/dataset/?q=data&sort=title_string+asc", 200),
              (f"/dataset/{published['name']}", 200),
              (f"/dataset/{published['name']}/resource/{resource['id']}", 200),
              ("/organization/", 200), ("/organization/dinas-kesehatan", 200),
              (f"/dataset/activity/{published['name']}", 200), ("/dataset/tidak-ada", 404)]
    if viewer == "anonymous":
        return public + [("/user/login", 200), ("/user/reset", 200), ("/ckan-admin", 403)]
    own = world.name(viewer)
    # The public pages once more for the roles that work on them (logged in, they carry more buttons).
    pages = (public if viewer in ("operator", "walidata", "sysadmin") else []) + [("/dashboard/", 200), ("/dashboard/datasets", 200), ("/dashboard/organizations", 200),
                      ("/dashboard/groups", 200), (f"/user/{own}", 200), (f"/user/edit/{own}", 200),
                      (f"/user/{own}/api-tokens", 200), ("/verifikasi", 200),
                      ("/organization/about/dinas-kesehatan", 200),
                      ("/organization/activity/dinas-kesehatan", 200)]
    if viewer in ("operator", "sysadmin"):
        draft_resource = draft["resources"][0]
        pages += [("/dataset/new", 200), (f"/dataset/edit/{draft['name']}", 200),
                  (f"/dataset/{draft['name']}/resource/new", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}/edit", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}", 200),
                  (f"/dataset/resources/{draft['name']}", 200), (f"/dataset/{draft['name']}", 200),
                  (f"/dataset/{draft['name']}/resource_data/{draft_resource['id']}", 200),
                  (f"/dataset/{draft['name']}/dictionary/{draft_resource['id']}", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}/views", 200)]
    if viewer in ("verifikator_opd", "operator"):
        pages += [("/elemen-data", 200), ("/laporan", 403), ("/ckan-admin", 403)]
    if viewer in ("walidata", "sysadmin"):
        pages += [("/laporan", 200), ("/elemen-data", 200), ("/elemen-data/baru", 200),
                  ("/organization/members/dinas-kesehatan", 200),
                  ("/organization/member_new/dinas-kesehatan", 200), ("/organization/new", 200)]
    if viewer == "verifikator_kominfotik":
        pages += [("/elemen-data", 200)]
    if viewer == "sysadmin":
        pages += [("/ckan-admin", 200), ("/ckan-admin/config", 200), ("/ckan-admin/trash", 200), ("/user/", 200),
                  ("/organization/edit/dinas-kesehatan", 200)]
    return pages


ROLES = ("anonymous", "operator", "verifikator_opd", "verifikator_kominfotik", "walidata", "sysadmin")


@pytest.fixture(scope="module")
def language_world(reset_db, migrate_db_for):
    from ckanext.satudata_blitar.tests import world as world_module

    unload = world_module.loaded_plugins()
    try:
        world_module.reset(reset_db, migrate_db_for)
        built = world_module.build(with_datastore=False)
        # A DataStore table and a DataTables view on the two datasets whose resource pages are walked.
        sysadmin = {"user": built.name("sysadmin")}
        for state in ("terbit", "draf"):
            resource_id = built.datasets[state]["resources"][0]["id"]
            helpers.call_action("datastore_create", context=sysadmin, resource_id=resource_id, force=True,
                                records=[{"kecamatan": "Sukorejo", "jumlah": 7}])
            helpers.call_action("resource_view_create", context=sysadmin, resource_id=resource_id,
                                view_type="datatables_view", title="Table")
            built.datasets[state] = helpers.call_action("package_show", id=built.datasets[state]["id"])
        yield built
    finally:
        unload()


@pytest.mark.parametrize("viewer", ROLES)
def test_pages_show_no_english(app, language_world, viewer):
    english = {}
    for url, status in _pages(language_world, viewer):
        response = app.get(url, headers=language_world.token(viewer), status=None)
        if response.status_code != status:
            english[url] = f"status {response.status_code}, expected {status}"
            continue
        if os.environ.get("SATUDATA_DUMP_PAGES"):
            with open(os.path.join(os.environ["SATUDATA_DUMP_PAGES"], viewer + url.replace("/", "_")[:80]), "w") as f:
                f.write(response.body)
        found = english_on(response.body)
        if found:
            english[url] = sorted(found)
    assert not english, "\n".join(f"{url}: {texts}" for url, texts in english.items())


def test_registration_page_shows_no_english(app, language_world, ckan_config, monkeypatch):
    """The portal keeps registration closed (the Walidata adds users); where it is opened, the form is Indonesian."""
    monkeypatch.setitem(ckan_config, "ckan.auth.create_user_via_web", True)
    response = app.get("/user/register", status=200)
    assert not english_on(response.body)


def test_views_made_outside_a_request_are_titled_in_the_portals_language(language_world):
    """The set-up made its view outside a web request, as the xloader worker does, titled CKAN's English "Table"."""
    resource_id = language_world.datasets["terbit"]["resources"][0]["id"]
    views = helpers.call_action("resource_view_list", id=resource_id)
    assert [view["title"] for view in views] == ["Tabel"]
