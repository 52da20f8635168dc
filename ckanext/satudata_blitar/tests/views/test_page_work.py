"""Work a citizen's page does once, not once per part that asks: the resource page reads its table's columns once
(its data dictionary, the long-form offer and the chart share them: no DataStore search of their own), and a list
of datasets builds one Markdown converter, not one per dataset, and the address of its facets' links once, not
once per facet item; on CKAN 2.12 a facet's items are drawn with their links made in one pass. What the shared
helpers and the facets' snippet give is CKAN's own, character for character."""
from __future__ import annotations

import re

import markdown
import markupsafe
import pytest

import ckan.lib.helpers as core_helpers
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.views.test_pages_after_transition import published_table  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

NOTES = ("Jumlah **penduduk** per kecamatan, dari [Dispendukcapil](https://example.org/a?b=1&c=2) & BPS. "
         "Tabel *tahunan* sejak 2019 &mdash; lihat `kode wilayah`.\n\n- Sukorejo\n- Kepanjenkidul\n\n"
         + "Kalimat panjang yang diulang. " * 12)


def _datastore_searches(statements: list[str], resource_id: str) -> list[str]:
    """The DataStore searches of the resource's table among the statements: each pages the table with `LIMIT n
    OFFSET m` (CKAN 2.12 inside a `records_page` CTE, 2.11 in a subquery), which nothing else on the page does."""
    return [s for s in statements if f'"{resource_id}"' in s and re.search(r"LIMIT \d+ OFFSET \d+", s)]


def test_the_chart_page_reads_the_table_s_columns_once_and_searches_only_for_the_chart(app, published_table):  # noqa: F811
    dataset, resource, view = published_table
    path = f"/dataset/{dataset['name']}/resource/{resource['id']}?view_id={view['id']}"
    app.get(path)  # caches of the first request (templates, types) out of the count
    with world_module.sql_statements(every_engine=True) as run:
        page = app.get(path)
    assert 'class="satudata-chart"' in page.body and "satudata-long-form" not in page.body
    assert "Kecamatan" in page.body  # the data dictionary is still shown
    # One search: the chart's rows. Before, the long-form offer searched for the columns too (limit 0).
    searches = _datastore_searches(run, resource["id"])
    assert len(searches) == 1 and "LIMIT 5000" in searches[0], searches


def test_the_table_s_columns_are_the_data_dictionary_s_and_none_for_a_missing_table(app, published_table):  # noqa: F811
    from ckanext.satudata_blitar.tables import chart_view
    dataset, resource, view = published_table
    with app.flask_app.test_request_context("/"):
        fields = chart_view.table_fields(resource["id"])
        searched = helpers.call_action("datastore_search", resource_id=resource["id"], limit=0)["fields"]
        # what a DataStore search says of the columns (the chart's types: int4, numeric), without `_id`
        assert [(f["id"], f["type"]) for f in fields] == [(f["id"], f["type"]) for f in searched[1:]]
        assert [f["id"] for f in fields] == ["Kecamatan", "Tahun", "Jumlah"]
        assert tk.h.datastore_dictionary(resource["id"], ["Tahun"]) == [fields[1]]
        assert chart_view.table_fields("no-such-table") == []


def _list_page(app):
    organization = factories.Organization()
    for number in range(3):
        satudata_factories.published(satudata_factories.Dataset(
            name=f"penduduk-{number}", title=f"Penduduk {number}", notes=NOTES, owner_org=organization["id"],
            tag_string="penduduk,kecamatan"))
    app.get("/dataset/")


def test_a_list_builds_one_markdown_converter_for_its_datasets(app, monkeypatch):
    _list_page(app)
    made = []
    build = markdown.Markdown.build_parser
    monkeypatch.setattr(markdown.Markdown, "build_parser", lambda self: made.append(self) or build(self))
    page = app.get("/dataset/?q=penduduk")
    assert all(f"/dataset/penduduk-{n}" in page.body for n in range(3)) and "Kalimat panjang" in page.body
    assert len(made) <= 1, len(made)  # one per dataset before


def test_the_facets_links_ask_for_the_page_s_address_once(app, monkeypatch):
    _list_page(app)
    made = []
    create = core_helpers._create_url_with_params
    monkeypatch.setattr(core_helpers, "_create_url_with_params", lambda *a, **k: made.append(a) or create(*a, **k))
    page = app.get("/dataset/?tags=penduduk")
    assert "/dataset/?tags=penduduk&amp;tags=kecamatan" in page.body  # a facet's link, as CKAN writes it
    assert made == []  # one url_for per facet item before


def _facet_page(app):
    """Published datasets whose facets have every kind of item: a value to encode (spaces, `&`, accents), a label
    long enough to be cut (with its tooltip) and quoted, more than ten values (the "Show More" link), a group."""
    long_title = 'Dinas "Kesehatan" & Keluarga <Berencana> Kota Blitar'
    organizations = [factories.Organization(name="dinas-kesehatan", title=long_title), factories.Organization()]
    group = factories.Group(name="kesehatan")
    tags = ["air bersih é", "kode wilayah", "a.b-c_d"]  # in each dataset, so among the ten shown
    for number, organization in enumerate(organizations + organizations[:1]):
        satudata_factories.published(satudata_factories.Dataset(
            name=f"penduduk-{number}", title=f"Penduduk {number}", notes=NOTES, owner_org=organization["id"],
            tag_string=",".join(tags + [f"tag{n:02d}" for n in range(number, 10)] + ["penduduk"] * (not number)),
            groups=[{"name": group["name"]}]))
    app.get("/dataset/")
    return organizations[0]


def _without_the_version_templates(app):
    """The app's template loader without our copies of CKAN's templates (adapters.version_templates): CKAN's own."""
    loader = app.flask_app.jinja_env.loader
    kept = [path for path in loader.searchpath if not any(path.endswith(f"/{folder}")
                                                           for folder in adapters.version_templates())]
    return loader, kept


def _drawn(app, path, headers=None):
    body = app.get(path, headers=headers or {}).body
    return re.sub(r'(_csrf_token"? (?:content|value)=")[^"]*', r"\1", body)


def test_the_facets_are_drawn_as_ckan_s_own_snippet_draws_them(app, monkeypatch):
    organization = _facet_page(app)
    sysadmin = factories.SysadminWithToken()
    paths = ["/dataset/", "/dataset/?tags=penduduk", "/dataset/?q=penduduk&tags=kode+wilayah&page=1",
             "/dataset/?_tags_limit=0&tags=air+bersih+%C3%A9&sort=name+asc", "/en/dataset/?organization=dinas-kesehatan",
             f"/organization/{organization['name']}", "/organization/dinas-kesehatan?tags=a.b-c_d", "/group/kesehatan",
             "/dataset/?tags=tidak-ada"]
    # a sysadmin's: the state facet, and the OPD's bulk page (its links made on another page's address: `extras`)
    as_sysadmin = ["/dataset/", f"/organization/bulk_process/{organization['name']}?tags=kode+wilayah"]
    token = {"Authorization": sysadmin["token"]}
    ours = [(path, _drawn(app, path)) for path in paths] + [(path, _drawn(app, path, token)) for path in as_sysadmin]
    assert 'title,name,search_facets' not in ours[0][1]
    assert "kode+wilayah" in ours[0][1] and "air+bersih+%C3%A9" in ours[0][1]
    # the long OPD title's full text: a Bootstrap tooltip on 2.12, the link's title on 2.11 (CKAN's own snippets)
    assert ('data-bs-toggle="tooltip"' if adapters.CKAN_2_12 else f'title="{markupsafe.escape(organization["title"])}"') in ours[0][1]
    assert "read-more" in ours[0][1] and "read-more" in ours[3][1] and "facet-close" in ours[1][1]
    assert f"/organization/bulk_process/{organization['id']}?tags=kode+wilayah&amp;urusan=kesehatan" in ours[-1][1]
    loader, kept = _without_the_version_templates(app)
    monkeypatch.setattr(loader, "searchpath", kept)
    app.flask_app.jinja_env.cache.clear()
    try:
        ckan_s = [(path, _drawn(app, path)) for path in paths] + [
            (path, _drawn(app, path, token)) for path in as_sysadmin]
    finally:
        monkeypatch.undo()
        app.flask_app.jinja_env.cache.clear()
    for (path, page), (_path, expected) in zip(ours, ckan_s):
        assert page == expected, path


def test_a_facet_s_items_are_drawn_without_a_helper_call_per_item(app, monkeypatch):
    """CKAN's snippet asks h.add_url_param for each item's link (and translates its label each time); ours makes
    the links in one pass: CKAN's link maker runs for the active item, the facets' footers and the search form's
    filters, not for each item."""
    _facet_page(app)
    made = []
    with_params = core_helpers._url_with_params
    monkeypatch.setattr(core_helpers, "_url_with_params", lambda *a: made.append(a) or with_params(*a))
    page = app.get("/dataset/?tags=penduduk").body
    links = page.count('class="nav-item')
    assert links > 15 and "facet-close" in page
    if adapters.CKAN_2_12:
        assert len(made) < links // 2, (len(made), links)  # more than one per facet item before
    else:  # 2.11's snippet is CKAN's own (adapters.version_templates)
        assert len(made) >= links


@pytest.mark.parametrize("query", ["", "?q=air&tags=a&tags=b&page=3", "?res_format=CSV&_tags_limit=0&sort=name+asc"])
def test_the_links_and_excerpts_are_ckan_s_own(app, query):
    with app.flask_app.test_request_context(f"/dataset/{query}"):
        app.flask_app.preprocess_request()
        for new in ({"tags": "c"}, {"q": "jalan raya", "x": "&?="}, None):
            assert tk.h.add_url_param(new_params=new) == core_helpers.add_url_param(new_params=new)
        assert tk.h.add_url_param(alternative_url="/topik/x", new_params={"a": "1"}) == \
            core_helpers.add_url_param(alternative_url="/topik/x", new_params={"a": "1"})
        for args, kwargs in ((("tags", "a"), {}), (("tags",), {}), (("_tags_limit",), {"replace": 0}),
                             ((["q", "sort"],), {}), (("res_format", "CSV"), {"alternative_url": "/group/x"})):
            if "tags" in args and "tags=a" not in query:
                continue
            if "res_format" in args and "res_format" not in query:
                continue
            assert tk.h.remove_url_param(*args, **kwargs) == core_helpers.remove_url_param(*args, **kwargs)
        # a facet's items and links, as CKAN's helpers give them (its link maker per item)
        search_facets = {"tags": {"items": [{"name": name, "display_name": name, "count": count} for name, count in
                                            (("a", 3), ("b", 2), ("c d&é", 2), ("", 1), ("x=y?", 1))]}}
        items = tk.h.satudata_facet_items("tags", search_facets)
        assert [dict(item, href=None) for item in items] == [
            dict(item, href=None) for item in core_helpers.get_facet_items_dict("tags", search_facets)]
        for item in items:
            assert item["href"] == (core_helpers.remove_url_param("tags", item["name"]) if item["active"] else
                                    core_helpers.add_url_param(new_params={"tags": item["name"]})), item
        for item in tk.h.satudata_facet_items("tags", search_facets, alternative_url="/topik/x"):
            assert item["href"] == (
                core_helpers.remove_url_param("tags", item["name"], alternative_url="/topik/x") if item["active"]
                else core_helpers.add_url_param(new_params={"tags": item["name"]}, alternative_url="/topik/x"))
    for text in (NOTES, "", None, "<b>tebal</b> &amp; <script>x()</script> teks", "# Judul\n\n1. satu\n2. dua",
                 "pendek", "kata " * 100, "```\nkode <a>\n```", "[tautan][1]\n\n[1]: https://example.org"):
        for length in (190, 180, 0, 20):
            assert tk.h.markdown_extract(text, extract_length=length) == \
                core_helpers.markdown_extract(text, extract_length=length), (text, length)


def test_package_show_s_reads_of_our_tables_are_built_once_per_process(app, published_table, monkeypatch):  # noqa: F811
    """A package_show reads the workflow state and the served files' checks; building those queries (an ORM object
    of the state row, the checks' CASE and cast) cost more than running them. Built once, they are only run."""
    import sqlalchemy as sa

    from ckanext.satudata_blitar.tables import upload_check
    from ckanext.satudata_blitar.workflow import transitions
    from ckanext.satudata_blitar.model import DatasetStatus
    dataset, resource, _view = published_table
    built = []
    case = sa.case
    monkeypatch.setattr(sa, "case", lambda *a, **k: built.append(a) or case(*a, **k))
    for _ in range(3):
        with app.flask_app.test_request_context("/"):
            assert upload_check.findings([resource["id"]]) == {resource["id"]: ("ok", "csv")}
            assert transitions.current_state(dataset["id"]) == transitions.TERBIT
            assert not [o for o in helpers.model.Session.identity_map.values() if isinstance(o, DatasetStatus)]
    assert len(built) <= 1, len(built)  # one per call before
