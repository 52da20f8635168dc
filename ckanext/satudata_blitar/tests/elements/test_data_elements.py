"""The daftar elemen data (SOP step 1) through the Action API: who may read and change it, what is refused, the
derived status and lateness, and the .xlsx import."""
from __future__ import annotations

import datetime
import io

import freezegun
import openpyxl
import pytest

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.elements import data_elements_xlsx
from ckanext.satudata_blitar.cli import satudata
from ckanext.satudata_blitar.tests import world as world_module

YEAR = datetime.date.today().year


def _call(world, viewer, action, **data):
    context = {"user": world.name(viewer) if viewer != "anonymous" else "", "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)


def _with_last_years_lists(world):
    """A dataset of Bappeda and last year's list of both OPDs (one element each)."""
    world.datasets["data-bappeda"] = world_module.bappeda_draft(world)
    world.elements = {opd: _call(world, "walidata", "satudata_data_element_create", tahun=YEAR - 1,
                                 owner_org=opd, nama=f"Elemen {opd}") for opd in ("dinas-kesehatan", "bappeda")}


pytestmark = pytest.mark.world(extend=_with_last_years_lists)


def _element(world, name, **extra):
    return _call(world, "walidata", "satudata_data_element_create", tahun=YEAR, owner_org="dinas-kesehatan",
                 nama=name, **extra)


# --- changing the list ------------------------------------------------------------------------------------------

def test_the_walidata_keeps_the_list(world):
    element = _element(world, "Jumlah Puskesmas", definisi="Puskesmas yang beroperasi", satuan="unit",
                       frekuensi="tahunan", data_prioritas=True, tanggal_target=f"{YEAR + 1}-03-31")
    assert {key: element[key] for key in ("tahun", "opd_name", "nama", "definisi", "satuan", "frekuensi",
                                          "data_prioritas", "tanggal_target", "status", "late")} == {
        "tahun": YEAR, "opd_name": "dinas-kesehatan", "nama": "Jumlah Puskesmas",
        "definisi": "Puskesmas yang beroperasi", "satuan": "unit", "frekuensi": "tahunan", "data_prioritas": True,
        "tanggal_target": f"{YEAR + 1}-03-31", "status": "belum_ada_dataset", "late": False}

    changed = _call(world, "walidata", "satudata_data_element_update", id=element["id"], tahun=YEAR,
                    owner_org="dinas-kesehatan", nama="Jumlah Puskesmas Induk", satuan="  ", frekuensi="")
    assert [changed[key] for key in ("nama", "definisi", "satuan", "frekuensi", "data_prioritas")] == [
        "Jumlah Puskesmas Induk", None, None, None, False]
    assert _call(world, "walidata", "satudata_data_element_show", id=element["id"])["nama"] == \
        "Jumlah Puskesmas Induk"

    _call(world, "walidata", "satudata_data_element_delete", id=element["id"])
    with pytest.raises(helpers.logic.NotFound):
        _call(world, "walidata", "satudata_data_element_show", id=element["id"])


def test_status_follows_the_linked_dataset(world):
    element = _element(world, "Angka Kematian Bayi")
    assert element["status"] == "belum_ada_dataset"
    for state, status in (("draf", "belum_terbit"), ("disetujui", "belum_terbit"), ("terbit", "terbit")):
        linked = _call(world, "operator", "satudata_data_element_link", id=element["id"],
                       package_id=world.datasets[state]["name"])
        assert (linked["package_name"], linked["state"], linked["status"]) == (
            world.datasets[state]["name"], state, status)
    unlinked = _call(world, "operator", "satudata_data_element_link", id=element["id"], package_id="")
    assert (unlinked["package_id"], unlinked["status"]) == (None, "belum_ada_dataset")


def test_update_without_package_id_keeps_the_link(world):
    element = _element(world, "Cakupan Imunisasi", package_id=world.datasets["terbit"]["id"])
    changed = _call(world, "walidata", "satudata_data_element_update", id=element["id"], tahun=YEAR,
                    owner_org="dinas-kesehatan", nama="Cakupan Imunisasi Dasar")
    assert (changed["package_id"], changed["status"]) == (world.datasets["terbit"]["id"], "terbit")


def test_a_deleted_dataset_leaves_the_element_without_one(world):
    dataset = world_module.dataset_in_state(world, "draf", name="data-akan-dihapus")
    element = _element(world, "Jumlah Posyandu", package_id=dataset["name"])
    assert element["status"] == "belum_terbit"
    _call(world, "sysadmin", "package_delete", id=dataset["id"])
    assert _call(world, "walidata", "satudata_data_element_show", id=element["id"])["status"] == \
        "belum_ada_dataset"


@pytest.mark.parametrize("data, field, message", [
    ({"tahun": "dua ribu"}, "tahun", "whole number"),
    ({"tahun": 1800}, "tahun", "Year must be from 1900"),
    ({"tahun": YEAR + 2}, "tahun", "Year must be from 1900"),
    ({"owner_org": "dinas-rahasia"}, "owner_org", 'There is no OPD "dinas-rahasia"'),
    ({"owner_org": ""}, "owner_org", "Missing value"),
    ({"nama": "   "}, "nama", "Missing value"),
    ({"nama": "x" * 501}, "nama", "at most 500"),
    ({"frekuensi": "sewindu"}, "frekuensi", "Frequency must be one of: harian"),
    ({"tanggal_target": "30-06"}, "tanggal_target", "Date must look like"),
    ({"tanggal_target": f"{YEAR}-02-30"}, "tanggal_target", "Date must look like"),
    ({"tanggal_target": f"{YEAR}-06-301"}, "tanggal_target", "Date must look like"),
    ({"data_prioritas": "mungkin"}, "data_prioritas", "Must be Ya or Tidak"),
    ({"package_id": "tidak-ada"}, "package_id", 'There is no dataset "tidak-ada"'),
    ({"package_id": "data-bappeda"}, "package_id", "belongs to another OPD"),
    ({"nama": "jumlah dokter"}, "nama", 'already has a data element "jumlah dokter"'),
    # Names that read as another one's: a Cyrillic "а" and "о", fullwidth letters, doubled blanks.
    ({"nama": "Jumlаh Dоkter"}, "nama", "already has a data element"),
    ({"nama": "ＪＵＭＬＡＨ ＤＯＫＴＥＲ"}, "nama", "already has a data element"),
    ({"nama": "Jumlah   Dokter"}, "nama", "already has a data element"),
    # Invisible and text-direction characters are no part of a name.
    ({"nama": "Jumlah\u200b Dokter"}, "nama", "invisible"),
    ({"nama": "Jumlah Dokter \u202eBaru"}, "nama", "invisible"),
])
def test_bad_input_is_refused_with_the_field_named(world, bappeda_dataset, data, field, message):
    _ensure(world, "Jumlah Dokter")
    before = len(_call(world, "walidata", "satudata_data_element_list", tahun=YEAR))
    body = {"tahun": YEAR, "owner_org": "dinas-kesehatan", "nama": "Jumlah Bidan", **data}
    with pytest.raises(helpers.logic.ValidationError) as error:
        _call(world, "walidata", "satudata_data_element_create", **body)
    assert field in error.value.error_dict
    assert message.lower() in " ".join(error.value.error_dict[field]).lower()
    assert len(_call(world, "walidata", "satudata_data_element_list", tahun=YEAR)) == before


def _ensure(world, name):
    if not data_elements.find(YEAR, world.orgs["dinas-kesehatan"]["id"], name):
        _element(world, name)


@pytest.fixture
def bappeda_dataset(world):
    return world.datasets["data-bappeda"]


def test_the_list_by_status(world):
    element = _element(world, "Jumlah Klinik", package_id=world.datasets["terbit"]["id"])
    published = _call(world, "operator", "satudata_data_element_list", tahun=YEAR, status="terbit")
    assert element["id"] in [e["id"] for e in published]
    assert {e["status"] for e in published} == {"terbit"}
    missing = _call(world, "operator", "satudata_data_element_list", tahun=YEAR, status="belum_ada_dataset")
    assert missing and element["id"] not in [e["id"] for e in missing]
    with pytest.raises(helpers.logic.ValidationError) as error:
        _call(world, "operator", "satudata_data_element_list", tahun=YEAR, status="hilang")
    assert "Status must be one of: belum_ada_dataset" in error.value.error_dict["status"][0]


# --- who may do what --------------------------------------------------------------------------------------------

# viewer: (OPDs whose elements the list shows, or None when refused)
READERS = {
    "anonymous": None,
    "operator": {"dinas-kesehatan"},
    "operator_other_opd": {"bappeda"},
    "verifikator_opd": {"dinas-kesehatan"},
    "verifikator_other_opd": {"bappeda"},
    "ckan_member": None,
    "ckan_admin": None,
    "verifikator_kominfotik": {"dinas-kesehatan", "bappeda"},
    "walidata": {"dinas-kesehatan", "bappeda"},
    "sysadmin": {"dinas-kesehatan", "bappeda"},
}


@pytest.fixture
def two_lists(world):
    return world.elements


@pytest.mark.parametrize("viewer", list(READERS))
def test_who_reads_which_list(world, two_lists, viewer):
    expected = READERS[viewer]
    if expected is None:
        with pytest.raises(helpers.logic.NotAuthorized):
            _call(world, viewer, "satudata_data_element_list", tahun=YEAR - 1)
        return
    listed = _call(world, viewer, "satudata_data_element_list", tahun=YEAR - 1)
    assert {element["opd_name"] for element in listed} == expected
    for opd, element in two_lists.items():
        if opd in expected:
            assert _call(world, viewer, "satudata_data_element_show", id=element["id"])["nama"] == f"Elemen {opd}"
            assert len(_call(world, viewer, "satudata_data_element_list", tahun=YEAR - 1, owner_org=opd)) == 1
        else:
            with pytest.raises(helpers.logic.NotAuthorized):
                _call(world, viewer, "satudata_data_element_show", id=element["id"])
            with pytest.raises(helpers.logic.NotAuthorized):
                _call(world, viewer, "satudata_data_element_list", tahun=YEAR - 1, owner_org=opd)


CHANGERS = {"walidata", "sysadmin"}
LINKERS = {"walidata", "sysadmin", "operator"}  # for an element of Dinas Kesehatan


@pytest.mark.parametrize("viewer", list(READERS))
def test_who_changes_the_list(world, two_lists, viewer):
    element = two_lists["dinas-kesehatan"]
    attempts = {
        "create": ("satudata_data_element_create", {"tahun": YEAR - 1, "owner_org": "dinas-kesehatan",
                                                    "nama": f"Baru {viewer}"}),
        "update": ("satudata_data_element_update", {"id": element["id"], "tahun": YEAR - 1,
                                                    "owner_org": "dinas-kesehatan", "nama": "Elemen dinas-kesehatan",
                                                    "satuan": viewer}),
        "link": ("satudata_data_element_link", {"id": element["id"], "package_id": world.datasets["draf"]["id"]}),
        "import": ("satudata_data_element_import", {"tahun": YEAR - 1, "upload": b"not a workbook"}),
    }
    for what, (action, data) in attempts.items():
        allowed = viewer in (LINKERS if what == "link" else CHANGERS)
        if allowed:
            try:
                _call(world, viewer, action, **data)
            except helpers.logic.ValidationError:
                assert what == "import"  # allowed, but the bytes are no workbook
        else:
            with pytest.raises(helpers.logic.NotAuthorized):
                _call(world, viewer, action, **data)
    if viewer not in CHANGERS:
        with pytest.raises(helpers.logic.NotAuthorized):
            _call(world, viewer, "satudata_data_element_delete", id=element["id"])


def test_the_operator_links_only_datasets_of_the_opd(world, bappeda_dataset):
    element = _element(world, "Jumlah Apotek")
    with pytest.raises(helpers.logic.NotAuthorized):
        _call(world, "operator_other_opd", "satudata_data_element_link", id=element["id"],
              package_id=bappeda_dataset["id"])
    with pytest.raises(helpers.logic.ValidationError) as error:
        _call(world, "operator", "satudata_data_element_link", id=element["id"],
              package_id=bappeda_dataset["id"])
    assert "There is no dataset" in error.value.error_dict["package_id"][0]


def test_linking_another_opds_draft_answers_as_for_no_dataset(world, bappeda_dataset):
    """No oracle: the Operator Data of Dinas Kesehatan learns neither that Bappeda's draft exists nor its name."""
    element = _element(world, "Jumlah Rumah Bersalin")
    messages = {}
    for name, package_id in (("draft", bappeda_dataset["id"]), ("none", "0f0e0d0c-0000-4000-8000-000000000000")):
        with pytest.raises(helpers.logic.ValidationError) as error:
            _call(world, "operator", "satudata_data_element_link", id=element["id"], package_id=package_id)
        messages[name] = error.value.error_dict["package_id"][0].replace(package_id, "<id>")
    assert messages["draft"] == messages["none"]
    assert bappeda_dataset["name"] not in messages["draft"]


# --- lateness under frozen time ---------------------------------------------------------------------------------

def test_late_when_past_the_target_date(world):
    """Target 2025-03-31 (the portal's zone is UTC here): unpublished it is late from 1 April; published on
    31 March it is on time for good, published on 1 April it stays late."""
    year, elements = 2025, {}
    with freezegun.freeze_time("2025-03-31 15:00", ignore=["jwt"]) as frozen:
        for name in ("tanpa dataset", "terbit tepat", "terbit terlambat"):
            elements[name] = _call(world, "walidata", "satudata_data_element_create", tahun=year,
                                   owner_org="dinas-kesehatan", nama=name, tanggal_target="2025-03-31")
        on_time = world_module.dataset_in_state(world, "terbit", name="terbit-tepat")
        _call(world, "walidata", "satudata_data_element_link", id=elements["terbit tepat"]["id"],
              package_id=on_time["id"])
        frozen.move_to("2025-03-31 23:59")
        shown = {e["nama"]: (e["status"], e["late"])
                 for e in _call(world, "walidata", "satudata_data_element_list", tahun=year) if e["nama"] in elements}
        assert shown == {"tanpa dataset": ("belum_ada_dataset", False), "terbit tepat": ("terbit", False),
                         "terbit terlambat": ("belum_ada_dataset", False)}
        frozen.move_to("2025-04-01 00:00")
        late = world_module.dataset_in_state(world, "terbit", name="terbit-terlambat")
        _call(world, "walidata", "satudata_data_element_link", id=elements["terbit terlambat"]["id"],
              package_id=late["id"])
        frozen.move_to("2025-04-01 00:01")
        shown = {e["nama"]: (e["status"], e["late"], e["published_at"])
                 for e in _call(world, "walidata", "satudata_data_element_list", tahun=year) if e["nama"] in elements}
    assert shown == {"tanpa dataset": ("belum_ada_dataset", True, None),
                     "terbit tepat": ("terbit", False, "2025-03-31T15:00:00"),
                     "terbit terlambat": ("terbit", True, "2025-04-01T00:00:00")}


# --- the .xlsx template and import -------------------------------------------------------------------------------

def _workbook(rows, headers=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers or ["OPD", "Nama Elemen Data", "Definisi", "Satuan", "Frekuensi", "Data Prioritas",
                             "Tanggal Target", "Dataset"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _import(world, content, year=YEAR + 1, **extra):
    return _call(world, "walidata", "satudata_data_element_import", tahun=year, upload=content, **extra)


def test_import_creates_updates_and_keeps(world):
    year = YEAR + 1
    first = _import(world, _workbook([
        ["Dinas Kesehatan", "Jumlah Rumah Sakit", "RS umum dan khusus", "unit", "Tahunan", "Ya",
         datetime.date(year, 6, 30), None],
        ["bappeda", "Indeks Pembangunan Manusia", None, "indeks", "tahunan", "tidak", f"31/12/{year}", None],
        ["DINAS KESEHATAN", "Jumlah Tenaga Kesehatan", None, "orang", "Yearly", "Yes", None,
         f"http://portal.example/dataset/{world.datasets['terbit']['name']}"],
    ]))
    assert (first["created"], first["updated"], first["unchanged"]) == (3, 0, 0)
    assert [(e["opd_name"], e["nama"], e["frekuensi"], e["data_prioritas"], e["tanggal_target"], e["status"])
            for e in first["elements"]] == [
        ("dinas-kesehatan", "Jumlah Rumah Sakit", "tahunan", True, f"{year}-06-30", "belum_ada_dataset"),
        ("bappeda", "Indeks Pembangunan Manusia", "tahunan", False, f"{year}-12-31", "belum_ada_dataset"),
        ("dinas-kesehatan", "Jumlah Tenaga Kesehatan", "tahunan", True, None, "terbit")]

    # Again: the name finds the element whatever its case (and takes the file's spelling); empty cells keep.
    second = _import(world, _workbook([
        ["Dinas Kesehatan", "jumlah rumah sakit", None, None, None, None, None, None],
        ["Bappeda", "Indeks Pembangunan Manusia", "IPM", "indeks", "Tahunan", "Tidak", f"{year}-12-31", None],
        ["Dinas Kesehatan", "Jumlah Tenaga Kesehatan", None, "orang", "Tahunan", "Ya", None, None],
    ]))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 2, 1)
    listed = {e["nama"]: e for e in _call(world, "walidata", "satudata_data_element_list", tahun=year)}
    assert len(listed) == 3
    assert [listed["jumlah rumah sakit"][key] for key in ("definisi", "satuan", "frekuensi", "data_prioritas",
                                                          "tanggal_target")] == [
        "RS umum dan khusus", "unit", "tahunan", True, f"{year}-06-30"]
    assert listed["Indeks Pembangunan Manusia"]["definisi"] == "IPM"
    assert listed["Jumlah Tenaga Kesehatan"]["package_name"] == world.datasets["terbit"]["name"]


def test_a_bad_row_saves_nothing_and_names_every_wrong_cell(world):
    year = YEAR - 3
    with pytest.raises(helpers.logic.ValidationError) as error:
        _import(world, _workbook([
            ["Dinas Kesehatan", "Baik", None, None, None, None, None, None],
            ["Dinas Rahasia", "OPD tak dikenal", None, None, None, None, None, None],
            ["Dinas Kesehatan", "Frekuensi salah", None, None, "sewindu", "mungkin", "kemarin", None],
            ["Dinas Kesehatan", "baik", None, None, None, None, None, None],
            ["Dinas Kesehatan", "Dataset hilang", None, None, None, None, None, "tidak-ada-dataset"],
        ]), year=year)
    assert error.value.error_dict["upload"] == [
        'Row 3, OPD: There is no OPD "Dinas Rahasia"',
        "Row 4, Frekuensi: Frequency must be one of: harian, mingguan, bulanan, triwulanan, empat-bulanan, "
        "semesteran, tahunan, dua-tahunan, tidak-tentu",
        "Row 4, Data Prioritas: Must be Ya or Tidak (yes or no)",
        "Row 4, Tanggal Target: Date must look like 2026-06-30",
        'Row 5: "baik" is already in row 2',
        'Row 6, Dataset: There is no dataset "tidak-ada-dataset"',
    ]
    assert _call(world, "walidata", "satudata_data_element_list", tahun=year) == []


def test_import_for_one_opd(world):
    year = YEAR - 4
    result = _import(world, _workbook([[None, "Tanpa OPD", None, None, None, None, None, None],
                                       ["dinas-kesehatan", "Dengan OPD", None, None, None, None, None, None]]),
                     year=year, owner_org="dinas-kesehatan")
    assert [e["opd_name"] for e in result["elements"]] == ["dinas-kesehatan", "dinas-kesehatan"]
    with pytest.raises(helpers.logic.ValidationError) as error:
        _import(world, _workbook([["Bappeda", "OPD lain", None, None, None, None, None, None]]), year=year,
                owner_org="dinas-kesehatan")
    assert error.value.error_dict["upload"] == ['Row 2: the OPD "bappeda" is not Dinas Kesehatan']


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty"),
    (b"kecamatan,jumlah\n", "not an .xlsx workbook"),
    (_workbook([], headers=["Elemen", "Keterangan"]), 'column headers of the template'),
    (_workbook([]), "holds no data elements"),
])
def test_files_that_are_no_list_are_refused(world, content, message):
    with pytest.raises(helpers.logic.ValidationError) as error:
        _import(world, content, year=YEAR - 5)
    assert message in " ".join(error.value.error_dict["upload"])


def test_the_template_and_the_download_round_trip(world):
    year = YEAR - 6
    _import(world, _workbook([
        ["Dinas Kesehatan", "Jumlah Puskesmas", "Puskesmas", "unit", "Tahunan", "Ya", datetime.date(year, 6, 30),
         world.datasets["draf"]["name"]],
        ["Bappeda", "PDRB", None, "rupiah", "Triwulanan", "Tidak", None, None],
    ]), year=year)
    listed = _call(world, "walidata", "satudata_data_element_list", tahun=year)
    opds = [{"name": name, "title": org["title"]} for name, org in world.orgs.items()]
    content = data_elements_xlsx.build_workbook(year, listed, opds, data_elements.frequency_choices(),
                                                with_status=True)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Elemen Data"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["OPD", "Nama Elemen Data", "Definisi", "Satuan", "Frekuensi", "Data Prioritas", "Tanggal Target",
         "Dataset", "Status", "Terlambat"],
        ["Bappeda", "PDRB", None, "rupiah", "Triwulanan", "Tidak", None, None, "Belum ada dataset", "Tidak"],
        ["Dinas Kesehatan", "Jumlah Puskesmas", "Puskesmas", "unit", "Tahunan", "Ya",
         datetime.datetime(year, 6, 30), world.datasets["draf"]["name"], "Ada, belum terbit", "Ya"],
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["G3"].number_format == "[$-421]d mmmm yyyy"  # 30 Juni, still a date
    again = _import(world, content, year=year)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)

    template = openpyxl.load_workbook(io.BytesIO(data_elements_xlsx.build_workbook(
        year, [], opds, data_elements.frequency_choices(), lang="en")))
    assert [cell.value for cell in template["Data elements"][1]] == [
        "OPD", "Data element", "Definition", "Unit", "Frequency", "Priority data", "Target date", "Dataset"]
    assert template["Data elements"].data_validations.dataValidation  # drop-downs


# --- the CLI: ckan satudata elements template|export|import ------------------------------------------------------

def test_cli_template_import_and_export(cli, world, tmp_path):
    year = YEAR - 7
    template = tmp_path / "templat.xlsx"
    result = cli.invoke(satudata, ["elements", "template", "--year", str(year), "-o", str(template)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Elemen Data"]
    sheet.append(["Dinas Kesehatan", "Jumlah Bidan", None, "orang", "Tahunan", "Ya", f"{year}-06-30", None])
    sheet.append(["Bappeda", "PDRB per Kapita", None, "rupiah", "Tahunan", "Tidak", None, None])
    workbook.save(template)

    result = cli.invoke(satudata, ["elements", "import", str(template), "--year", str(year)])
    assert result.exit_code == 0, result.output
    assert "2 dibuat / created, 0 diperbarui / updated, 0 tetap / unchanged" in result.output

    exported = tmp_path / "daftar.xlsx"
    result = cli.invoke(satudata, ["elements", "export", "--year", str(year), "--opd", "bappeda", "--lang", "en",
                                   "-o", str(exported)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(exported)["Data elements"].iter_rows(values_only=True))
    assert rows == [("OPD", "Data element", "Definition", "Unit", "Frequency", "Priority data", "Target date",
                     "Dataset", "Status", "Late"),
                    ("Bappeda", "PDRB per Kapita", None, "rupiah", "Yearly", "No", None, None, "No dataset yet",
                     "No")]


@pytest.mark.parametrize("args, message", [
    (["export", "--year", "1800"], "--tahun: Year must be from 1900"),
    (["export", "--tahun", "1800"], "--tahun: Year must be from 1900"),
    (["export", "--opd", "dinas-rahasia"], '--owner-org: There is no OPD "dinas-rahasia"'),
    (["export", "--owner-org", "dinas-rahasia"], '--owner-org: There is no OPD "dinas-rahasia"'),
    (["import", "FILE", "--opd", "dinas-rahasia"], '--owner-org: There is no OPD "dinas-rahasia"'),
    (["import", "BAD_ROWS"], 'Row 2, OPD: There is no OPD "Dinas Rahasia"'),
])
def test_cli_clear_errors(cli, world, tmp_path, args, message):
    good, bad = tmp_path / "baik.xlsx", tmp_path / "salah.xlsx"
    good.write_bytes(_workbook([["Bappeda", "Elemen CLI", None, None, None, None, None, None]]))
    bad.write_bytes(_workbook([["Dinas Rahasia", "Elemen CLI", None, None, None, None, None, None]]))
    args = [str(good) if arg == "FILE" else str(bad) if arg == "BAD_ROWS" else arg for arg in args]
    result = cli.invoke(satudata, ["elements", *args, "--tahun", str(YEAR - 8)] if not {"--year", "--tahun"} & set(args)
                        else ["elements", *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert _call(world, "walidata", "satudata_data_element_list", tahun=YEAR - 8) == []
