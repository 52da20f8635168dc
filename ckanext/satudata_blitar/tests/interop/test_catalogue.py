"""The DCAT catalogue, the per-dataset records, the schema.org block and the sitemap show Terbit datasets only: every
workflow state (plus withdrawn, and a published dataset with a pending revision) × every viewer × every output."""
import json

import pytest
import rdflib
from bs4 import BeautifulSoup
from rdflib.namespace import DCAT, RDF

from ckanext.satudata_blitar.tests import world as world_module

# The states a dataset may be in, and whether the public catalogue shows it.
SHOWN = {"draf": False, "diajukan": False, "terverifikasi_opd": False, "disetujui": False, "terbit": True,
         "perlu_perbaikan": False, "ditarik": False, "direvisi": True, "revisi": False, "lengkap": True}
FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld", "n3": "n3"}
# The public, the OPD's own people, the Walidata and a sysadmin: whoever asks, the catalogue is the public's.
VIEWERS = ["anonymous", "operator", "verifikator_opd", "walidata", "sysadmin"]


def _graph(body: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=FORMATS[fmt])


def _dataset_uris(graph: rdflib.Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}


def _uri(dataset: dict) -> str:
    return f"http://test.ckan.net/dataset/{dataset['id']}"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_catalogue_lists_exactly_the_published_datasets(app, catalogue_world, viewer):
    expected = {_uri(d) for state, d in catalogue_world.datasets.items() if SHOWN[state]}
    for fmt in ("ttl", "rdf", "jsonld"):
        response = app.get(f"/catalog.{fmt}", headers=catalogue_world.token(viewer))
        assert response.status_code == 200
        graph = _graph(response.body, fmt)
        assert _dataset_uris(graph) == expected, (fmt, viewer)
        assert len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1


@pytest.mark.parametrize("viewer", ["anonymous", "operator", "walidata", "sysadmin"])
def test_catalogue_query_cannot_reach_unpublished_datasets(app, catalogue_world, viewer):
    """fq and q of the request only narrow the published catalogue."""
    draft = catalogue_world.datasets["draf"]
    for query in (f"fq=name:{draft['name']}", "fq=capacity:private", "q=*:*&fq=satudata_status:draf",
                  f"q=name:{draft['name']}"):
        response = app.get(f"/catalog.ttl?{query}", headers=catalogue_world.token(viewer))
        assert response.status_code == 200
        assert _uri(draft) not in _dataset_uris(_graph(response.body, "ttl")), query


@pytest.mark.parametrize("viewer", VIEWERS)
def test_dataset_record_only_for_published_datasets(app, catalogue_world, viewer):
    for state, dataset in catalogue_world.datasets.items():
        ref = dataset["name"] if viewer == "anonymous" else dataset["id"]
        response = app.get(f"/dataset/{ref}.jsonld", headers=catalogue_world.token(viewer))
        if SHOWN[state]:
            assert response.status_code == 200
            assert _dataset_uris(_graph(response.body, "jsonld")) == {_uri(dataset)}
        else:
            assert response.status_code == 404, (state, viewer)


@pytest.mark.parametrize("viewer", ["anonymous", "operator", "walidata", "sysadmin"])
def test_dcat_actions_refuse_unpublished_datasets(app, catalogue_world, viewer):
    for state, dataset in catalogue_world.datasets.items():
        response = app.post("/api/3/action/dcat_dataset_show", json={"id": dataset["id"], "format": "ttl"},
                            headers=catalogue_world.token(viewer))
        assert response.status_code == (200 if SHOWN[state] else 404), (state, viewer)


def test_every_serialisation_parses(app, catalogue_world):
    dataset = catalogue_world.datasets["lengkap"]
    for fmt in FORMATS:
        for url in (f"/catalog.{fmt}", f"/dataset/{dataset['name']}.{fmt}"):
            response = app.get(url)
            assert response.status_code == 200
            assert _uri(dataset) in _dataset_uris(_graph(response.body, fmt)), url


def test_catalogue_is_paged(app, catalogue_world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dcat.datasets_per_page", 2)
    published = {_uri(d) for state, d in catalogue_world.datasets.items() if SHOWN[state]}
    seen = set()
    for page in (1, 2):
        graph = _graph(app.get(f"/catalog.ttl?page={page}").body, "ttl")
        on_page = _dataset_uris(graph)
        assert len(on_page) == (2 if page == 1 else len(published) - 2)
        seen |= on_page
    assert seen == published
    hydra = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
    first = _graph(app.get("/catalog.ttl?page=1").body, "ttl")
    assert any(str(o).endswith("page=2") for o in first.objects(None, hydra.nextPage))


def _structured_data(html: str) -> list[dict]:
    soup = BeautifulSoup(html, "html.parser")
    return [json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')]


@pytest.mark.parametrize("viewer", ["anonymous", "operator", "walidata"])
def test_schema_org_only_in_published_dataset_pages(app, catalogue_world, viewer):
    for state, dataset in catalogue_world.datasets.items():
        response = app.get(f"/dataset/{dataset['name']}", headers=catalogue_world.token(viewer))
        if response.status_code != 200:
            assert not SHOWN[state] and response.status_code in (403, 404)
            continue
        blocks = _structured_data(response.body)
        if SHOWN[state]:
            graph = blocks[0]["@graph"] if "@graph" in blocks[0] else [blocks[0]]
            datasets = [n for n in graph if n.get("@type") in ("schema:Dataset", "Dataset")]
            assert datasets and datasets[0]["schema:name" if "schema:name" in datasets[0] else "name"] \
                == dataset["title"], blocks
        else:
            assert blocks == [], (state, viewer)


@pytest.mark.parametrize("viewer", ["anonymous", "operator", "sysadmin"])
def test_sitemap_lists_exactly_the_published_datasets(app, catalogue_world, viewer):
    response = app.get("/sitemap.xml", headers=catalogue_world.token(viewer))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    soup = BeautifulSoup(response.body, "xml")
    locs = {loc.text for loc in soup.find_all("loc")}
    for state, dataset in catalogue_world.datasets.items():
        assert (f"http://test.ckan.net/dataset/{dataset['name']}" in locs) == SHOWN[state], state
    assert "http://test.ckan.net/panduan-api" in locs
