"""Region columns of uploaded tables, through the real upload, the real xloader queue and worker and the real
DataStore: names matched forgivingly and reported with the official name, codes checked against names, a
kode_wilayah column for a table with names only."""
from __future__ import annotations

import pytest

from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import table_samples as samples
from ckanext.satudata_blitar.tests.tables.test_ingest import fields, queue, records, report, run_jobs, upload

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")
__all__ = ["queue"]


@pytest.fixture
def dataset(organization):
    return satudata_factories.Dataset(name="wilayah-kota-blitar", owner_org=organization["id"])


def load(app, sysadmin, dataset, queue, rows, filename="wilayah.xlsx"):
    resource = upload(app, sysadmin["token"], dataset, filename, samples.xlsx(rows))
    run_jobs(queue)
    return resource, report(resource["id"])


def issues(result, code):
    return [(i["column"], i["value"], i["params"]) for i in result["issues"] if i["code"] == code]


@pytest.mark.parametrize("written, official, kode", [
    ("Kec. Sukorejo", "Sukorejo", "35.72.02"),
    ("Kecamatan Sananwetan", "Sananwetan", "35.72.03"),
    ("Kepanjen Kidul", "Kepanjenkidul", "35.72.01"),
    ("KEPANJENKIDUL", "Kepanjenkidul", "35.72.01"),
    ("sukorejo", "Sukorejo", "35.72.02"),
    ("Sananwetan ", "Sananwetan", "35.72.03"),
    ("  Kec.  Kepanjen   Kidul ", "Kepanjenkidul", "35.72.01"),
])
def test_each_forgiving_kecamatan_name_is_a_warning_with_the_official_name_and_is_coded(
        app, sysadmin, dataset, queue, with_test_worker, written, official, kode):
    rows = [["Kecamatan", "Jumlah Penduduk"], [written, 100], ["Sukorejo", 200], ["Sananwetan", 300]]
    resource, result = load(app, sysadmin, dataset, queue, rows)

    assert result["status"] == "warning", result["issues"]
    warned = issues(result, "wilayah_name_unofficial")
    assert [(column, value, params["official"], params["kode"], params["count"])
            for column, value, params in warned] == [("A", written, official, kode, 1)]
    message = next(i["message"] for i in result["issues"] if i["code"] == "wilayah_name_unofficial")
    assert official in message
    # the uploaded names stay as written; the added column codes every row
    assert fields(resource["id"])[-1] == ("kode_wilayah", "text")
    loaded = records(resource["id"])
    assert [r["Kecamatan"] for r in loaded] == [written, "Sukorejo", "Sananwetan"]
    assert [r["kode_wilayah"] for r in loaded] == [kode, "35.72.02", "35.72.03"]
    assert result["wilayah"]["kecamatan"] == sorted({kode, "35.72.02", "35.72.03"})


@pytest.mark.parametrize("header, written, official, kode", [
    ("Kelurahan", "Kel. Kepanjen Lor", "Kepanjenlor", "35.72.01.1007"),
    ("Desa/Kelurahan", "Desa Tanjung Sari", "Tanjungsari", "35.72.02.1007"),
    ("Nama Kelurahan", "KARANG TENGAH", "Karangtengah", "35.72.03.1006"),
    ("Kelurahan", "Kepanjen Kidul", "Kepanjenkidul", "35.72.01.1001"),   # the kelurahan, not the kecamatan
    ("Wilayah", "Bendo Gerit", "Bendogerit", "35.72.03.1007"),           # level read from the values
])
def test_each_forgiving_kelurahan_name_is_a_warning_and_coded_as_the_kelurahan(
        app, sysadmin, dataset, queue, with_test_worker, header, written, official, kode):
    rows = [[header, "Jumlah"], [written, 1], ["Sentul", 2], ["Pakunden", 3]]
    resource, result = load(app, sysadmin, dataset, queue, rows)

    assert [(v, p["official"], p["kode"]) for _c, v, p in issues(result, "wilayah_name_unofficial")] == [
        (written, official, kode)]
    assert [r["kode_wilayah"] for r in records(resource["id"])] == [kode, "35.72.01.1003", "35.72.02.1001"]


def test_official_names_load_without_warnings_and_a_typo_is_not_coded(app, sysadmin, dataset, queue,
                                                                      with_test_worker):
    rows = [["Kecamatan", "Jumlah"], ["Sananwetan", 1], ["Sukorejo", 2], ["Kepanjenkidul", 3], ["Sukoreja", 4],
            ["Kota Blitar", 10], ["Luar Kota", 5]]
    resource, result = load(app, sysadmin, dataset, queue, rows)

    assert issues(result, "wilayah_name_unofficial") == []
    assert [(v, p["official"]) for _c, v, p in issues(result, "wilayah_name_close")] == [("Sukoreja", "Sukorejo")]
    assert [v for _c, v, _p in issues(result, "wilayah_name_unknown")] == ["Luar Kota"]
    assert next(i for i in result["issues"] if i["code"] == "wilayah_name_unknown")["severity"] == "note"
    assert [r["kode_wilayah"] for r in records(resource["id"])] == [
        "35.72.03", "35.72.02", "35.72.01", None, "35.72", None]
    coded = issues(result, "wilayah_coded")
    assert [(p["coded"], p["rows"]) for _c, _v, p in coded] == [(4, 6)]


@pytest.mark.parametrize("code_header, code, dotted, name, code_name, official", [
    ("Kode Wilayah", "35.72.01.1001", "35.72.01.1001", "Sentul", "Kepanjenkidul", "Sentul"),  # another kelurahan
    ("Kode Kelurahan", "3572011001", "35.72.01.1001", "Sentul", "Kepanjenkidul", "Sentul"),   # without dots
    ("kode_wilayah", "35.72.02.1002", "35.72.02.1002", "Kel. Sentul", "Blitar", "Sentul"),   # Blitar is in Sukorejo
    ("Kode Wilayah", "35.72.02", "35.72.02", "Bendo", "Sukorejo", "Bendo"),                  # a kecamatan of another
])
def test_each_code_that_contradicts_its_name_is_a_warning(app, sysadmin, dataset, queue, with_test_worker,
                                                          code_header, code, dotted, name, code_name, official):
    rows = [[code_header, "Kelurahan", "Jumlah"], [code, name, 1], ["35.72.01.1003", "Sentul", 2],
            ["35.72.03.1007", "Bendogerit", 3]]
    resource, result = load(app, sysadmin, dataset, queue, rows)

    assert result["status"] == "warning"
    contradictions = issues(result, "wilayah_code_contradicts")
    assert [(p["code"], p["code_name"], v, p["official"], p["count"]) for _c, v, p in contradictions] == [
        (dotted, code_name, name, official, 1)]
    message = next(i["message"] for i in result["issues"] if i["code"] == "wilayah_code_contradicts")
    assert code_name in message and official in message
    # the table has codes of its own: no column is added, its codes are loaded as written
    assert [f for f, _t in fields(resource["id"])] == [code_header, "Kelurahan", "Jumlah"]
    assert records(resource["id"])[0][code_header] == code


def test_codes_that_agree_with_their_names_are_no_warning(app, sysadmin, dataset, queue, with_test_worker):
    rows = [["Kode Wilayah", "Kecamatan", "Kelurahan", "Jumlah"],
            ["35.72.01.1003", "Kepanjenkidul", "Sentul", 1],
            ["3572021002", "Sukorejo", "Blitar", 2],
            ["3572", "Kota Blitar", "", 3]]
    _resource, result = load(app, sysadmin, dataset, queue, rows)
    assert result["status"] == "ok", result["issues"]
    assert result["wilayah"]["kecamatan"] == ["35.72.01", "35.72.02"]


def test_a_kelurahan_put_in_another_kecamatan_is_a_warning(app, sysadmin, dataset, queue, with_test_worker):
    rows = [["Kecamatan", "Kelurahan", "Jumlah"], ["Sukorejo", "Sentul", 1], ["Kepanjenkidul", "Sentul", 2],
            ["Kec. Sananwetan", "Klampok", 3]]
    resource, result = load(app, sysadmin, dataset, queue, rows)

    assert [(v, p["kelurahan"], p["kecamatan"]) for _c, v, p in issues(result, "wilayah_kelurahan_elsewhere")] == [
        ("Sukorejo", "Sentul", "Kepanjenkidul")]
    # kode_wilayah is the kelurahan's, the finer of the two
    assert [r["kode_wilayah"] for r in records(resource["id"])] == [
        "35.72.01.1003", "35.72.01.1003", "35.72.03.1003"]


def test_a_code_not_of_kota_blitar_is_a_warning(app, sysadmin, dataset, queue, with_test_worker):
    rows = [["Kode Kecamatan", "Jumlah"], ["35.72.01", 1], ["35.72.04", 2], ["3572010", 3], ["35.72.02", 4]]
    _resource, result = load(app, sysadmin, dataset, queue, rows)
    assert [v for _c, v, _p in issues(result, "wilayah_code_unknown")] == ["35.72.04", "3572010"]


def test_the_region_columns_come_described_and_the_operator_describes_only_the_rest(app, sysadmin, dataset, queue,
                                                                                     with_test_worker):
    from ckan.tests import helpers

    from ckanext.satudata_blitar.metadata import ms_var

    rows = [["Kecamatan", "Kelurahan", "Jumlah"], ["Sukorejo", "Sentul", 1], ["Sananwetan", "Rembang", 2]]
    resource, _result = load(app, sysadmin, dataset, queue, rows)
    info = {field["id"]: field for field in helpers.call_action("datastore_info", id=resource["id"])["fields"]}
    added = info["kode_wilayah"]["info"]
    assert "Kepmendagri 300.2.2-2138/2025" in added["definisi"] and added["tipe_data"] == "kode"
    # the recognised name columns: the portal knows which regions they name
    assert info["Kecamatan"]["info"]["definisi"].startswith("Nama kecamatan di Kota Blitar")
    assert info["Kelurahan"]["info"]["definisi"].startswith("Nama kelurahan di Kota Blitar")
    assert info["Kelurahan"]["info"]["notes"] == info["Kelurahan"]["info"]["definisi"]  # CKAN's own, in step
    # MS-Var's completeness asks the operator only about the columns the portal cannot know
    assert [column for column, _keys in ms_var.missing(info.values())] == ["Jumlah"]


def test_a_table_without_region_columns_is_left_alone(app, sysadmin, dataset, queue, with_test_worker):
    rows = [["Nama Kepala Desa", "Puskesmas", "Jumlah"], ["Budi", "Puskesmas Sukorejo", 1], ["Siti", "Lainnya", 2]]
    resource, result = load(app, sysadmin, dataset, queue, rows)
    assert result["status"] == "ok", result["issues"]
    assert not result.get("wilayah")
    assert [f for f, _t in fields(resource["id"])] == ["Nama Kepala Desa", "Puskesmas", "Jumlah"]



# --- Search and the Kecamatan facet: published datasets only ------------------------------------------------------

def _take(dataset_id, transitions):
    import ckan.tests.factories as ckan_factories
    import ckan.tests.helpers as helpers
    first, second = ckan_factories.Sysadmin(), ckan_factories.Sysadmin()
    actors = {"ajukan": first, "verifikasi_opd": first, "verifikasi_walidata": second, "terbitkan": second,
              "tarik": second}
    if "ajukan" in transitions:
        satudata_factories.describe_tables(dataset_id, first["name"])
    for transition in transitions:
        helpers.call_action("satudata_transition", context={"user": actors[transition]["name"]}, id=dataset_id,
                            transition=transition, note="Data dikoreksi" if transition == "tarik" else "")


PUBLISH = ("ajukan", "verifikasi_opd", "verifikasi_walidata", "terbitkan")


def test_the_kecamatan_facet_and_search_show_published_datasets_only(app, sysadmin, organization, queue,
                                                                     with_test_worker):
    import ckan.tests.helpers as helpers

    tables = {
        # published: its kecamatan names and the kecamatan of its kelurahan
        "terbit": [["Kecamatan", "Jumlah"], ["Kec. Sukorejo", 1], ["Sananwetan", 2]],
        "terbit-kelurahan": [["Kelurahan", "Jumlah"], ["Sentul", 1]],
        # submitted, not published: Kepanjenkidul must not be indexed from it
        "diajukan": [["Kecamatan", "Jumlah"], ["Kepanjen Kidul", 1], ["Sukorejo", 2]],
    }
    made = {}
    for name, rows in tables.items():
        dataset = satudata_factories.Dataset(name=f"wilayah-{name}", owner_org=organization["id"])
        upload(app, sysadmin["token"], dataset, "wilayah.xlsx", samples.xlsx(rows))
        run_jobs(queue)
        made[name] = dataset
    _take(made["terbit"]["id"], PUBLISH)
    _take(made["terbit-kelurahan"]["id"], PUBLISH)
    _take(made["diajukan"]["id"], PUBLISH[:1])

    def facet(**params):
        result = helpers.call_action("package_search", include_private=True, **params,
                                     **{"facet.field": ["vocab_kecamatan"], "facet.limit": -1})
        return result["facets"]["vocab_kecamatan"], {d["name"] for d in result["results"]}

    counts, _names = facet()
    assert counts == {"Sukorejo": 1, "Sananwetan": 1, "Kepanjenkidul": 1}   # Kepanjenkidul: Sentul's kecamatan
    assert facet(fq='vocab_kecamatan:"Sukorejo"')[1] == {"wilayah-terbit"}
    assert facet(fq='vocab_kecamatan:"Kepanjenkidul"')[1] == {"wilayah-terbit-kelurahan"}
    # search by a kecamatan's name finds the published tables of it, not the submitted one
    assert facet(q="Sananwetan")[1] == {"wilayah-terbit"}

    # on the page: the facet, and its filter (anonymous visitors and the Walidata's people alike)
    page = app.get("/dataset/?vocab_kecamatan=Sananwetan").body
    assert "wilayah-terbit" in page and "wilayah-terbit-kelurahan" not in page and "Kecamatan" in page
    # withdrawn from publication: its kecamatan leave the index
    _take(made["terbit"]["id"], ("tarik",))
    counts, _names = facet()
    assert counts == {"Kepanjenkidul": 1}
