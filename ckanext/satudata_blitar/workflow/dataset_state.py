"""What a dataset's workflow state means to the people who see it: who it waits for, why it was returned; and how
these travel into package_show, the search index and package_search results. (Whether it may be submitted:
tables/submission.py.)

package_show adds `satudata_status`, `satudata_waiting_for` (role codes) and `satudata_return_note` (the reason of
the last return, while the dataset waits for its revision). The search index keeps them in the dataset dict it
stores, so package_search returns them without one query per result; only people who may see the dataset get it.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, request_cache
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.model import WorkflowEvent

STATUS = "satudata_status"
WAITING_FOR = "satudata_waiting_for"
RETURN_NOTE = "satudata_return_note"
FIELDS = (STATUS, WAITING_FOR, RETURN_NOTE)
# Labels added to package_search results (no query: they follow from the codes).
STATUS_LABEL = "satudata_status_label"
WAITING_FOR_LABEL = "satudata_waiting_for_label"

ROLE_ORDER = (roles.OPERATOR, roles.VERIFIKATOR_OPD, roles.VERIFIKATOR_KOMINFOTIK, roles.WALIDATA)


# --- who acts next -----------------------------------------------------------------------------------------

def waiting_for(state: str) -> list[str]:
    """The roles that act next on a dataset in `state` (the operator for a draft), none once it is published."""
    if state != transitions.DRAF and state not in transitions.WAITING_STATES:
        return []
    acting = {role for t in transitions.TRANSITIONS.values() if state in t.from_states for role in t.roles}
    return [role for role in ROLE_ORDER if role in acting]


def waiting_for_label(role_codes: list[str]) -> str:
    return tk._(" or ").join(roles.role_label(role) for role in role_codes)


def return_note(package_id: str) -> str | None:
    """The reason given by the last return or withdrawal."""
    event = (model.Session.query(WorkflowEvent)
             .filter(WorkflowEvent.package_id == package_id,
                     WorkflowEvent.to_state == transitions.PERLU_PERBAIKAN)
             .order_by(WorkflowEvent.created_at.desc(), WorkflowEvent.id.desc()).first())
    return event.note if event else None


def fields(package_id: str, state: str | None = None) -> dict[str, Any]:
    """The workflow keys of package_show (of `state` when the caller has read it); one query more only for a dataset
    waiting for its revision."""
    state = state or transitions.current_state(package_id)
    return {STATUS: state, WAITING_FOR: waiting_for(state),
            RETURN_NOTE: return_note(package_id) if state == transitions.PERLU_PERBAIKAN else None}


# --- the search index and package_search ---------------------------------------------------------------------

def index(pkg_dict: dict[str, Any], shown_state: str | None = None) -> dict[str, Any]:
    """IPackageController.before_dataset_index, before the other index hooks: the workflow state as package_show
    showed it (`satudata_status`, the only workflow key that is a Solr field: filters, the state facet), and the
    workflow keys kept in the dataset dict the index stores for package_search.

    On CKAN 2.12 the stored dict is the one package_show has just made and shown (after_dataset_show, `fields`),
    so the state is taken from it rather than read again (a rebuild asks for every dataset, and outside a web
    request nothing is remembered), and the dict is left as it is. On CKAN 2.11 the dict indexed may be the one
    Solr stored earlier (xloader marks a loaded resource so), so the state is read, unless `shown_state` is the one
    package_show has just read for this index (request_cache.handed_to_index); CKAN validates that dict with the
    schema for the stored dict, dropping the workflow keys, so they are put back into it."""
    stored = pkg_dict.get("validated_data_dict")
    data = json.loads(stored) if stored else None
    shown = ((data or {}).get(STATUS) if adapters.CKAN_2_12 else None) or shown_state
    pkg_dict[STATUS] = shown if shown is not None else transitions.current_state(pkg_dict["id"])
    if data is not None:
        carried = {key: pkg_dict.get(key) for key in FIELDS if key in pkg_dict}
        if any(key not in data or data[key] != value for key, value in carried.items()):
            data.update(carried)
            pkg_dict["validated_data_dict"] = json.dumps(data)
    pkg_dict.pop(RETURN_NOTE, None)
    pkg_dict.pop(WAITING_FOR, None)
    return pkg_dict


def reindex(package_id: str) -> None:
    from ckan.lib import search
    search.rebuild(package_id)


def label_results(search_results: dict[str, Any]) -> dict[str, Any]:
    """Readable labels beside the codes, and the state facet's labels, in the user's language."""
    labels: dict[Any, tuple[str, str]] = {}  # a page of results has a handful of distinct states
    for result in search_results.get("results", []):
        if result.get(STATUS):
            key = (result[STATUS], tuple(result.get(WAITING_FOR) or ()))
            if key not in labels:
                labels[key] = (transitions.state_label(key[0]), waiting_for_label(list(key[1])))
            result[STATUS_LABEL], result[WAITING_FOR_LABEL] = labels[key]
    for item in search_results.get("search_facets", {}).get(STATUS, {}).get("items", []):
        item["display_name"] = transitions.state_label(item["name"])
    return search_results


def keep_datasets_for_submit_checks(search_results: dict[str, Any], user: Any) -> None:
    """Lists ask the auth function per draft or returned dataset whether its operator may submit it (the button),
    and it reads the dataset: the operator's own ones of this page of results are read in one query and kept for
    the request, so each check finds its dataset in the session instead of a query per dataset."""
    if request_cache.store() is None:
        return
    opds = set(roles.memberships(user).opds_with(roles.OPERATOR))
    ids = sorted(result["id"] for result in search_results.get("results", [])
                 if result.get(STATUS) in transitions.TRANSITIONS["ajukan"].from_states
                 and result.get("owner_org") in opds)
    if ids:
        request_cache.once(("datasets", tuple(ids)),
                           lambda: model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all())


def is_insider(user: Any) -> bool:
    """Whether the user holds a role in the workflow (the state facet is for them; visitors see published data)."""
    return len(roles.user_labels(user)) > 1 or roles.SYSADMIN in roles.roles_for(user, None)
