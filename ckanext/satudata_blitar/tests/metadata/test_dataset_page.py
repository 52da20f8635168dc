"""The dataset page lays the metadata out in the sections of the BPS form (Indonesian and English), readable on a
phone; the OPD box of the OPD's pages shows the OPD's details."""
import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories

from ckanext.satudata_blitar.helpers import metadata as helpers
from ckanext.satudata_blitar.metadata import metadata_groups
from ckanext.satudata_blitar.tests import factories as satudata_factories

# The fields REQUIRED_METADATA leaves empty, filled.
OPTIONAL_METADATA = {
    "konsep": "Penduduk adalah semua orang yang berdomisili di Kota Blitar.",
    "ukuran": "jumlah",
    "metode_perhitungan": "Penjumlahan penduduk menurut kecamatan",
    "interpretasi": "Makin besar nilainya, makin banyak penduduk.",
    "klasifikasi": "menurut kecamatan dan jenis kelamin",
    "level_penyajian": "kecamatan",
    "jadwal_pemutakhiran": "2026-01-31",
    "data_prioritas": "ya",
    "data_prioritas_tahun": 2024,
    "kode_referensi": "REF-0042",
    "ms_keg_id": "MSKEG-3572-001",
    "ms_ind_id": "MSIND-3572-017",
    "kontak_nama": "Budi Santoso",
    "kontak_email": "budi@blitarkota.go.id",
    "kontak_telepon": "0812 3456 7890",
    "tanggal_rilis": "2025-03-01",
}

# The page of a dataset with every field filled (factories.REQUIRED_METADATA + OPTIONAL_METADATA): each section's
# heading and its (label, value) rows, in Indonesian and in English. Title, URL, description, OPD, tags and
# licence are shown elsewhere on the page and are not among them.
FULL_PAGE = [
    (("Informasi Umum", "General information"), [
        ("urusan", "Urusan Pemerintahan", "Government affairs (topic)", "Kesehatan", "Health"),
    ]),
    (("Konsep dan Definisi", "Concepts and definitions"), [
        ("konsep", "Konsep", "Concept", *[OPTIONAL_METADATA["konsep"]] * 2),
        ("definisi", "Definisi", "Definition", *[satudata_factories.REQUIRED_METADATA["definisi"]] * 2),
        ("satuan", "Satuan", "Unit", "jiwa", "jiwa"),
        ("ukuran", "Ukuran", "Measure", "jumlah", "jumlah"),
        ("metode_perhitungan", "Metode Perhitungan / Rumus", "Calculation method / formula",
         *[OPTIONAL_METADATA["metode_perhitungan"]] * 2),
        ("interpretasi", "Interpretasi", "Interpretation", *[OPTIONAL_METADATA["interpretasi"]] * 2),
        ("klasifikasi", "Klasifikasi / Disagregasi", "Classification / disaggregation",
         *[OPTIONAL_METADATA["klasifikasi"]] * 2),
    ]),
    (("Cakupan dan Periode", "Coverage and period"), [
        ("tahun_data_awal", "Tahun Data Awal", "First year of data", "2020", "2020"),
        ("tahun_data_akhir", "Tahun Data Akhir", "Last year of data", "2024", "2024"),
        ("frekuensi", "Frekuensi Penerbitan", "Release frequency", "Tahunan", "Yearly"),
        ("level_penyajian", "Level Penyajian", "Level of presentation", "Kecamatan", "District"),
        ("jadwal_pemutakhiran", "Jadwal Pemutakhiran Berikutnya", "Next update due", "2026-01-31", "2026-01-31"),
    ]),
    (("Sumber dan Pengumpulan Data", "Source and collection"), [
        ("cara_pengumpulan", "Cara Pengumpulan Data", "Data collection method",
         "Kompilasi Produk Administrasi", "Compilation of administrative records"),
        ("sumber_data", "Sumber Data", "Data source", *[satudata_factories.REQUIRED_METADATA["sumber_data"]] * 2),
        ("sifat_data", "Sifat Data", "Data classification", "Terbuka", "Open"),
        ("data_prioritas", "Data Prioritas", "Priority data", "Ya", "Yes"),
        ("data_prioritas_tahun", "Tahun Data Prioritas", "Priority data year", "2024", "2024"),
        ("kode_referensi", "Kode Referensi", "Reference code", "REF-0042", "REF-0042"),
        # An older value, not a statistical activity of the OPD: shown as it is, marked as not linked.
        ("ms_keg_id", "Kegiatan Statistik (MS-Keg)", "Statistical activity (MS-Keg)",
         "MSKEG-3572-001(tidak tertaut ke kegiatan statistik)", "MSKEG-3572-001(not linked to a statistical activity)"),
        ("ms_ind_id", "ID MS-Ind", "MS-Ind identifier", "MSIND-3572-017", "MSIND-3572-017"),
    ]),
    (("Kontak dan Rilis", "Contact and release"), [
        ("kontak_nama", "Nama Kontak", "Contact name", "Budi Santoso", "Budi Santoso"),
        ("kontak_email", "Email Kontak", "Contact e-mail", "budi@blitarkota.go.id", "budi@blitarkota.go.id"),
        ("kontak_telepon", "Telepon Kontak", "Contact phone", "0812 3456 7890", "0812 3456 7890"),
        ("tanggal_rilis", "Tanggal Rilis", "Release date", "2025-03-01", "2025-03-01"),
    ]),
]

LANGUAGES = [("id", ""), ("en", "/en")]  # language, URL prefix (Indonesian is the default locale)

OPD = {
    "name": "dinas-kesehatan",
    "title": "Dinas Kesehatan",
    "description": "Dinas yang menangani urusan **kesehatan**.",
    "kode_opd": "1.02.01",
    "singkatan": "Dinkes",
    "jenis": "dinas",
    "nama_kepala": "dr. Siti Rahayu",
    "alamat": "Jl. Sudanco Supriyadi No. 1, Kota Blitar",
    "telepon": "(0342) 801234",
    "email": "dinkes@blitarkota.go.id",
    "website": "https://dinkes.blitarkota.go.id",
}

# The OPD box: (field, label id, label en, value id, value en), in schema order.
OPD_DETAILS = [
    ("kode_opd", "Kode OPD", "Agency code", "1.02.01", "1.02.01"),
    ("singkatan", "Singkatan", "Abbreviation", "Dinkes", "Dinkes"),
    ("jenis", "Jenis OPD", "Agency type", "Dinas", "Office (Dinas)"),
    ("nama_kepala", "Nama Kepala OPD", "Head of agency", "dr. Siti Rahayu", "dr. Siti Rahayu"),
    ("alamat", "Alamat", "Address", OPD["alamat"], OPD["alamat"]),
    ("telepon", "Telepon", "Phone", "(0342) 801234", "(0342) 801234"),
    ("email", "Email", "E-mail", "dinkes@blitarkota.go.id", "dinkes@blitarkota.go.id"),
    ("website", "Situs Web", "Website", OPD["website"], OPD["website"]),
]


def _in(language, label_id, label_en):
    return label_id if language == "id" else label_en


def _expected_sections(language, fields=None):
    """FULL_PAGE in one language, restricted to `fields` when given; sections left without a row are dropped."""
    sections = []
    for (heading_id, heading_en), rows in FULL_PAGE:
        shown = [(_in(language, label_id, label_en), _in(language, value_id, value_en))
                 for field, label_id, label_en, value_id, value_en in rows if fields is None or field in fields]
        if shown:
            sections.append((_in(language, heading_id, heading_en), shown))
    return sections


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.body, "html.parser")


def _metadata_sections(soup):
    """The page's metadata as [(heading, [(label, value), …]), …], in page order."""
    return [
        (section.find("h3").get_text(strip=True),
         [(item.dt.get_text(strip=True), item.dd.get_text(strip=True))
          for item in section.select("dl > .satudata-metadata-item")])
        for section in soup.select(".satudata-metadata > section")
    ]


def _opd_details(soup):
    details = soup.select_one("#organization-info dl.satudata-org-details")
    if details is None:
        return []
    return [(dt.get_text(strip=True), dt.find_next_sibling("dd").get_text(strip=True))
            for dt in details.find_all("dt")]


@pytest.fixture
def opd():
    return factories.Organization(**OPD)


@pytest.fixture
def full_dataset(opd):
    # Published, so that visitors see it.
    return satudata_factories.published(satudata_factories.Dataset(
        name="jumlah-penduduk", title="Jumlah Penduduk", notes="Jumlah penduduk Kota Blitar menurut kecamatan.",
        owner_org=opd["id"], tag_string="penduduk,kesehatan", license_id="cc-by", **OPTIONAL_METADATA))


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestDatasetPage:

    @pytest.mark.parametrize("language, prefix", LANGUAGES)
    def test_every_field_under_its_section_in_the_order_of_the_bps_form(self, app, full_dataset, language, prefix):
        soup = _soup(app.get(f"{prefix}/dataset/{full_dataset['name']}"))

        assert _metadata_sections(soup) == _expected_sections(language)

    @pytest.mark.parametrize("language, prefix", LANGUAGES)
    def test_section_headings_are_headings_in_the_order_of_the_bps_form(self, app, full_dataset, language, prefix):
        soup = _soup(app.get(f"{prefix}/dataset/{full_dataset['name']}"))

        headings = [h3.get_text(strip=True) for h3 in soup.select(".satudata-metadata h3")]
        assert headings == [_in(language, *titles) for titles, _rows in FULL_PAGE]
        # Each heading names its section for screen readers.
        for section in soup.select(".satudata-metadata > section"):
            assert soup.find(id=section["aria-labelledby"]).get_text(strip=True) in headings

    def test_fields_the_page_shows_elsewhere_are_not_repeated(self, app, full_dataset):
        soup = _soup(app.get(f"/dataset/{full_dataset['name']}"))

        labels = [dt.get_text(strip=True) for dt in soup.select(".satudata-metadata dt")]
        for label in ["Judul", "URL", "Deskripsi", "OPD Produsen Data", "Tag", "Lisensi"]:
            assert label not in labels
        # …and scheming's flat table of every field is gone: the additional info keeps the record's dates only.
        table_labels = [th.get_text(strip=True) for th in soup.select(".additional-info tbody th")]
        assert not set(table_labels) & {label for _titles, rows in FULL_PAGE for _f, label, *_rest in rows}
        assert len(table_labels) == 2

    def test_contact_email_is_a_mailto_link(self, app, full_dataset):
        soup = _soup(app.get(f"/dataset/{full_dataset['name']}"))

        link = soup.select_one('.satudata-metadata [data-field="kontak_email"] dd a')
        assert link["href"] == "mailto:budi@blitarkota.go.id"

    @pytest.mark.parametrize("language, prefix", LANGUAGES)
    def test_empty_optional_fields_and_empty_sections_are_absent(self, app, opd, language, prefix):
        blank = {field: "" for field in OPTIONAL_METADATA if field != "data_prioritas"}
        dataset = satudata_factories.published(satudata_factories.Dataset(owner_org=opd["id"], **blank))

        soup = _soup(app.get(f"{prefix}/dataset/{dataset['name']}"))

        required = set(satudata_factories.REQUIRED_METADATA)
        expected = _expected_sections(language, fields=required)
        # data_prioritas defaults to `tidak`: shown, with its label.
        sumber = next(rows for heading, rows in expected if heading == _in(language, "Sumber dan Pengumpulan Data",
                                                                            "Source and collection"))
        sumber.insert(3, (_in(language, "Data Prioritas", "Priority data"), _in(language, "Tidak", "No")))
        assert _metadata_sections(soup) == expected
        assert _in(language, "Kontak dan Rilis", "Contact and release") not in soup.get_text()

    @pytest.mark.parametrize("path", ["/dataset/jumlah-penduduk", "/organization/dinas-kesehatan",
                                      "/organization/about/dinas-kesehatan"])
    def test_pages_load_the_stylesheet_that_stacks_labels_on_a_phone(self, app, full_dataset, path):
        soup = _soup(app.get(path))

        stylesheets = [link["href"] for link in soup.head.select('link[rel="stylesheet"]')
                       if link["href"].endswith("_metadata.css")]
        assert len(stylesheets) == 1
        css = app.get(stylesheets[0])
        assert css.status_code == 200
        phone = css.body.split("@media (max-width: 575.98px)", 1)[1]
        assert ".satudata-metadata-item" in phone
        assert "grid-template-columns: minmax(0, 1fr)" in phone


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestOrganizationPages:

    @pytest.mark.parametrize("language, prefix", LANGUAGES)
    @pytest.mark.parametrize("path", ["/organization/dinas-kesehatan", "/organization/about/dinas-kesehatan",
                                      "/dataset/jumlah-penduduk"])
    def test_opd_box_shows_the_opd_details(self, app, full_dataset, path, language, prefix):
        soup = _soup(app.get(prefix + path))

        assert _opd_details(soup) == [(_in(language, label_id, label_en), _in(language, value_id, value_en))
                                      for _f, label_id, label_en, value_id, value_en in OPD_DETAILS]
        email = soup.select_one("#organization-info dl.satudata-org-details a")
        assert email["href"] == "mailto:dinkes@blitarkota.go.id"

    def test_only_the_filled_details_are_shown(self, app):
        factories.Organization(name="kecamatan-sukorejo", title="Kecamatan Sukorejo", jenis="kecamatan",
                               kode_opd="", telepon="0342 123456")

        soup = _soup(app.get("/organization/about/kecamatan-sukorejo"))

        assert _opd_details(soup) == [("Jenis OPD", "Kecamatan"), ("Telepon", "0342 123456")]

    def test_about_page_shows_the_description_not_a_dump_of_raw_values(self, app, opd):
        soup = _soup(app.get("/organization/about/dinas-kesehatan"))

        main = soup.select_one('[role="main"] .module-content:not(.page-header)')
        assert main.h1.get_text(strip=True) == "Dinas Kesehatan"
        assert main.find("strong").get_text() == "kesehatan"  # the description, rendered from markdown
        # Scheming's about page listed every field with its raw value (`dinas`, the logo URL, blanks).
        assert main.find("dl") is None


class TestMetadataGroupsHelper:
    """satudata_metadata_groups on a schema of its own: what counts as empty, what is left out, the order."""

    SCHEMA = {"dataset_fields": [
        {"field_name": "title", "label": "Title", "group": "umum"},
        {"field_name": "urusan", "label": "Urusan", "group": "umum"},
        {"field_name": "internal", "label": "Internal", "group": "umum", "display_snippet": None},
        {"field_name": "satuan", "label": "Satuan", "group": "konsep"},
        {"field_name": "kontak_nama", "label": "Kontak", "group": "kontak"},
        {"field_name": "tahun_data_awal", "label": "Tahun", "group": "periode"},
        {"field_name": "catatan", "label": "Catatan", "group": "lain"},
    ]}

    @pytest.mark.parametrize("empty", [None, "", "   ", [], {}])
    def test_empty_values_are_skipped_and_so_are_sections_left_empty(self, empty):
        pkg = {"title": "Judul", "urusan": "kesehatan", "internal": "x", "satuan": empty, "kontak_nama": "Budi",
               "tahun_data_awal": 0}

        groups = helpers.satudata_metadata_groups(self.SCHEMA, pkg)

        assert [(g["name"], [(f["field"]["field_name"], f["value"]) for f in g["fields"]]) for g in groups] == [
            ("umum", [("urusan", "kesehatan")]),
            ("kontak", [("kontak_nama", "Budi")]),
            ("periode", [("tahun_data_awal", 0)]),
        ]
        assert groups[0]["title"] == {"id": "Informasi Umum", "en": "General information"}

    def test_a_section_without_a_title_is_titled_by_its_key(self):
        groups = helpers.satudata_metadata_groups(self.SCHEMA, {"catatan": "lihat lampiran"})

        assert [(g["name"], g["title"]) for g in groups] == [("lain", {"id": "lain", "en": "lain"})]

    def test_no_schema_no_sections(self):
        assert helpers.satudata_metadata_groups(None, {"urusan": "kesehatan"}) == []


def test_the_dataset_schema_uses_the_sections_of_the_bps_form_in_their_order():
    schema = tk.h.scheming_get_dataset_schema("dataset")

    assert all(field.get("group") for field in schema["dataset_fields"])
    used = [name for name, _fields in metadata_groups.grouped_fields(schema["dataset_fields"])]
    activity = tk.h.scheming_get_dataset_schema("kegiatan-statistik")  # the MS-Keg form's blocks I–VIII
    assert all(field.get("group") for field in activity["dataset_fields"])
    used_by_activity = [name for name, _fields in metadata_groups.grouped_fields(activity["dataset_fields"])]
    assert used + used_by_activity == list(metadata_groups.GROUP_TITLES)
    assert len(used_by_activity) == 8
