"""The portal in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium
against a live portal served from the test databases.

- The whole SOP by clicks: the operator creates a dataset with its metadata, uploads an .xlsx and submits it; the
  OPD's verifier returns it with a reason; the operator reads the reason, fixes and resubmits; both verifiers
  approve; the Walidata publishes; an anonymous visitor finds it from the home page, previews its table and chart
  and downloads it.
- axe-core on the main pages: no serious or critical violation.
- At 390 px (a phone) no page scrolls sideways.

Screenshots of every step go to .services/artefacts/browser/ (git-ignored), at 1280 px and at 390 px. The steps the
guides (/panduan) show are also kept as the guides' images: when a page looks different from its image, the walk
writes the new one into public/ and fails until it is committed (docs/guides.md).
"""
from __future__ import annotations

import contextlib
import io
import pathlib
import threading
import urllib.parse
import urllib.request

import openpyxl
import pytest
from PIL import Image, ImageChops, ImageStat
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.common.exceptions import ElementClickInterceptedException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

import ckan.lib.jobs as jobs
import ckan.plugins.toolkit as tk
from ckan.config.middleware import make_app

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.views import guides

ROOT = pathlib.Path(__file__).resolve().parents[3]
ARTEFACTS = ROOT / ".services" / "artefacts" / "browser"
AXE = ROOT / ".services" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WIDE, PHONE = (1280, 900), (390, 844)
REASON = "Satuan harus jiwa, bukan orang."
WAIT = 10
# The whole SOP's clicks and field entries, by every person, at most (issue: 104 before).
MAX_SOP_ACTIONS = 60
# The guides' images: the top of a page as a 1280 px screen shows it, scaled. One counts as stale when its 64 × 40
# grey thumbnail differs from the page's by more than GUIDE_TOLERANCE on average (0–1). Measured: the same step in
# two runs differs by at most 0.0005 (times, ids), two different pages of the portal by about 0.07.
GUIDE_IMAGES = ROOT / "ckanext" / "satudata_blitar" / "public" / guides.SCREENSHOT_PATH
GUIDE_FOLD, GUIDE_SIZE, GUIDE_TOLERANCE = (1280, 800), (960, 600), 0.01
# Chromium and the live portal take a core of their own, with timeouts: after the parallel tests, alone.
pytestmark = pytest.mark.serial


# --- the guides' images ------------------------------------------------------------------------------------------

def guide_image(screenshot: pathlib.Path) -> Image.Image:
    return Image.open(screenshot).convert("RGB").crop((0, 0) + GUIDE_FOLD).resize(GUIDE_SIZE, Image.LANCZOS)


def difference(one: Image.Image, other: Image.Image) -> float:
    """How different two images look at a glance: the mean grey difference of their thumbnails, 0–1."""
    thumbnails = [image.convert("L").resize((64, 40), Image.BOX) for image in (one, other)]
    return ImageStat.Stat(ImageChops.difference(*thumbnails)).mean[0] / 255


# --- the live portal and the browser ----------------------------------------------------------------------------

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(result => done(result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160)).join(' | '))));
"""


def axe_violations(driver) -> list[str]:
    """axe-core's serious and critical violations on the page the browser shows."""
    driver.set_script_timeout(60)
    driver.execute_script(AXE.read_text())
    return driver.execute_async_script(AXE_RUN)


@pytest.fixture(scope="module")
def portal(world):
    """The portal of test.ini, served on a free port in a thread, with the site URL pointing at it."""
    unload = world_module.loaded_plugins()
    # CKAN's JavaScript messages ("Show more") in the user's language: `ckan run` builds them at start, as does
    # `ckan translation js` on an installed site; a portal served by werkzeug here builds them itself.
    from ckan.lib.i18n import build_js_translations
    build_js_translations()
    server = make_server("127.0.0.1", 0, make_app(tk.config), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    site_url = tk.config["ckan.site_url"]
    tk.config["ckan.site_url"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        tk.config["ckan.site_url"] = site_url
        unload()


@pytest.fixture(scope="module")
def browser():
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=id",
                     f"--window-size={WIDE[0]},{WIDE[1]}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


class Visit:
    """One browser, one person at a time (log in, log out), and screenshots of what they see.

    It counts what the people do, as the SOP's walk is measured: a click (a link or button pressed, an address
    opened, Enter pressed) or a field entry (typed text, a choice, a file). Looking around for the test's own
    sake is not counted (`uncounted()`)."""

    def __init__(self, driver, url):
        self.driver, self.url, self.step = driver, url, 0
        self.counts = {"clicks": 0, "entries": 0}
        self.counting = True
        self.sessions = {}  # each person's cookies: their own browser stays logged in
        self.audits = None  # {page: [what is wrong]} while auditing each screenshot's page
        self.guide_shots, self.stale_guide_images = set(), []

    def count(self, kind):
        if self.counting:
            self.counts[kind] += 1

    @contextlib.contextmanager
    def uncounted(self):
        self.counting = False
        try:
            yield
        finally:
            self.counting = True

    def go(self, path):
        self.count("clicks")
        self.driver.get(self.url + path)

    def _wait(self, condition, css):
        try:
            return WebDriverWait(self.driver, WAIT).until(condition((By.CSS_SELECTOR, css)))
        except TimeoutException:
            self.driver.save_screenshot(str(ARTEFACTS / "failure.png"))
            (ARTEFACTS / "failure.html").write_text(self.driver.page_source)
            raise AssertionError(f"{css!r} not found on {self.driver.current_url}; see {ARTEFACTS}/failure.*")

    def find(self, css):
        return self._wait(EC.presence_of_element_located, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css):
        self.count("clicks")
        element = self._wait(EC.element_to_be_clickable, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementClickInterceptedException:  # a sticky bar over it: a click in the page's own terms
            self.driver.execute_script("arguments[0].click();", element)

    def submit(self, css):
        """Clicks a submit button and waits for the next page (the old one goes stale)."""
        page = self.find("html")
        self.click(css)
        WebDriverWait(self.driver, WAIT).until(EC.staleness_of(page))

    def fill(self, css, text):
        self.count("entries")
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    def choose(self, css, value):
        self.count("entries")
        Select(self.find(css)).select_by_value(value)

    def log_in(self, viewer, world):
        self.driver.delete_all_cookies()
        self.go("/user/login")
        self.fill("#field-login", world.name(viewer))
        self.fill("#field-password", world_module.PASSWORD)
        self.count("clicks")
        self.find("#field-password").submit()
        WebDriverWait(self.driver, WAIT).until(lambda d: "/user/login" not in d.current_url)
        self.sessions[viewer] = self.driver.get_cookies()

    def come_back(self, viewer, path):
        """The person opens `path` again in their own browser, where they are still logged in (a bookmark, or the
        link of the portal's e-mail): one click."""
        self.driver.delete_all_cookies()
        for cookie in self.sessions[viewer]:
            self.driver.add_cookie(cookie)
        self.go(path)

    def log_out(self):
        self.driver.delete_all_cookies()

    def phone(self, on=True):
        if on:
            self.driver.set_window_size(*PHONE)
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True})
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            self.driver.set_window_size(*WIDE)

    def audit(self, name, is_phone):
        """When auditing (`audits` is a dict), the page's serious or critical axe-core violations and, on a phone,
        whether it scrolls sideways, kept under `name` and the width."""
        if self.audits is None:
            return
        found = axe_violations(self.driver)
        if is_phone:
            scroll, inner = self.driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                found.append(f"scrolls sideways: {scroll} px in {inner} px")
        if found:
            self.audits[f"{name} at {PHONE[0] if is_phone else WIDE[0]} px"] = found

    def shot(self, name, phone_too=False):
        """A screenshot of the whole page (and the same page on a phone), audited (`audit`)."""
        self.step += 1
        for label, is_phone in [("1280", False)] + ([("390", True)] if phone_too else []):
            if is_phone:
                self.phone()
                self.driver.refresh()
            self.audit(name, is_phone)
            width = PHONE[0] if is_phone else WIDE[0]
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            if not is_phone:
                self.driver.set_window_size(width, min(max(height, WIDE[1]), 6000))
            screenshot = ARTEFACTS / f"{self.step:02d}-{name}-{label}.png"
            self.driver.save_screenshot(str(screenshot))
            if not is_phone and name in guides.screenshot_names():
                self.keep_for_guides(name, screenshot)
            if is_phone:
                self.phone(False)
            else:
                self.driver.set_window_size(*WIDE)
        if not phone_too and self.audits is not None:  # a form being filled: audited on a phone without a reload
            self.phone()
            self.audit(name, True)
            self.phone(False)

    def keep_for_guides(self, name, screenshot):
        """The guides' image of this step: compared with the one in public/ and, when it looks different (or is
        missing), written there and listed in `stale_guide_images`. The guides show the CKAN a new portal installs:
        on the previous version the image is only made (artefacts), not compared."""
        self.guide_shots.add(name)
        image = guide_image(screenshot)
        (ARTEFACTS / "guides").mkdir(exist_ok=True)
        image.save(ARTEFACTS / "guides" / f"{name}.webp", "WEBP", quality=70)
        if not adapters.CKAN_2_12:
            return
        committed = GUIDE_IMAGES / f"{name}.webp"
        changed = difference(Image.open(committed), image) if committed.exists() else None
        if changed is not None and changed <= GUIDE_TOLERANCE:
            return
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        image.save(committed, "WEBP", quality=70)
        self.stale_guide_images.append(f"{name} ({'new' if changed is None else f'{changed:.3f} different'})")

    def text(self):
        return self.find("body").text


@pytest.fixture
def visit(browser, portal):
    # CKAN resets the config before every test: the site URL (redirects after login) stays the live portal's, which
    # the policy's form-action 'self' requires.
    tk.config["ckan.site_url"] = portal
    return Visit(browser, portal)


def _table() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kecamatan", "Jumlah Penduduk (jiwa)"])  # the unit in the header, as BPS tables write it
    for row in [("Kepanjenkidul", 46210), ("Sananwetan", 58774), ("Sukorejo", 52103)]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _press(visit, transition, note=None, shot=None):
    """Presses the button of `transition` in the dataset page's verification panel (and, for a publication or a
    withdrawal, the confirmation page's button, after a screenshot named `shot`)."""
    form = f"form.satudata-transition:has(input[name=transition][value={transition}])"
    if note is not None:
        visit.fill(f"{form} textarea[name=note]", note)
    visit.submit(f"{form} button[type=submit]")
    if transition in ("terbitkan", "tarik"):
        visit.find(".satudata-confirm")
        if shot:
            visit.shot(shot, phone_too=True)
        visit.submit("form.satudata-confirmed button[type=submit]")


def _state(name):
    from ckan import model
    return transitions.current_state(model.Package.get(name).id)


# --- the SOP --------------------------------------------------------------------------------------------------

def test_the_whole_sop_by_clicks(visit, world, tmp_path, with_test_worker, capsys):
    name = "penduduk-per-kecamatan"
    upload = tmp_path / "penduduk.xlsx"
    upload.write_bytes(_table())
    jobs.get_queue().empty()
    visit.audits = {}  # every page the walk shows: axe-core, and no sideways scroll on a phone

    # SOP step 3: the operator lands on their tasks and creates the dataset with its metadata (the form in the BPS
    # sections; its choices start empty) ...
    visit.log_in("operator", world)
    assert visit.driver.current_url.endswith("/dasbor")
    visit.shot("operator-tasks")
    visit.click("a.satudata-add-dataset")
    assert Select(visit.find("#field-urusan")).first_selected_option.get_attribute("value") == ""
    visit.fill("#field-title", "Penduduk per Kecamatan")
    visit.driver.execute_script("document.getElementById('field-name').value = arguments[0];", name)
    visit.fill("#field-notes", "Jumlah penduduk Kota Blitar menurut kecamatan.")
    visit.choose("#field-urusan", "kesehatan")
    visit.fill("#field-definisi", "Banyaknya penduduk yang tercatat pada akhir tahun.")
    visit.fill("#field-satuan", "orang")
    visit.fill("#field-tahun_data_awal", "2024")
    visit.fill("#field-tahun_data_akhir", "2024")
    visit.choose("#field-frekuensi", "tahunan")
    visit.choose("#field-cara_pengumpulan", "kompilasi-produk-administrasi")
    visit.fill("#field-sumber_data", "Dispendukcapil Kota Blitar")
    visit.choose("#field-sifat_data", "terbuka")
    visit.shot("operator-dataset-form")
    visit.click("form#dataset-edit button[name=save]")

    # ... and uploads the .xlsx on the resource form.
    visit.find("form#resource-edit")
    visit.driver.execute_script(
        "var f = document.querySelector('input[type=file][name=upload]'); f.style.display = 'block';"
        "f.removeAttribute('hidden'); f.classList.remove('d-none');")
    visit.find("input[type=file][name=upload]").send_keys(str(upload))
    visit.count("entries")
    visit.fill("#field-name", "Penduduk 2024")
    visit.shot("operator-resource-upload")
    visit.submit("button[name=save][value=go-metadata]")
    visit.find("#satudata-status-strip")
    assert _state(name) == transitions.DRAF
    # Not loaded yet: the page says why it cannot be submitted.
    assert visit.all("#satudata-status-strip .satudata-submit-refusal")
    visit.shot("operator-not-loaded-yet")

    # The worker reads and loads the file (xloader's queue, our typed load).
    jobs.Worker().work(burst=True)
    visit.go(f"/dataset/{name}")
    resource_link = visit.find(".resource-item a.heading").get_attribute("href")
    # Loaded, but a column has no definition yet (MS-Var): the operator follows the link to the Data Dictionary,
    # where the loader has described the kecamatan column and taken the unit from the header.
    assert visit.all("#satudata-status-strip .satudata-submit-refusal")
    visit.shot("operator-columns-to-describe", phone_too=True)
    visit.click("#satudata-status-strip .satudata-describe-tables a")
    assert visit.find("#field-msvar-1-definisi").get_attribute("value").startswith("Nama kecamatan di Kota Blitar")
    assert visit.find("#field-msvar-2-nama_variabel").get_attribute("value") == "Jumlah Penduduk"
    assert visit.find("#field-msvar-2-satuan").get_attribute("value") == "jiwa"
    visit.fill("#field-msvar-2-definisi", "Banyaknya penduduk yang tercatat pada akhir tahun.")
    visit.shot("operator-data-dictionary")  # not on a phone here: its refresh would drop what was typed
    visit.submit("form button[name=save]")
    visit.shot("operator-data-dictionary-saved", phone_too=True)
    visit.go(f"/dataset/{name}")
    assert not visit.all("#satudata-status-strip .satudata-submit-refusal")

    # The load made a chart of the table by itself (Kecamatan × Jumlah Penduduk); its form has real selects.
    with visit.uncounted():  # nothing the operator needs to do
        visit.driver.get(resource_link + "/views")
        chart_edit = [a for a in visit.all("a[href*='/edit_view/']") if "Grafik" in a.text]
        assert chart_edit, "the default chart is listed"
        chart_edit[0].click()
        assert visit.find("select#field-x").get_attribute("class").count("form-select")
        visit.shot("operator-chart-form", phone_too=True)
        visit.go(f"/dataset/{name}")
    _press(visit, "ajukan")
    assert _state(name) == transitions.DIAJUKAN
    visit.shot("operator-submitted")

    # SOP step 4: the OPD's verifier finds it in the verification list, sees what changed, returns it.
    visit.log_in("verifikator_opd", world)
    assert visit.driver.current_url.endswith("/verifikasi")  # lands on the queue
    visit.shot("verifier-queue", phone_too=True)
    visit.click(f"table.satudata-queue a[href$='/verifikasi/{name}']")
    visit.find(".satudata-preview")  # one page: the table's first rows beside the buttons
    visit.shot("verifier-one-page", phone_too=True)
    _press(visit, "kembalikan_opd", note=REASON)
    assert _state(name) == transitions.PERLU_PERBAIKAN

    # The operator comes back to their tasks, reads the reason there and on the edit form, fixes the unit and
    # resubmits from the dataset page.
    visit.come_back("operator", "/dasbor")
    assert REASON in visit.find(f".satudata-dash-returned li:has(a[href$='/dataset/{name}'])").text
    visit.shot("operator-sees-the-reason", phone_too=True)
    visit.click(f".satudata-dash-returned a.satudata-fix[href$='/dataset/edit/{name}']")
    assert REASON in visit.find("#satudata-status-strip .satudata-return-note").text
    visit.fill("#field-satuan", "jiwa")
    visit.shot("operator-edit-form")
    visit.submit("form#dataset-edit button[name=save]")
    _press(visit, "ajukan")
    assert _state(name) == transitions.DIAJUKAN

    # SOP steps 4–6: both verifications (each verifier lands on their queue) and the publication.
    visit.come_back("verifikator_opd", "/verifikasi")
    visit.click(f"table.satudata-queue a[href$='/verifikasi/{name}']")
    _press(visit, "verifikasi_opd")
    visit.log_in("verifikator_kominfotik", world)
    visit.click(f"table.satudata-queue a[href$='/verifikasi/{name}']")
    _press(visit, "verifikasi_walidata")
    visit.log_in("walidata", world)
    visit.shot("walidata-tasks")
    visit.click(f".satudata-dash-queue a[href$='/verifikasi/{name}']")  # on the Walidata's tasks
    visit.shot("walidata-before-publishing")
    _press(visit, "terbitkan", shot="walidata-confirms-publishing")
    assert _state(name) == transitions.TERBIT

    # A visitor finds it on the home page (the latest published datasets), previews the table and the chart and
    # downloads it; the search finds it too.
    visit.log_out()
    with visit.uncounted():
        visit.go("/dataset/?q=" + urllib.parse.quote("Penduduk per Kecamatan"))
        visit.find(f"li.dataset-item a[href$='/dataset/{name}']")
        visit.shot("search", phone_too=True)
    visit.go("/")
    visit.shot("home", phone_too=True)
    visit.click(f"ul.satudata-list a[href$='/dataset/{name}']")  # "Terbaru"
    assert "jiwa" in visit.text()
    visit.shot("dataset", phone_too=True)
    visit.click(".resource-item a.heading")
    visit.driver.switch_to.frame(visit.find(".resource-view iframe"))
    try:  # the table's rows, not "Sedang memproses..."
        visit.find("#dtprv tbody td")
    finally:
        visit.driver.switch_to.default_content()
    visit.shot("resource-table", phone_too=True)
    chart_tab = [a for a in visit.all("a[href*='view_id=']") if "Grafik" in a.text]
    assert chart_tab, "the chart view is listed"
    chart_tab[0].click()
    visit.count("clicks")
    visit.find(".satudata-chart-view svg")
    visit.shot("resource-chart")
    download = visit.find("a.resource-url-analytics").get_attribute("href")
    with urllib.request.urlopen(download) as response:
        body = response.read()
    visit.count("clicks")
    assert response.status == 200 and body[:2] == b"PK"  # the .xlsx the operator uploaded

    # The walk measured: every person's clicks and field entries, logins included (104 before the people's day).
    summary = (f"The SOP by clicks: {sum(visit.counts.values())} actions ({visit.counts['clicks']} clicks, "
               f"{visit.counts['entries']} field entries)")
    (ARTEFACTS / "sop-clicks.txt").write_text(summary + "\n")
    with capsys.disabled():
        print("\n" + summary)
    assert sum(visit.counts.values()) <= MAX_SOP_ACTIONS, summary
    assert visit.audits == {}, "\n".join(f"{page}: {found}" for page, found in visit.audits.items())
    # The guides (/panduan) show these steps as they are now.
    assert visit.guide_shots == guides.screenshot_names(), "a guide shows a step the walk no longer takes"
    assert not visit.stale_guide_images, (
        f"The guides' screenshots changed: the new images are in {GUIDE_IMAGES}; look at them and commit them "
        f"(docs/guides.md): {', '.join(visit.stale_guide_images)}")


# --- accessibility and phones on the main pages --------------------------------------------------------------

def _pages(world):
    """(who, path) of the pages checked: the public ones anonymously, the workflow's as the Walidata."""
    published = world.datasets[transitions.TERBIT]
    resource = published["resources"][0]["id"]
    return [(None, "/"), (None, "/dataset/"), (None, f"/dataset/{published['name']}"),
            (None, f"/dataset/{published['name']}/resource/{resource}"),
            (None, "/panduan"), (None, "/panduan/operator-data"),
            ("walidata", "/verifikasi"), ("walidata", "/laporan"), ("walidata", "/elemen-data"),
            ("walidata", "/dashboard/datasets")]


def _visit_each(visit, world):
    current = "nobody"
    for who, path in _pages(world):
        if who != current:
            if who:
                visit.log_in(who, world)
            else:
                visit.log_out()
            current = who
        visit.go(path)
        visit.find("footer, .site-footer, body")
        yield path


def test_no_serious_or_critical_accessibility_violation(visit, world):
    found = {}
    for path in _visit_each(visit, world):
        violations = axe_violations(visit.driver)
        if violations:
            found[path] = violations
    assert found == {}


def test_no_page_scrolls_sideways_on_a_phone(visit, world):
    visit.phone()
    wide = {}
    try:
        for path in _visit_each(visit, world):
            scroll, inner = visit.driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                wide[path] = (scroll, inner)
                visit.driver.save_screenshot(str(ARTEFACTS / f"too-wide-{len(wide)}.png"))
    finally:
        visit.phone(False)
    assert wide == {}


def test_dates_and_numbers_as_the_browser_shows_them(visit, world):
    """After the page's JavaScript ran (CKAN's rewrote dataset times into the browser's zone, "1 Desember 2026,
    06.20 (UTC+00:00)"), the pages still write dates, times and numbers as language/formats.py does."""
    from ckanext.satudata_blitar.tests.indonesian_text import english_formats

    found = {}
    for path in _visit_each(visit, world):
        pieces = english_formats(visit.text())
        if pieces:
            found[path] = pieces
    assert found == {}


def test_logging_out_takes_the_account_bars_button_not_a_link(visit, world):
    """GET /user/_logout asks (a POST button); the account bar's button logs out (docs/security.md, "Accounts and
    sessions"). Screenshots of the bar and the page at 1280 and 390 px."""
    visit.log_in("operator", world)
    visit.go("/dashboard/datasets")
    visit.shot("account-bar", phone_too=True)
    visit.go("/user/_logout")
    visit.find(".module-content form[method=post] button[type=submit]")
    visit.shot("logout-page", phone_too=True)
    visit.go("/dashboard/datasets")
    assert "/user/login" not in visit.driver.current_url  # still logged in
    visit.click(".account form[action$='/user/_logout'] button")
    WebDriverWait(visit.driver, WAIT).until(lambda d: "logged_out" in d.current_url)
    # (Redirects of the live test portal name test.ini's site URL: a page that answers directly shows the result.)
    visit.go("/dataset/")
    visit.find("footer")
    assert not visit.all(".account form[action$='/user/_logout']")

LANDINGS = {"operator": "/dasbor", "verifikator_opd": "/verifikasi", "verifikator_kominfotik": "/verifikasi",
            "walidata": "/dasbor", "sysadmin": "/dasbor"}


def test_each_role_lands_on_its_work_with_an_account_bar_in_words_on_one_row(visit, world):
    """Logged in through the form, each role lands on its work; the account bar names every link and keeps to one
    row on a phone. Screenshots of each landing at 1280 and 390 px, in Indonesian and English."""
    for viewer, landing in LANDINGS.items():
        visit.log_in(viewer, world)
        assert visit.driver.current_url.endswith(landing), (viewer, visit.driver.current_url)
        labels = [element.text for element in visit.all(".account-masthead .account li .satudata-label")]
        assert labels and all(labels), (viewer, labels)
        visit.shot(f"landing-{viewer}", phone_too=True)
        visit.go("/en" + landing)
        visit.shot(f"landing-{viewer}-en", phone_too=True)
        visit.phone()
        try:
            visit.driver.refresh()
            rows = visit.driver.execute_script(
                "return Array.from(document.querySelectorAll('.account-masthead .account > ul > li'))"
                ".map(li => li.getBoundingClientRect().top);")
            assert len(set(round(top) for top in rows)) == 1, (viewer, rows)
        finally:
            visit.phone(False)


def test_the_changed_pages_at_both_widths_and_languages(visit, world):
    """Screenshots of the pages this part changed, for people to look at: the dataset form, the resource form with
    "Ganti berkas", the confirmation before a publication, the 404 page."""
    draft = world.datasets[transitions.DRAF]
    resource = draft["resources"][0]["id"]
    visit.log_in("operator", world)
    for prefix in ("", "/en"):
        for name, path in (("dataset-form", "/dataset/new"),
                           ("resource-form", f"/dataset/{draft['name']}/resource/{resource}/edit"),
                           ("not-found", "/halaman-yang-tidak-ada")):
            visit.go(prefix + path)
            visit.find("footer")
            visit.shot(f"changed-{name}{prefix.replace('/', '-')}", phone_too=True)
        visit.driver.execute_script("window.onbeforeunload = null; if (window.jQuery) { jQuery(window).off('beforeunload'); }")
    approved = world.datasets[transitions.DISETUJUI]
    visit.log_in("walidata", world)
    visit.go(f"/dataset/{approved['name']}")
    visit.submit("form.satudata-transition:has(input[name=transition][value=terbitkan]) button[type=submit]")
    visit.find(".satudata-confirm")
    visit.shot("changed-confirm-publish", phone_too=True)
    assert _state(approved["name"]) == transitions.DISETUJUI  # asked, not published


def test_the_report_tabs_at_both_widths_and_languages(visit, world):
    """/laporan shows one report at a time: the tabs, in both languages, at 1280 and 390 px (screenshots)."""
    visit.log_in("walidata", world)
    for prefix, tabs in (("", ["Pemantauan", "Evaluasi"]), ("/en", ["Monitoring", "Evaluation"])):
        for report in ("monitoring", "evaluation"):
            visit.go(f"{prefix}/laporan?period=2026&report={report}")
            visit.find("section#" + report)
            assert [tab.text for tab in visit.all(".satudata-report-tabs a")] == tabs
            assert visit.find(".satudata-report-tabs a.active").text == tabs[report == "evaluation"]
            visit.shot(f"reports-{report}{prefix.replace('/', '-')}", phone_too=True)


# --- the Content-Security-Policy in the browser, and files never rendered on the portal's origin ---------------

INLINE_PROBE = """
const probe = document.createElement('script');
probe.textContent = 'window.satudataInlineRan = true;';
document.body.appendChild(probe);
return window.satudataInlineRan === true;
"""


def _policy_messages(driver):
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]]


def test_the_pages_work_under_the_content_security_policy(visit, world):
    """The policy holds (an inline script put into the page does not run) and blocks nothing the pages need: no
    violation in the console on the main pages, the resource form's included."""
    _policy_messages(visit.driver)  # empties the log
    pages = list(_visit_each(visit, world))
    visit.log_in("operator", world)
    visit.go(f"/dataset/{world.datasets[transitions.DRAF]['name']}/resource/new")
    visit.find("form#resource-edit")
    visit.click("#resource-link-button")
    assert visit.find("#resource-url-link").is_selected()
    # CKAN's resource form keeps its inline onclick attributes: blocked (reported once each as the page loads) and
    # replaced by assets/js/upload-field.js, whose Link button works above.
    found = [message for message in _policy_messages(visit.driver)
             if not ("/resource/new - " in message and "inline event handler" in message)]
    assert visit.driver.execute_script(INLINE_PROBE) is not True
    # The changed form asks before the page is left (CKAN's beforeunload): the next test's browser leaves quietly.
    visit.driver.execute_script("window.onbeforeunload = null; if (window.jQuery) { jQuery(window).off('beforeunload'); }")
    visit.go("/")
    visit.find("footer, .site-footer, body")
    assert pages and found == [], "\n".join(found)


def test_a_refused_file_opened_by_the_walidata_runs_no_script(visit, world, with_test_worker, tmp_path):
    """The Walidata is told to open refused files to see what is wrong: the download of a refused page or SVG is a
    download, never a page of the portal that runs the file's script."""
    import io as _io
    import time

    from werkzeug.datastructures import FileStorage
    import ckan.tests.helpers as helpers

    script = ("document.title='XSS-RAN';fetch('/api/3/action/organization_member_create',{method:'POST',"
              "headers:{'Content-Type':'application/json'},body:JSON.stringify({id:'diskominfotik',"
              "username:'ckan-member',role:'admin'})})")
    files = {"page.html": f"<!DOCTYPE html><html><body><script>{script}</script></body></html>",
             "gambar.svg": f'<svg xmlns="http://www.w3.org/2000/svg"><script>{script}</script></svg>'}
    operator = {"user": world.name("operator")}
    dataset = helpers.call_action("package_create", context=operator, **world_module._body(world, "berkas-jahat"))
    resources = {name: helpers.call_action("resource_create", context=operator, package_id=dataset["id"], name=name,
                                           format=name.rsplit(".", 1)[1].upper(),
                                           upload=FileStorage(_io.BytesIO(body.encode()), name))
                 for name, body in files.items()}
    jobs.Worker().work(burst=True)
    assert {helpers.call_action("satudata_upload_check", id=res["id"])["status"] for res in resources.values()} \
        == {"error"}

    visit.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    visit.log_in("walidata", world)
    for name, res in resources.items():
        visit.go(f"/dataset/{dataset['name']}/resource/{res['id']}")
        title = visit.driver.title
        visit.go(f"/dataset/{dataset['id']}/resource/{res['id']}/download/{name}")
        deadline = time.time() + WAIT
        while not (tmp_path / name).exists() and time.time() < deadline:
            time.sleep(0.2)
        assert visit.driver.title == title != "XSS-RAN"
        assert (tmp_path / name).read_bytes() == files[name].encode()  # downloaded, not shown
        # What is wrong is seen on the resource's upload check: the start of the file as text.
        visit.go(f"/dataset/{dataset['name']}/resource/{res['id']}")
        assert "document.title=" in visit.find(".satudata-file-excerpt pre").get_attribute("textContent")
    members = helpers.call_action("member_list", id="diskominfotik", object_type="user")
    assert world.users["ckan_member"]["id"] not in {member[0] for member in members}


# --- phones read the content first; the public resource page is for citizens ---------------------------------

def _table_dataset(world):
    """A published dataset whose table is in the DataStore with its table view (once per module)."""
    name = "tabel-publik"
    from ckan import model
    if not model.Package.get(name):
        created = world_module.dataset_in_state(world, transitions.TERBIT, name=name, with_datastore=True)
        tk.get_action("datastore_upsert")({"user": world.name("sysadmin")}, {
            "resource_id": created["resources"][0]["id"], "method": "insert", "force": True,
            "records": [{"kecamatan": "Sananwetan", "jumlah": 58231}]})
    dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    return name, dataset["resources"][0]["id"]


OVERFLOW = """
const inner = window.innerWidth;
return [document.documentElement.scrollWidth,
        Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null).map(t => {
          const box = t.parentElement;
          const scrolls = t.scrollWidth > box.clientWidth + 1;
          const cue = box.closest('.satudata-wide');
          return [t.className, scrolls, !!cue && getComputedStyle(cue).overflowX === 'auto',
                  !!cue && !!cue.querySelector('.satudata-scroll-cue')
                  && getComputedStyle(cue.querySelector('.satudata-scroll-cue')).display !== 'none'];
        }).filter(row => row[1])];
"""


def test_phone_pages_put_the_content_first_and_never_scroll_sideways(visit, world):
    """At 390 px: the dataset's and the resource's content comes before the sidebar; the table's toolbar does not
    overlap; no page of the walk scrolls sideways; a table wider than the phone scrolls in its own box, which says
    so. Screenshots at 1280 and 390 px."""
    name, resource = _table_dataset(world)
    pages = [(None, f"/dataset/{name}"), (None, f"/dataset/{name}/resource/{resource}"),
             ("walidata", "/elemen-data"), ("walidata", "/dasbor"), ("walidata", "/verifikasi"),
             ("operator", "/dasbor"), ("operator", f"/dataset/{name}/resource/{resource}"),
             ("verifikator_opd", "/verifikasi"), ("verifikator_opd", "/dasbor")]
    problems, current = {}, "nobody"
    for who, path in pages:
        if who != current:
            visit.log_in(who, world) if who else visit.log_out()
            current = who
        visit.go(path)
        visit.find("footer")
        visit.shot(f"phone-{who or 'anonymous'}-{path.strip('/').split('/')[0] or 'home'}", phone_too=True)
        visit.phone()
        try:
            visit.driver.refresh()
            visit.find("footer")
            width, wide_tables = visit.driver.execute_script(OVERFLOW)
            if width > PHONE[0]:
                problems[(who, path, "scrolls sideways")] = (width, visit.driver.execute_script(
                    "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect()"
                    ".right > 391).slice(0, 4).map(e => e.tagName + '.' + e.className)"))
            for table, _, scrolls_in_box, cue in wide_tables:
                if not (scrolls_in_box and cue):
                    problems[(who, path, f"table {table!r} without its own scroll and a cue")] = True
            if path.startswith("/dataset/"):
                primary, secondary = visit.driver.execute_script(
                    "return ['.primary', '.secondary'].map(s => document.querySelector('.wrapper ' + s)"
                    ".getBoundingClientRect().top)")
                if primary > secondary:
                    problems[(who, path, "sidebar before the content")] = (primary, secondary)
            if "/resource/" in path:
                assert "Show more" not in visit.text(), "CKAN's JavaScript messages in Indonesian"
                frame = visit.find("iframe.datatables_view, .resource-view iframe")
                visit.driver.switch_to.frame(frame)
                try:
                    boxes = WebDriverWait(visit.driver, WAIT).until(lambda d: d.execute_script(
                        "const b = ['.dataTables_info, .dt-info', '.dataTables_filter, .dt-search']"
                        ".map(s => document.querySelector(s)); if (!b[0] || !b[1]) return null;"
                        "return b.map(e => { const r = e.getBoundingClientRect();"
                        " return [r.left, r.top, r.right, r.bottom]; });"))
                    (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes
                    if l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1:
                        problems[(who, path, "table toolbar overlaps")] = boxes
                    # Numbers as Indonesians write them, right-aligned.
                    cells = WebDriverWait(visit.driver, WAIT).until(lambda d: d.execute_script(
                        "return Array.from(document.querySelectorAll('#dtprv tbody td'))"
                        ".filter(td => /58/.test(td.textContent))"
                        ".map(td => [td.textContent.trim(), getComputedStyle(td).textAlign]);"))
                    if cells != [["58.231", "right"]]:
                        problems[(who, path, "numbers")] = cells
                    headings = visit.driver.execute_script(
                        "return Array.from(document.querySelectorAll('thead th')).map(th => th.textContent.trim())")
                    if "_id" in headings or "No." not in headings:
                        problems[(who, path, "the row column's heading")] = headings
                    # The footer names the dataset by its title (its tooltip's dates as the portal writes them)
                    # and sorts by "No.", and no label ends in a colon after its box ("Cari: [ ]:").
                    caption, tip, sort, colons = WebDriverWait(visit.driver, WAIT).until(lambda d: d.execute_script(
                        "const c = document.querySelector('div.resourceinfo'), s = document.querySelector('div.sortinfo');"
                        "if (!c || !c.textContent.trim() || !s || !s.textContent.trim()) return null;"
                        "return [c.textContent.trim(), c.querySelector('i').title, s.textContent.trim(),"
                        "Array.from(document.querySelectorAll('label'))"
                        ".filter(l => getComputedStyle(l, '::after').content.includes(':')).map(l => l.textContent)];"))
                    if "(UTC" in tip or "KiB" in tip or not tip.startswith("Data terakhir diperbarui: "):
                        problems[(who, path, "the caption's tooltip")] = tip
                    if not caption.startswith(tk.get_action("package_show")({"ignore_auth": True}, {"id": name})["title"]) or "_id" in sort or "No." not in sort or colons:
                        problems[(who, path, "the table's footer")] = (caption, sort, colons)
                finally:
                    visit.driver.switch_to.default_content()
        finally:
            visit.phone(False)
    assert problems == {}, "\n".join(f"{key}: {value}" for key, value in problems.items())
