"""Template helpers of the daftar elemen data's pages: OPDs, release frequencies, statuses, per-OPD summaries and
the datasets an element may be linked to."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_language_text

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.workflow import revisions, roles

__all__: list[str] = [
    "satudata_opds", "satudata_readable_opds", "satudata_frequency_choices", "satudata_frequency_labels",
    "satudata_element_statuses", "satudata_element_summaries", "satudata_link_choices",
]


def satudata_opds() -> list[dict[str, str]]:
    """Every active OPD as `{id, name, title}`, by title (filters and forms)."""
    return data_elements.opds()


def satudata_readable_opds() -> list[dict[str, str]]:
    """The OPDs whose daftar elemen data the user may read, for the OPD filter."""
    readable = roles.readable_opd_ids(tk.current_user)
    return [opd for opd in data_elements.opds() if readable is None or opd["id"] in readable]


def satudata_frequency_choices() -> list[dict[str, Any]]:
    """The dataset schema's release frequencies (`{value, label: {id, en}}`)."""
    return data_elements.frequency_choices()


def satudata_frequency_labels() -> dict[str, str]:
    """value -> label of the release frequencies, in the user's language."""
    lang = language.current()
    return {choice["value"]: scheming_language_text(choice["label"], prefer_lang=lang)
            for choice in data_elements.frequency_choices()}


def satudata_element_statuses() -> list[tuple[str, str]]:
    """(status, label) of an element's statuses, in the list's order."""
    return [(status, data_elements.status_label(status)) for status in data_elements.STATUSES]


def satudata_element_summaries(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per OPD (in the list's order): how many elements, per status and late."""
    by_opd: dict[str, dict[str, Any]] = {}
    for element in elements:
        summary = by_opd.setdefault(element["owner_org"], {
            "id": element["owner_org"], "name": element["opd_name"], "title": element["opd_title"],
            "elements": 0, "late": 0, **{status: 0 for status in data_elements.STATUSES}})
        summary["elements"] += 1
        summary[element["status"]] += 1
        summary["late"] += int(element["late"])
    return list(by_opd.values())


def satudata_link_choices(elements: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """owner_org -> the OPD's datasets (name, title), for the link forms of the OPDs where the user may link: one
    search over those OPDs (by name: the index stores the organization's name, not its id), 1000 at a time."""
    opds = {element["opd_name"]: element["owner_org"] for element in elements}
    names = {name: owner_org for name, owner_org in opds.items()
             if tk.h.check_access("satudata_data_element_link", {"owner_org": owner_org})}
    datasets: dict[str, list[dict[str, Any]]] = {owner_org: [] for owner_org in names.values()}
    if not names:
        return datasets
    query = {"fq": "+dataset_type:dataset +organization:({})".format(" OR ".join(f'"{name}"' for name in names)),
             "include_private": True, "rows": 1000, "sort": "title_string asc", "fl": "id,name,title,organization"}
    start = 0
    while True:
        found = tk.get_action("package_search")({}, {**query, "start": start})
        copies = revisions.revisions_among([pkg["id"] for pkg in found["results"]])  # the link action refuses them
        for pkg in found["results"]:
            if pkg["id"] not in copies:
                datasets[names[pkg["organization"]]].append({"name": pkg["name"],
                                                             "title": pkg.get("title") or pkg["name"]})
        start += len(found["results"])
        if not found["results"] or start >= found["count"]:
            return datasets
