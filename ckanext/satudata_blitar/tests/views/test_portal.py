"""The portal's face (issue 12, items 1-3 and 6): the theme (logo, navigation, footer, About), the home page, the
topic and OPD pages, the public daftar elemen data summary and the role dashboards.

tests/world.py's Kota Blitar has one Dinas Kesehatan dataset in every workflow state (and a Bappeda draft): only
`data-terbit` is published, so every public count must be 1 and no other dataset may show, whoever looks.
Pages whose English text is checked are asked for under /en/."""
from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from bs4 import BeautifulSoup

import ckan.model as model
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

YEAR = datetime.date.today().year
UNPUBLISHED = [f"data-{state}" for state in world_module.PATHS if state != transitions.TERBIT] + ["data-bappeda"]
VIEWERS = ["anonymous", "operator", "verifikator_opd", "walidata", "sysadmin"]


def _extend(built):
    """A Bappeda draft, a chart view on the published and on the draft dataset, this year's daftar elemen data of
    Dinas Kesehatan (one element published, one with a draft, one without dataset) and an overdue submission
    (Diajukan for two weeks: at least 2 working days whatever today is, holidays included)."""
    built.datasets["data-bappeda"] = world_module.bappeda_draft(built)
    sysadmin = {"user": built.name("sysadmin")}
    built.charts = {
        state: helpers.call_action("resource_view_create", context=sysadmin,
                                   resource_id=built.datasets[state]["resources"][0]["id"],
                                   view_type="satudata_chart", title=f"Grafik {state}",
                                   x="kecamatan", y="jumlah", kind="bar")
        for state in (transitions.TERBIT, transitions.DRAF)}
    walidata = {"user": built.name("walidata")}
    for nama, dataset, prioritas in (("Jumlah Puskesmas", "data-terbit", True),
                                     ("Cakupan Imunisasi", "data-draf", False),
                                     ("Angka Kematian Bayi", None, True)):
        helpers.call_action("satudata_data_element_create", context=walidata, tahun=YEAR,
                            owner_org="dinas-kesehatan", nama=nama, data_prioritas=prioritas, package_id=dataset)
    status = model.Session.get(DatasetStatus, built.datasets[transitions.DIAJUKAN]["id"])
    status.changed_at = datetime.datetime.utcnow() - datetime.timedelta(days=14)
    model.Session.commit()


pytestmark = pytest.mark.world(with_datastore=True, extend=_extend)


def _soup(response):
    return BeautifulSoup(response.body, "html.parser")


def _assert_no_unpublished(html: str):
    for name in UNPUBLISHED:
        assert f"/dataset/{name}" not in html, name


# --- the theme ---------------------------------------------------------------------------------------------------

STOCK_CKAN_COPY = ["Welcome to CKAN", "Powered by", "CKAN Association", "//ckan.org", "CKAN is the world",
                   "placeholder-420x220", "This is a nice introductory paragraph"]


@pytest.mark.parametrize("path", ["/", "/en/", "/about", "/en/about", "/topik", "/opd", "/capaian-elemen-data",
                                  "/dataset/", "/organization/"])
def test_no_stock_ckan_copy_and_the_city_s_face(app, world, path):
    response = app.get(path)
    for text in STOCK_CKAN_COPY:
        assert text not in response.body, text
    soup = _soup(response)
    logo = soup.select_one("header.masthead a.logo img")
    assert logo["src"].endswith("/satudata_blitar/logo.svg") and logo["alt"] == "Satu Data Kota Blitar"
    assert soup.select_one('link[href*="theme.css"]'), "the theme's stylesheet"


def test_the_logo_is_served_and_is_a_config_option(app, world, ckan_config, monkeypatch):
    svg = app.get("/satudata_blitar/logo.svg")
    assert "Satu Data" in svg.body and "<svg" in svg.body
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.logo", "https://kota.example/logo.png")
    assert _soup(app.get("/")).select_one("a.logo img")["src"] == "https://kota.example/logo.png"
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.logo", "")
    soup = _soup(app.get("/"))
    assert not soup.select_one("a.logo img")
    assert soup.select_one("a.satudata-site-name").get_text(strip=True) == "Satu Data Kota Blitar"


@pytest.mark.parametrize("viewer, elements_href", [("anonymous", "/en/capaian-elemen-data"),
                                                   ("operator", "/en/elemen-data"), ("walidata", "/en/elemen-data")])
def test_the_header_navigation(app, world, viewer, elements_href):
    soup = _soup(app.get("/en/", headers=world.token(viewer)))
    links = [(a.get_text(strip=True), a["href"]) for a in soup.select(".main-navbar .navbar-nav a")]
    assert links == [("Home", "/en/"), ("Datasets", "/en/dataset/"), ("OPD", "/en/opd"), ("Topics", "/en/topik"),
                     ("Data elements", elements_href), ("About", "/en/about")]


def test_the_header_navigation_in_indonesian(app, world):
    soup = _soup(app.get("/"))
    assert [a.get_text(strip=True) for a in soup.select(".main-navbar .navbar-nav a")] == [
        "Beranda", "Dataset", "OPD", "Topik", "Daftar Elemen Data", "Tentang"]
    assert soup.select_one(".account-masthead").find("a", string=re.compile("Masuk"))


def test_the_footer_shows_the_walidata_s_contact_from_config(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.contact.email", "data@kota.example")
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.contact.phone", "(0342) 000000")
    footer = _soup(app.get("/en/")).select_one("footer.site-footer")
    text = footer.get_text(" ", strip=True)
    assert "Dinas Komunikasi, Informatika dan Statistik Kota Blitar" in text and "Kota Blitar, Jawa Timur" in text
    assert footer.select_one('a[href="mailto:data@kota.example"]')
    assert footer.select_one('a[href="tel:(0342)000000"]')


def test_the_footer_leaves_out_contact_details_that_are_not_set(app, world):
    footer = _soup(app.get("/en/")).select_one("footer.site-footer")
    assert not footer.select('a[href^="mailto:"]') and not footer.select('a[href^="tel:"]')


def test_the_about_page_tells_of_the_portal_satu_data_indonesia_and_the_sop(app, world):
    soup = _soup(app.get("/en/about"))
    text = soup.get_text(" ", strip=True)
    assert "Perpres) 39/2019" in text and "Walidata" in text
    steps = soup.select("ol.satudata-sop > li")
    assert len(steps) == 8
    assert "Verifikator OPD" in steps[3].get_text() and "1 working day" in steps[3].get_text()
    assert "1 working hour" in steps[2].get_text()


def test_the_about_page_in_indonesian(app, world):
    text = _soup(app.get("/about")).get_text(" ", strip=True)
    assert "Tentang Satu Data Kota Blitar" in text and "1 hari kerja" in text


# --- the home page -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer", VIEWERS)
def test_home_counts_and_lists_only_published_datasets(app, world, viewer):
    response = app.get("/en/", headers=world.token(viewer))
    soup = _soup(response)
    stats = [li.get_text(" ", strip=True) for li in soup.select(".satudata-stats li")]
    assert stats == ["1 published dataset", "1 OPD publishing data", "1 topic with data"]
    tiles = [a.get_text(" ", strip=True) for a in soup.select(".satudata-topics .satudata-tiles a")]
    assert tiles == ["Health 1"]
    latest = [a["href"] for a in soup.select(".satudata-list a")]
    assert latest == ["/en/dataset/data-terbit"]
    _assert_no_unpublished(response.body)


def test_home_search_goes_to_the_dataset_search(app, world):
    form = _soup(app.get("/en/")).select_one(".satudata-hero form")
    assert form["action"] == "/en/dataset/" and form.select_one("input[name=q]")


def test_home_says_honestly_that_views_are_not_counted(app, world):
    """test.ini has no tracking plugin: no "most viewed" list pretends to be one."""
    assert _soup(app.get("/en/")).select_one(".satudata-no-tracking")


def test_home_shows_the_charts_the_walidata_chose_only_for_published_data(app, world, ckan_config, monkeypatch):
    assert not _soup(app.get("/en/")).select(".satudata-home-charts")
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.home_chart_views",
                        [world.charts[transitions.DRAF]["id"], "no-such-view", world.charts[transitions.TERBIT]["id"]])
    for viewer in ("anonymous", "walidata"):
        soup = _soup(app.get("/en/", headers=world.token(viewer)))
        cards = soup.select(".satudata-home-charts .satudata-chart-card")
        assert [card.h3.get_text(strip=True) for card in cards] == ["Grafik terbit"]
        assert cards[0].select_one("svg.satudata-chart g.series rect")


# --- topics ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer", ["anonymous", "walidata"])
def test_topics_page_lists_every_urusan_with_its_published_count(app, world, viewer):
    soup = _soup(app.get("/en/topik", headers=world.token(viewer)))
    tiles = {a.select_one("span").get_text(strip=True): a.select_one(".count").get_text(strip=True)
             for a in soup.select(".satudata-tiles a")}
    assert len(tiles) == 33 and tiles["Health"] == "1" and tiles["Education"] == "0"


@pytest.mark.parametrize("viewer", ["anonymous", "operator", "walidata"])
def test_a_topic_page_lists_its_published_datasets(app, world, viewer):
    response = app.get("/en/topik/kesehatan", headers=world.token(viewer))
    soup = _soup(response)
    assert soup.select_one("h1").get_text(strip=True) == "Health"
    assert "1 published dataset" in soup.select_one(".satudata-topic-count").get_text()
    assert [a["href"] for a in soup.select(".dataset-heading a")] == ["/en/dataset/data-terbit"]
    _assert_no_unpublished(response.body)


def test_an_empty_topic_and_an_unknown_one(app, world):
    assert "No dataset on this topic" in app.get("/en/topik/pendidikan").body
    assert app.get("/en/topik/no-such-topic", status=404)


# --- OPDs and the daftar elemen data's public summary ----------------------------------------------------------------

@pytest.mark.parametrize("viewer", ["anonymous", "walidata"])
def test_opd_directory_counts_published_datasets_and_fulfilment(app, world, viewer):
    response = app.get("/en/opd", headers=world.token(viewer))
    soup = _soup(response)
    cards = {li["id"]: li.get_text(" ", strip=True) for li in soup.select("li.satudata-opd")}
    assert set(cards) == {"opd-diskominfotik", "opd-dinas-kesehatan", "opd-bappeda"}
    assert "1 published dataset" in cards["opd-dinas-kesehatan"]
    assert f"Daftar elemen data {YEAR}: 1 of 3 published" in cards["opd-dinas-kesehatan"]
    assert "0 published datasets" in cards["opd-bappeda"]
    _assert_no_unpublished(response.body)


def test_opd_directory_shows_an_opd_s_contact(app, world):
    helpers.call_action("organization_patch", context={"user": world.name("sysadmin")}, id="bappeda",
                        alamat="Jl. Merdeka 1", email="bappeda@kota.example")
    card = _soup(app.get("/en/opd")).select_one("#opd-bappeda")
    assert "Jl. Merdeka 1" in card.get_text() and card.select_one('a[href="mailto:bappeda@kota.example"]')


def test_element_summary_action_is_public_and_counts_only_published_data(app, world):
    result = app.get("/api/3/action/satudata_element_summary").json["result"]
    assert result == [{"id": world.orgs["dinas-kesehatan"]["id"], "name": "dinas-kesehatan",
                       "title": "Dinas Kesehatan", "elements": 3, "terbit": 1, "priority": 2,
                       "priority_terbit": 1, "percent": 33}]
    assert app.get("/api/3/action/satudata_element_summary?tahun=1999").json["result"] == []
    assert app.get("/api/3/action/satudata_element_summary?tahun=x", status=409)
    for opd in ("dinas-kesehatan", world.orgs["dinas-kesehatan"]["id"]):
        assert app.get(f"/api/3/action/satudata_element_summary?owner_org={opd}").json["result"] == result
    assert app.get("/api/3/action/satudata_element_summary?owner_org=bappeda").json["result"] == []


def test_element_summary_page_for_everyone(app, world):
    soup = _soup(app.get("/en/capaian-elemen-data"))
    row = soup.select_one("table.satudata-element-summary tbody tr")
    assert [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] == [
        "Dinas Kesehatan", "3", "1", "1 / 2", "33%"]
    # the names of elements (and so of unpublished work) stay with the OPD and the Walidata
    assert "Cakupan Imunisasi" not in soup.get_text()


# --- the role dashboards -------------------------------------------------------------------------------------------

def test_the_pipeline_action_is_for_the_walidata_s_roles(app, world):
    for viewer in ("walidata", "verifikator_kominfotik", "sysadmin"):
        assert app.get("/api/3/action/satudata_pipeline", headers=world.token(viewer)).json["success"]
    for viewer in ("anonymous", "operator", "verifikator_opd", "ckan_admin"):
        app.get("/api/3/action/satudata_pipeline", headers=world.token(viewer), status=403)


def test_the_pipeline_counts_by_opd_and_state_overdue_first(app, world):
    result = helpers.call_action("satudata_pipeline", context={"user": world.name("walidata")})
    opds = {row["name"]: row for row in result["opds"]}
    assert opds["dinas-kesehatan"]["states"] == {state: 1 for state in world_module.PATHS}
    assert opds["dinas-kesehatan"]["overdue"] == 1 and opds["bappeda"]["states"]["draf"] == 1
    assert result["opds"][0]["name"] == "dinas-kesehatan"  # overdue first, though Bappeda sorts first by title
    assert [item["name"] for item in result["overdue"]] == ["data-diajukan"]
    assert result["overdue"][0]["waited_hours"] >= 14 * 24 and result["overdue"][0]["late_working_days"] >= 1
    assert result["totals"]["draf"] == 2


def test_the_dashboard_asks_to_log_in(app, world):
    response = app.get("/dasbor", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]


def test_the_header_links_the_role_dashboard(app, world):
    link = _soup(app.get("/en/", headers=world.token("operator"))).select_one("a.satudata-dashboard-link")
    assert link["href"] == "/en/dasbor"


def test_the_operator_s_dashboard(app, world):
    soup = _soup(app.get("/en/dasbor", headers=world.token("operator")))
    returned = soup.select_one(".satudata-dash-returned")
    assert [a["href"] for a in returned.select("li > a")] == ["/en/dataset/data-perlu_perbaikan",
                                                               "/en/dataset/edit/data-perlu_perbaikan"]
    assert returned.select_one("a.satudata-fix").get_text(strip=True) == "Fix"  # straight to the form
    assert "Reason: Catatan uji" in returned.select_one(".satudata-reason").get_text(" ", strip=True)
    assert [a["href"] for a in soup.select(".satudata-dash-drafts li > a")] == ["/en/dataset/data-draf"]
    elements = [row.td.get_text(" ", strip=True) for row in soup.select(".satudata-dash-elements tbody tr")]
    assert elements == ["Angka Kematian Bayi Priority", "Cakupan Imunisasi"]
    assert not soup.select(".satudata-dash-pipeline") and not soup.select(".satudata-dash-queue")


def test_the_verifier_s_dashboard(app, world):
    soup = _soup(app.get("/en/dasbor", headers=world.token("verifikator_opd")))
    rows = soup.select(".satudata-dash-queue tbody tr")
    assert [row.a["href"] for row in rows] == ["/en/verifikasi/data-diajukan"]  # the one-page verification
    assert "14 days" in rows[0].get_text() and "working days late" in rows[0].get_text()
    assert not soup.select(".satudata-dash-pipeline") and not soup.select(".satudata-dash-drafts")


def test_the_walidata_s_dashboard(app, world):
    soup = _soup(app.get("/en/dasbor", headers=world.token("walidata")))
    queue = [row.a["href"] for row in soup.select(".satudata-dash-queue tbody tr")]
    assert queue == ["/en/verifikasi/data-terverifikasi_opd", "/en/verifikasi/data-disetujui"]
    rows = soup.select(".satudata-pipeline tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == ["Dinas Kesehatan", "Bappeda"]
    assert "satudata-overdue" in rows[0]["class"]
    assert [a["href"] for a in soup.select(".satudata-overdue-list a")] == ["/en/dataset/data-diajukan"]


def test_an_empty_list_says_so_the_same_way_on_every_page(app, world):
    """Bappeda's verifier has nothing waiting, on the dashboard as on /verifikasi; nothing has been issued: each page
    says so with the one empty message (templates/satudata/macros.html), not a table."""
    verifier = world.token("verifikator_other_opd")
    for path, headers, message in (("/en/dasbor", verifier, "Nothing waits for you."),
                                   ("/en/verifikasi", verifier, "Nothing waits for you."),
                                   ("/en/laporan/arsip", world.token("walidata"), "No report has been issued yet.")):
        soup = _soup(app.get(path, headers=headers))
        assert message in [p.get_text(strip=True) for p in soup.select("p.satudata-empty")], path
        assert not soup.select("p.empty"), path

@pytest.mark.parametrize("viewer", ["anonymous", "walidata"])
def test_the_opd_page_shows_its_fulfilment(app, world, viewer):
    box = _soup(app.get("/en/organization/dinas-kesehatan", headers=world.token(viewer))).select_one(
        ".satudata-opd-elements")
    assert "1 of 3 data elements published (33%)" in box.get_text(" ", strip=True)
    assert not _soup(app.get("/en/organization/bappeda")).select(".satudata-opd-elements")


def _element_statements(app, path):
    """The SQL statements of a (warm) page that read the daftar elemen data or the working-day calendar."""
    app.get(path)
    with world_module.sql_statements() as statements:
        app.get(path)
    return [s for s in statements if "satudata_data_element" in s or "satudata_calendar" in s]


def test_the_opd_box_costs_one_small_query_without_a_list_and_counts_only_its_opd(app, world):
    """An OPD without a daftar elemen data this year: one EXISTS, not the calendar and the fulfilment of every OPD.
    An OPD with one: the fulfilment query restricted to that OPD."""
    without = _element_statements(app, "/en/organization/bappeda")
    assert len(without) == 1 and "EXISTS" in without[0]
    with_list = _element_statements(app, "/en/organization/dinas-kesehatan")
    fulfilment = [s for s in with_list if "GROUP BY" in s]
    assert len(with_list) == 3 and len(fulfilment) == 1
    assert "satudata_data_element.owner_org = " in fulfilment[0]


def test_opd_directory_in_indonesian(app, world):
    card = _soup(app.get("/opd")).select_one("#opd-dinas-kesehatan").get_text(" ", strip=True)
    assert "1 dataset terbit" in card and f"Daftar elemen data {YEAR}: 1 dari 3 terbit" in card


# --- the city's colours ----------------------------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_theme_s_text_colours_meet_wcag_aa():
    """Every text colour of theme.css on the background it is used on: at least 4.5:1 (WCAG 2.1 AA)."""
    css = (pathlib.Path(__file__).parents[2] / "assets" / "css" / "theme.css").read_text()
    colours = dict(re.findall(r"--sd-([a-z]+):\s*(#[0-9A-Fa-f]{6})", css))
    white = "#FFFFFF"
    pairs = [("green", white), ("deep", white), ("red", white), ("text", white), ("muted", white),
             ("green", "paper"), ("green", "tint"), ("deep", "tint"), ("gold", "deep"), ("gold", "green"),
             ("text", "gold")]
    for fg, bg in pairs:
        ratio = _contrast(colours.get(fg, fg), colours.get(bg, bg))
        assert ratio >= 4.5, (fg, bg, round(ratio, 2))


def test_an_opd_without_logo_shows_no_placeholder(app, world):
    for path in ("/en/organization/dinas-kesehatan", "/en/dataset/data-terbit"):
        assert "placeholder-organization" not in app.get(path).body, path


def test_ckan_s_dashboard_links_the_role_dashboard(app, world):
    tabs = _soup(app.get("/en/dashboard/datasets", headers=world.token("operator"))).select(".page-header .nav a")
    assert [tab.get_text(strip=True) for tab in tabs if tab["href"] == "/en/dasbor"] == ["My tasks"]


@pytest.mark.parametrize("viewer, lands_on", [
    ("operator", "/dasbor"), ("verifikator_opd", "/verifikasi"), ("verifikator_kominfotik", "/verifikasi"),
    ("walidata", "/dasbor"), ("sysadmin", "/dasbor"),
])
def test_each_role_lands_on_its_work_after_login(app, world, viewer, lands_on):
    browser = app.test_client()
    page = browser.get("/user/login")
    response = browser.post("/user/login", data={"login": world.name(viewer), "password": world_module.PASSWORD,
                                                 "_csrf_token": world_module.csrf_token(page.body)},
                            follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == lands_on
    if viewer == "operator":
        add = _soup(response).select_one("a.satudata-add-dataset")
        assert add is not None and add["href"] == "/dataset/new" and "Tambah dataset" in add.get_text()
    if viewer == "walidata":
        assert _soup(response).select_one(".satudata-dash-pipeline") is not None


def test_a_login_with_a_page_to_return_to_goes_there(app, world):
    browser = app.test_client()
    page = browser.get("/user/login")
    response = browser.post("/user/login?came_from=/laporan", follow_redirects=False, data={
        "login": world.name("walidata"), "password": world_module.PASSWORD,
        "_csrf_token": world_module.csrf_token(page.body)})
    assert response.headers["Location"].endswith("/laporan")


def test_the_account_bar_names_every_link_and_shows_no_gravatar(app, world):
    soup = _soup(app.get("/", headers=world.token("walidata")))
    items = soup.select(".account-masthead .account > ul > li")
    labels = [item.select_one(".satudata-label").get_text(strip=True) for item in items]
    assert labels == [world.users["walidata"]["fullname"], "Tugas Saya", "Verifikasi", "Daftar Elemen Data",
                      "Laporan", "Keluar"]
    assert not soup.select(".account-masthead img[src*='gravatar']")
    # My tasks and Verification do not look alike.
    icons = {item.select_one("i")["class"][-1] for item in items}
    assert len(icons) == len(items)
