"""The public resource page is for citizens: the file's upload check and the data template (.xlsx) are for the
people of the workflow (the OPD's, the Walidata's), not for a visitor or a user of another OPD."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

pytestmark = pytest.mark.world(with_datastore=True)

WORKFLOW_PEOPLE = ["operator", "verifikator_opd", "verifikator_kominfotik", "walidata", "sysadmin"]
OTHERS = ["anonymous", "operator_other_opd", "verifikator_other_opd"]


def _page(app, world, viewer, path):
    browser = app if viewer == "anonymous" else world_module.logged_in(app, world, viewer)
    return BeautifulSoup(browser.get(path).body, "html.parser")


def _paths(world):
    published = world.datasets[transitions.TERBIT]
    return (f"/dataset/{published['name']}/resource/{published['resources'][0]['id']}",
            f"/dataset/{published['name']}")


@pytest.mark.parametrize("viewer", WORKFLOW_PEOPLE + OTHERS)
def test_the_upload_check_and_the_data_template_are_for_the_workflow_s_people(app, world, viewer):
    resource_page, dataset_page = _paths(world)
    page = _page(app, world, viewer, resource_page)
    dataset = _page(app, world, viewer, dataset_page)
    template = 'a[href$="/template.xlsx"]'
    shown = (bool(page.select("#satudata-upload-report")), bool(dataset.select(".satudata-metadata-xlsx " + template)))
    assert page.select(".resource-view, .module-resource"), "the resource page itself is shown"
    assert shown == ((True, True) if viewer in WORKFLOW_PEOPLE else (False, False)), shown


def _information(page) -> dict[str, str]:
    """The rows of the page's "Informasi Tambahan" table: label -> value."""
    return {row.th.get_text(strip=True): row.td.get_text(strip=True) for row in page.select("table tbody tr")
            if row.th and row.td}


def test_the_additional_information_shows_what_the_opd_filled_in_and_no_empty_row(app, world):
    import ckan.tests.helpers as helpers

    resource_page, _dataset_page = _paths(world)
    resource_id = resource_page.rsplit("/", 1)[-1]

    def rows():
        return _information(_page(app, world, "anonymous", resource_page))

    assert "Tahun / Periode" not in rows()  # left empty
    helpers.call_action("resource_patch", context={"user": world.name("sysadmin")}, id=resource_id, periode="2024")
    assert rows()["Tahun / Periode"] == "2024"


def test_an_upload_s_size_reads_in_kb_and_its_raw_address_is_not_shown(app, world):
    import ckan.tests.helpers as helpers

    resource_page, _dataset_page = _paths(world)
    resource_id = resource_page.rsplit("/", 1)[-1]
    helpers.call_action("resource_patch", context={"user": world.name("sysadmin")}, id=resource_id, size=4915)
    page = _page(app, world, "anonymous", resource_page)
    assert _information(page)["Ukuran Berkas"] == "4,8 KB"
    assert helpers.call_action("resource_show", id=resource_id)["url_type"] == "upload"
    shown = [p.get_text(" ", strip=True) for p in page.select(".module-content p")]
    assert shown and not [text for text in shown if text.startswith("URL:")], shown
    assert page.select("a.resource-url-analytics.btn"), "the Download button keeps the file's address"
