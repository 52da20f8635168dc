"""/panduan: a guide per role, public, in Indonesian with English at /en/, each step's screenshot a file the portal
serves (the browser walk keeps them current: tests/test_browser.py)."""
from __future__ import annotations

import pathlib

from bs4 import BeautifulSoup

from ckanext.satudata_blitar.views import guides

PUBLIC = pathlib.Path(__file__).resolve().parents[2] / "public"


def _page(app, url, status=200):
    return BeautifulSoup(app.get(url, status=status).body, "html.parser")


def test_the_guides_index_lists_one_guide_per_role_for_everyone(app):
    page = _page(app, "/panduan")
    assert page.h1.get_text(strip=True) == "Panduan"
    links = [a["href"] for a in page.select(".satudata-guide-list a")]
    assert links == [f"/panduan/{slug}" for slug in ("operator-data", "verifikator", "walidata", "masyarakat")]
    assert "Panduan" in [a.get_text(strip=True) for a in page.select("footer a")]


def test_a_guide_shows_its_steps_with_the_walk_s_screenshots_in_indonesian_and_english(app):
    page = _page(app, "/panduan/operator-data")
    assert page.h1.get_text(strip=True) == "Panduan untuk Operator Data"
    steps = page.select(".satudata-guide-steps > li")
    assert [step.h2.get_text(strip=True) for step in steps][:2] == ["Tugas Anda setelah masuk",
                                                                    "Isi metadata dataset"]
    images = [img["src"] for img in page.select(".satudata-guide-steps img")]
    assert images[0] == "/satudata_blitar/panduan/operator-tasks.webp"
    for src in images:  # every image the guide shows is served
        response = app.get(src)
        assert response.headers["Content-Type"] == "image/webp" and response.get_data()[8:12] == b"WEBP"

    english = _page(app, "/en/panduan/verifikator")
    assert english.h1.get_text(strip=True) == "Guide for Verifiers"
    assert "Verify or return from one page" in english.get_text()


def test_every_screenshot_a_guide_names_is_in_the_package():
    names = guides.screenshot_names()
    assert names, "the guides show screenshots"
    missing = [name for name in names if not (PUBLIC / guides.SCREENSHOT_PATH / f"{name}.webp").is_file()]
    assert missing == []


def test_an_unknown_guide_is_not_found(app):
    page = _page(app, "/panduan/tidak-ada", status=404)
    assert "Panduan tidak ditemukan" in page.get_text()
