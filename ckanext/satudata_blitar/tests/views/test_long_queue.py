"""A long verification queue is paged (/verifikasi, 20 a page as CKAN's dataset lists) and cut on the role dashboard
(the oldest 10, with a link to all): nothing is lost, and the counts cover every waiting dataset.

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
