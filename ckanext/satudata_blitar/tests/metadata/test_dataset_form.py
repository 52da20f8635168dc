"""The dataset form: the Blitar fields are on it, and bad input comes back as per-field errors in Indonesian."""
import datetime

import pytest
from bs4 import BeautifulSoup

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def form_data(organization):
    return {"name": "jumlah-penduduk", "title": "Jumlah Penduduk", "notes": "Jumlah penduduk Kota Blitar.",
            "owner_org": organization["id"], "save": "continue", **REQUIRED_METADATA}


def test_the_form_has_every_blitar_field(app, sysadmin, organization):
    html = app.get("/dataset/new", headers={"Authorization": sysadmin["token"]}).body
    soup = BeautifulSoup(html, "html.parser")
    names = {field.get("name") for field in soup.select("form#dataset-edit [name]")}

    for field in ["urusan", "konsep", "definisi", "satuan", "ukuran", "metode_perhitungan", "interpretasi",
                  "klasifikasi", "tahun_data_awal", "tahun_data_akhir", "frekuensi", "level_penyajian",
                  "jadwal_pemutakhiran", "cara_pengumpulan", "sumber_data", "sifat_data", "data_prioritas",
                  "data_prioritas_tahun", "kode_referensi", "ms_keg_id", "ms_ind_id", "kontak_nama",
                  "kontak_email", "kontak_telepon", "tanggal_rilis"]:
        assert field in names, field
    assert "Urusan Pemerintahan" in html and "Frekuensi Penerbitan" in html


def test_a_valid_form_creates_the_dataset(app, sysadmin, form_data):
    response = app.post("/dataset/new", data=form_data, headers={"Authorization": sysadmin["token"]},
                        follow_redirects=False)
    assert response.status_code == 302, response.body
    assert helpers.call_action("package_show", id="jumlah-penduduk")["frekuensi"] == "tahunan"


@pytest.mark.parametrize("field, value, message", [
    ("tahun_data_awal", datetime.date.today().year + 1, "Tahun tidak boleh di masa depan"),
    ("tahun_data_akhir", 2010, "Tahun akhir tidak boleh sebelum tahun awal"),
    ("kontak_telepon", "12ab", "Nomor telepon tidak sah"),
    ("kontak_email", "bukan-email", "tidak sah"),
    ("frekuensi", "sewindu", "pilih salah satu"),
    ("satuan", "", "Wajib diisi"),
])
def test_bad_input_comes_back_as_a_field_error_in_indonesian(app, sysadmin, form_data, field, value, message):
    response = app.post("/dataset/new", data={**form_data, field: value},
                        headers={"Authorization": sysadmin["token"]})

    assert response.status_code == 200
    soup = BeautifulSoup(response.body, "html.parser")
    error_block = soup.select_one(".error-explanation")
    assert error_block is not None and message in error_block.get_text(" ", strip=True)
    # The entered values stay in the form, and nothing was saved.
    assert soup.select_one("[name=sumber_data]")["value"] == REQUIRED_METADATA["sumber_data"]
    assert helpers.call_action("package_list") == []


REQUIRED_CHOICES = ["urusan", "frekuensi", "cara_pengumpulan", "sifat_data"]


def test_required_choices_start_empty_and_no_visibility_is_offered(app, sysadmin, organization):
    """A new dataset's required choices start on "— pilih —" (a form left alone records nothing, rather than the
    first option), and the workflow, not the form, decides visibility."""
    html = app.get("/dataset/new", headers={"Authorization": sysadmin["token"]}).body
    soup = BeautifulSoup(html, "html.parser")
    for name in REQUIRED_CHOICES:
        select = soup.select_one(f"select[name={name}]")
        chosen = select.select_one("option[selected]") or select.select("option")[0]
        assert chosen["value"] == "" and chosen.get_text(strip=True) == "— pilih —", name
        assert select.has_attr("required"), name
    assert soup.select_one("[name=private]") is None
    assert "Visibilitas" not in soup.get_text()


@pytest.mark.parametrize("field", REQUIRED_CHOICES)
def test_a_required_choice_left_empty_is_refused(app, sysadmin, form_data, field):
    response = app.post("/dataset/new", data={**form_data, field: ""}, headers={"Authorization": sysadmin["token"]})

    assert response.status_code == 200
    soup = BeautifulSoup(response.body, "html.parser")
    assert "Wajib diisi" in soup.select_one(".error-explanation").get_text(" ", strip=True)
    assert helpers.call_action("package_list") == []


def test_the_edit_form_keeps_the_recorded_choice(app, sysadmin, form_data):
    app.post("/dataset/new", data=form_data, headers={"Authorization": sysadmin["token"]})
    soup = BeautifulSoup(app.get("/dataset/edit/jumlah-penduduk", headers={"Authorization": sysadmin["token"]}).body,
                         "html.parser")
    assert soup.select_one("select[name=frekuensi] option[selected]")["value"] == "tahunan"
