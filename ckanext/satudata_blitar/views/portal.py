"""The portal's public pages (topics, the OPD directory, the daftar elemen data's fulfilment) and the role
dashboard. Views ask actions and helpers (helpers/portal.py); auth functions decide who sees what."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page

from ckanext.satudata_blitar.views import satudata

TOPIC_PAGE_ROWS = 20
# Solr reads `start` as a 32-bit integer.
SOLR_MAX_START = 2**31 - 1


def topics() -> Any:
    """Every urusan with its number of published datasets."""
    return tk.render("satudata/portal/topics.html", {"topics": tk.h.satudata_topics()})


def topic(urusan: str) -> Any:
    """One urusan's published datasets, newest first, a page at a time."""
    label = tk.h.satudata_topic_label(urusan)
    if label is None:
        return tk.abort(404, tk._("Topic not found"))
    page = tk.h.get_page_number(tk.request.args)  # 400 for a page that is not a number
    if page * TOPIC_PAGE_ROWS > SOLR_MAX_START:
        return tk.abort(404, tk._("Page not found"))
    result = tk.h.satudata_public_search(fq=f'urusan:"{urusan}"', rows=TOPIC_PAGE_ROWS,
                                         start=(page - 1) * TOPIC_PAGE_ROWS, sort="metadata_modified desc")
    if page > 1 and not result["results"]:  # beyond the last page
        return tk.abort(404, tk._("Page not found"))
    pager = Page(collection=result["results"], page=page, item_count=result["count"],
                 items_per_page=TOPIC_PAGE_ROWS, presliced_list=True,
                 url=lambda q=None, page=1: tk.h.url_for("satudata.topic", urusan=urusan, page=page))
    return tk.render("satudata/portal/topic.html", {"urusan": urusan, "label": label, "datasets": result["results"],
                                                     "count": result["count"], "page": pager})


def opds() -> Any:
    """The OPD directory: each OPD with its contact, published datasets and daftar elemen data fulfilment."""
    organizations = tk.get_action("organization_list")({}, {"all_fields": True, "include_extras": True,
                                                            "limit": 1000})
    stats = tk.h.satudata_public_stats()
    summary = {row["id"]: row for row in tk.h.satudata_element_summary()}
    return tk.render("satudata/portal/opds.html", {
        "organizations": organizations, "dataset_counts": stats["opd_counts"], "elements": summary})


def element_summary() -> Any:
    """The daftar elemen data's fulfilment per OPD, as everyone may see it (counts of published data only)."""
    return tk.render("satudata/portal/element_summary.html", {"summary": tk.h.satudata_element_summary()})


def _try(action: str, data_dict: dict[str, Any]) -> Any:
    """The action's result, or None when its auth function refuses the user (the logged-in user given as CKAN's
    dashboard gives it: its auth check does not look them up again)."""
    try:
        return tk.get_action(action)({"auth_user_obj": tk.current_user}, data_dict)
    except tk.NotAuthorized:
        return None


DASHBOARD_ROWS = 10  # the datasets each of the dashboard's lists shows at most


def dashboard() -> Any:
    """After login, what each of the user's roles has to do: the Operator Data's drafts, returned datasets with
    their reasons and the daftar elemen data still open; the verifiers' queue with waiting times; the Walidata's
    pipeline by OPD and state, overdue first."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("satudata.dashboard"))
    my_roles = tk.h.satudata_my_roles()
    # The oldest DASHBOARD_ROWS of each list (the queue's order: the overdue ones come first), the rest on /verifikasi;
    # the counts are of the whole queue. The files and completeness: on /verifikasi.
    page = {"limit": DASHBOARD_ROWS, "checks": False}
    queue = _try("satudata_verification_queue_page", {**page, "returned": False}) \
        or {"count": 0, "returned": 0, "results": []}
    returned = _try("satudata_verification_queue_page", {**page, "returned": True})["results"] \
        if queue["returned"] else []
    shown_returned = [dict(item, reason=tk.h.satudata_return_reason(item["id"])) for item in returned]
    drafts, elements = [], []
    if my_roles["operator_opds"]:
        fq = " OR ".join(f'owner_org:"{opd}"' for opd in my_roles["operator_opds"])
        drafts = tk.get_action("package_search")({}, {
            "fq": f"satudata_status:draf AND ({fq})", "include_private": True, "include_drafts": True,
            "rows": 100, "sort": "metadata_modified desc"})["results"]
        year = tk.h.satudata_this_year()
        for opd in my_roles["operator_opds"]:
            elements += [e for e in _try("satudata_data_element_list", {"tahun": year, "owner_org": opd}) or []
                         if e["status"] != "terbit"]
    return tk.render("satudata/portal/dashboard.html", {
        "my_roles": my_roles, "returned": shown_returned, "returned_count": queue["returned"], "drafts": drafts,
        "elements": elements, "to_verify": queue["results"], "to_verify_count": queue["count"] - queue["returned"],
        "pipeline": _try("satudata_pipeline", {"overdue_limit": DASHBOARD_ROWS}),
    })


def after_login() -> Any:
    """Where a login lands (CKAN's `ckan.auth.route_after_login`, set to this page by the plugin): each role on its
    work. Verifiers on their queue; the Operator Data, the Walidata and everyone else on /dasbor (the operator's
    datasets to make and fix with "Add dataset", the Walidata's pipeline)."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    my_roles = tk.h.satudata_my_roles()
    verifier = my_roles["verifier_opds"] or my_roles["portal_role"] == "verifikator_kominfotik"
    if verifier and not my_roles["operator_opds"]:
        return tk.redirect_to("satudata.verification")
    return tk.redirect_to("satudata.dashboard")


satudata.add_url_rule("/topik", view_func=topics)
satudata.add_url_rule("/topik/<urusan>", view_func=topic)
satudata.add_url_rule("/opd", view_func=opds)
satudata.add_url_rule("/capaian-elemen-data", view_func=element_summary)
satudata.add_url_rule("/dasbor", view_func=dashboard)
satudata.add_url_rule("/dasbor/masuk", view_func=after_login)
