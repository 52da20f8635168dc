"""Pages a person meets without English or CKAN's placeholders: the Data API pop-up made from the table itself (no
API token asked for public data), the error page of an unknown address, the footer's API link."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _api_info(resource_id):
    if adapters.CKAN_2_12:
        return f"/datastore/api_info/{resource_id}"
    return f"/api/1/util/snippet/api_info.html?resource_id={resource_id}"


@pytest.fixture
def table(organization):
    dataset = satudata_factories.Dataset(name="penduduk-kecamatan", owner_org=organization["id"])
    resource = factories.Resource(package_id=dataset["id"], name="penduduk", url="http://example.com/x.csv")
    helpers.call_action("datastore_create", context={"user": helpers.call_action("get_site_user")["name"]},
                        resource_id=resource["id"], force=True,
                        fields=[{"id": "Kecamatan", "type": "text"}, {"id": "Jumlah", "type": "int"}],
                        records=[{"Kecamatan": "Sukorejo", "Jumlah": 52103}])
    return dataset, resource


def test_the_data_api_pop_up_shows_the_table_s_own_examples_and_no_token_for_public_data(app, sysadmin, table):
    dataset, resource = table
    private = app.get(_api_info(resource["id"]), headers={"Authorization": sysadmin["token"]}).body
    assert "$API_TOKEN" in private  # not published yet: a token is needed

    satudata_factories.published(dataset)
    body = app.get(_api_info(resource["id"])).body
    text = BeautifulSoup(body, "html.parser").get_text(" ", strip=True)
    for english in ("jones", "watershed", "$API_TOKEN", "docs.ckan.org", "CKAN Data API"):
        assert english not in body, english
    assert "tidak perlu akun atau token API" in text
    assert 'Baris dengan Kecamatan "Sukorejo"' in text
    assert "Kecamatan" in text and "Jumlah" in text
    assert "/panduan-api" in body


def test_an_unknown_address_gets_an_indonesian_404(app):
    response = app.get("/halaman-yang-tidak-ada", status=404)
    soup = BeautifulSoup(response.body, "html.parser")
    assert soup.select_one("#error-content h1").get_text(strip=True) == "Halaman tidak ditemukan"
    assert "Not Found" not in response.body and "requested URL" not in response.body
    assert soup.select_one("#error-content a[href='/dataset/']") is not None


def test_the_footer_s_api_link_is_the_api_guide(app):
    soup = BeautifulSoup(app.get("/").body, "html.parser")
    link = next(a for a in soup.select("footer a") if a.get_text(strip=True) == "API untuk pengembang")
    assert link["href"] == "/panduan-api"
