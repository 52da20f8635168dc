"""Bahasa Indonesia throughout (issue 13): the catalogue is complete, and the main pages, rendered in `id` for every
role, show no English message of any catalogue the portal loads (CKAN's, and ours, which carries the msgids of CKAN
core, its core plugins, ckanext-scheming and ckanext-xloader), and no date or number written the English or the
machine's way (tests/indonesian_text.py). Also the pages after a failed form (flash messages, form errors) and the
error pages (400, 403, 404)."""
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

from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.indonesian_text import english_formats

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
    return frozenset(exact | untranslatable_english()), re.compile("|".join(sorted(patterns)))


def untranslatable_english():
    """English that reaches pages through no catalogue: werkzeug's names and descriptions of HTTP errors (CKAN's
    error page shows them when the code gave no text), the activity types as CKAN's filter prints them ("New
    Package"), and texts CKAN's templates write without _()."""
    import werkzeug.exceptions
    from ckanext.activity.logic import validators as activity_validators

    texts = {"Data viewer", "[Open Data]", "Internal server error"}
    for code, error in werkzeug.exceptions.default_exceptions.items():
        name = error().name  # a property of the instance
        texts |= {name, f"{code} {name}", " ".join(error.description.split())}
    for name in dir(activity_validators):
        if name.startswith("VALIDATORS_") and name.endswith("_ACTIVITY_TYPES"):
            texts |= {activity_type.title() for activity_type in getattr(activity_validators, name)}
    return texts


class _Texts(html.parser.HTMLParser):
    """Visible text nodes, the title, placeholder, aria-label and alt attributes of a page, and the text of each
    element with markup inside ("<strong>3</strong> datasets found" is "3 datasets found"). Code (the "Gunakan data
    ini" examples) is in no language."""

    HIDDEN = {"script", "style", "template", "noscript", "code"}
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    LONGEST = 300  # an element's text longer than this is no single message

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._hidden, self._open = [], 0, []  # _open: [tag, pieces, has children]

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.texts.append(value)
        if tag in self.VOID:
            return
        if tag in self.HIDDEN:
            self._hidden += 1
        if self._open:
            self._open[-1][2] = True
        self._open.append([tag, [], False])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if not any(entry[0] == tag for entry in self._open):
            return
        while self._open:
            entry_tag, pieces, has_children = self._open.pop()
            text = " ".join("".join(pieces).split())
            if has_children and text and len(text) <= self.LONGEST:
                self.texts.append(text)
            if self._open:
                self._open[-1][1].append(" " if entry_tag not in ("a", "b", "strong", "em", "i", "span") else "")
                self._open[-1][1].extend(pieces)
            if entry_tag == tag:
                break

    def handle_data(self, data):
        if not self._hidden:
            self.texts.append(data)
            if self._open:
                self._open[-1][1].append(data)


def english_on(page: str) -> set[str]:
    """The English messages on a page, and its dates and numbers written the English or machine way."""
    exact, pattern = english_messages()
    parser = _Texts()
    parser.feed(page)
    found = set()
    for text in set(parser.texts):
        text = " ".join(text.split())
        if text and (text in exact or text.rstrip(":") in exact or pattern.match(text)):
            found.add(text)
        found.update(f"{piece} (in {text[:60]!r})" for piece in english_formats(text))
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
    """The page check can fail: CKAN's English texts are caught, also with markup inside and in an image's alt text,
    and so are English and machine dates and numbers; Indonesian ones and data are not."""
    page = ('<p>Skip to main content</p><span title="View profile">x</span><input placeholder="Search datasets...">'
            '<h1>3 datasets found</h1><h2><strong>16</strong> organizations found</h2><img alt="Close">'
            '<p><strong>Powered by</strong> CKAN</p><p>Kabar terbaru</p><p>Dinas Kesehatan</p>'
            '<td>0.1 jam</td><td>100.0%</td><span>Desember 1, 2026, 13:19 (UTC)</span><td>2026-07-01 20:30</td>'
            '<td>1.234,5</td><td>85,8%</td><span>1 Desember 2026, 13.20 WIB</span><td>2026-T3</td>'
            '<script>var a = "Skip to main content"; var b = 0.5;</script>')
    page += ('<h1>404 Not Found</h1><p>The requested URL was not found on the server. If you entered the URL manually '
             'please check your spelling and try again.</p><option>New Package</option><img alt="[Open Data]">'
             '<iframe aria-label="Data viewer"></iframe>')
    found = english_on(page)
    assert {text for text in found if "(in " not in text} == {
        "Skip to main content", "View profile", "Search datasets...", "3 datasets found", "16 organizations found",
        "Close", "Powered by", "404 Not Found", "New Package", "[Open Data]", "Data viewer",
        "The requested URL was not found on the server. If you entered the URL manually please check your spelling "
        "and try again."}
    assert {text.split(" (in ")[0] for text in found if "(in " in text} == {
        "0.1", "100.0", "Desember 1, 2026", "13:19", "(UTC)", "2026-07-01 20:30", "20:30"}


# --- the pages ----------------------------------------------------------------------------------------------------


def _api_info(resource_id):
    """The "Data API" pop-up of a table (CKAN 2.12: the DataStore's page; 2.11: CKAN's snippet API)."""
    from ckanext.satudata_blitar import adapters
    if adapters.CKAN_2_12:
        return f"/datastore/api_info/{resource_id}"
    return f"/api/1/util/snippet/api_info.html?resource_id={resource_id}"


def _pages(world, viewer):
    """The pages each role meets in its work (URL, expected status)."""
    published = world.datasets["terbit"]
    draft = world.datasets["draf"]
    resource = published["resources"][0]
    public = [("/", 200), ("/dataset/", 200), ("/dataset/?q=data&sort=title_string+asc", 200),
              (f"/dataset/{published['name']}", 200),
              (f"/dataset/{published['name']}/resource/{resource['id']}", 200),
              ("/organization/", 200), ("/organization/dinas-kesehatan", 200),
              (f"/dataset/activity/{published['name']}", 200), ("/dataset/tidak-ada", 404),
              ("/permohonan-data", 200), ("/permohonan-data?q=zz&state=diajukan", 200),
              (f"/permohonan-data/{world.data_request_id}", 200), ("/dataset/?q=zzqxtidakada", 200),
              (f"/dataset/activity/{published['name']}?activity_type=changed+package", 200),
              ("/halaman-yang-tidak-ada", 404), ("/panduan-api", 200), ("/topik", 200), ("/opd", 200),
              (_api_info(resource["id"]), 200)]
    if viewer == "anonymous":
        return public + [("/user/login", 200), ("/user/reset", 200), ("/ckan-admin", 403),
                         ("/organization/tidak-ada", 404), ("/user/tidak-ada", 403),
                         (f"/dataset/{draft['name']}", 404),
                         (f"/dataset/{published['name']}/resource/tidak-ada", 404)]
    own = world.name(viewer)
    # The public pages once more for the roles that work on them (logged in, they carry more buttons).
    pages = (public if viewer in ("operator", "walidata", "sysadmin") else []) + [("/dashboard/", 200), ("/dashboard/datasets", 200), ("/dashboard/organizations", 200),
                      ("/dashboard/groups", 200), (f"/user/{own}", 200), (f"/user/edit/{own}", 200),
                      (f"/user/{own}/api-tokens", 200), ("/verifikasi", 200), ("/dasbor", 200),
                      ("/organization/about/dinas-kesehatan", 200),
                      ("/organization/activity/dinas-kesehatan", 200),
                      ("/permohonan-data/baru", 200), ("/permohonan-data/saya", 200)]
    if viewer in ("operator", "verifikator_opd", "walidata"):
        pages += [("/permohonan-data/antrean", 200), (f"/permohonan-data/{world.data_request_id}", 200)]
    if viewer in ("operator", "sysadmin"):
        draft_resource = draft["resources"][0]
        pages += [("/dataset/new", 200), (f"/dataset/edit/{draft['name']}", 200),
                  (f"/dataset/{draft['name']}/resource/new", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}/edit", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}", 200),
                  (f"/dataset/resources/{draft['name']}", 200), (f"/dataset/{draft['name']}", 200),
                  (f"/dataset/{draft['name']}/resource_data/{draft_resource['id']}", 200),
                  (f"/dataset/{draft['name']}/dictionary/{draft_resource['id']}", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}/views", 200),
                  (f"/dataset/{draft['name']}/resource/{draft_resource['id']}/new_view?view_type=satudata_chart", 200),
                  (_api_info(draft_resource["id"]), 200)]
    if viewer in ("verifikator_opd", "operator"):
        pages += [("/elemen-data", 200), ("/laporan", 403), ("/ckan-admin", 403), ("/elemen-data/baru", 403)]
    if viewer in ("walidata", "sysadmin"):
        pages += [("/laporan", 200), ("/laporan/monitoring.csv?period=2026-13", 400),
                  ("/elemen-data", 200), ("/elemen-data/baru", 200),
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
        # A data request routed to Dinas Kesehatan: its page shows the answer forms to the OPD and the Walidata.
        request = helpers.call_action("satudata_data_request_create", context={"user": built.name("sysadmin")},
                                      title="Jumlah posyandu aktif", description="Per kelurahan.")
        helpers.call_action("satudata_data_request_route", context={"user": built.name("walidata")},
                            id=request["id"], owner_org="dinas-kesehatan")
        built.data_request_id = request["id"]
        yield built
    finally:
        unload()


@pytest.mark.parametrize("frame", ['<iframe aria-label="Data viewer" src="/v">',  # CKAN 2.12's view frame
                                   '<iframe title="Data viewer" src="/v">'])     # CKAN 2.11's
def test_the_view_frame_is_labelled_in_the_users_language_on_either_ckan(app, frame):
    from ckanext.satudata_blitar.helpers.core import satudata_label_view_frame
    with app.flask_app.test_request_context("/"):
        labelled = str(satudata_label_view_frame(frame))
    assert "Data viewer" not in labelled and 'title="Penampil data"' in labelled, labelled


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


def _failed_forms(world):
    """(viewer, the form's page, where it is posted, what is filled in): forms filled in wrong, as people do."""
    draft, submitted = world.datasets["draf"]["name"], world.datasets["diajukan"]["name"]
    operator = world.name("operator")
    return [
        ("anonymous", "/user/login", "/user/login", {"login": operator, "password": "bukan-sandinya"}),
        ("operator", "/dataset/new", "/dataset/new", {"title": "", "name": "", "save": "continue"}),
        ("operator", f"/dataset/{draft}", f"/dataset/{draft}/transition", {"transition": "terbitkan"}),
        ("operator", f"/user/edit/{operator}", f"/user/edit/{operator}",
         {"name": operator, "email": "bukan-email", "old_password": "salah", "password1": "a", "password2": "b",
          "save": ""}),
        ("verifikator_opd", f"/dataset/{submitted}", f"/dataset/{submitted}/transition",
         {"transition": "kembalikan_opd", "note": ""}),
        ("walidata", "/elemen-data/baru", "/elemen-data/baru", {"nama": "", "tahun": "dua ribu"}),
        ("sysadmin", "/organization/member_new/dinas-kesehatan", "/organization/member_new/dinas-kesehatan",
         {"username": "tidak-ada", "role": "editor"}),
    ]


def test_failed_forms_show_no_english(app, language_world):
    """What a person reads after a form went wrong: the flash message or the form's errors, in Indonesian."""
    english = {}
    for viewer, page_url, post_url, data in _failed_forms(language_world):
        browser = app.test_client() if viewer == "anonymous" else world_module.logged_in(app, language_world, viewer)
        form = browser.get(page_url)
        response = browser.post(post_url, data={**data, "_csrf_token": world_module.csrf_token(form.body)},
                                follow_redirects=True)
        key = f"{viewer} {post_url} {data}"
        if os.environ.get("SATUDATA_DUMP_PAGES"):
            name = f"failed-{viewer}{post_url.replace('/', '_')}"[:80]
            with open(os.path.join(os.environ["SATUDATA_DUMP_PAGES"], name), "w") as f:
                f.write(response.body)
        if "alert-error" not in response.body and "alert-danger" not in response.body and (
                "error-explanation" not in response.body):
            english[key] = f"no error shown (status {response.status_code})"
        elif english_on(response.body):
            english[key] = sorted(english_on(response.body))
    assert not english, "\n".join(f"{key}: {texts}" for key, texts in english.items())
