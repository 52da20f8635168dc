"""Page views as CKAN's `tracking` plugin counts them feed the home page's "Paling banyak dilihat" (most viewed):
views recorded in tracking_raw, `ckan tracking update`, then the home page lists the viewed published datasets,
most viewed first, and nothing unpublished or never viewed."""
from __future__ import annotations

import datetime
import re

import pytest
from bs4 import BeautifulSoup

import ckan.tests.factories as ckan_factories
from ckanext.tracking.cli.tracking import tracking
from ckanext.tracking.model import TrackingRaw

from ckanext.satudata_blitar.tests import factories

PLUGINS = ("satudata_blitar activity satudata_interop scheming_datasets scheming_organizations datastore xloader "
           "datatables_view satudata_chart dcat structured_data tracking")

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS)]


def _view(name: str, visitors: int) -> None:
    for number in range(visitors):
        TrackingRaw.create(user_key=f"pengunjung-{number}", url=f"/dataset/{name}", tracking_type="page")


def _most_viewed(app) -> list[str]:
    soup = BeautifulSoup(app.get("/en/").body, "html.parser")
    column = next(h2.parent for h2 in soup.select("h2") if h2.get_text(strip=True) == "Most viewed")
    return [a["href"].rsplit("/", 1)[-1] for a in column.select("ul.satudata-list a")]


def test_counted_views_order_the_most_viewed_datasets(app, cli):
    org = ckan_factories.Organization()
    for name in ("data-sering", "data-jarang", "data-belum-dilihat"):
        factories.published(factories.Dataset(name=name, owner_org=org["id"]))
    factories.Dataset(name="data-draf", owner_org=org["id"])
    assert _most_viewed(app) == []  # nothing counted yet

    _view("data-sering", 3)
    _view("data-jarang", 1)
    _view("data-draf", 5)
    result = cli.invoke(tracking, ["update", datetime.date.today().isoformat()])
    assert result.exit_code == 0, result.output

    assert _most_viewed(app) == ["data-sering", "data-jarang"]


def test_pages_tracking_overrides_still_render(app):
    """The tracking plugin brings its own page, search, dataset item and OPD templates (its script, the "Popular"
    sort, view badges): ours and its must render together."""
    org = ckan_factories.Organization(name="dinas-kesehatan")
    factories.published(factories.Dataset(name="data-terbit", owner_org=org["id"]))
    _view("data-terbit", 2)
    for url in ("/dataset/", "/dataset/data-terbit", "/organization/dinas-kesehatan", "/opd", "/"):
        response = app.get(url)
        assert response.status_code == 200, url
    assert re.search(r"/webassets/tracking/\w*tracking.js", app.get("/dataset/data-terbit").body)  # its script
