"""Only Terbit datasets leave the portal as catalogue records, whoever asks.

ckanext-dcat serves `/catalog.<fmt>` from `package_search` (public datasets only) and `/dataset/<id>.<fmt>` from
`package_show` as the user who asks, so an insider would get an unpublished dataset there. These chained actions
make both the public catalogue: the catalogue keeps only datasets in state Terbit (`satudata_status`, indexed by
search.py), and a dataset's record is "not found" unless it is Terbit, for the OPD's own people and sysadmins too.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import search

from ckanext.satudata_blitar.workflow import transitions

PUBLISHED_FQ = f"+satudata_status:{transitions.TERBIT} +capacity:public"

__all__ = ["dcat_dataset_show", "dcat_catalog_show", "dcat_catalog_search", "is_published"]


def is_published(pkg_dict: dict[str, Any]) -> bool:
    """Terbit, public and active: what the catalogue, the structured data and the sitemap show."""
    return (pkg_dict.get("satudata_status") == transitions.TERBIT and not pkg_dict.get("private")
            and pkg_dict.get("state", "active") == "active")


# Solr reads `start` as a 32-bit integer: a page beyond it is a Solr error (a 500 through ckanext-dcat's view).
SOLR_MAX_START = 2**31 - 1


def _published_only(data_dict: dict[str, Any]) -> dict[str, Any]:
    asked = data_dict.get("fq")
    return {**data_dict, "fq": f"{PUBLISHED_FQ} {asked}" if asked else PUBLISHED_FQ}


def _searched(original, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """ckanext-dcat's catalogue action with a page Solr can reach and a search Solr accepts, else a ValidationError
    (its view answers 409, as for a page that is not a number): package_search refuses Solr local parameters
    (`{!...}`) in `q` and `fq` with an error ckanext-dcat does not catch."""
    page = data_dict.get("page")
    per_page = tk.config.get("ckanext.dcat.datasets_per_page") or 100
    if isinstance(page, (str, int)) and str(page).strip().isdigit() and \
            (int(str(page).strip()) - 1) * int(per_page) + int(per_page) > SOLR_MAX_START:
        raise tk.ValidationError({"page": [tk._("There is no such page")]})
    try:
        return original(context, _published_only(data_dict))
    except search.SearchError:
        raise tk.ValidationError({"q": [tk._("The search query is not valid")]})


@tk.chained_action
def dcat_dataset_show(original, context, data_dict):
    """ckanext-dcat's record of one dataset, for Terbit datasets only (others: not found, whoever asks)."""
    tk.check_access("dcat_dataset_show", context, data_dict)
    try:
        dataset = tk.get_action("package_show")({**context, "for_view": False}, {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if not is_published(dataset):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return original(context, {**data_dict, "id": dataset["id"]})


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original, context, data_dict):
    """ckanext-dcat's catalogue, of Terbit datasets only."""
    return _searched(original, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(original, context, data_dict):
    """ckanext-dcat's catalogue search, of Terbit datasets only."""
    return _searched(original, context, data_dict)
