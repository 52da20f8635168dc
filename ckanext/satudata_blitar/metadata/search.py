"""How datasets are indexed in Solr and faceted on /dataset/, organisation pages and package_search."""
from __future__ import annotations

import logging
import re
from typing import Any

import requests
from ckanext.scheming.helpers import scheming_field_by_name, scheming_dataset_schemas, scheming_language_text

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.metadata import ms_keg
from ckanext.satudata_blitar.workflow import transitions

YEAR_FIELDS = ("tahun_data_awal", "tahun_data_akhir", "data_prioritas_tahun")
# A guard against a typo such as 1024–2024 indexing a thousand facet values.
MAX_YEARS_COVERED = 150

# Solr field -> label, in the order the facets are shown.
FACETS: dict[str, tuple[str, str]] = {
    "organization": ("OPD", "Agency (OPD)"),
    "urusan": ("Urusan", "Government affairs"),
    "tahun": ("Tahun", "Year"),
    # the kecamatan a published dataset's tables cover (tables/wilayah_columns.py fills it, for Terbit datasets only)
    "vocab_kecamatan": ("Kecamatan", "Kecamatan (subdistrict)"),
    "frekuensi": ("Frekuensi", "Frequency"),
    "sifat_data": ("Sifat Data", "Data classification"),
    "res_format": ("Format", "Formats"),
    "tags": ("Tag", "Tags"),
    ms_keg.SEARCH_FIELD: ("Kegiatan Statistik", "Statistical activity"),
}
# Facets whose values are scheming choices: shown with their label in the user's language.
CHOICE_FACETS = ("urusan", "frekuensi", "sifat_data")


# The year facet: pages, their links (`?tahun=2020`) and the API ask for `tahun`, and its filters stay on that integer
# field (ranges too); Solr counts the same years as strings in YEAR_FACET_FIELD, several times faster than a
# multi-valued point field at a province's size (docs/benchmarks.md). Only when the running Solr's schema has the
# field (solr/schema-fields.xml): on an older schema the years are neither indexed nor counted there.
YEAR_FACET, YEAR_FACET_FIELD = "tahun", "tahun_facet"
# set in package_search's `extras` (never sent to Solr) when the year facet is counted in YEAR_FACET_FIELD
_YEAR_FACET_SWAPPED = "satudata_year_facet_counted_as_strings"
_schema_has: dict[str, bool] = {}
log = logging.getLogger(__name__)

# Shown first, and only to the people of the workflow (dataset_state.is_insider): visitors see published data only.
STATE_FACET = ("satudata_status", ("Status", "Status"))


def facet_titles(insider: bool = False) -> dict[str, str]:
    english = language.current() == "en"
    facets = {STATE_FACET[0]: STATE_FACET[1], **FACETS} if insider else FACETS
    return {field: labels[1] if english else labels[0] for field, labels in facets.items()}


def index_dataset(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """What Solr gets beyond CKAN's defaults: integer years and the workflow state (for badges and filters; the one
    package_show showed when workflow/dataset_state.index found it there)."""
    if pkg_dict.get("satudata_status") is None:
        pkg_dict["satudata_status"] = transitions.current_state(pkg_dict["id"])
    activity = ms_keg.linked(pkg_dict.get(ms_keg.FIELD), pkg_dict.get("owner_org"))
    if activity is not None:  # a linked activity only, not a value that links nothing
        pkg_dict[ms_keg.SEARCH_FIELD] = activity.id
    return index_years(pkg_dict)


def index_years(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Years go to Solr as integers (empty ones not at all) plus `tahun`, every year the data covers."""
    for field in YEAR_FIELDS:
        try:
            pkg_dict[field] = int(pkg_dict[field])
        except (KeyError, TypeError, ValueError):
            pkg_dict.pop(field, None)
    first, last = pkg_dict.get("tahun_data_awal"), pkg_dict.get("tahun_data_akhir")
    if first and last and 0 <= last - first < MAX_YEARS_COVERED:
        pkg_dict["tahun"] = list(range(first, last + 1))
    elif first or last:
        pkg_dict["tahun"] = sorted({year for year in (first, last) if year})
    if pkg_dict.get("tahun") and solr_has_field(YEAR_FACET_FIELD):
        pkg_dict[YEAR_FACET_FIELD] = [str(year) for year in pkg_dict["tahun"]]
    return pkg_dict


def solr_has_field(name: str) -> bool:
    """Whether the Solr core's schema declares the field: asked once per process (any answer is remembered, an
    error such as 403 as "no"; no answer at all is not, so a Solr started later is asked again)."""
    if name not in _schema_has:
        from ckan.lib.search.common import make_connection
        connection = make_connection()
        try:
            answer = connection.get_session().get(f"{connection.url}/schema/fields/{name}", params={"wt": "json"},
                                                  timeout=connection.timeout)
        except requests.RequestException as e:  # Solr down: CKAN reports it on the search or index that follows
            log.warning("Solr's schema could not be read: %s", e)
            return False
        if answer.status_code not in (200, 404):
            log.warning("Solr's schema could not be read (HTTP %s): %s is not used", answer.status_code, name)
        _schema_has[name] = answer.status_code == 200
    return _schema_has[name]


def count_years_as_strings(search_params: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_search: a year facet asked for is counted in YEAR_FACET_FIELD."""
    fields = search_params.get("facet.field")
    if isinstance(fields, list) and YEAR_FACET in fields and YEAR_FACET_FIELD not in fields \
            and solr_has_field(YEAR_FACET_FIELD):
        search_params["facet.field"] = [YEAR_FACET_FIELD if field == YEAR_FACET else field for field in fields]
        search_params.setdefault("extras", {})[_YEAR_FACET_SWAPPED] = True
    return search_params


def year_facet_as_asked(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.after_dataset_search: the year facet counted in YEAR_FACET_FIELD answers as `tahun`,
    what was asked for (the same values and counts)."""
    if not (search_params.get("extras") or {}).pop(_YEAR_FACET_SWAPPED, False):
        return search_results
    search_params["facet.field"] = [YEAR_FACET if field == YEAR_FACET_FIELD else field
                                    for field in search_params.get("facet.field") or []]
    for key in ("facets", "search_facets"):
        facets = search_results.get(key)
        if facets and YEAR_FACET_FIELD in facets:  # renamed in its place: the facets keep Solr's order
            search_results[key] = {YEAR_FACET if name == YEAR_FACET_FIELD else name: value
                                   for name, value in facets.items()}
    if YEAR_FACET in (search_results.get("search_facets") or {}):
        search_results["search_facets"][YEAR_FACET]["title"] = YEAR_FACET
    return search_results


def searched_types(search_params: dict[str, Any]) -> list[str]:
    """The dataset types a search is limited to (`dataset_type:x` in fq, as CKAN's /<type>/ pages send it)."""
    fq = search_params.get("fq") or ""
    queries = [fq] if isinstance(fq, str) else list(fq)
    queries += search_params.get("fq_list") or []
    return re.findall(r'dataset_type:"?([\w-]+)', " ".join(queries))


def choice_labels(field_name: str, dataset_types: list[str]) -> dict[str, Any]:
    """value -> label of a choice field, from the schemas of the searched types (every schema when the search is
    not limited to types); schemas without that field or with other kinds of field add nothing."""
    schemas = scheming_dataset_schemas() or {}
    labels: dict[str, Any] = {}
    for dataset_type in dataset_types or list(schemas):
        field = scheming_field_by_name(schemas.get(dataset_type, {}).get("dataset_fields", []), field_name)
        for choice in (field or {}).get("choices") or []:
            labels.setdefault(choice["value"], choice["label"])
    return labels


def label_choice_facets(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """Facet items of choice fields get the choice label (e.g. `tahunan` -> Tahunan / Yearly) as display name, from
    the schema of the type searched; facets of fields a schema does not have stay as they are."""
    facets = search_results.get("search_facets") or {}
    label_activity_facet(facets)
    if not any(facets.get(facet) for facet in CHOICE_FACETS):
        return search_results
    lang = language.current()
    dataset_types = searched_types(search_params)
    for facet in CHOICE_FACETS:
        labels = choice_labels(facet, dataset_types)
        for item in (facets.get(facet) or {}).get("items", []):
            if item["name"] in labels:
                item["display_name"] = scheming_language_text(labels[item["name"]], prefer_lang=lang)
    return search_results


def label_activity_facet(facets: dict[str, Any]) -> None:
    """The statistical activity facet's items (activity ids) get the activity's title: a searcher sees a dataset,
    so its activity (of the same OPD, public once the dataset is: ms_keg.py) too."""
    items = (facets.get(ms_keg.SEARCH_FIELD) or {}).get("items", [])
    activities = ms_keg.titles([item["name"] for item in items])
    for item in items:
        if item["name"] in activities:
            item["display_name"] = activities[item["name"]].title
