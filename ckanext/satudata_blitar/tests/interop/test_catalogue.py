"""The DCAT catalogue, the per-dataset records, the schema.org block and the sitemap show Terbit datasets only: every
workflow state (plus withdrawn, and a published dataset with a pending revision) × every viewer × every output."""
import json

import pytest
import rdflib
import rdflib.collection
from bs4 import BeautifulSoup
from rdflib.namespace import DCAT, RDF

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tests.interop.catalogue_world import extend_catalogue_world

pytestmark = pytest.mark.world(extend=extend_catalogue_world)

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
def test_catalogue_lists_exactly_the_published_datasets(app, world, viewer):
    expected = {_uri(d) for state, d in world.datasets.items() if SHOWN[state]}
    for fmt in ("ttl", "rdf", "jsonld"):
        response = app.get(f"/catalog.{fmt}", headers=world.token(viewer))
        assert response.status_code == 200
        graph = _graph(response.body, fmt)
        assert _dataset_uris(graph) == expected, (fmt, viewer)
        assert len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1


@pytest.mark.parametrize("viewer", ["anonymous", "sysadmin"])
def test_catalogue_query_cannot_reach_unpublished_datasets(app, world, viewer):
    """fq and q of the request only narrow the published catalogue."""
    draft = world.datasets["draf"]
    for query in (f"fq=name:{draft['name']}", "fq=capacity:private", "q=*:*&fq=satudata_status:draf",
                  f"q=name:{draft['name']}"):
        response = app.get(f"/catalog.ttl?{query}", headers=world.token(viewer))
        assert response.status_code == 200
        assert _uri(draft) not in _dataset_uris(_graph(response.body, "ttl")), query


@pytest.mark.parametrize("viewer", VIEWERS)
def test_dataset_record_only_for_published_datasets(app, world, viewer):
    for state, dataset in world.datasets.items():
        ref = dataset["name"] if viewer == "anonymous" else dataset["id"]
        response = app.get(f"/dataset/{ref}.jsonld", headers=world.token(viewer))
        if SHOWN[state]:
            assert response.status_code == 200
            assert _dataset_uris(_graph(response.body, "jsonld")) == {_uri(dataset)}
        else:
            assert response.status_code == 404, (state, viewer)


@pytest.mark.parametrize("viewer", ["operator", "sysadmin"])
def test_dcat_actions_refuse_unpublished_datasets(app, world, viewer):
    for state, dataset in world.datasets.items():
        response = app.post("/api/3/action/dcat_dataset_show", json={"id": dataset["id"], "format": "ttl"},
                            headers=world.token(viewer))
        assert response.status_code == (200 if SHOWN[state] else 404), (state, viewer)


def test_every_serialisation_parses(app, world):
    dataset = world.datasets["lengkap"]
    for fmt in FORMATS:
        for url in (f"/catalog.{fmt}", f"/dataset/{dataset['name']}.{fmt}"):
            response = app.get(url)
            assert response.status_code == 200
            assert _uri(dataset) in _dataset_uris(_graph(response.body, fmt)), url


def test_catalogue_is_paged(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dcat.datasets_per_page", 2)
    published = {_uri(d) for state, d in world.datasets.items() if SHOWN[state]}
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


@pytest.mark.parametrize("viewer", ["anonymous", "operator"])
def test_schema_org_only_in_published_dataset_pages(app, world, viewer):
    for state, dataset in world.datasets.items():
        response = app.get(f"/dataset/{dataset['name']}", headers=world.token(viewer))
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


@pytest.mark.parametrize("viewer", ["anonymous", "sysadmin"])
def test_sitemap_lists_exactly_the_published_datasets(app, world, viewer):
    response = app.get("/sitemap.xml", headers=world.token(viewer))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    soup = BeautifulSoup(response.body, "xml")
    locs = {loc.text for loc in soup.find_all("loc")}
    for state, dataset in world.datasets.items():
        assert (f"http://test.ckan.net/dataset/{dataset['name']}" in locs) == SHOWN[state], state
    assert "http://test.ckan.net/panduan-api" in locs


# --- the profile: our BPS metadata in DCAT-AP ------------------------------------------------------------------

DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
EU = "http://publications.europa.eu/resource/authority/"


def _lengkap(app, world) -> tuple[rdflib.Graph, rdflib.URIRef, dict]:
    dataset = world.datasets["lengkap"]
    graph = _graph(app.get(f"/dataset/{dataset['name']}.ttl").body, "ttl")
    return graph, rdflib.URIRef(_uri(dataset)), dataset


def test_profile_maps_the_bps_metadata(app, world):
    g, ref, dataset = _lengkap(app, world)
    one = lambda s, p: g.value(s, p)  # noqa: E731
    publisher = one(ref, DCT.publisher)
    assert str(g.value(publisher, FOAF.name)) == "Dinas Kesehatan"
    assert one(ref, DCT.accrualPeriodicity) == rdflib.URIRef(f"{EU}frequency/ANNUAL")
    period = one(ref, DCT.temporal)
    assert (str(g.value(period, DCAT.startDate)), str(g.value(period, DCAT.endDate))) == ("2020", "2024")
    contact = one(ref, DCAT.contactPoint)
    assert str(g.value(contact, VCARD.fn)) == "Seksi Statistik Dinas Kesehatan"
    assert g.value(contact, VCARD.hasEmail) == rdflib.URIRef("mailto:statistik@blitarkota.go.id")
    assert g.value(contact, VCARD.hasTelephone) == rdflib.URIRef("tel:0342801234")
    themes = set(g.objects(ref, DCAT.theme))
    assert rdflib.URIRef(f"{EU}data-theme/HEAL") in themes
    assert rdflib.URIRef("http://test.ckan.net/dataset/?urusan=kesehatan") in themes
    keywords = {(str(k), k.language) for k in g.objects(ref, DCAT.keyword)}
    assert {("Kesehatan", "id"), ("Health", "en"), ("penduduk", None)} <= keywords
    assert str(one(ref, SKOS.definition)) == dataset["definisi"]
    assert str(one(ref, SKOS.scopeNote)) == dataset["konsep"]
    assert str(one(ref, rdflib.URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"))) == "jiwa"
    provenance = str(g.value(one(ref, DCT.provenance), rdflib.RDFS.label))
    assert "Kompilasi Produk Administrasi" in provenance and dataset["sumber_data"] in provenance
    notations = {str(g.value(i, SKOS.notation)) for i in g.objects(ref, ADMS.identifier)}
    assert notations == {"3572.DK.01", dataset["ms_keg_id"], "67890"}
    assert one(ref, DCT.accessRights) == rdflib.URIRef(f"{EU}access-right/PUBLIC")
    assert one(ref, DCT.language) == rdflib.URIRef(f"{EU}language/IND")
    assert str(one(ref, DCT.issued)) == "2025-03-01"
    sd = rdflib.Namespace("https://satudata.blitarkota.go.id/ns/metadata#")
    assert str(one(ref, sd.ukuran)) == "jumlah" and str(one(ref, sd.level_penyajian)) == "kecamatan"


def test_the_statistical_activity_is_what_generated_a_published_dataset(app, world):
    from ckanext.satudata_blitar.interop import dcat_profile
    from ckanext.satudata_blitar.tests.factories import ACTIVITY_FIELDS
    g, ref, dataset = _lengkap(app, world)
    activity = rdflib.URIRef("http://test.ckan.net/kegiatan-statistik/survei-penduduk")
    assert activity in set(g.objects(ref, rdflib.URIRef("http://www.w3.org/ns/prov#wasGeneratedBy")))
    assert str(g.value(activity, DCT.title)) == "Survei Penduduk"
    # Back from the record (a CKAN harvesting us): the activity with every MS-Keg field.
    back = dcat_profile.parse_activity(g, ref)
    assert back == {"type": "kegiatan-statistik", "name": "survei-penduduk", "title": "Survei Penduduk",
                    **{field: str(value) for field, value in ACTIVITY_FIELDS.items()}}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_an_unpublished_activity_is_in_no_catalogue_output(app, world, viewer):
    for path in ("/catalog.ttl", "/catalog.jsonld", "/sitemap.xml"):
        body = app.get(path, headers=world.token(viewer)).body
        assert "survei-belum-terbit" not in body and "Survei Belum Terbit" not in body, path
    assert app.get("/dataset/survei-belum-terbit.ttl", headers=world.token(viewer),
                   status=None).status_code == 404


def test_datastore_resource_is_a_distribution_with_download_and_dump_urls(app, world):
    g, ref, dataset = _lengkap(app, world)
    resource = dataset["resources"][0]
    distributions = set(g.objects(ref, DCAT.distribution))
    main = rdflib.URIRef(f"http://test.ckan.net/dataset/{dataset['id']}/resource/{resource['id']}")
    assert main in distributions
    assert g.value(main, DCAT.downloadURL) == rdflib.URIRef(resource["url"])
    assert g.value(main, DCAT.accessURL) == rdflib.URIRef(
        f"http://test.ckan.net/dataset/{dataset['name']}/resource/{resource['id']}")
    assert g.value(main, DCT.license) == rdflib.URIRef(dataset["license_url"])
    downloads = {str(g.value(d, DCAT.downloadURL)) for d in distributions}
    assert f"http://test.ckan.net/datastore/dump/{resource['id']}?format=csv" in downloads
    assert f"http://test.ckan.net/datastore/dump/{resource['id']}?format=json" in downloads
    service = g.value(main, DCAT.accessService)
    assert str(g.value(service, DCAT.endpointURL)) == "http://test.ckan.net/api/3/action/datastore_search"


def _shacl(graph: rdflib.Graph):
    import pathlib

    import pyshacl
    shapes = rdflib.Graph().parse(pathlib.Path(__file__).parent / "data" / "dcat_ap_2_shapes.ttl")
    ontology = rdflib.Graph().parse(data="""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        vcard:Organization rdfs:subClassOf vcard:Kind .""", format="turtle")
    return pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="rdfs", advanced=True)


def test_shacl_no_violation_for_a_fully_filled_dataset(app, world):
    graph = _graph(app.get("/catalog.ttl").body, "ttl")
    conforms, _, report = _shacl(graph)
    assert conforms, report


def test_shacl_check_can_fail(app, world):
    """The same shapes catch a dataset without a title and a second publisher."""
    g, ref, _ = _lengkap(app, world)
    g.remove((ref, DCT.title, None))
    g.add((ref, DCT.publisher, rdflib.URIRef("http://example.org/another")))
    g.add((rdflib.URIRef("http://example.org/another"), RDF.type, FOAF.Agent))
    conforms, _, report = _shacl(g)
    assert not conforms
    assert "dct:title" in report or "terms/title" in report


# --- for data users: the "Gunakan data ini" panel and the API guide -------------------------------------------------

def _panel(html: str):
    return BeautifulSoup(html, "html.parser").select_one("#gunakan-data")


def test_use_data_panel_on_a_published_dataset_and_its_resource(app, world):
    dataset = world.datasets["lengkap"]
    rid = dataset["resources"][0]["id"]
    for url in (f"/dataset/{dataset['name']}", f"/dataset/{dataset['name']}/resource/{rid}"):
        panel = _panel(app.get(url).body)
        assert panel is not None, url
        assert panel.h2.get_text(strip=True) == "Gunakan data ini"
        code = "\n".join(c.get_text() for c in panel.select("pre code"))
        assert f"/api/3/action/datastore_search?resource_id={rid}" in code
        assert f'SELECT * FROM "{rid}"' in code and "datastore_search_sql" in code
        assert "import requests" in code and "RemoteCKAN" in code and "read.csv(" in code
        links = {a["href"] for a in panel.select("a")}
        assert f"http://test.ckan.net/datastore/dump/{rid}?format=csv&bom=True" in links
        assert f"http://test.ckan.net/datastore/dump/{rid}?format=json" in links
        assert f"http://test.ckan.net/dataset/{dataset['name']}/resource/{rid}/data.xlsx" in links
        assert "/panduan-api" in links


def test_no_use_data_panel_on_an_unpublished_dataset(app, world):
    for state in ("draf", "disetujui", "ditarik", "revisi"):
        dataset = world.datasets[state]
        page = app.get(f"/dataset/{dataset['name']}", headers=world.token("operator"))
        assert page.status_code == 200
        assert _panel(page.body) is None, state
        rid = dataset["resources"][0]["id"]
        page = app.get(f"/dataset/{dataset['name']}/resource/{rid}", headers=world.token("operator"))
        assert page.status_code == 200 and _panel(page.body) is None, state


def test_api_guide_in_indonesian_and_english(app, world):
    page = app.get("/panduan-api")
    assert page.status_code == 200
    soup = BeautifulSoup(page.body, "html.parser")
    assert soup.select_one("h1.page-heading").get_text(strip=True) == "Panduan API"
    text = soup.get_text()
    assert "package_search" in text and "datastore_search_sql" in text and "catalog.ttl" in text
    assert "tanpa akun" in text
    shown = {d["name"] for state, d in world.datasets.items() if SHOWN[state]}
    assert any(f"package_show?id={name}" in text for name in shown)
    english = BeautifulSoup(app.get("/en/panduan-api").body, "html.parser")
    assert english.select_one("h1.page-heading").get_text(strip=True) == "API guide"


# --- MS-Var: each column of a published table as a CSVW table schema (dct:conformsTo) -------------------------------

MS_VAR = {"nama_variabel": "Jumlah Penduduk", "alias": "JP", "konsep": "Penduduk menurut domisili.",
          "definisi": "Banyaknya penduduk pada akhir tahun.", "referensi_pemilihan": "Penduduk ber-KTP Kota Blitar.",
          "referensi_waktu": "31 Desember", "tipe_data": "bilangan_bulat", "klasifikasi_isian": "Kode Kemendagri",
          "ukuran": "Jumlah", "satuan": "jiwa", "aturan_validasi": "Bilangan bulat ≥ 0.",
          "kalimat_pertanyaan": "Berapa jumlah penduduk?", "akses_publik": "ya"}


def test_every_ms_var_element_travels_in_dcat_and_comes_back(app, world):
    import ckan.tests.helpers as helpers
    from ckanext.dcat.processors import RDFParser

    dataset = world.datasets["lengkap"]
    resource = dataset["resources"][0]
    fields = helpers.call_action("datastore_info", id=resource["id"])["fields"]
    helpers.call_action("datastore_create", context={"user": world.name("sysadmin")}, resource_id=resource["id"],
                        force=True, fields=[{"id": f["id"], "type": f["type"],
                                             "info": MS_VAR if f["id"] == "jumlah" else f["info"]} for f in fields])
    body = app.get(f"/dataset/{dataset['name']}.ttl").body
    g, main = _graph(body, "ttl"), rdflib.URIRef(f"{_uri(dataset)}/resource/{resource['id']}")
    csvw = rdflib.Namespace("http://www.w3.org/ns/csvw#")
    schema = g.value(main, DCT.conformsTo)
    assert (schema, RDF.type, DCT.Standard) in g and (schema, RDF.type, csvw.Schema) in g
    columns = list(rdflib.collection.Collection(g, g.value(schema, csvw.column)))
    assert [str(g.value(c, csvw.name)) for c in columns] == ["kecamatan", "jumlah"]
    jumlah = columns[1]
    assert g.value(jumlah, csvw.datatype) == rdflib.XSD.integer
    assert str(g.value(jumlah, csvw.titles)) == "Jumlah Penduduk"
    assert str(g.value(jumlah, DCT.description)) == MS_VAR["definisi"]
    assert str(g.value(jumlah, rdflib.URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"))) \
        == "jiwa"
    # the dumps are the same table: the same schema
    dumps = [d for d in g.objects(rdflib.URIRef(_uri(dataset)), DCAT.distribution) if str(d).endswith("dump.csv")]
    assert dumps and g.value(dumps[0], DCT.conformsTo) == schema

    parser = RDFParser(profiles=["euro_dcat_ap_2", "satudata_blitar"])
    parser.parse(body, _format="turtle")
    [parsed] = list(parser.datasets())
    back = next(r for r in parsed["resources"] if r["url"] == resource["url"])["ms_var"]
    back = back if adapters.CKAN_2_12 else json.loads(back)  # JSON text on 2.11 (adapters.resource_list_value)
    assert back[1] == {"id": "jumlah", **MS_VAR}
    assert back[0]["id"] == "kecamatan"
    # still valid DCAT-AP
    conforms, _, report = _shacl(g)
    assert conforms, report


def test_shacl_refuses_a_conforms_to_that_is_no_standard(app, world):
    g, ref, dataset = _lengkap(app, world)
    main = next(iter(g.objects(ref, DCAT.distribution)))
    g.add((main, DCT.conformsTo, rdflib.URIRef("http://example.org/not-a-standard")))
    conforms, _, report = _shacl(g)
    assert not conforms and "conformsTo" in report
