"""A long verification queue is paged (/verifikasi, 20 a page as CKAN's dataset lists) and cut on the role dashboard
(the oldest 10, with a link to all): nothing is lost, and the counts cover every waiting dataset. A page of it
(satudata_verification_queue_page) is the whole list's slice, with the whole list's counts, and what the pages read
does not grow with the queue.

tests/world.py's Kota Blitar plus, copied in SQL from its datasets, 30 datasets Disetujui waiting for the Walidata
since 99 to 70 days ago (`antre-01` the oldest: all overdue) and 12 returned to the Operator Data (`kembali-01` the
oldest). The world's own two waiting for the Walidata arrived today: the newest, not overdue."""
from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

WAITING, RETURNED = 30, 12


def _copies(built, state: str, prefix: str, count: int) -> None:
    """`count` copies of the world's dataset in `state` (its package row only), each in `state` since 100 - i
    days ago, i = 1..count: `<prefix>-01` the oldest."""
    source = built.datasets[state]["id"]
    columns = [row[0] for row in model.Session.execute(sa.text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'package'"))]
    made = {"id": f"'{prefix}-' || lpad(i::text, 2, '0') || '-id'", "name": f"'{prefix}-' || lpad(i::text, 2, '0')",
            "title": f"'{prefix.title()} ' || lpad(i::text, 2, '0')"}
    model.Session.execute(sa.text(
        f"INSERT INTO package ({', '.join(columns)}) SELECT {', '.join(made.get(c, 'p.' + c) for c in columns)} "
        f"FROM package p, generate_series(1, :count) i WHERE p.id = :source"), {"count": count, "source": source})
    now = datetime.datetime.utcnow()
    for i in range(1, count + 1):
        model.Session.add(DatasetStatus(package_id=f"{prefix}-{i:02d}-id", state=state,
                                        changed_at=now - datetime.timedelta(days=100 - i)))
    model.Session.commit()


def _extend(built):
    _copies(built, transitions.DISETUJUI, "antre", WAITING)
    _copies(built, transitions.PERLU_PERBAIKAN, "kembali", RETURNED)


pytestmark = pytest.mark.world(extend=_extend)


def _soup(response):
    return BeautifulSoup(response.body, "html.parser")


def _queue(soup):
    return [row.a["href"].rsplit("/", 1)[-1] for row in soup.select("table.satudata-queue tbody tr")]


def test_the_verification_queue_is_paged_oldest_first_and_nothing_is_lost(app, world):
    walidata = world.token("walidata")
    first = _soup(app.get("/en/verifikasi", headers=walidata))
    second = _soup(app.get("/en/verifikasi?page=2", headers=walidata))
    assert _queue(first) == [f"antre-{i:02d}" for i in range(1, 21)]
    # The 21st oldest opens page 2, and the world's own two (arrived today) end it: every waiting dataset is on a page.
    assert _queue(second) == [f"antre-{i:02d}" for i in range(21, 31)] + ["data-terverifikasi_opd", "data-disetujui"]
    assert "/en/verifikasi?page=2" in [a["href"] for a in first.select(".pagination a")]
    for soup in (first, second):  # the counts are of the whole queue, on every page
        assert soup.select_one(".satudata-queue-count").get_text(" ", strip=True) == (
            "32 datasets wait for you; 30 are overdue . Oldest first; page {} of 2.".format(
                1 if soup is first else 2))
    # A page past the last (the queue shrank since the link was made): the last page.
    response = app.get("/en/verifikasi?page=3", headers=walidata, follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/en/verifikasi?page=2")
    assert app.get("/verifikasi?page=nol", headers=walidata, status=400)


def test_the_queue_action_checks_only_the_items_asked_for_and_lists_them_all(app, world):
    context = {"user": world.name("walidata")}
    whole = helpers.call_action("satudata_verification_queue", context=dict(context))
    assert [item["name"] for item in whole][:2] == ["antre-01", "antre-02"] and len(whole) == WAITING + 2
    assert whole[-1]["files"] and whole[-1]["completeness"]  # every item checked when no limit is given
    first = helpers.call_action("satudata_verification_queue", context=dict(context), offset=0, limit=20)
    second = helpers.call_action("satudata_verification_queue", context=dict(context), offset=20, limit=20)
    assert [item["name"] for item in first] == [item["name"] for item in whole]  # the list is always whole
    assert not first[-1]["files"] and not first[-1]["completeness"]  # past the limit: not checked
    assert second[-1]["files"] == whole[-1]["files"] and second[-1]["completeness"] == whole[-1]["completeness"]
    assert sum(item["overdue"] for item in first) == WAITING
    with pytest.raises(tk.ValidationError):
        helpers.call_action("satudata_verification_queue", context=dict(context), offset=-1)


def test_the_dashboard_shows_the_oldest_ten_and_links_all(app, world):
    soup = _soup(app.get("/en/dasbor", headers=world.token("walidata")))
    queue = soup.select_one(".satudata-dash-queue")
    assert [row.a["href"] for row in queue.select("tbody tr")] == [f"/en/verifikasi/antre-{i:02d}" for i in range(1, 11)]
    link = queue.select_one(".satudata-see-all a")
    assert link["href"] == "/en/verifikasi" and link.get_text(strip=True).startswith("See all (32)")
    overdue = soup.select_one(".satudata-dash-pipeline")
    assert len(overdue.select(".satudata-overdue-list li")) == 10
    assert overdue.select_one(".satudata-more-overdue").get_text(strip=True).startswith("20 more overdue datasets")


def test_the_operator_s_dashboard_shows_the_oldest_ten_returned_and_links_all(app, world):
    soup = _soup(app.get("/dasbor", headers=world.token("operator")))
    returned = soup.select_one(".satudata-dash-returned")
    assert [li.a["href"] for li in returned.select("li")] == [f"/dataset/kembali-{i:02d}" for i in range(1, 11)]
    link = returned.select_one(".satudata-see-all a")
    assert link["href"] == "/verifikasi" and "(13)" in link.get_text()
    # On /verifikasi all 13 are on one page, the world's own (returned today) last.
    assert _queue(_soup(app.get("/verifikasi", headers=world.token("operator"))))[-1] == "data-perlu_perbaikan"


def _python_counts(items: list[dict]) -> dict[str, int]:
    """The counts as worked out from the whole list in Python (what /verifikasi and /dasbor did before)."""
    return {"count": len(items), "overdue": sum(item["overdue"] for item in items),
            "returned": sum(item["state"] == transitions.PERLU_PERBAIKAN for item in items)}


@pytest.mark.parametrize("viewer", ["walidata", "operator", "verifikator_opd", "sysadmin"])
def test_a_page_of_the_queue_is_the_whole_list_s_slice_with_the_whole_list_s_counts(world, viewer):
    context = {"user": world.name(viewer)}
    whole = helpers.call_action("satudata_verification_queue", context=dict(context))
    assert whole or viewer == "verifikator_opd"
    selections = {None: whole, True: [i for i in whole if i["state"] == transitions.PERLU_PERBAIKAN],
                  False: [i for i in whole if i["state"] != transitions.PERLU_PERBAIKAN]}
    for returned, selected in selections.items():
        for offset, limit in [(0, 20), (20, 20), (5, 3), (0, 1000), (len(selected), 20), (0, 0)]:
            asked = {"offset": offset, "limit": limit, **({} if returned is None else {"returned": returned})}
            page = helpers.call_action("satudata_verification_queue_page", context=dict(context), **asked)
            # The same items, key for key (files and completeness checked as the whole list checks them).
            assert page["results"] == selected[offset:offset + limit], (returned, offset, limit)
            assert {key: page[key] for key in ("count", "overdue", "returned")} == _python_counts(whole)
            light = helpers.call_action("satudata_verification_queue_page", context=dict(context), checks=False,
                                        **asked)["results"]
            assert light == [dict(item, files=[], completeness=[]) for item in selected[offset:offset + limit]]
    # The whole list's own paging is unchanged: the items past the page come without checks.
    paged = helpers.call_action("satudata_verification_queue", context=dict(context), offset=2, limit=3)
    assert paged[2:5] == whole[2:5] and [i["name"] for i in paged] == [i["name"] for i in whole]


def test_a_page_of_the_queue_is_bounded_and_for_logged_in_users_only(app, world):
    context = {"user": world.name("walidata")}
    page = helpers.call_action("satudata_verification_queue_page", context=dict(context))
    assert len(page["results"]) == 20 and page["count"] == WAITING + 2  # 20 by default
    assert len(helpers.call_action("satudata_verification_queue_page", context=dict(context),
                                   limit=10 ** 6)["results"]) == WAITING + 2  # capped at ckan.search.rows_max
    for wrong in ({"offset": -1}, {"limit": "x"}, {"offset": [1]}):
        with pytest.raises(tk.ValidationError):
            helpers.call_action("satudata_verification_queue_page", context=dict(context), **wrong)
    app.get("/api/3/action/satudata_verification_queue_page", status=403)
    answer = app.get("/api/3/action/satudata_verification_queue_page?limit=2&returned=false",
                     headers=world.token("walidata")).json["result"]
    assert [item["name"] for item in answer["results"]] == ["antre-01", "antre-02"] and answer["overdue"] == WAITING


def _rows_read():
    """The statements the site database runs inside the block and the rows they return, as [statement, rows]."""
    run: list[list] = []

    def record(_conn, cursor, statement, *_args):
        run.append([statement, cursor.rowcount if cursor.description else 0])

    sa.event.listen(model.meta.engine, "after_cursor_execute", record)
    return run, lambda: sa.event.remove(model.meta.engine, "after_cursor_execute", record)


def _cost(app, world, path: str) -> tuple[int, int]:
    """(statements, rows read) of the Walidata's page."""
    app.get(path, headers=world.token("walidata"))  # caches of the first request out of the count
    run, stop = _rows_read()
    try:
        app.get(path, headers=world.token("walidata"))
    finally:
        stop()
    return len(run), sum(rows for _, rows in run)


@pytest.mark.parametrize("path", ["/en/verifikasi", "/en/dasbor"])
def test_what_the_walidata_s_queue_pages_read_does_not_grow_with_the_queue(app, world, path):
    """40 more waiting (72 instead of 32): the same statements and the same rows read; before, the queue action
    read every waiting dataset (and /dasbor the pipeline's every overdue one) on every view."""
    before = _cost(app, world, path)
    _copies(world, transitions.DISETUJUI, "lagi", 40)
    try:
        after = _cost(app, world, path)
        assert len(helpers.call_action("satudata_verification_queue", context={"user": world.name("walidata")},
                                       checks=False)) == WAITING + 2 + 40
    finally:
        ids = [f"lagi-{i:02d}-id" for i in range(1, 41)]
        model.Session.execute(sa.delete(DatasetStatus).where(DatasetStatus.package_id.in_(ids)))
        model.Session.execute(sa.delete(model.package_table).where(model.package_table.c.id.in_(ids)))
        model.Session.commit()
    assert after == before


def test_the_pipeline_s_oldest_overdue_are_the_whole_list_s_head_with_its_count(world):
    context = {"user": world.name("walidata")}
    whole = helpers.call_action("satudata_pipeline", context=dict(context))
    cut = helpers.call_action("satudata_pipeline", context=dict(context), overdue_limit=10)

    def fixed(items):  # waited_hours is of each call's own moment
        return [{key: value for key, value in item.items() if key != "waited_hours"} for item in items]
    assert fixed(cut["overdue"]) == fixed(whole["overdue"][:10])
    assert cut["overdue_count"] == whole["overdue_count"] == len(whole["overdue"]) == WAITING
    assert {k: v for k, v in cut.items() if k != "overdue"} == {k: v for k, v in whole.items() if k != "overdue"}
    with pytest.raises(tk.ValidationError):
        helpers.call_action("satudata_pipeline", context=dict(context), overdue_limit=-1)


@pytest.mark.parametrize("path", ["/en/verifikasi", "/en/dasbor"])
def test_the_walidata_s_queue_pages_look_the_user_up_once(app, world, path):
    """CKAN looks the token's user up; the actions the page asks are handed that user as CKAN's own dashboard hands
    it, so the page looks the user up no more than a page that asks no action does: CKAN's identification only
    (before, each action's auth check looked the user up again: /dasbor 3 times more)."""
    def user_lookups(page):
        app.get(page, headers=world.token("walidata"))
        with world_module.sql_statements() as run:
            app.get(page, headers=world.token("walidata"))
        return [s[:80] for s in run if 'FROM "user"' in s]
    assert len(user_lookups(path)) == len(user_lookups("/en/about")), user_lookups(path)


def test_the_header_s_count_is_the_queue_page_s_count(app, world):
    """The header shows how many wait: in a request that asked for a page of the queue, that COUNT is not run
    again."""
    user = model.User.get(world.name("walidata"))
    with app.flask_app.test_request_context("/"):
        page = helpers.call_action("satudata_verification_queue_page", context={"user": user.name}, limit=1)
        with world_module.sql_statements() as run:
            assert transitions.waiting_count(user) == page["count"] == WAITING + 2
        assert run == []
