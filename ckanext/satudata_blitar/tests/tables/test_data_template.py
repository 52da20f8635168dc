"""The data template of a dataset (/dataset/<id>/template.xlsx): its sheets, and that the upload check reads a
filled-in template back as a typed table."""
from __future__ import annotations

import io

import openpyxl
import pytest

from ckanext.satudata_blitar.tables import table_parser
from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def dataset(organization):
    return satudata_factories.Dataset(name="penduduk-kecamatan", owner_org=organization["id"],
                                      level_penyajian="kecamatan", ukuran="jumlah", satuan="jiwa",
                                      tahun_data_awal=2022, tahun_data_akhir=2024)


def download(app, dataset, token=None, status=200):
    headers = {"Authorization": token} if token else {}
    response = app.get(f"/dataset/{dataset['name']}/template.xlsx", headers=headers, status=status)
    return response


def test_template_sheets_header_comment_and_rows(app, sysadmin, dataset):
    response = download(app, dataset, sysadmin["token"])
    assert response.headers["Content-Disposition"].endswith("template-penduduk-kecamatan.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))

    assert workbook.sheetnames == ["Data", "Petunjuk", "Metadata", "MS-Var"]
    data = workbook["Data"]
    assert [cell.value for cell in data[1]] == ["Kecamatan", "Tahun", "Jumlah (jiwa)"]
    assert "Satuan: jiwa" in data["C1"].comment.text
    assert not data.merged_cells.ranges
    rows = [tuple(cell.value for cell in row) for row in data.iter_rows(min_row=2)]
    assert len(rows) == 3 * 3
    assert ("Sukorejo", 2024, None) in rows

    guide = "\n".join(str(row[1].value) for row in workbook["Petunjuk"].iter_rows(min_row=2))
    for phrase in ("Satu baris untuk satu kecamatan dan satu tahun", "pemisah ribuan", '"-"', "merge cells",
                   "jumlah atau total"):
        assert phrase in guide

    metadata = {row[0].value: row[1].value for row in workbook["Metadata"].iter_rows(min_row=2)}
    assert metadata["Satuan"] == "jiwa"
    assert metadata["Judul"] == dataset["title"]


def test_filled_template_is_read_back_typed(app, sysadmin, dataset, tmp_path):
    workbook = openpyxl.load_workbook(io.BytesIO(download(app, dataset, sysadmin["token"]).get_data()))
    data = workbook["Data"]
    values = ["12.345", 12346, "-", "9.876", 9877, 9878, "20.001", "20.002", 20003]
    for row, value in zip(data.iter_rows(min_row=2), values):
        row[2].value = value
    path = tmp_path / "terisi.xlsx"
    workbook.save(path)

    result = table_parser.parse(str(path), "xlsx", str(tmp_path / "out.csv"))

    assert result.ok, result.issues
    assert result.sheet == "Data"
    assert [(c.label, c.type) for c in result.columns] == [
        ("Kecamatan", "text"), ("Tahun", "integer"), ("Jumlah (jiwa)", "integer")]
    assert result.rows == 9
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert any(line.endswith("2022,12345") for line in lines)


def test_template_follows_dataset_visibility(app, dataset):
    download(app, dataset, status=404)
    download(app, satudata_factories.published(dataset))


def test_dataset_page_links_the_template(app, sysadmin, dataset):
    page = app.get(f"/dataset/{dataset['name']}", headers={"Authorization": sysadmin["token"]})
    assert f"/dataset/{dataset['name']}/template.xlsx" in page.body
