"""Template helpers of the satudata_interop plugin: is a dataset published, and the "Gunakan data ini" examples."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.interop import catalogue

__all__ = ["satudata_is_published", "satudata_use_data"]


def satudata_is_published(pkg_dict: dict[str, Any]) -> bool:
    return catalogue.is_published(pkg_dict)


def _url(endpoint: str, **kwargs: Any) -> str:
    return tk.h.url_for(endpoint, _external=True, **kwargs)


def satudata_use_data(pkg_dict: dict[str, Any], res: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ready-to-copy examples for a published dataset, or one of its resources.

    Returns `{"api": <action API base>, "resource": <the DataStore resource the examples read, or None>,
    "downloads": [(label, url)], "examples": [(title, language, code)]}`: titles are translated, code is code. Without `res` the dataset's first DataStore table is used, if it has one.
    """
    api = _url("api.action", logic_function="package_show", ver=3).rsplit("/", 1)[0]
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    table = res if res and res.get("datastore_active") else None
    if res is None:
        table = next((r for r in pkg_dict.get("resources", []) if r.get("datastore_active")), None)
    name = pkg_dict["name"]
    examples: list[tuple[str, str, str]] = [
        (tk._("Dataset metadata (Action API)"), "shell", f"curl '{api}/package_show?id={name}'"),
    ]
    downloads: list[tuple[str, str]] = []
    if res is not None and res.get("url"):
        downloads.append((tk._("File"), res["url"]))
    if table:
        rid = table["id"]
        csv = _url("datastore.dump", resource_id=rid, format="csv", bom=True)
        json_ = _url("datastore.dump", resource_id=rid, format="json")
        xlsx = _url("satudata.datastore_xlsx_download", id=name, resource_id=rid)
        downloads += [("CSV", csv), ("JSON", json_), ("Excel (.xlsx)", xlsx)]
        examples += _table_examples(api, site, rid, csv)
    else:
        examples += _dataset_examples(api, site, name)
    return {"api": api, "resource": table, "downloads": downloads, "examples": examples}


def _table_examples(api: str, site: str, rid: str, csv: str) -> list[tuple[str, str, str]]:
    """Examples that read a DataStore table: its search, SQL, Python and R."""
    sql = f'SELECT * FROM "{rid}" LIMIT 10'
    return [
        (tk._("DataStore search"), "shell", f"curl '{api}/datastore_search?resource_id={rid}&limit=10'"),
        (tk._("DataStore search with a filter"), "shell",
         f"curl '{api}/datastore_search?resource_id={rid}&q=Sukorejo'"),
        (tk._("SQL"), "shell", f"curl -G '{api}/datastore_search_sql' --data-urlencode 'sql={sql}'"),
        (tk._("Python (requests)"), "python",
         "import requests\n\n"
         f"r = requests.get(\"{api}/datastore_search\",\n"
         f"                 params={{\"resource_id\": \"{rid}\", \"limit\": 1000}})\n"
         "rows = r.json()[\"result\"][\"records\"]\nprint(rows[:3])"),
        (tk._("Python (ckanapi)"), "python",
         "from ckanapi import RemoteCKAN\n\n"
         f"portal = RemoteCKAN(\"{site}\")\n"
         f"result = portal.action.datastore_search(resource_id=\"{rid}\", limit=1000)\n"
         "print(result[\"records\"][:3])"),
        (tk._("Python (pandas, CSV)"), "python", f"import pandas as pd\n\ndf = pd.read_csv(\"{csv}\")\nprint(df.head())"),
        (tk._("R"), "r",
         f"data <- read.csv(\"{csv}\", fileEncoding = \"UTF-8-BOM\")\nhead(data)\n\n"
         "# or through the API\nlibrary(jsonlite)\n"
         f"res <- fromJSON(\"{api}/datastore_search?resource_id={rid}&limit=1000\")\n"
         "head(res$result$records)"),
    ]


def _dataset_examples(api: str, site: str, name: str) -> list[tuple[str, str, str]]:
    """Examples that read the dataset's metadata (a dataset without a DataStore table)."""
    return [
        (tk._("Python (requests)"), "python",
         "import requests\n\n"
         f"r = requests.get(\"{api}/package_show\", params={{\"id\": \"{name}\"}})\n"
         "dataset = r.json()[\"result\"]\nprint(dataset[\"title\"], [r[\"url\"] for r in dataset[\"resources\"]])"),
        (tk._("Python (ckanapi)"), "python",
         "from ckanapi import RemoteCKAN\n\n"
         f"portal = RemoteCKAN(\"{site}\")\n"
         f"dataset = portal.action.package_show(id=\"{name}\")\nprint(dataset[\"title\"])"),
        (tk._("R"), "r",
         "library(jsonlite)\n"
         f"dataset <- fromJSON(\"{api}/package_show?id={name}\")$result\ndataset$resources$url"),
    ]
