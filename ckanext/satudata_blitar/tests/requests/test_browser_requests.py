"""Data requests in a real browser (headless Chromium against a live portal, as tests/test_browser.py): a citizen
who finds no dataset files a request, the Walidata routes it, the OPD's operator answers with a published dataset,
the citizen sees it fulfilled. The pages in Indonesian and English at 1280 and 390 px, none scrolling sideways.
Screenshots go to .services/artefacts/browser/ (git-ignored)."""
from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

import ckan.tests.factories as factories

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.test_browser import ARTEFACTS, browser, portal, visit  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.serial,
              pytest.mark.world(states=[transitions.TERBIT],
                                extend=lambda world: world.users.update(
                                    citizen=factories.UserWithToken(name="mahasiswa",
                                                                    password=world_module.PASSWORD,
                                                                    fullname="Mahasiswa Skripsi")))]


def _wait_for(visit, text):
    try:
        WebDriverWait(visit.driver, 10).until(lambda driver: text in driver.find_element("css selector", "body").text)
    except TimeoutException:
        (ARTEFACTS / "failure.html").write_text(visit.driver.page_source)
        raise AssertionError(f"{text!r} not on {visit.driver.current_url}; see {ARTEFACTS}/failure.html")


def test_a_citizen_asks_the_walidata_routes_the_operator_answers(visit, world):
    published = world.datasets[transitions.TERBIT]

    # The citizen searches, finds nothing, and files a request from the empty result.
    visit.log_in("citizen", world)
    visit.go("/dataset/?q=tenagakesehatan")
    visit.click(".satudata-request-hint a")
    assert visit.find("#field-title").get_attribute("value") == "tenagakesehatan"
    visit.shot("request-form", phone_too=True)  # before filling it in: the phone's screenshot reloads the page
    visit.fill("#field-title", "Jumlah tenaga kesehatan per kecamatan 2020-2025")
    visit.fill("#field-description", "Per jenis tenaga kesehatan dan per kecamatan, untuk skripsi.")
    visit.fill("#field-period", "2020-2025")
    visit.fill("#field-area", "Kota Blitar")
    visit.choose("#field-data_format", "xlsx")
    visit.submit("#data-request-form button[type=submit]")
    _wait_for(visit, "Diajukan")
    number = visit.driver.current_url.rstrip("/").rsplit("/", 1)[1]
    assert number.isdigit()
    assert "Belum diketahui" in visit.text()
    visit.shot("request-filed", phone_too=True)

    # The Walidata finds it in the queue and routes it to Dinas Kesehatan.
    visit.log_in("walidata", world)
    visit.go("/permohonan-data/antrean")
    visit.click(f"a[href$='/permohonan-data/{number}']")
    visit.choose("#route-owner_org", "dinas-kesehatan")
    visit.fill("#route-note", "Mohon dijawab.")
    visit.submit("#request-route button[type=submit]")
    _wait_for(visit, "Diteruskan ke OPD")

    # The OPD's operator sees it on the dashboard and answers with the published dataset.
    visit.log_in("operator", world)
    visit.go("/dasbor")
    visit.click(f".satudata-dash-requests a[href$='/permohonan-data/{number}']")
    visit.shot("request-to-answer", phone_too=True)
    visit.click("#outcome-terpenuhi")
    visit.fill("#answer-package_id", published["name"])
    visit.fill("#answer-note", "Data tersedia di portal.")
    visit.submit("#request-answer button[type=submit]")
    _wait_for(visit, "Terpenuhi")

    # The citizen sees it fulfilled, with the link to the dataset.
    visit.log_in("citizen", world)
    visit.go("/permohonan-data/saya")
    assert "Terpenuhi" in visit.text()
    visit.click(f"a[href$='/permohonan-data/{number}']")
    link = visit.find("a.satudata-request-dataset")
    assert link.get_attribute("href").endswith(f"/dataset/{published['name']}")
    visit.shot("request-fulfilled", phone_too=True)

    # The public list in both languages; no page scrolls sideways on a phone.
    visit.log_out()
    for path in ("/permohonan-data", f"/permohonan-data/{number}", "/en/permohonan-data",
                 f"/en/permohonan-data/{number}"):
        visit.go(path)
        assert "Mahasiswa Skripsi" not in visit.text()
        visit.shot(path.strip("/").replace("/", "-"), phone_too=True)
        visit.phone()
        visit.driver.refresh()
        width, inner = visit.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        visit.phone(False)
        assert width <= inner, (path, width, inner)  # as tests/test_browser.py judges it
    assert "Data requests" in visit.text() and "Fulfilled" in visit.text()
