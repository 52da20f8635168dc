"""Our BPS metadata (schemas/dataset.yaml) in DCAT-AP, on top of ckanext-dcat's `euro_dcat_ap_2` profile.

Enabled as `ckanext.dcat.rdf.profiles = euro_dcat_ap_2 satudata_blitar` (entry point `ckan.rdf.profiles`). The
euro profile writes title, description, keywords (tags), dates, the publisher (the OPD, from the organisation) and
one dcat:Distribution per resource; this profile adds or replaces:

| our field | DCAT-AP |
|---|---|
| owner_org (OPD) | dct:publisher foaf:Agent (the euro profile) + dct:type adms:LocalAuthority |
| frekuensi | dct:accrualPeriodicity, EU frequency vocabulary |
| tahun_data_awal / _akhir | dct:temporal dct:PeriodOfTime, dcat:startDate / dcat:endDate as xsd:gYear |
| kontak_nama / _email / _telepon | dcat:contactPoint vcard:Organization (fn, hasEmail, hasTelephone) |
| urusan | dcat:theme: the EU data theme + our urusan concept (skos:Concept, labels id/en); dcat:keyword labels |
| definisi, konsep | skos:definition, skos:scopeNote |
| satuan | sdmx-attribute:unitMeasure |
| cara_pengumpulan, sumber_data | dct:provenance dct:ProvenanceStatement (a sentence) + prov:wasGeneratedBy |
| kode_referensi, ms_keg_id, ms_ind_id | adms:identifier adms:Identifier (skos:notation, dct:type) |
| ms_keg_id (a statistical activity) | prov:wasGeneratedBy the prov:Activity at its page (dct:title, dct:identifier, sd:<field>) |
| sifat_data | dct:accessRights, EU access-right vocabulary |
| tanggal_rilis | dct:issued |
| license_id | dct:license of every distribution (dct:LicenseDocument) |
| language | dct:language IND (EU language vocabulary) |
| resources | dcat:Distribution: accessURL (resource page), downloadURL (file), sd:periode; a DataStore table
|  | adds a distribution per dump (CSV, JSON) with its downloadURL and dcat:accessService (the DataStore API) |
| MS-Var (each column's Data Dictionary) | dct:conformsTo of the table's distributions: a dct:Standard that is a
|  | CSVW table schema (csvw:column list: csvw:name, csvw:titles, dct:description, csvw:datatype,
|  | sdmx-attribute:unitMeasure, skos:scopeNote, and every MS-Var element as sd:<key>) |

Every BPS field also travels under its own name in our vocabulary (`sd:<field>`, literals), so a CKAN that
harvests us with this profile gets each field back exactly (`parse_dataset`).
"""
from __future__ import annotations

from urllib.parse import quote

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, FOAF, VCARD
from ckanext.dcat.utils import catalog_uri, resource_uri

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.metadata import ms_var

# Our own terms, for what DCAT-AP has no property: one per schema field.
SD = Namespace("https://satudata.blitarkota.go.id/ns/metadata#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
EU = "http://publications.europa.eu/resource/authority/"

# The BPS fields that travel as sd:<field> literals (and come back from them), in schema order.
BPS_FIELDS = (
    "urusan", "konsep", "definisi", "satuan", "ukuran", "metode_perhitungan", "interpretasi", "klasifikasi",
    "tahun_data_awal", "tahun_data_akhir", "frekuensi", "level_penyajian", "jadwal_pemutakhiran",
    "cara_pengumpulan", "sumber_data", "sifat_data", "data_prioritas", "data_prioritas_tahun", "kode_referensi",
    "ms_keg_id", "ms_ind_id", "kontak_nama", "kontak_email", "kontak_telepon", "tanggal_rilis",
)

FREQUENCY = {
    "harian": "DAILY", "mingguan": "WEEKLY", "bulanan": "MONTHLY", "triwulanan": "QUARTERLY",
    "empat-bulanan": "ANNUAL_3", "semesteran": "ANNUAL_2", "tahunan": "ANNUAL", "dua-tahunan": "BIENNIAL",
    "tidak-tentu": "IRREG",
}

# Urusan pemerintahan → EU data theme (http://publications.europa.eu/resource/authority/data-theme).
THEME = {
    "pendidikan": "EDUC", "kesehatan": "HEAL", "pekerjaan-umum-penataan-ruang": "REGI",
    "perumahan-kawasan-permukiman": "REGI", "ketenteraman-ketertiban-umum": "JUST", "sosial": "SOCI",
    "tenaga-kerja": "ECON", "pemberdayaan-perempuan-perlindungan-anak": "SOCI", "pangan": "AGRI",
    "pertanahan": "REGI", "lingkungan-hidup": "ENVI", "administrasi-kependudukan": "SOCI",
    "pemberdayaan-masyarakat": "SOCI", "pengendalian-penduduk-kb": "SOCI", "perhubungan": "TRAN",
    "komunikasi-informatika": "TECH", "koperasi-ukm": "ECON", "penanaman-modal": "ECON",
    "kepemudaan-olahraga": "EDUC", "statistik": "GOVE", "persandian": "TECH", "kebudayaan": "EDUC",
    "perpustakaan": "EDUC", "kearsipan": "GOVE", "pariwisata": "ECON", "pertanian": "AGRI",
    "perdagangan": "ECON", "perindustrian": "ECON", "perencanaan-pembangunan": "GOVE", "keuangan-daerah": "GOVE",
    "kepegawaian": "GOVE", "pemerintahan-umum": "GOVE", "pengawasan": "GOVE",
}

ACCESS_RIGHTS = {"terbuka": "PUBLIC", "terbatas": "RESTRICTED", "tertutup": "NON_PUBLIC"}

IDENTIFIERS = {"kode_referensi": "Kode Referensi", "ms_keg_id": "MS-Keg", "ms_ind_id": "MS-Ind"}

DUMP_FORMATS = (("csv", "CSV", "text/csv"), ("json", "JSON", "application/json"))

# MS-Var's tipe_data as the CSVW (XML Schema) datatype of a column.
CSVW_DATATYPES = {"bilangan_bulat": XSD.integer, "desimal": XSD.decimal, "tanggal": XSD.date,
                  "tanggal_waktu": XSD.dateTime, "teks": XSD.string, "kode": XSD.string}
# MS-Var elements that also have a standard property on the column (the rest travel as sd:<key> only).
COLUMN_PROPERTIES = {"nama_variabel": CSVW.titles, "definisi": DCT.description, "konsep": SKOS.scopeNote,
                     "satuan": SDMX_ATTRIBUTE.unitMeasure}


def table_fields(resource_id: str) -> list[dict]:
    """A published table's columns with their Data Dictionary (the catalogue lists Terbit datasets only)."""
    try:
        fields = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id}).get("fields", [])
    except (tk.ObjectNotFound, KeyError):
        return []
    return [field for field in fields if not str(field.get("id", "")).startswith("_")]


def _value(dataset_dict: dict, key: str) -> str:
    value = dataset_dict.get(key)
    return "" if value is None else str(value).strip()


def choice_labels(field_name: str, value: str) -> dict[str, str]:
    """`{"id": …, "en": …}` of a choice of the dataset schema; {} when unknown (or no schema: a harvesting CKAN)."""
    try:
        from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema
        schema = scheming_get_dataset_schema("dataset")
    except (ImportError, KeyError):
        return {}
    field = scheming_field_by_name((schema or {}).get("dataset_fields", []), field_name) or {}
    for choice in field.get("choices", []):
        if choice["value"] == value:
            return dict(choice["label"]) if isinstance(choice["label"], dict) else {"id": choice["label"]}
    return {}


# A statistical activity (MS-Keg, schemas/kegiatan.yaml): its type and the fields that travel as sd:<field>.
ACTIVITY_TYPE = "kegiatan-statistik"
ACTIVITY_FIELDS = (
    "tahun_kegiatan", "alamat_penyelenggara", "notes", "pj_unit", "pj_nama", "pj_jabatan", "pj_email", "pj_telepon",
    "latar_belakang", "tujuan", "jadwal_mulai", "jadwal_selesai", "jadwal_rincian", "kegiatan_dilakukan",
    "frekuensi_kegiatan", "cara_pengumpulan_kegiatan", "cakupan_wilayah", "metode_pengumpulan", "unit_pengumpulan",
    "jenis_rancangan_sampel", "metode_pemilihan_sampel", "kerangka_sampel", "ukuran_sampel", "uji_coba",
    "pemeriksaan_kualitas", "petugas_pengumpulan", "tahapan_pengolahan", "metode_analisis", "tingkat_penyajian",
    "produk_tersedia", "rencana_rilis",
)


def activity_uri(name: str) -> str:
    """A statistical activity's page: its URI in our records."""
    return f"{catalog_uri().rstrip('/')}/{ACTIVITY_TYPE}/{quote(name)}"


def parse_activity(graph, dataset_ref) -> dict | None:
    """The statistical activity of one of our records, back as an activity dict (`type`, `name`, `title` and its
    MS-Keg fields), for a CKAN harvesting us that keeps activities; None when the record links none."""
    for node in graph.objects(dataset_ref, PROV.wasGeneratedBy):
        name = graph.value(node, DCT.identifier)
        if name is None or (node, RDF.type, PROV.Activity) not in graph:
            continue
        activity = {"type": ACTIVITY_TYPE, "name": str(name), "title": str(graph.value(node, DCT.title) or name)}
        for field in ACTIVITY_FIELDS:
            value = graph.value(node, SD[field])
            if value is not None:
                activity[field] = str(value)
        return activity
    return None


def urusan_uri(value: str) -> URIRef:
    """Our urusan concept: the portal's search filtered on it (a page that lists what it means)."""
    return URIRef(f"{catalog_uri().rstrip('/')}/dataset/?urusan={quote(value)}")


class SatudataDCATProfile(RDFProfile):
    """See the module's docstring. Runs after `euro_dcat_ap_2`."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        g = self.g
        g.bind("sd", SD)
        g.bind("sdmx-attribute", SDMX_ATTRIBUTE)
        g.bind("prov", PROV)
        g.bind("csvw", CSVW)

        for field in BPS_FIELDS:
            value = _value(dataset_dict, field)
            if value:
                g.add((dataset_ref, SD[field], Literal(value)))

        self._publisher(dataset_ref)
        self._frequency(dataset_dict, dataset_ref)
        self._temporal(dataset_dict, dataset_ref)
        self._contact(dataset_dict, dataset_ref)
        self._urusan(dataset_dict, dataset_ref)
        self._concepts(dataset_dict, dataset_ref)
        self._provenance(dataset_dict, dataset_ref)
        self._identifiers(dataset_dict, dataset_ref)
        self._activity(dataset_dict, dataset_ref)

        sifat = _value(dataset_dict, "sifat_data")
        if sifat in ACCESS_RIGHTS:
            g.remove((dataset_ref, DCT.accessRights, None))
            rights = URIRef(f"{EU}access-right/{ACCESS_RIGHTS[sifat]}")
            g.add((dataset_ref, DCT.accessRights, rights))
            g.add((rights, RDF.type, DCT.RightsStatement))
        if _value(dataset_dict, "tanggal_rilis"):
            g.remove((dataset_ref, DCT.issued, None))
            self._add_date_triple(dataset_ref, DCT.issued, _value(dataset_dict, "tanggal_rilis"))
        language = URIRef(f"{EU}language/IND")
        g.add((dataset_ref, DCT.language, language))
        g.add((language, RDF.type, DCT.LinguisticSystem))
        landing = URIRef(f"{catalog_uri().rstrip('/')}/dataset/{dataset_dict['name']}")
        g.remove((dataset_ref, DCAT.landingPage, None))
        g.add((dataset_ref, DCAT.landingPage, landing))
        g.add((landing, RDF.type, FOAF.Document))

        self._distributions_of(dataset_dict, dataset_ref)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        g = self.g
        language = URIRef(f"{EU}language/IND")
        g.remove((catalog_ref, DCT.language, None))
        g.add((catalog_ref, DCT.language, language))
        g.add((language, RDF.type, DCT.LinguisticSystem))
        # DCAT-AP: a catalogue has a publisher; ours is the city's Walidata.
        publisher = URIRef(catalog_uri().rstrip("/"))
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, FOAF.name, Literal(tk.config.get("ckan.site_title") or "Satu Data")))
        if not (catalog_ref, DCT.description, None) in g:
            g.add((catalog_ref, DCT.description, Literal(
                "Data sektoral yang diterbitkan oleh Walidata Satu Data (Perpres 39/2019).", lang="id")))

    # --- the parts ----------------------------------------------------------------------------------------------

    def _publisher(self, dataset_ref):
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            self.g.add((publisher, DCT.type, URIRef("http://purl.org/adms/publishertype/LocalAuthority")))

    def _frequency(self, dataset_dict, dataset_ref):
        code = FREQUENCY.get(_value(dataset_dict, "frekuensi"))
        if code:
            frequency = URIRef(f"{EU}frequency/{code}")
            self.g.remove((dataset_ref, DCT.accrualPeriodicity, None))
            self.g.add((dataset_ref, DCT.accrualPeriodicity, frequency))
            self.g.add((frequency, RDF.type, DCT.Frequency))

    def _temporal(self, dataset_dict, dataset_ref):
        start, end = _value(dataset_dict, "tahun_data_awal"), _value(dataset_dict, "tahun_data_akhir")
        if not (start or end):
            return
        period = BNode()
        self.g.add((dataset_ref, DCT.temporal, period))
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        if start:
            self.g.add((period, DCAT.startDate, Literal(start, datatype=XSD.gYear)))
        if end:
            self.g.add((period, DCAT.endDate, Literal(end, datatype=XSD.gYear)))

    def _contact(self, dataset_dict, dataset_ref):
        organization = dataset_dict.get("organization") or {}
        name = _value(dataset_dict, "kontak_nama") or organization.get("title")
        email, phone = _value(dataset_dict, "kontak_email"), _value(dataset_dict, "kontak_telepon")
        if not (name or email or phone):
            return
        contact = BNode()
        self.g.add((dataset_ref, DCAT.contactPoint, contact))
        self.g.add((contact, RDF.type, VCARD.Organization))
        if name:
            self.g.add((contact, VCARD.fn, Literal(name)))
        if organization.get("title"):
            self.g.add((contact, VCARD["organization-name"], Literal(organization["title"])))
        if email:
            self.g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        if phone:
            self.g.add((contact, VCARD.hasTelephone, URIRef("tel:" + "".join(c for c in phone if c.isdigit()
                                                                            or c == "+"))))

    def _urusan(self, dataset_dict, dataset_ref):
        urusan = _value(dataset_dict, "urusan")
        if not urusan:
            return
        if urusan in THEME:
            theme = URIRef(f"{EU}data-theme/{THEME[urusan]}")
            self.g.add((dataset_ref, DCAT.theme, theme))
            self.g.add((theme, RDF.type, SKOS.Concept))
        concept = urusan_uri(urusan)
        self.g.add((dataset_ref, DCAT.theme, concept))
        self.g.add((concept, RDF.type, SKOS.Concept))
        self.g.add((concept, SKOS.notation, Literal(urusan)))
        for lang, label in choice_labels("urusan", urusan).items():
            self.g.add((concept, SKOS.prefLabel, Literal(label, lang=lang)))
            self.g.add((dataset_ref, DCAT.keyword, Literal(label, lang=lang)))

    def _concepts(self, dataset_dict, dataset_ref):
        for field, predicate in (("definisi", SKOS.definition), ("konsep", SKOS.scopeNote),
                                 ("satuan", SDMX_ATTRIBUTE.unitMeasure)):
            if _value(dataset_dict, field):
                self.g.add((dataset_ref, predicate, Literal(_value(dataset_dict, field), lang="id")))

    def _provenance(self, dataset_dict, dataset_ref):
        cara, sumber = _value(dataset_dict, "cara_pengumpulan"), _value(dataset_dict, "sumber_data")
        if not (cara or sumber):
            return
        cara_label = choice_labels("cara_pengumpulan", cara).get("id", cara)
        sentence = "; ".join(part for part in (
            f"Cara pengumpulan data: {cara_label}" if cara else "", f"Sumber data: {sumber}" if sumber else "") if part)
        statement = BNode()
        self.g.remove((dataset_ref, DCT.provenance, None))
        self.g.add((dataset_ref, DCT.provenance, statement))
        self.g.add((statement, RDF.type, DCT.ProvenanceStatement))
        self.g.add((statement, RDFS.label, Literal(sentence, lang="id")))
        if cara:
            activity = BNode()
            self.g.add((dataset_ref, PROV.wasGeneratedBy, activity))
            self.g.add((activity, RDF.type, PROV.Activity))
            for lang, label in (choice_labels("cara_pengumpulan", cara) or {"id": cara}).items():
                self.g.add((activity, RDFS.label, Literal(label, lang=lang)))

    def _identifiers(self, dataset_dict, dataset_ref):
        for field, scheme in IDENTIFIERS.items():
            value = _value(dataset_dict, field)
            if value:
                identifier = BNode()
                self.g.add((dataset_ref, ADMS.identifier, identifier))
                self.g.add((identifier, RDF.type, ADMS.Identifier))
                self.g.add((identifier, SKOS.notation, Literal(value)))
                self.g.add((identifier, DCT.type, Literal(scheme)))

    def _activity(self, dataset_dict, dataset_ref):
        """The statistical activity (MS-Keg) the dataset links to, as the prov:Activity that generated it: only an
        activity an anonymous visitor may see (it is public while a linked dataset is published, ms_keg.py)."""
        value = _value(dataset_dict, "ms_keg_id")
        if not value:
            return
        try:
            activity = tk.get_action("package_show")({"user": "", "ignore_auth": False}, {"id": value})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            return
        if activity.get("type") != ACTIVITY_TYPE or activity.get("owner_org") != dataset_dict.get("owner_org"):
            return
        node = URIRef(activity_uri(activity["name"]))
        self.g.add((dataset_ref, PROV.wasGeneratedBy, node))
        self.g.add((node, RDF.type, PROV.Activity))
        self.g.add((node, DCT.title, Literal(activity["title"], lang="id")))
        self.g.add((node, DCT.identifier, Literal(activity["name"])))
        for field in ACTIVITY_FIELDS:
            if _value(activity, field):
                self.g.add((node, SD[field], Literal(_value(activity, field))))

    def _distributions_of(self, dataset_dict, dataset_ref):
        g = self.g
        site = catalog_uri().rstrip("/")
        license_url = dataset_dict.get("license_url")
        datastore_api = URIRef(f"{site}/api/3/action/datastore_search")
        for resource in dataset_dict.get("resources", []):
            distribution = URIRef(resource_uri(resource))
            page = URIRef(f"{site}/dataset/{dataset_dict['name']}/resource/{resource['id']}")
            g.remove((distribution, DCAT.accessURL, None))
            g.add((distribution, DCAT.accessURL, page))
            if resource.get("url"):
                g.remove((distribution, DCAT.downloadURL, None))
                g.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))
            if resource.get("periode"):
                g.add((distribution, SD.periode, Literal(resource["periode"])))
            distributions = [distribution]
            if resource.get("datastore_active"):
                schema = self._table_schema(resource)
                service = URIRef(f"{site}/api/3/action/datastore_search?resource_id={resource['id']}")
                g.add((service, RDF.type, DCAT.DataService))
                g.add((service, DCT.title, Literal("DataStore API", lang="en")))
                g.add((service, DCAT.endpointURL, datastore_api))
                g.add((service, DCAT.servesDataset, dataset_ref))
                g.add((distribution, DCAT.accessService, service))
                for ext, label, media_type in DUMP_FORMATS:
                    dump = URIRef(f"{site}/datastore/dump/{resource['id']}?format={ext}")
                    dump_distribution = URIRef(f"{resource_uri(resource)}/dump.{ext}")
                    g.add((dataset_ref, DCAT.distribution, dump_distribution))
                    g.add((dump_distribution, RDF.type, DCAT.Distribution))
                    g.add((dump_distribution, DCT.title, Literal(f"{resource.get('name') or ''} ({label})".strip())))
                    g.add((dump_distribution, DCAT.accessURL, page))
                    g.add((dump_distribution, DCAT.downloadURL, dump))
                    g.add((dump_distribution, DCT["format"], Literal(label)))
                    g.add((dump_distribution, DCAT.mediaType,
                           URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
                    g.add((dump_distribution, DCAT.accessService, service))
                    distributions.append(dump_distribution)
                if schema is not None:
                    for each in distributions:
                        g.add((each, DCT.conformsTo, schema))
            if license_url:
                for each in distributions:
                    g.remove((each, DCT.license, None))
                    g.add((each, DCT.license, URIRef(license_url)))
                    g.add((URIRef(license_url), RDF.type, DCT.LicenseDocument))

    def _table_schema(self, resource):
        """The table's columns and their MS-Var as a CSVW table schema (a dct:Standard for dct:conformsTo), or
        None when the DataStore has no columns for it."""
        fields = table_fields(resource["id"])
        if not fields:
            return None
        g = self.g
        schema = URIRef(f"{resource_uri(resource)}/schema")
        g.add((schema, RDF.type, DCT.Standard))
        g.add((schema, RDF.type, CSVW.Schema))
        g.add((schema, DCT.title, Literal(f"Kamus Data: {resource.get('name') or resource['id']}", lang="id")))
        columns = []
        for field in fields:
            info = field.get("info") or {}
            column = BNode()
            g.add((column, RDF.type, CSVW.Column))
            g.add((column, CSVW.name, Literal(field["id"])))
            tipe = info.get("tipe_data") or ms_var.detected_type(field.get("type"))
            g.add((column, CSVW.datatype, CSVW_DATATYPES.get(tipe, XSD.string)))
            for key in ms_var.KEYS:
                value = str(info.get(key) or "").strip()
                if not value:
                    continue
                g.add((column, SD[key], Literal(value)))
                if key in COLUMN_PROPERTIES:
                    g.add((column, COLUMN_PROPERTIES[key], Literal(value, lang="id")))
            columns.append(column)
        head = BNode()
        Collection(g, head, columns)  # CSVW's columns are an ordered list
        g.add((schema, CSVW.column, head))
        return schema

    # --- back from RDF (a CKAN harvesting us) ---------------------------------------------------------------------

    def parse_dataset(self, dataset_dict, dataset_ref):
        """Back from one of our records (a CKAN harvesting us): each sd:<field> as an extra of that name (a CKAN
        without our schema keeps them as extras), the name from the landing page, the urusan labels out of the tags
        (they are the theme's, and may hold commas that CKAN's tags refuse), the dump distributions dropped (they
        are the DataStore's views of a resource, not resources of their own). Other records pass untouched."""
        ours = {field: self._object_value(dataset_ref, SD[field]) for field in BPS_FIELDS}
        if not any(ours.values()):
            return dataset_dict
        extras = [e for e in dataset_dict.get("extras", []) if e["key"] not in BPS_FIELDS]
        extras += [{"key": field, "value": value} for field, value in ours.items() if value]
        dataset_dict["extras"] = extras
        # The euro profile reads prov:wasGeneratedBy into a field only a DCAT scheming schema has; cara_pengumpulan
        # travels as sd:cara_pengumpulan.
        dataset_dict.pop("provenance_activity", None)
        landing = self._object_value(dataset_ref, DCAT.landingPage)
        if landing and "/dataset/" in landing:
            dataset_dict["name"] = landing.rstrip("/").rsplit("/", 1)[-1]
        theme_labels = {str(label) for theme in self.g.objects(dataset_ref, DCAT.theme)
                        for label in self.g.objects(theme, SKOS.prefLabel)}
        dataset_dict["tags"] = [t for t in dataset_dict.get("tags", []) if t["name"] not in theme_labels]
        dataset_dict["resources"] = [
            r for r in dataset_dict.get("resources", [])
            if not any(str(r.get("uri", "")).endswith(f"/dump.{ext}") for ext, _, _ in DUMP_FORMATS)]
        for resource in dataset_dict["resources"]:
            periode = self._object_value(URIRef(resource["distribution_ref"]), SD.periode) \
                if resource.get("distribution_ref") else None
            if periode:
                resource["periode"] = periode
            columns = self._ms_var_of(URIRef(resource["distribution_ref"])) if resource.get("distribution_ref") \
                else []
            if columns:
                resource["ms_var"] = adapters.resource_list_value(columns)
        return dataset_dict

    def _ms_var_of(self, distribution):
        """A distribution's table schema back as [{id, <MS-Var key>: value, …}] (a harvesting CKAN keeps it on the
        resource as `ms_var`, as JSON text on CKAN 2.11; it has no DataStore table to hold a Data Dictionary)."""
        for schema in self.g.objects(distribution, DCT.conformsTo):
            head = self.g.value(schema, CSVW.column)
            if head is None:
                continue
            found = []
            for column in Collection(self.g, head):
                entry = {"id": str(self.g.value(column, CSVW.name) or "")}
                for key in ms_var.KEYS:
                    value = self.g.value(column, SD[key])
                    if value is not None:
                        entry[key] = str(value)
                found.append(entry)
            return found
        return []
