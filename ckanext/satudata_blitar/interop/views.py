"""The `satudata_interop` blueprint: the API guide (in Indonesian, English at /en/) and sitemap.xml."""
from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, make_response

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.interop import catalogue

interop = Blueprint("satudata_interop", __name__)

# The sitemap protocol's limit for one file.
SITEMAP_MAX_URLS = 50_000
_PAGE = 1000


def api_guide() -> Any:
    """How to use the Action API, with this portal's URLs and a published dataset as the example."""
    found = tk.get_action("package_search")({}, {"fq": catalogue.PUBLISHED_FQ, "rows": 1,
                                                 "sort": "metadata_modified desc"})
    example = found["results"][0] if found["results"] else None
    api = tk.h.url_for("api.action", logic_function="package_search", ver=3, _external=True).rsplit("/", 1)[0]
    return tk.render("satudata/interop/api_guide.html", {"api": api, "example": example})


def _published_datasets() -> list[dict[str, Any]]:
    """name and metadata_modified of every Terbit dataset, newest first, as the public sees them."""
    datasets: list[dict[str, Any]] = []
    while len(datasets) < SITEMAP_MAX_URLS:
        page = tk.get_action("package_search")({"ignore_auth": False, "user": ""}, {
            "fq": catalogue.PUBLISHED_FQ, "rows": _PAGE, "start": len(datasets), "fl": "name,metadata_modified",
            "sort": "metadata_modified desc"})
        datasets += page["results"]
        if len(page["results"]) < _PAGE:
            break
    return datasets[:SITEMAP_MAX_URLS]


def sitemap() -> Any:
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    urls = [(f"{site}/", None), (tk.h.url_for("dataset.search", _external=True), None),
            (tk.h.url_for("satudata_interop.api_guide", _external=True), None)]
    urls += [(tk.h.url_for("dataset.read", id=d["name"], _external=True), (d.get("metadata_modified") or "")[:10])
             for d in _published_datasets()]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in urls:
        lines.append(f"  <url><loc>{escape(loc)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
                     + "</url>")
    lines.append("</urlset>")
    response = make_response("\n".join(lines) + "\n")
    response.headers["Content-Type"] = "application/xml; charset=utf-8"
    return response


interop.add_url_rule("/panduan-api", view_func=api_guide)
interop.add_url_rule("/sitemap.xml", view_func=sitemap)
