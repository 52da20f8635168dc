"""Data requests (permohonan data) through the Action API and the pages: every role × action, the flow from a
citizen's request to the OPD's answer, the 10 + 7 working days across holidays, the proposed element in next
year's daftar elemen data, and bad input and abuse (limits, honeypot, types, nothing about unpublished datasets,
no requester named)."""
from __future__ import annotations

import datetime
import email
import email.header
import io
import threading

import freezegun
import openpyxl
import pytest

import ckan.logic as logic
import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.requests import data_requests as flow
from ckanext.satudata_blitar.requests.model import DataRequest
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

pytestmark = pytest.mark.world(states=[transitions.DRAF, transitions.TERBIT],
                               extend=lambda world: world.users.update(
                                   citizen=factories.UserWithToken(name="warga", password=world_module.PASSWORD,
                                                                   fullname="Mahasiswa Uji"),
                                   other_citizen=factories.UserWithToken(name="warga-lain",
                                                                         fullname="Warga Lain")))

BODY = {"title": "Jumlah tenaga kesehatan per kecamatan", "description": "Per jenis tenaga, per kecamatan.",
        "period": "2020-2025", "area": "Kota Blitar", "purpose": "Skripsi", "data_format": "xlsx"}


def _api(app, world, viewer, action, body, status=200):
    response = app.post(f"/api/3/action/{action}", json=body, headers=world.token(viewer), status=None,
                        environ_base={"REMOTE_ADDR": f"10.0.{len(viewer)}.{len(action)}"})
    assert response.status_code == status, (action, viewer, response.status_code, response.body)
    return response.json["result"] if status == 200 else response.json["error"]


def _filed(app, world, who="citizen", **extra):
    return _api(app, world, who, "satudata_data_request_create", {**BODY, **extra})


@pytest.fixture
def no_open_requests(world):
    """Every test starts without requests (the per-account limit counts open ones)."""
    model.Session.query(DataRequest).delete()
    model.Session.commit()
    return world


# --- who may do what ----------------------------------------------------------------------------------------

VIEWERS = [*world_module.VIEWERS, "citizen", "other_citizen"]
WALIDATA = {"walidata", "sysadmin"}
ANSWER = {"operator", "verifikator_opd", "walidata", "sysadmin"}
EVERYONE = set(VIEWERS)
ACCOUNTS = EVERYONE - {"anonymous"}
# action -> who may, for a request of the citizen routed to Dinas Kesehatan.
MATRIX = {
    "satudata_data_request_create": ACCOUNTS,
    "satudata_data_request_show": EVERYONE,
    "satudata_data_request_list": EVERYONE,
    "satudata_data_request_route": WALIDATA,
    "satudata_data_request_answer": ANSWER,
    "satudata_data_request_extend": ANSWER,
    "satudata_data_request_follow_up": {"citizen", "sysadmin"},
    "satudata_data_request_close": {"citizen", "walidata", "sysadmin"},
    "satudata_data_request_hide": WALIDATA,
}


def _allowed(world, viewer, action, data):
    context = {"user": world.name(viewer) if viewer != "anonymous" else "", "model": model}
    try:
        return helpers.call_auth(action, context, **data)
    except logic.NotAuthorized:
        return False


def test_every_role_and_action(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    _api(app, world, "walidata", "satudata_data_request_route", {"id": request["id"], "owner_org": "dinas-kesehatan"})
    wrong = [(action, viewer, "allowed" if viewer not in who else "refused")
             for action, who in MATRIX.items() for viewer in VIEWERS
             if _allowed(world, viewer, action, {"id": request["id"]}) != (viewer in who)]
    assert wrong == []
    # The queue: the roles that answer; one's own list: any account.
    queue = {viewer for viewer in VIEWERS if _allowed(world, viewer, "satudata_data_request_list", {"queue": True})}
    assert queue == {"operator", "operator_other_opd", "verifikator_opd", "verifikator_other_opd", "walidata",
                     "sysadmin"}
    mine = {viewer for viewer in VIEWERS if _allowed(world, viewer, "satudata_data_request_list", {"mine": True})}
    assert mine == ACCOUNTS


def test_the_other_opd_and_a_request_not_yet_routed_are_not_answered_by_an_opd(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    # Not routed yet: only the Walidata answers (an OPD's operator is refused by the action, whatever its OPD).
    _api(app, world, "operator", "satudata_data_request_answer",
         {"id": request["id"], "outcome": "ditolak", "reason": "tidak_ada", "note": "x"}, status=403)
    _api(app, world, "walidata", "satudata_data_request_route", {"id": request["id"], "owner_org": "dinas-kesehatan"})
    _api(app, world, "operator_other_opd", "satudata_data_request_answer",
         {"id": request["id"], "outcome": "ditolak", "reason": "tidak_ada", "note": "x"}, status=403)
    _api(app, world, "ckan_admin", "satudata_data_request_extend", {"id": request["id"], "note": "x"}, status=403)


# --- the flow -----------------------------------------------------------------------------------------------

def _mails(mail_server):
    mails = {}
    for _, _, to_addrs, raw in mail_server.get_smtp_messages():
        message = email.message_from_string(raw)
        body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        for to in [to_addrs] if isinstance(to_addrs, str) else to_addrs:
            mails[to] = {"subject": subject, "body": body}
    return mails


def test_a_citizen_asks_the_walidata_routes_the_operator_answers_with_a_published_dataset(
        app, no_open_requests, mail_server):
    world = no_open_requests
    email_of = {name: world.users[name]["email"] for name in ("citizen", "walidata", "operator", "verifikator_opd")}
    mail_server.clear_smtp_messages()
    request = _filed(app, world)
    assert request["state"] == flow.DIAJUKAN and request["opd"] is None
    assert request["timer"]["standard_days"] == 10 and request["timer"]["late_by"] == 0
    assert set(_mails(mail_server)) == {email_of["citizen"], email_of["walidata"]}

    mail_server.clear_smtp_messages()
    routed = _api(app, world, "walidata", "satudata_data_request_route",
                  {"id": request["id"], "owner_org": "dinas-kesehatan", "note": "Mohon dijawab."})
    assert routed["state"] == flow.DITERUSKAN and routed["opd"]["name"] == "dinas-kesehatan"
    mails = _mails(mail_server)
    assert set(mails) == {email_of["citizen"], email_of["operator"], email_of["verifikator_opd"]}
    assert "Permohonan data #" in mails[email_of["operator"]]["subject"]  # the portal's language

    queue = _api(app, world, "operator", "satudata_data_request_list", {"queue": True})
    assert [r["id"] for r in queue["results"]] == [request["id"]]
    assert _api(app, world, "operator_other_opd", "satudata_data_request_list", {"queue": True})["results"] == []

    published = world.datasets[transitions.TERBIT]
    mail_server.clear_smtp_messages()
    answered = _api(app, world, "operator", "satudata_data_request_answer",
                    {"id": request["id"], "outcome": "terpenuhi", "package_id": published["name"],
                     "note": "Tersedia di portal."})
    assert answered["state"] == flow.TERPENUHI
    assert answered["package"]["name"] == published["name"]
    assert answered["timer"]["on_time"] is True
    mails = _mails(mail_server)
    assert set(mails) == {email_of["citizen"]}
    assert published["name"] in mails[email_of["citizen"]]["body"]

    shown = _api(app, world, "anonymous", "satudata_data_request_show", {"id": request["id"]})
    assert [e["event"] for e in shown["events"]] == ["ajukan", "teruskan", "terpenuhi"]
    assert [e["actor_role"] for e in shown["events"]] == ["pemohon", "walidata", "operator"]
    page = app.get(f"/permohonan-data/{request['id']}")
    assert "Terpenuhi" in page.body and f"/dataset/{published['name']}" in page.body


def test_the_requesters_mail_is_in_their_language(app, no_open_requests, mail_server):
    world = no_open_requests
    user = model.User.get(world.name("citizen"))
    user.plugin_extras = {"satudata_blitar": {"reminders": True, "language": "en"}}
    model.Session.commit()
    try:
        mail_server.clear_smtp_messages()
        _filed(app, world)
        mails = _mails(mail_server)
        assert mails[world.users["citizen"]["email"]]["subject"].startswith(
            "[Satu Data Kota Blitar] Data request #")
        assert mails[world.users["walidata"]["email"]]["subject"].startswith(
            "[Satu Data Kota Blitar] Permohonan data #")
    finally:
        user.plugin_extras = {}
        model.Session.commit()


def test_an_unpublished_dataset_is_never_linked_nor_confirmed(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    draft = world.datasets[transitions.DRAF]
    errors = {}
    for name in (draft["name"], draft["id"], "tidak-ada-sama-sekali"):
        errors[name] = _api(app, world, "walidata", "satudata_data_request_answer",
                            {"id": request["id"], "outcome": "terpenuhi", "package_id": name}, status=409)
    messages = {name: error["package_id"][0].replace(name, "NAME") for name, error in errors.items()}
    assert len(set(messages.values())) == 1, messages
    assert _api(app, world, "anonymous", "satudata_data_request_show", {"id": request["id"]})["state"] == "diajukan"


def test_will_be_provided_adds_an_element_to_next_years_list(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world, owner_org="dinas-kesehatan")
    _api(app, world, "walidata", "satudata_data_request_route", {"id": request["id"], "owner_org": "dinas-kesehatan"})
    answered = _api(app, world, "verifikator_opd", "satudata_data_request_answer",
                    {"id": request["id"], "outcome": "akan_disediakan", "note": "Akan didata tahun depan."})
    assert answered["state"] == flow.AKAN_DISEDIAKAN
    next_year = datetime.date.today().year + 1
    assert answered["element"]["tahun"] == next_year
    elements = _api(app, world, "walidata", "satudata_data_element_list",
                    {"tahun": next_year, "owner_org": "dinas-kesehatan"})
    element, = [e for e in elements if e["id"] == answered["element"]["id"]]
    assert element["nama"] == BODY["title"]
    assert f"/permohonan-data/{request['id']}" in element["definisi"]


def test_refused_as_not_this_opds_goes_back_to_the_walidata(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    _api(app, world, "walidata", "satudata_data_request_route", {"id": request["id"], "owner_org": "dinas-kesehatan"})
    error = _api(app, world, "operator", "satudata_data_request_answer",
                 {"id": request["id"], "outcome": "ditolak", "reason": "dikecualikan"}, status=409)
    assert set(error) >= {"clause", "note"}
    back = _api(app, world, "operator", "satudata_data_request_answer",
                {"id": request["id"], "outcome": "ditolak", "reason": "bukan_opd", "note": "Data Bappeda."})
    assert back["state"] == flow.DIAJUKAN and back["opd"] is None
    _api(app, world, "walidata", "satudata_data_request_route", {"id": request["id"], "owner_org": "bappeda"})
    refused = _api(app, world, "operator_other_opd", "satudata_data_request_answer",
                   {"id": request["id"], "outcome": "ditolak", "reason": "dikecualikan", "clause": "h",
                    "note": "Memuat data pribadi."})
    assert (refused["state"], refused["reason"], refused["clause"]) == (flow.DITOLAK, "dikecualikan", "h")
    # The requester asks a follow-up: back to the OPD, the clock starts again; then closes it.
    again = _api(app, world, "citizen", "satudata_data_request_follow_up",
                 {"id": request["id"], "note": "Bagaimana bila tanpa nama?"})
    assert again["state"] == flow.DITERUSKAN and again["timer"]["days_taken"] == 0
    closed = _api(app, world, "citizen", "satudata_data_request_close", {"id": request["id"]})
    assert closed["state"] == flow.DITUTUP
    _api(app, world, "citizen", "satudata_data_request_close", {"id": request["id"]}, status=409)


def test_the_extension_is_seven_working_days_once_with_a_reason(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    _api(app, world, "walidata", "satudata_data_request_extend", {"id": request["id"]}, status=409)
    extended = _api(app, world, "walidata", "satudata_data_request_extend",
                    {"id": request["id"], "note": "Data sedang direkap."})
    assert extended["timer"]["standard_days"] == 17 and extended["extension_reason"] == "Data sedang direkap."
    _api(app, world, "walidata", "satudata_data_request_extend", {"id": request["id"], "note": "lagi"}, status=409)


def test_two_answers_at_the_same_moment_make_exactly_one(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    _api(app, world, "walidata", "satudata_data_request_route", {"id": request["id"], "owner_org": "dinas-kesehatan"})
    model.Session.remove()
    results, barrier = [], threading.Barrier(2)
    answers = {"operator": {"outcome": "terpenuhi", "package_id": world.datasets[transitions.TERBIT]["name"]},
               "verifikator_opd": {"outcome": "ditolak", "reason": "tidak_ada", "note": "Tidak ada."}}

    def answer(viewer):
        with app.flask_app.app_context():
            barrier.wait()
            response = app.post("/api/3/action/satudata_data_request_answer", headers=world.token(viewer),
                                json={"id": request["id"], **answers[viewer]}, status=None)
            results.append(response.status_code)
            model.Session.remove()

    threads = [threading.Thread(target=answer, args=(viewer,)) for viewer in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
    shown = _api(app, world, "anonymous", "satudata_data_request_show", {"id": request["id"]})
    assert [e["event"] for e in shown["events"]].count(shown["state"]) == 1
    assert len([e for e in shown["events"] if e["event"] in flow.ANSWERED]) == 1


# --- time ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("received, extended, now, due, taken, late_by", [
    # Friday 13 March 2026, 09.00 WIB: Nyepi (19 March), its cuti bersama (18), Idul Fitri's cuti bersama (20, 23,
    # 24) and Good Friday (3 April) are not counted: due Monday 6 April, not Friday 27 March.
    ("2026-03-13 02:00", False, "2026-03-27 09:00", "2026-04-06", 5, 0),
    ("2026-03-13 02:00", False, "2026-04-06 09:00", "2026-04-06", 10, 0),
    ("2026-03-13 02:00", False, "2026-04-07 01:00", "2026-04-06", 11, 1),
    # 17 working days after the extension.
    ("2026-03-13 02:00", True, "2026-04-07 01:00", "2026-04-15", 11, 0),
    # Received on Friday evening in WIB (Friday 12.00 UTC = 19.00 WIB): counted from that Friday.
    ("2026-12-04 12:00", False, "2026-12-18 01:00", "2026-12-18", 10, 0),
])
def test_the_answers_time_is_counted_in_working_days(app, no_open_requests, ckan_config, monkeypatch,
                                                     received, extended, now, due, taken, late_by):
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")
    world = no_open_requests
    with freezegun.freeze_time(received, ignore=["jwt"]):
        request = _filed(app, world)
        if extended:
            _api(app, world, "walidata", "satudata_data_request_extend", {"id": request["id"], "note": "Rekap."})
    with freezegun.freeze_time(now, ignore=["jwt"]):
        timer = _api(app, world, "anonymous", "satudata_data_request_show", {"id": request["id"]})["timer"]
        listed = _api(app, world, "walidata", "satudata_data_request_list", {"queue": True})["results"][0]["timer"]
    assert (timer["due_date"], timer["days_taken"], timer["late_by"]) == (due, taken, late_by)
    assert listed == timer


def test_a_walidata_holiday_moves_the_due_day(app, no_open_requests, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.extra_holidays", ["2026-12-10"])
    world = no_open_requests
    with freezegun.freeze_time("2026-12-04 02:00", ignore=["jwt"]):
        request = _filed(app, world)
        assert request["timer"]["due_date"] == "2026-12-21"


# --- privacy, bad input and abuse ---------------------------------------------------------------------------

def test_the_requester_is_never_public(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world)
    for viewer in ("anonymous", "other_citizen", "operator_other_opd"):
        shown = _api(app, world, viewer, "satudata_data_request_show", {"id": request["id"]})
        assert "requester" not in shown and "actor_name" not in shown["events"][0]
        listed = _api(app, world, viewer, "satudata_data_request_list", {})["results"]
        assert all("requester" not in r for r in listed)
    for viewer in ("citizen", "walidata"):
        shown = _api(app, world, viewer, "satudata_data_request_show", {"id": request["id"]})
        assert shown["requester"]["name"] == "warga"
    text = app.get(f"/permohonan-data/{request['id']}").body + app.get("/permohonan-data").body
    assert "Mahasiswa Uji" not in text and world.users["citizen"]["email"] not in text
    # Another's requests cannot be listed: `mine` is one's own, whatever else is sent.
    other = _api(app, world, "other_citizen", "satudata_data_request_list", {"mine": True, "user_id": "warga"})
    assert other["count"] == 0


def test_the_walidata_hides_a_requests_text(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world, description="NIK saya 3572012345678901, mohon data.")
    _api(app, world, "walidata", "satudata_data_request_hide", {"id": request["id"], "hidden": True})
    public = _api(app, world, "anonymous", "satudata_data_request_show", {"id": request["id"]})
    assert public["title"] is None and public["description"] is None and public["state"] == flow.DIAJUKAN
    assert "3572012345678901" not in app.get(f"/permohonan-data/{request['id']}").body
    assert _api(app, world, "anonymous", "satudata_data_request_list", {"q": "3572012345678901"})["count"] == 0
    assert _api(app, world, "citizen", "satudata_data_request_show", {"id": request["id"]})["description"]


def test_html_is_shown_as_text(app, no_open_requests):
    world = no_open_requests
    request = _filed(app, world, title="<script>alert(1)</script> **tebal**")
    page = app.get(f"/permohonan-data/{request['id']}").body
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "**tebal**" in page


@pytest.mark.parametrize("body, field", [
    ({"title": ["a"]}, "title"),
    ({"title": {"a": 1}}, "title"),
    ({"description": True}, "description"),
    ({"title": "x" * 201}, "title"),
    ({"description": "x" * 4001}, "description"),
    ({"data_format": "docx"}, "data_format"),
    ({"owner_org": "tidak-ada"}, "owner_org"),
    ({"website": "http://spam.example"}, "website"),
    ({"title": "Data\u200b penduduk"}, "title"),
])
def test_bad_input_is_refused_with_a_message_not_a_500(app, no_open_requests, body, field):
    error = _api(app, no_open_requests, "citizen", "satudata_data_request_create", {**BODY, **body}, status=409)
    assert field in error, error


@pytest.mark.parametrize("action, body", [
    ("satudata_data_request_show", {"id": ["1"]}),
    ("satudata_data_request_show", {"id": "1 OR 1=1"}),
    ("satudata_data_request_list", {"limit": "banyak"}),
    ("satudata_data_request_list", {"mine": ["x"]}),
    ("satudata_data_request_list", {"state": {"a": 1}}),
    ("satudata_data_request_route", {"id": {"x": 1}, "owner_org": "bappeda"}),
    ("satudata_data_request_answer", {"id": "1", "outcome": ["terpenuhi"]}),
    ("satudata_data_request_hide", {"id": "1", "hidden": {"a": 1}}),
])
def test_wrong_json_types_are_a_validation_error(app, no_open_requests, action, body):
    response = app.post(f"/api/3/action/{action}", json=body, headers=no_open_requests.token("walidata"),
                        status=None)
    assert response.status_code in (404, 409), (response.status_code, response.body)


def test_a_list_page_is_bounded(app, no_open_requests):
    world = no_open_requests
    _filed(app, world)
    assert _api(app, world, "anonymous", "satudata_data_request_list", {"limit": 100000})["count"] == 1
    response = app.post("/api/3/action/satudata_data_request_list", json={"limit": -1}, status=None)
    assert response.status_code == 409


@pytest.mark.ckan_config("ckanext.satudata_blitar.data_requests.max_open_per_account", "2")
def test_an_account_has_at_most_n_open_requests(app, no_open_requests):
    world = no_open_requests
    first = _filed(app, world)
    _filed(app, world)
    error = _api(app, world, "citizen", "satudata_data_request_create", BODY, status=409)
    assert "__limit" in error
    _api(app, world, "citizen", "satudata_data_request_close", {"id": first["id"]})
    _filed(app, world)


@pytest.mark.ckan_config("ckanext.satudata_blitar.data_requests.max_per_address_per_day", "2")
def test_an_address_files_at_most_n_requests_a_day(app, no_open_requests):
    world = no_open_requests
    for viewer, status in (("citizen", 200), ("other_citizen", 200), ("operator", 409)):
        response = app.post("/api/3/action/satudata_data_request_create", json=BODY, headers=world.token(viewer),
                            status=None, environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert response.status_code == status, (viewer, response.body)
    response = app.post("/api/3/action/satudata_data_request_create", json=BODY, headers=world.token("operator"),
                        status=None, environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert response.status_code == 200
    assert model.Session.query(DataRequest).filter(DataRequest.address_hash.like("%192.0.2%")).count() == 0


def test_an_anonymous_visitor_is_asked_to_log_in(app, no_open_requests):
    _api(app, no_open_requests, "anonymous", "satudata_data_request_create", BODY, status=403)
    response = app.get("/permohonan-data/baru", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]


# --- pages --------------------------------------------------------------------------------------------------

def test_the_pages_list_filter_and_file_a_request(app, no_open_requests):
    world = no_open_requests
    _filed(app, world, title="Data jalan rusak")
    routed = _filed(app, world, title="Data posyandu aktif")
    _api(app, world, "walidata", "satudata_data_request_route", {"id": routed["id"], "owner_org": "dinas-kesehatan"})
    listing = app.get("/permohonan-data").body
    assert "Data jalan rusak" in listing and "Data posyandu aktif" in listing and "Ajukan permohonan" in listing
    filtered = app.get("/permohonan-data?state=diteruskan").body
    assert "Data posyandu aktif" in filtered and "Data jalan rusak" not in filtered
    assert "Data jalan rusak" in app.get("/permohonan-data?q=jalan").body
    assert "Data posyandu aktif" not in app.get("/permohonan-data?q=jalan").body

    browser = world_module.logged_in(app, world, "operator")
    queue = browser.get("/permohonan-data/antrean").body
    assert "Data posyandu aktif" in queue and "Data jalan rusak" not in queue

    citizen = world_module.logged_in(app, world, "citizen")
    form = citizen.get("/permohonan-data/baru")
    response = citizen.post("/permohonan-data/baru", data={
        **BODY, "title": "Data UMKM per kelurahan", "owner_org": "", "website": "",
        "_csrf_token": world_module.csrf_token(form.body)}, follow_redirects=False)
    assert response.status_code == 302, response.body
    mine = citizen.get("/permohonan-data/saya").body
    assert "Data UMKM per kelurahan" in mine and "Data posyandu aktif" in mine


def test_an_empty_search_and_an_opd_page_link_to_a_request(app, no_open_requests):
    empty = app.get("/dataset/?q=zzqxtidakada").body
    assert "Data tidak ditemukan?" in empty and "/permohonan-data/baru?q=zzqxtidakada" in empty
    assert "Data tidak ditemukan?" not in app.get("/dataset/").body
    assert "/permohonan-data/baru?owner_org=dinas-kesehatan" in app.get("/organization/dinas-kesehatan").body


# --- the monitoring report and the daily reminder ------------------------------------------------------------

def test_the_monitoring_report_and_the_reminder_count_requests(app, no_open_requests, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")
    world = no_open_requests
    with freezegun.freeze_time("2026-07-01 02:00", ignore=["jwt"]):
        answered_on_time, answered_late = _filed(app, world), _filed(app, world, who="other_citizen")
        waiting = _filed(app, world, title="Data belum diteruskan")
        for request in (answered_on_time, answered_late):
            _api(app, world, "walidata", "satudata_data_request_route",
                 {"id": request["id"], "owner_org": "dinas-kesehatan"})
    with freezegun.freeze_time("2026-07-06 03:00", ignore=["jwt"]):
        _api(app, world, "operator", "satudata_data_request_answer",
             {"id": answered_on_time["id"], "outcome": "terpenuhi",
              "package_id": world.datasets[transitions.TERBIT]["name"]})
    with freezegun.freeze_time("2026-08-03 03:00", ignore=["jwt"]):  # due 15 July
        _api(app, world, "verifikator_opd", "satudata_data_request_answer",
             {"id": answered_late["id"], "outcome": "ditolak", "reason": "tidak_ada", "note": "Belum didata."})
    with freezegun.freeze_time("2026-10-05 03:00", ignore=["jwt"]):
        report = _api(app, world, "walidata", "satudata_report_monitoring", {"period": "2026-T3"})["data_requests"]
        evaluation = _api(app, world, "walidata", "satudata_report_evaluation", {"period": "2026-T3"})
        workbook = openpyxl.load_workbook(io.BytesIO(app.get("/laporan/evaluation.xlsx", params={"period": "2026-T3"},
                                                             headers=world.token("walidata")).data))
        reminder = helpers.call_action("satudata_remind", context={"user": world.name("sysadmin")}, dry_run=True)
    rows = {row["opd"]: row for row in report["by_opd"]}
    keys = ["received", "answered", "on_time", "late", "terpenuhi", "akan_disediakan", "ditolak", "waiting",
            "waiting_late"]
    assert [rows["dinas-kesehatan"][key] for key in keys] == [2, 2, 1, 1, 1, 0, 1, 0, 0]
    assert [rows[None][key] for key in keys] == [1, 0, 0, 0, 0, 0, 0, 1, 1]
    assert report["totals"]["on_time_share"] == 0.5
    # The evaluation report has the same section: on its page, in its PDF and files (tests/reports).
    assert evaluation["data_requests"] == report
    assert [list(row) for row in workbook["Permohonan data"].iter_rows(values_only=True)][1:] == [
        ["Dinas Kesehatan", 2, 2, 1, 1, 1, 0, 1, 0, 0, 0.5],
        ["OPD belum diketahui", 1, 0, 0, 0, 0, 0, 0, 1, 1, None],
        ["Semua OPD", 3, 2, 1, 1, 1, 0, 1, 1, 1, 0.5]]
    listed = {entry["user"]: entry["items"].get("data_requests") for entry in reminder["recipients"]}
    assert listed.get(world.name("walidata")) == [waiting["id"]]
    assert not listed.get(world.name("operator"))
    mail = next(entry for entry in reminder["recipients"] if entry["user"] == world.name("walidata"))["body"]
    assert f"#{waiting['id']} Data belum diteruskan" in mail and f"/permohonan-data/{waiting['id']}" in mail


def test_the_cli_lists_the_requests_waiting_earliest_due_first(app, cli, no_open_requests, ckan_config, monkeypatch):
    """`ckan satudata requests`: the open requests with their due day and how late, never the requester."""
    from ckanext.satudata_blitar.cli import satudata

    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")
    world = no_open_requests
    with freezegun.freeze_time("2026-07-01 02:00", ignore=["jwt"]):
        late = _filed(app, world, title="Data lama")
        _api(app, world, "walidata", "satudata_data_request_route", {"id": late["id"], "owner_org": "dinas-kesehatan"})
        answered = _filed(app, world, who="other_citizen", title="Data terjawab")
        _api(app, world, "walidata", "satudata_data_request_route",
             {"id": answered["id"], "owner_org": "dinas-kesehatan"})
        _api(app, world, "operator", "satudata_data_request_answer",
             {"id": answered["id"], "outcome": "ditolak", "reason": "tidak_ada", "note": "Belum didata."})
    with freezegun.freeze_time("2026-07-14 02:00", ignore=["jwt"]):
        recent = _filed(app, world, title="Data baru")
    with freezegun.freeze_time("2026-07-17 03:00", ignore=["jwt"]):  # the first is due on 15 July
        listed = cli.invoke(satudata, ["requests"])
        only_late = cli.invoke(satudata, ["requests", "--late", "--opd", "dinas-kesehatan"])
        unknown = cli.invoke(satudata, ["requests", "--opd", "dinas-rahasia"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [f"#{late['id']}", f"#{recent['id']}"]
    assert "dinas-kesehatan" in lines[0] and "due 2026-07-15" in lines[0] and "late by 2" in lines[0]
    assert "diajukan" in lines[1] and "due 2026-07-28" in lines[1] and "7 left" in lines[1]
    assert lines[-1] == "2 request(s) waiting for an answer, 1 late (working days)"
    assert "Data terjawab" not in listed.output
    assert "Mahasiswa Uji" not in listed.output and "warga" not in listed.output
    assert only_late.exit_code == 0 and only_late.output.splitlines()[0].startswith(f"#{late['id']} ")
    assert len(only_late.output.splitlines()) == 2
    assert unknown.exit_code != 0 and 'There is no OPD "dinas-rahasia"' in unknown.output
