"""The monitoring report (SOP step 7) over a known history built under frozen time, in every form it reaches a user:
the action (API), the CLI's .json/.csv/.xlsx files, the report page and its downloads.

The history (times UTC, the test portal's zone; "now" is Thursday 2026-08-20 12:00, so Q3 2026 is not over yet).
Standard times count working days and working hours (07.30-16.00) without weekends and national holidays
(workflow/working_days.py): Friday 1 May (Labour Day) and Monday 17 August (Independence Day) are days off.

    dk-e  Dinas Kesehatan  made on 1 May and published within hours (on time), withdrawn 07-15
    bp-c  Bappeda          made Tue 06-30 10:00, submitted Wed 07-01 10:00: 8.5 working hours (late), verified
                           (OPD) in 1 h, returned by the Walidata after 4 h
    dk-a  Dinas Kesehatan  07-01: upload 0.5 h, OPD check the same day, Walidata check Wed 20.30 -> Fri 08.30:
                           2 working days (1 late), published after 4 h
    dk-b  Dinas Kesehatan  Thu 07-02: upload 3 h (late), returned after 2 h, resubmitted Fri 07-03 16.00, verified
                           by the OPD Mon 07-06 09.00 (1 working day: on time, though 65 calendar hours), waiting for
                           the Walidata since then (32 working days by now, 1083 h)
    bp-d  Bappeda          made Mon 08-10 09:00, never submitted (62.5 working hours by now, standard 1)
    dk-f  Dinas Kesehatan  made 08-20 09:00, submitted after 0.5 h, waiting 2.5 h for the OPD check (not yet due)

The daftar elemen data of 2026 (ELEMENTS): Dinas Kesehatan's four elements are provided by dk-a (published 07-03,
after its 06-30 target), dk-b (not published; target 09-30), nothing (target 07-31) and dk-e (withdrawn); Bappeda's
one by bp-c. Bappeda also has one element in 2025.
"""
from __future__ import annotations

import csv
import datetime
import io
import json

import freezegun
import openpyxl
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

import ckan.model as model
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.reports import figures as reports
from ckanext.satudata_blitar.cli import satudata
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests.indonesian_text import english_formats

NOW = "2026-08-20 12:00"


def _frozen_now():
    """NOW for the reports; PyJWT keeps the real clock, as the API tokens carry their real creation time."""
    return freezegun.freeze_time(NOW, ignore=["jwt"])

USERS = {  # name: (capacity, organisation) or None for the sysadmin
    "operator-dk": ("editor", "dinas-kesehatan"),
    "verif-dk": ("verifikator", "dinas-kesehatan"),
    "operator-bp": ("editor", "bappeda"),
    "verif-bp": ("verifikator", "bappeda"),
    "ckan-admin": ("admin", "dinas-kesehatan"),
    "verifikator-kominfotik": ("verifikator_kominfotik", "diskominfotik"),
    "walidata": ("walidata", "diskominfotik"),
    "sysadmin": None,
}
ACTOR = {"ajukan": "operator", "verifikasi_opd": "verif", "kembalikan_opd": "verif",
         "verifikasi_walidata": "verifikator-kominfotik", "kembalikan_walidata": "walidata",
         "terbitkan": "walidata", "tarik": "walidata"}
OPD = {"dk": "dinas-kesehatan", "bp": "bappeda"}

HISTORY = [
    ("2026-05-01 08:00", "dk-e", "buat"),
    ("2026-05-01 08:30", "dk-e", "ajukan"),
    ("2026-05-01 09:00", "dk-e", "verifikasi_opd"),
    ("2026-05-01 10:00", "dk-e", "verifikasi_walidata"),
    ("2026-05-01 11:00", "dk-e", "terbitkan"),
    ("2026-06-30 10:00", "bp-c", "buat"),
    ("2026-07-01 08:00", "dk-a", "buat"),
    ("2026-07-01 08:30", "dk-a", "ajukan"),
    ("2026-07-01 10:00", "bp-c", "ajukan"),
    ("2026-07-01 11:00", "bp-c", "verifikasi_opd"),
    ("2026-07-01 15:00", "bp-c", "kembalikan_walidata"),
    ("2026-07-01 20:30", "dk-a", "verifikasi_opd"),
    ("2026-07-02 08:00", "dk-b", "buat"),
    ("2026-07-02 11:00", "dk-b", "ajukan"),
    ("2026-07-02 13:00", "dk-b", "kembalikan_opd"),
    ("2026-07-03 08:30", "dk-a", "verifikasi_walidata"),
    ("2026-07-03 12:30", "dk-a", "terbitkan"),
    ("2026-07-03 16:00", "dk-b", "ajukan"),
    ("2026-07-06 09:00", "dk-b", "verifikasi_opd"),
    ("2026-07-15 09:00", "dk-e", "tarik"),
    ("2026-08-10 09:00", "bp-d", "buat"),
    ("2026-08-20 09:00", "dk-f", "buat"),
    ("2026-08-20 09:30", "dk-f", "ajukan"),
]

# What the evaluation reads besides the history: more metadata (data standards, a reference code) and resources.
MORE_METADATA = {"dk-a": {"konsep": "Penduduk", "klasifikasi": "Kecamatan", "ukuran": "Jumlah",
                          "kode_referensi": "3572.KES.01"}}
RESOURCES = [("dk-a", "CSV", True), ("dk-b", "PDF", False), ("bp-c", "XLSX", False)]
# (year, OPD, name, priority, target date, dataset)
ELEMENTS = [
    (2026, "dinas-kesehatan", "Elemen A", True, "2026-06-30", "dk-a"),
    (2026, "dinas-kesehatan", "Elemen B", False, "2026-09-30", "dk-b"),
    (2026, "dinas-kesehatan", "Elemen C", True, "2026-07-31", None),
    (2026, "dinas-kesehatan", "Elemen E", False, None, "dk-e"),
    (2026, "bappeda", "Elemen BP", False, None, "bp-c"),
    (2025, "bappeda", "Elemen 2025", False, "2025-12-30", None),
]


def _actor(dataset: str, transition: str) -> str:
    who = ACTOR[transition]
    return f"{who}-{dataset[:2]}" if who in ("operator", "verif") else who


@pytest.fixture(scope="module")
def world(reset_db, migrate_db_for):
    """A portal with a known history (HISTORY under frozen time), its resources and daftar elemen data."""
    with world_module.building(reset_db, migrate_db_for):
        with freezegun.freeze_time("2026-04-01 07:00") as frozen:
            orgs = {name: ckan_factories.Organization(name=name, title=name.replace("-", " ").title())
                    for name in ("diskominfotik", "dinas-kesehatan", "bappeda")}
            users = {}
            for name, membership in USERS.items():
                factory = ckan_factories.SysadminWithToken if membership is None else ckan_factories.UserWithToken
                users[name] = factory(name=name)
                if membership:
                    helpers.call_action("organization_member_create", id=membership[1], username=name,
                                        role=membership[0])
            ids, scratch = {}, []
            for when, dataset, transition in HISTORY:
                frozen.move_to(when)
                if transition == "buat":
                    ids[dataset] = helpers.call_action(
                        "package_create", context={"user": f"operator-{dataset[:2]}"}, name=dataset,
                        title=f"Data {dataset.upper()}", notes="Data uji.", owner_org=orgs[OPD[dataset[:2]]]["id"],
                        **REQUIRED_METADATA, **MORE_METADATA.get(dataset, {}))["id"]
                    # Only a dataset with loaded data can be submitted: a file accepted by the upload check, which
                    # the evaluation (resources, formats) does not count: it is deleted once the history is made.
                    scratch.append(satudata_factories.with_loaded_data({"id": ids[dataset]}))
                else:
                    helpers.call_action("satudata_transition", context={"user": _actor(dataset, transition)},
                                        id=ids[dataset], transition=transition, note="Catatan uji")
        for dataset in scratch:
            for resource in helpers.call_action("package_show", id=dataset["id"])["resources"]:
                helpers.call_action("resource_delete", context={"user": "sysadmin"}, id=resource["id"])
        for dataset, fmt, in_datastore in RESOURCES:  # by the site: the evaluation reads them, not the workflow
            resource = helpers.call_action("resource_create", context={"user": "sysadmin"}, package_id=ids[dataset],
                                           name="Data", format=fmt,
                                           url=f"http://data.example/{dataset}.{fmt.lower()}")
            if in_datastore:
                helpers.call_action("datastore_create", context={"user": "sysadmin"}, resource_id=resource["id"],
                                    force=True,
                                    records=[{"kecamatan": "Sukorejo", "jumlah": 7}])
        for year, opd, name, priority, target, dataset in ELEMENTS:
            helpers.call_action("satudata_data_element_create", context={"user": "walidata"}, tahun=year,
                                owner_org=opd, nama=name, data_prioritas=priority, tanggal_target=target,
                                package_id=ids[dataset] if dataset else "")
        yield {"users": users, "orgs": orgs, "ids": ids}


def _headers(world, name):
    return {"Authorization": world["users"][name]["token"]} if name else {}


# --- the expected figures of Q3 2026 ------------------------------------------------------------------------------

STATES = ["draf", "diajukan", "terverifikasi_opd", "disetujui", "terbit", "perlu_perbaikan"]
MOVEMENTS = ["submitted", "verified_opd", "returned_opd", "verified_walidata", "returned_walidata", "published",
             "withdrawn"]
# OPD title, datasets per state now, total, then what moved in the period (MOVEMENTS' order).
SUMMARY_Q3 = [
    ("Bappeda", [1, 0, 0, 0, 0, 1], 2, [1, 1, 0, 0, 1, 0, 0]),
    ("Dinas Kesehatan", [0, 1, 1, 0, 1, 1], 4, [4, 2, 1, 1, 0, 1, 1]),
    ("Diskominfotik", [0, 0, 0, 0, 0, 0], 0, [0, 0, 0, 0, 0, 0, 0]),
]
TOTALS_Q3 = ([1, 1, 1, 0, 1, 2], 6, [5, 3, 1, 1, 1, 1, 1])
# OPD title (None: all OPDs), step, standard, its unit, done, on time, late, waiting, waiting past standard, on-time
# share, median and worst (in the unit: working hours for the upload, working days for the others).
H, WD = "working_hours", "working_days"
TIMELINESS_Q3 = [
    ("Bappeda", "unggah", 1, H, 1, 0, 1, 1, 1, 0.0, 8.5, 62.5),
    ("Bappeda", "verifikasi_opd", 1, WD, 1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
    ("Bappeda", "verifikasi_walidata", 1, WD, 1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
    ("Dinas Kesehatan", "unggah", 1, H, 3, 2, 1, 0, 0, 0.6667, 0.5, 3.0),
    ("Dinas Kesehatan", "verifikasi_opd", 1, WD, 3, 3, 0, 1, 0, 1.0, 0.0, 1.0),
    ("Dinas Kesehatan", "verifikasi_walidata", 1, WD, 1, 0, 1, 1, 1, 0.0, 2.0, 32.0),
    ("Dinas Kesehatan", "publikasi", 1, WD, 1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
    (None, "unggah", 1, H, 4, 2, 2, 1, 1, 0.4, 1.75, 62.5),
    (None, "verifikasi_opd", 1, WD, 4, 4, 0, 1, 0, 1.0, 0.0, 1.0),
    (None, "verifikasi_walidata", 1, WD, 2, 1, 1, 1, 1, 0.3333, 1.0, 32.0),
    (None, "publikasi", 1, WD, 1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
]
TIMELINESS_KEYS = ["opd_title", "step", "standard", "unit", "done", "on_time", "late", "waiting", "overdue_waiting",
                   "on_time_share", "median", "worst"]
# dataset, title, OPD, step, started, ended (None: still waiting), hours, taken, standard, unit, late by, status.
# dk-b's OPD check (Friday 16.00 -> Monday 09.00, 65 hours) is on time: it is not listed.
OVERDUE_Q3 = [
    ("dk-b", "Data DK-B", "Dinas Kesehatan", "verifikasi_walidata", "2026-07-06T09:00:00", None, 1083.0, 32.0, 1.0,
     WD, 31.0, "waiting"),
    ("bp-d", "Data BP-D", "Bappeda", "unggah", "2026-08-10T09:00:00", None, 243.0, 62.5, 1.0, H, 61.5, "waiting"),
    ("dk-a", "Data DK-A", "Dinas Kesehatan", "verifikasi_walidata", "2026-07-01T20:30:00", "2026-07-03T08:30:00",
     36.0, 2.0, 1.0, WD, 1.0, "late"),
    ("bp-c", "Data BP-C", "Bappeda", "unggah", "2026-06-30T10:00:00", "2026-07-01T10:00:00", 24.0, 8.5, 1.0, H, 7.5,
     "late"),
    ("dk-b", "Data DK-B", "Dinas Kesehatan", "unggah", "2026-07-02T08:00:00", "2026-07-02T11:00:00", 3.0, 3.0, 1.0,
     H, 2.0, "late"),
]
OVERDUE_KEYS = ["dataset", "title", "opd_title", "step", "started_at", "ended_at", "hours", "taken", "standard",
                "unit", "late_by", "status"]
# OPD title: elements, priority, published, not yet published, no dataset yet, priority published, late, published
# on time, share, priority share (as of now: Q3 is not over)
FULFILMENT_Q3 = [
    ("Bappeda", [1, 0, 0, 1, 0, 0, 0, 0], 0.0, None),
    ("Dinas Kesehatan", [4, 2, 1, 2, 1, 1, 2, 0], 0.25, 0.5),
    ("Diskominfotik", [0, 0, 0, 0, 0, 0, 0, 0], None, None),
]
FULFILMENT_TOTALS_Q3 = ([5, 2, 1, 3, 1, 1, 2, 0], 0.2, 0.5)
COUNT_KEYS = ["elements", "priority", "terbit", "belum_terbit", "belum_ada_dataset", "priority_terbit", "late",
              "terbit_on_time"]
# OPD title, element, priority, target, dataset, its title, status, late, published
LATE_ELEMENTS_Q3 = [
    ("Dinas Kesehatan", "Elemen A", True, "2026-06-30", "dk-a", "Data DK-A", "terbit", True, "2026-07-03T12:30:00"),
    ("Dinas Kesehatan", "Elemen C", True, "2026-07-31", None, None, "belum_ada_dataset", True, None),
]
ELEMENT_KEYS = ["opd_title", "nama", "data_prioritas", "tanggal_target", "dataset", "title", "status", "late",
                "published_at"]
TREND_Q3 = [("2026-07", [4, 3, 1, 1, 1, 1, 1]), ("2026-08", [1, 0, 0, 0, 0, 0, 0]),
            ("2026-09", [0, 0, 0, 0, 0, 0, 0])]


def _monitoring(period="2026-Q3", **extra):
    with freezegun.freeze_time(NOW):
        return helpers.call_action("satudata_report_monitoring", context={"user": "walidata"}, period=period,
                                   **extra)


def _assert_q3_figures(report):
    """Every figure of the Q3 report, as the action returns it (and the .json file holds it)."""
    assert report["period"] == {"label": "2026-Q3", "kind": "quarter", "start": "2026-07-01T00:00:00",
                                "end": "2026-10-01T00:00:00", "timezone": "UTC"}
    assert (report["states"], report["movements"]) == (STATES, MOVEMENTS)
    assert [(o["title"], [o["states"][s] for s in STATES], o["total"], [o[m] for m in MOVEMENTS])
            for o in report["opds"]] == SUMMARY_Q3
    totals = report["totals"]
    assert ([totals["states"][s] for s in STATES], totals["total"], [totals[m] for m in MOVEMENTS]) == TOTALS_Q3
    assert [tuple(row[k] for k in TIMELINESS_KEYS) for row in report["timeliness"]] == TIMELINESS_Q3
    assert [tuple(row[k] for k in OVERDUE_KEYS) for row in report["overdue"]] == OVERDUE_Q3
    assert [(o["title"], [o["data_elements"][k] for k in COUNT_KEYS], o["data_elements"]["share"],
             o["data_elements"]["priority_share"]) for o in report["opds"]] == FULFILMENT_Q3
    elements = totals["data_elements"]
    assert ([elements[k] for k in COUNT_KEYS], elements["share"], elements["priority_share"]) == FULFILMENT_TOTALS_Q3
    assert (report["data_elements"]["year"], report["data_elements"]["as_of"]) == (2026, "2026-08-20T12:00:00")
    assert [tuple(row[k] for k in ELEMENT_KEYS) for row in report["data_elements"]["late"]] == LATE_ELEMENTS_Q3
    assert [(row["month"], [row[m] for m in MOVEMENTS]) for row in report["trend"]] == TREND_Q3


def test_monitoring_report_figures(world):
    _assert_q3_figures(_monitoring())


def test_monitoring_report_through_the_api(app, world):
    with _frozen_now():
        response = app.get("/api/3/action/satudata_report_monitoring", params={"period": "2026-T3"},
                           headers=_headers(world, "walidata"))
    assert "result" in response.json, response.json
    _assert_q3_figures(response.json["result"])


# Other periods and one OPD: the figures that change with the period's bounds (steps still waiting at a period's
# end are measured up to it; steps that ended before it began are left out).
# period, opd, movements (all OPDs), all-OPD timeliness rows (step, done, on time, late, waiting, waiting past
# standard, share, median, worst, in the step's unit), overdue (dataset, step, taken, late by, status). A step still
# waiting at a period's end is measured on its last day: dk-b's wait for the Walidata is 19 working days at the end
# of July; bp-c's upload, 6 working hours (10.00-16.00) at the end of June.
PERIODS = [
    ("2026-07", None, [4, 3, 1, 1, 1, 1, 1],
     [("unggah", 3, 1, 2, 0, 0, 0.3333, 3.0, 8.5), ("verifikasi_opd", 4, 4, 0, 0, 0, 1.0, 0.0, 1.0),
      ("verifikasi_walidata", 2, 1, 1, 1, 1, 0.3333, 1.0, 19.0), ("publikasi", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0)],
     [("dk-b", "verifikasi_walidata", 19.0, 18.0, "waiting"), ("dk-a", "verifikasi_walidata", 2.0, 1.0, "late"),
      ("bp-c", "unggah", 8.5, 7.5, "late"), ("dk-b", "unggah", 3.0, 2.0, "late")]),
    ("2026-08", None, [1, 0, 0, 0, 0, 0, 0],
     [("unggah", 1, 1, 0, 1, 1, 0.5, 0.5, 62.5), ("verifikasi_opd", 0, 0, 0, 1, 0, None, None, 0.0),
      ("verifikasi_walidata", 0, 0, 0, 1, 1, 0.0, None, 32.0)],
     [("dk-b", "verifikasi_walidata", 32.0, 31.0, "waiting"), ("bp-d", "unggah", 62.5, 61.5, "waiting")]),
    # dk-e's steps on Labour Day (a day off) took no working time
    ("2026-T2", None, [1, 1, 0, 1, 0, 1, 0],
     [("unggah", 1, 1, 0, 1, 1, 0.5, 0.0, 6.0), ("verifikasi_opd", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
      ("verifikasi_walidata", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0), ("publikasi", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0)],
     [("bp-c", "unggah", 6.0, 5.0, "waiting")]),
    ("2026", None, [6, 4, 1, 2, 1, 2, 1],
     [("unggah", 5, 3, 2, 1, 1, 0.5, 0.5, 62.5), ("verifikasi_opd", 5, 5, 0, 1, 0, 1.0, 0.0, 1.0),
      ("verifikasi_walidata", 3, 2, 1, 1, 1, 0.5, 0.0, 32.0), ("publikasi", 2, 2, 0, 0, 0, 1.0, 0.0, 0.0)],
     [("dk-b", "verifikasi_walidata", 32.0, 31.0, "waiting"), ("bp-d", "unggah", 62.5, 61.5, "waiting"),
      ("dk-a", "verifikasi_walidata", 2.0, 1.0, "late"), ("bp-c", "unggah", 8.5, 7.5, "late"),
      ("dk-b", "unggah", 3.0, 2.0, "late")]),
    ("2026-Q3", "bappeda", [1, 1, 0, 0, 1, 0, 0],
     [("unggah", 1, 0, 1, 1, 1, 0.0, 8.5, 62.5), ("verifikasi_opd", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
      ("verifikasi_walidata", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0)],
     [("bp-d", "unggah", 62.5, 61.5, "waiting"), ("bp-c", "unggah", 8.5, 7.5, "late")]),
    ("2025", None, [0, 0, 0, 0, 0, 0, 0], [], []),
]


@pytest.mark.parametrize("period, opd, movements, timeliness, overdue", PERIODS)
def test_monitoring_report_by_period_and_opd(world, period, opd, movements, timeliness, overdue):
    report = _monitoring(period, **({"opd": opd} if opd else {}))
    assert [report["totals"][m] for m in MOVEMENTS] == movements
    assert [tuple(row[k] for k in TIMELINESS_KEYS[1:2] + TIMELINESS_KEYS[4:]) for row in report["timeliness"]
            if row["opd"] is None] == timeliness
    assert [(row["dataset"], row["step"], row["taken"], row["late_by"], row["status"])
            for row in report["overdue"]] == overdue
    if opd:
        assert report["opd"] == opd
        assert [o["name"] for o in report["opds"]] == [opd]
        assert {row["opd"] for row in report["timeliness"]} <= {opd, None}


# The daftar elemen data on each period's last day: period, opd, Dinas Kesehatan's counts (COUNT_KEYS), all OPDs'
# share, the late elements. An element is late once a working day after its target day has begun.
ELEMENT_PERIODS = [
    # 30 June: dk-a and dk-b not made yet, dk-e published; Elemen A's target day (Tuesday 30 June) is the last day
    ("2026-T2", None, [4, 2, 1, 0, 3, 0, 0, 1], 0.2, []),
    # 31 July: dk-a was published 3 working days after its target (Friday 3 July); Elemen C's target day is Friday
    # 31 July, the period's last day: it is late only from Monday 3 August (in Q3, below)
    ("2026-07", None, [4, 2, 1, 2, 1, 1, 1, 0], 0.2, ["Elemen A"]),
    ("2026-Q3", "bappeda", [0, 0, 0, 0, 0, 0, 0, 0], 0.0, []),
    ("2025", None, [0, 0, 0, 0, 0, 0, 0, 0], 0.0, ["Elemen 2025"]),
    ("2024", None, [0, 0, 0, 0, 0, 0, 0, 0], None, []),
]


@pytest.mark.parametrize("period, opd, counts, share, late", ELEMENT_PERIODS)
def test_element_fulfilment_as_of_the_periods_end(world, period, opd, counts, share, late):
    report = _monitoring(period, **({"opd": opd} if opd else {}))
    by_title = {o["title"]: o for o in report["opds"]}
    dinas = by_title.get("Dinas Kesehatan", {"data_elements": dict.fromkeys(COUNT_KEYS, 0)})
    assert [dinas["data_elements"][k] for k in COUNT_KEYS] == counts
    assert report["totals"]["data_elements"]["share"] == share
    assert [row["nama"] for row in report["data_elements"]["late"]] == late


@pytest.mark.parametrize("text, label, start, end", [
    ("2026", "2026", "2026-01-01", "2027-01-01"),
    ("2026-Q3", "2026-Q3", "2026-07-01", "2026-10-01"),
    ("2026-t4", "2026-Q4", "2026-10-01", "2027-01-01"),
    ("2026-T1", "2026-Q1", "2026-01-01", "2026-04-01"),
    ("2026-07", "2026-07", "2026-07-01", "2026-08-01"),
    ("2026-12", "2026-12", "2026-12-01", "2027-01-01"),
    (" 2026-02 ", "2026-02", "2026-02-01", "2026-03-01"),
])
def test_periods(text, label, start, end):
    period = reports.parse_period(text)
    assert (period.label, period.start, period.end) == (
        label, datetime.datetime.fromisoformat(start), datetime.datetime.fromisoformat(end))


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-7", "Q3-2026",
                                  "2026/07", "2026-S1", "tahun ini"])
def test_bad_periods_are_clear_errors(text):
    with pytest.raises(ValueError, match="is not a period"):
        reports.parse_period(text)


@pytest.mark.parametrize("data, field", [({"period": "2026-Q5"}, "period"), ({}, "period"),
                                         ({"period": "2026", "owner_org": "dinas-rahasia"}, "owner_org"),
                                         ({"period": "2026", "opd": "dinas-rahasia"}, "owner_org")])
def test_the_action_refuses_bad_input(world, data, field):
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("satudata_report_monitoring", context={"user": "walidata"}, **data)
    assert field in error.value.error_dict


@pytest.mark.parametrize("viewer, status", [
    ("walidata", 200), ("sysadmin", 200), ("verifikator-kominfotik", 403), ("operator-dk", 403),
    ("verif-dk", 403), ("ckan-admin", 403), (None, 403)])
def test_only_the_walidata_gets_the_report_through_the_api(app, world, viewer, status):
    response = app.get("/api/3/action/satudata_report_monitoring", params={"period": "2026"},
                       headers=_headers(world, viewer), status=None)
    assert response.status_code == status


# --- files: the same figures in .json, .csv and .xlsx ----------------------------------------------------------

SUMMARY_HEADERS = (["OPD"] + [f"{s} (kini)" for s in ["Draf", "Diajukan", "Terverifikasi OPD", "Disetujui",
                                                       "Terbit", "Perlu Perbaikan"]]
                   + ["Jumlah dataset (kini)"]
                   + [f"{m} (periode)" for m in ["Diajukan", "Diverifikasi (OPD)", "Dikembalikan (OPD)",
                                                 "Diverifikasi (Walidata)", "Dikembalikan (Walidata)", "Terbit",
                                                 "Ditarik"]])
# The words of the pages: the files are translated from the same catalogue.
STEP_ID = {"unggah": "Unggah", "verifikasi_opd": "Verifikasi (OPD)", "verifikasi_walidata": "Verifikasi (Walidata)",
           "publikasi": "Penerbitan"}
STATUS_ID = {"late": "Selesai terlambat", "waiting": "Masih menunggu"}
UNIT_ID = {"working_days": "hari kerja", "working_hours": "jam kerja"}
ELEMENT_STATUS_ID = {"terbit": "Terbit", "belum_terbit": "Ada, belum terbit", "belum_ada_dataset": "Belum ada dataset"}
ELEMENT_HEADERS = ["OPD", "Elemen data", "Prioritas", "Tanggal target", "Dataset", "Status", "Terlambat", "Terbit"]


def _expected_sheets():
    """Section title -> (headers, rows) as the .xlsx holds them (the .csv holds the same, as text)."""
    summary = [[title, *states, total, *moves] for title, states, total, moves in SUMMARY_Q3]
    summary.append(["Semua OPD", *TOTALS_Q3[0], TOTALS_Q3[1], *TOTALS_Q3[2]])
    timeliness = [[row[0] or "Semua OPD", STEP_ID[row[1]], row[2], UNIT_ID[row[3]], *row[4:]] for row in TIMELINESS_Q3]
    overdue = [[d, t, o, STEP_ID[s], datetime.datetime.fromisoformat(a), e and datetime.datetime.fromisoformat(e),
                h, taken, std, UNIT_ID[unit], late_by, STATUS_ID[st]]
               for d, t, o, s, a, e, h, taken, std, unit, late_by, st in OVERDUE_Q3]
    fulfilment = [[title, *counts[:5], counts[6], counts[7], share, priority_share]
                  for title, counts, share, priority_share in FULFILMENT_Q3]
    counts, share, priority_share = FULFILMENT_TOTALS_Q3
    fulfilment.append(["Semua OPD", *counts[:5], counts[6], counts[7], share, priority_share])
    late = [[opd, name, "Ya" if priority else "Tidak", datetime.date.fromisoformat(target), dataset,
             ELEMENT_STATUS_ID[status], "Ya" if is_late else "Tidak",
             published and datetime.datetime.fromisoformat(published)]
            for opd, name, priority, target, dataset, _title, status, is_late, published in LATE_ELEMENTS_Q3]
    trend = [[datetime.date.fromisoformat(month + "-01"), *moves] for month, moves in TREND_Q3]
    return {
        "Rekapitulasi per OPD": (SUMMARY_HEADERS, summary),
        "Ketepatan waktu terhadap SOP": (["OPD", "Tahap", "Standar", "Satuan", "Selesai", "Tepat waktu", "Terlambat",
                             "Masih menunggu", "Menunggu melewati standar", "Tepat waktu (%)", "Median",
                             "Terlama"], timeliness),
        "Melewati waktu standar": (["Dataset", "Judul", "OPD", "Tahap", "Mulai", "Selesai", "Jam", "Lama",
                                    "Standar", "Satuan", "Keterlambatan", "Status"], overdue),
        "Pemenuhan Elemen Data": (["OPD", "Jumlah elemen data", "Prioritas", "Terbit", "Ada, belum terbit",
                                   "Belum ada dataset", "Terlambat", "Terbit tepat waktu", "Terpenuhi (%)",
                                   "Prioritas terpenuhi (%)"], fulfilment),
        "Elemen data terlambat": (ELEMENT_HEADERS, late),
        "Tren bulanan": (["Bulan", "Diajukan", "Diverifikasi (OPD)", "Dikembalikan (OPD)", "Diverifikasi (Walidata)",
                          "Dikembalikan (Walidata)", "Terbit", "Ditarik"], trend),
        # No data request in this world (tests/requests/test_data_requests.py has the figures).
        "Permohonan data": (["OPD", "Diterima", "Dijawab", "Tepat waktu", "Terlambat", "Terpenuhi",
                             "Akan disediakan", "Ditolak", "Masih menunggu", "Menunggu melewati batas waktu",
                             "Tepat waktu (%)"], [["Semua OPD", 0, 0, 0, 0, 0, 0, 0, 0, 0, None]]),
    }


MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]
# The kind of each column of a sheet that is not text or a count (report_files' kinds): as the pages write them.
KINDS = {"Standar": "hours", "Median": "hours", "Terlama": "hours", "Jam": "hours", "Lama": "hours",
         "Keterlambatan": "hours",
         "Tepat waktu (%)": "share", "Terpenuhi (%)": "share", "Prioritas terpenuhi (%)": "share",
         "Mulai": "time", "Selesai": "time", "Terbit": "time", "Tanggal target": "date", "Bulan": "month",
         "Nilai total": "score", "Prinsip SDI": "score", "Kualitas Data": "score", "Proses Bisnis": "score",
         "Nilai": "score"}


def _id_number(value, decimals=1):
    """1.234,5: Indonesian separators; whole numbers without decimals, others with one (as on the pages)."""
    value = round(value, decimals)
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,"))


def _kind(header, value):
    """The kind of a column by its header; "Selesai" and "Terbit" are also counts (of done steps, of elements)."""
    kind = KINDS.get(header)
    return None if kind == "time" and isinstance(value, int) else kind


def _csv_text(value, header=""):
    """A cell of the Indonesian .csv, written independently of language/formats.py."""
    kind = _kind(header, value)
    if value is None:
        return ""
    if kind == "time":
        return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}, {value:%H.%M} UTC"
    if kind == "date":
        return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"
    if kind == "month":
        return f"{MONTHS_ID[value.month - 1]} {value.year}"
    if kind == "share":
        return f"{value * 100:,.1f}%".translate(str.maketrans(",.", ".,"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _id_number(value)
    return str(value)


def _as_read_from_xlsx(value):
    """openpyxl reads a date cell back as a datetime at midnight."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


def _run_cli(cli, tmp_path, fmt, *args):
    output = tmp_path / f"laporan.{fmt}"
    with freezegun.freeze_time(NOW):
        result = cli.invoke(satudata, ["report", "monitoring", "--period", "2026-Q3", "--format", fmt,
                                       "-o", str(output), *args])
    assert result.exit_code == 0, result.output
    return output


def test_cli_json_holds_the_actions_figures(cli, world, tmp_path):
    output = _run_cli(cli, tmp_path, "json")
    _assert_q3_figures(json.loads(output.read_text("utf-8")))


def test_cli_xlsx_one_sheet_per_section_printable(cli, world, tmp_path):
    workbook = openpyxl.load_workbook(_run_cli(cli, tmp_path, "xlsx"))
    expected = _expected_sheets()
    assert workbook.sheetnames == ["Laporan", *expected]  # the cover sheet first (test_report_pdf.py)
    for name, (headers, rows) in expected.items():
        sheet = workbook[name]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == headers, name
        assert values[1:] == [[_as_read_from_xlsx(value) for value in row] for row in rows], name
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width >= 10
        assert sheet.print_title_rows == "$1:$1"
        assert "2026-T3" in sheet.oddHeader.center.text  # the period as people write it


def test_cli_csv_sections(cli, world, tmp_path):
    """The Indonesian .csv as a spreadsheet in Indonesia opens it: `;` between fields, 1.234,5, 85,8%, dates and
    times as the pages write them."""
    text = _run_cli(cli, tmp_path, "csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Laporan pemantauan 2026-T3 - Semua OPD"]
    sections, current = {}, None
    for row in rows[1:]:
        if not row:
            current = None
        elif current is None:
            current = row[0]
            sections[current] = []
        else:
            sections[current].append(row)
    expected = _expected_sheets()
    assert list(sections) == list(expected)
    for name, (headers, data) in expected.items():
        assert sections[name][0] == headers, name
        assert sections[name][1:] == [[_csv_text(value, header) for value, header in zip(row, headers)]
                                      for row in data], name
    assert not [cell for row in rows for cell in row if english_formats(cell)]


def test_cli_xlsx_numbers_and_dates_stay_numbers_and_dates_with_indonesian_formats(cli, world, tmp_path):
    """People compute with the cells; their number formats show them as the pages write them (language/formats.py)."""
    workbook = openpyxl.load_workbook(_run_cli(cli, tmp_path, "xlsx"))
    expected = {"hours": "[$-421]#,##0.0", "share": "[$-421]0.0%", "date": "[$-421]d mmmm yyyy",
                "month": "[$-421]mmmm yyyy", "time": '[$-421]d mmmm yyyy", "hh"."mm" UTC"'}
    seen = set()
    for sheet in workbook.worksheets[1:]:  # the figures (the cover sheet: test_report_pdf.py)
        headers = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for header, cell in zip(headers, row):
                if cell.value is None or isinstance(cell.value, str):
                    continue
                kind = _kind(header, cell.value)
                if isinstance(cell.value, datetime.datetime):
                    assert cell.number_format == expected[kind], (sheet.title, header)
                elif kind in expected:
                    assert cell.number_format == expected[kind], (sheet.title, header)
                else:
                    assert cell.number_format == "[$-421]#,##0", (sheet.title, header)
                seen.add(kind)
    assert seen >= {"hours", "share", "date", "month", "time", None}


def test_cli_english_csv(cli, world, tmp_path):
    """The English .csv: `,` between fields, 1,234.5, 66.7%, 8 July 2026, 09:00 UTC."""
    text = _run_cli(cli, tmp_path, "csv", "--lang", "en").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    overdue = rows[rows.index(["Past the standard time"]) + 2]
    assert overdue[4:11] == ["6 July 2026, 09:00 UTC", "", "1,083", "32", "1", "working days", "31"]
    timeliness = rows[rows.index(["Timeliness against the SOP"]) + 1:]
    assert ["Dinas Kesehatan", "Upload", "1", "working hours", "3", "2", "1", "0", "0", "66.7%", "0.5",
            "3"] in timeliness
    assert "July 2026" in [row[0] for row in rows if row]


def test_cli_english_headers_and_one_opd(cli, world, tmp_path):
    output = _run_cli(cli, tmp_path, "xlsx", "--lang", "en", "--owner-org", "bappeda")
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["Report", "Summary by OPD", "Timeliness against the SOP", "Past the standard time",
                                   "Data element fulfilment", "Late data elements", "Monthly trend",
                                   "Data requests"]
    summary = list(workbook["Summary by OPD"].iter_rows(values_only=True))
    assert summary[0][:2] == ("OPD", "Draft (now)")
    assert [row[0] for row in summary[1:]] == ["Bappeda", "All OPDs"]


def test_cli_default_file_name(cli, world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with freezegun.freeze_time(NOW):
        result = cli.invoke(satudata, ["report", "monitoring", "--period", "2026-07", "--opd", "dinas-kesehatan"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "laporan-pemantauan-2026-07-dinas-kesehatan.xlsx").exists()


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-Q5"], '"2026-Q5" is not a period'),
    (["--period", "juli"], '"juli" is not a period'),
    (["--period", "2026", "--opd", "dinas-rahasia"], 'There is no OPD "dinas-rahasia"'),
])
def test_cli_clear_errors(cli, world, tmp_path, args, message):
    output = tmp_path / "laporan.json"
    result = cli.invoke(satudata, ["report", "monitoring", *args, "-o", str(output)])
    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()


# --- the report page ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer, status", [
    ("walidata", 200), ("sysadmin", 200), ("verifikator-kominfotik", 403), ("operator-dk", 403),
    ("verif-dk", 403), ("verif-bp", 403), ("ckan-admin", 403)])
def test_the_report_page_is_for_the_walidata(app, world, viewer, status):
    response = app.get("/laporan", params={"period": "2026-Q3"}, headers=_headers(world, viewer), status=None)
    assert response.status_code == status
    download = app.get("/laporan/monitoring.csv", params={"period": "2026-Q3"}, headers=_headers(world, viewer),
                       status=None)
    assert download.status_code == status


def test_anonymous_visitors_are_sent_to_log_in(app, world):
    for url in ("/laporan", "/laporan/monitoring.xlsx?period=2026"):
        response = app.get(url, status=None, follow_redirects=False)
        assert response.status_code == 302
        assert "/user/login" in response.headers["Location"]


def test_the_report_page_shows_the_figures_charts_and_downloads(app, world):
    with _frozen_now():
        response = app.get("/laporan", params={"period": "2026-Q3", "opd": "dinas-kesehatan"},
                           headers=_headers(world, "walidata"))
    body = response.body
    assert "Data DK-B" in body  # overdue, by name
    assert "Data BP-D" not in body  # another OPD
    assert "<svg" in body and "satudata-bar-row" in body
    elements = body.split('class="table table-striped table-sm satudata-report-elements"', 1)[1].split("</table>")[0]
    assert [cell.strip() for cell in elements.split("<tbody>")[1].split("</tr>")[0].split("<td>")[1:]] == [
        "4</td>", "2</td>", "1</td>", "2</td>", "1</td>", "2</td>", "25,0%</td>", "50,0%</td>"]
    late = body.split("satudata-report-late-elements", 1)[1].split("</table>")[0]
    assert "Elemen A" in late and "Elemen C" in late and "Elemen B" not in late
    for fmt in ("xlsx", "csv", "json"):
        assert f"/laporan/monitoring.{fmt}?period=2026-Q3&amp;opd=dinas-kesehatan" in body
    # The trend's axis names the months (not 07, 08, 09) and the year once; the summary groups its columns.
    soup = BeautifulSoup(body, "html.parser")
    assert [t.get_text() for t in soup.select(".satudata-trend .satudata-trend-month")] == ["Jul", "Agu", "Sep"]
    assert [t.get_text() for t in soup.select(".satudata-trend .satudata-trend-year")] == ["2026"]
    groups = [th.get_text(strip=True) for th in soup.select(".satudata-report-summary .satudata-header-groups th")]
    assert groups == ["Dataset per status (saat ini)", "Pergerakan pada periode"]


def test_a_holiday_the_walidata_added_counts_in_the_report(world, ckan_config, monkeypatch):
    """With Thursday 2 July a day off, dk-a's Walidata check (Wednesday evening to Friday morning) took 1 working day
    and dk-b's upload that Thursday no working time: both on time; the evaluation's timeliness follows."""
    late = {(row["dataset"], row["step"]) for row in _monitoring()["overdue"]}
    assert {("dk-a", "verifikasi_walidata"), ("dk-b", "unggah")} <= late
    monkeypatch.setitem(ckan_config, "ckanext.satudata_blitar.extra_holidays", ["2026-07-02"])
    report = _monitoring()
    assert [(row["dataset"], row["step"]) for row in report["overdue"]] == [
        ("dk-b", "verifikasi_walidata"), ("bp-d", "unggah"), ("bp-c", "unggah")]
    dinas = {row["step"]: (row["on_time"], row["late"]) for row in report["timeliness"]
             if row["opd"] == "dinas-kesehatan"}
    assert (dinas["unggah"], dinas["verifikasi_walidata"]) == ((3, 0), (1, 0))
    indicator = _evaluation()["opds"][1]["indicators"]["ketepatan_waktu"]
    assert (indicator["numerator"], indicator["denominator"]) == (8, 9)


def test_the_report_page_says_working_days(app, world):
    with _frozen_now():
        soup = BeautifulSoup(app.get("/laporan", params={"period": "2026-Q3"}, headers=_headers(world, "walidata"))
                             .body, "html.parser")
    timeliness = [[cell.get_text(strip=True) for cell in row.select("td")]
                  for row in soup.select(".satudata-report-timeliness tbody tr")]
    assert timeliness[0][:3] == ["Bappeda", "Unggah", "1 jam kerja"]
    # done, on time, late, still waiting, waiting past the standard, on time (%), median, worst
    assert ["Semua OPD", "Verifikasi (Walidata)", "1 hari kerja", "2", "1", "1", "1", "1", "33,3%", "1 hari kerja",
            "32 hari kerja"] in timeliness
    late = [cell.get_text(strip=True) for cell in soup.select(".satudata-report-overdue .satudata-late")]
    assert late == ["terlambat 31 hari kerja", "terlambat 61,5 jam kerja", "terlambat 1 hari kerja",
                    "terlambat 7,5 jam kerja", "terlambat 2 jam kerja"]


def test_the_report_page_explains_a_bad_period(app, world):
    response = app.get("/laporan", params={"period": "2026-13"}, headers=_headers(world, "walidata"))
    errors = response.body.split('class="alert alert-danger satudata-report-errors">', 1)[1].split("</div>", 1)[0]
    assert "&#34;2026-13&#34;" in errors  # the message itself is translated (i18n/)
    assert "satudata-report-summary" not in response.body


def test_the_download_has_the_pages_filters(app, world):
    with _frozen_now():
        response = app.get("/laporan/monitoring.json", params={"period": "2026-Q3"},
                           headers=_headers(world, "walidata"))
    assert "laporan-pemantauan-2026-T3.json" in response.headers["Content-Disposition"]
    _assert_q3_figures(json.loads(response.body))



# --- the evaluation report (SOP step 8) --------------------------------------------------------------------------

# Per OPD and indicator: (numerator, denominator, score). The schema asks 12 required and 18 recommended fields;
# every dataset has its required ones and two recommended ones by default, dk-a four more (MORE_METADATA).
INDICATORS_Q3 = {
    "dinas-kesehatan": {
        "standar_data": (11, 20, 55.0),  # dk-a 5 of 5, the others definisi and satuan
        "metadata": (60, 120, 50.0),  # 4 × 12 required + (6 + 2 + 2 + 2) recommended of 4 × 30
        "kode_referensi": (1, 4, 25.0),
        # the monitoring report: 6 on time of 8 done + 1 waiting past standard (dk-b's Friday-to-Monday OPD check
        # is on time in working days)
        "ketepatan_waktu": (6, 9, 66.7),
        "aksesibilitas": (2, 4, 50.0),  # dk-a's CSV (machine-readable, in the DataStore), dk-b's PDF (neither)
        "pemeriksaan": (3, 4, 75.0),  # dk-a passed twice, dk-b returned once then passed
        "penyebarluasan": (1, 4, 25.0),
        "elemen_data": (1, 4, 25.0),  # Elemen A of four
    },
    "bappeda": {
        "standar_data": (4, 10, 40.0), "metadata": (28, 60, 46.7), "kode_referensi": (0, 2, 0.0),
        "ketepatan_waktu": (2, 4, 50.0), "aksesibilitas": (1, 2, 50.0), "pemeriksaan": (1, 2, 50.0),
        "penyebarluasan": (0, 2, 0.0), "elemen_data": (0, 1, 0.0),
    },
    "diskominfotik": {name: (0, 0, None) for name in ("standar_data", "metadata", "kode_referensi",
                                                       "ketepatan_waktu", "aksesibilitas", "pemeriksaan",
                                                       "penyebarluasan", "elemen_data")},
}
# OPD: (rank, total, prinsip SDI, kualitas data, proses bisnis, datasets, data elements). Proses bisnis is the mean
# of pemeriksaan, penyebarluasan and elemen_data: (75 + 25 + 25) / 3 and (50 + 0 + 0) / 3.
SCORES_Q3 = {
    "dinas-kesehatan": (1, 47.8, 43.3, 58.4, 41.7, 4, 4),
    "bappeda": (2, 31.9, 28.9, 50.0, 16.7, 2, 1),
    "diskominfotik": (None, None, None, None, None, 0, 0),
}
FACT_KEYS = ["name", "state", "required_filled", "recommended_filled", "standard_filled", "reference_code",
             "resources", "machine_readable", "datastore", "steps_done", "steps_on_time", "steps_overdue",
             "checks_passed", "checks_made"]
FACTS_Q3 = {
    "dinas-kesehatan": [
        ("dk-a", "terbit", 12, 6, 5, True, 1, 1, 1, 4, 3, 0, 2, 2),
        ("dk-b", "terverifikasi_opd", 12, 2, 2, False, 1, 0, 0, 3, 2, 1, 1, 2),
        ("dk-e", "perlu_perbaikan", 12, 2, 2, False, 0, 0, 0, 0, 0, 0, 0, 0),
        ("dk-f", "diajukan", 12, 2, 2, False, 0, 0, 0, 1, 1, 0, 0, 0),
    ],
    "bappeda": [
        ("bp-c", "perlu_perbaikan", 12, 2, 2, False, 1, 1, 0, 3, 2, 0, 1, 2),
        ("bp-d", "draf", 12, 2, 2, False, 0, 0, 0, 0, 0, 1, 0, 0),
    ],
    "diskominfotik": [],
}
ASPECTS = ["prinsip_sdi", "kualitas_data", "proses_bisnis"]


def _evaluation(period="2026-Q3", **extra):
    with freezegun.freeze_time(NOW):
        return helpers.call_action("satudata_report_evaluation", context={"user": "walidata"}, period=period,
                                   **extra)


def _assert_q3_evaluation(report):
    assert report["ranking"] == ["dinas-kesehatan", "bappeda", "diskominfotik"]
    assert (len(report["required_fields"]), len(report["recommended_fields"])) == (12, 18)
    opds = {opd["name"]: opd for opd in report["opds"]}
    assert {name: {key: (i["numerator"], i["denominator"], i["score"]) for key, i in opd["indicators"].items()}
            for name, opd in opds.items()} == INDICATORS_Q3
    assert {name: (opd["rank"], opd["total"], *[opd["aspects"][a] for a in ASPECTS], opd["datasets"],
                   opd["data_elements"]) for name, opd in opds.items()} == SCORES_Q3
    assert {name: [(e["nama"], e["dataset"], e["status"], e["late"]) for e in opd["element_facts"]]
            for name, opd in opds.items()} == {
        "dinas-kesehatan": [("Elemen A", "dk-a", "terbit", True), ("Elemen B", "dk-b", "belum_terbit", False),
                            ("Elemen C", None, "belum_ada_dataset", True), ("Elemen E", "dk-e", "belum_terbit", False)],
        "bappeda": [("Elemen BP", "bp-c", "belum_terbit", False)],
        "diskominfotik": []}
    assert {name: [tuple(d[k] for k in FACT_KEYS) for d in opd["dataset_facts"]]
            for name, opd in opds.items()} == FACTS_Q3
    portal = report["portal"]
    # proses bisnis: pemeriksaan 4 of 6, penyebarluasan 1 of 6, elemen data 1 of 5: (66.7 + 16.7 + 20) / 3
    assert (portal["total"], [portal["aspects"][a] for a in ASPECTS], portal["datasets"]) == (
        42.9, [38.5, 55.8, 34.5], 6)


def test_evaluation_report_figures(world):
    _assert_q3_evaluation(_evaluation())


def test_evaluation_of_one_opd(world):
    report = _evaluation(opd="bappeda")
    assert report["ranking"] == ["bappeda"]
    assert report["opds"][0]["total"] == 31.9
    assert report["portal"]["total"] == 31.9


def test_evaluation_files(cli, world, tmp_path):
    outputs = {}
    for fmt in ("json", "csv", "xlsx"):
        outputs[fmt] = tmp_path / f"evaluasi.{fmt}"
        with freezegun.freeze_time(NOW):
            result = cli.invoke(satudata, ["report", "evaluation", "--period", "2026-T3", "-o", str(outputs[fmt])])
        assert result.exit_code == 0, result.output
    _assert_q3_evaluation(json.loads(outputs["json"].read_text("utf-8")))

    workbook = openpyxl.load_workbook(outputs["xlsx"])
    assert workbook.sheetnames == ["Laporan", "Peringkat", "Kartu Skor", "Dataset", "Daftar Elemen Data",
                                   "Permohonan data"]
    # The monitoring report's section, as it is (no data request in this world: tests/requests has the figures).
    requests_headers, requests_rows = _expected_sheets()["Permohonan data"]
    assert [list(row) for row in workbook["Permohonan data"].iter_rows(values_only=True)] == [
        requests_headers, *requests_rows]
    assert json.loads(outputs["json"].read_text("utf-8"))["data_requests"]["totals"]["received"] == 0
    ranking = list(workbook["Peringkat"].iter_rows(values_only=True))
    assert ranking == [
        ("Peringkat", "OPD", "Nilai total", "Prinsip SDI", "Kualitas Data", "Proses Bisnis", "Jumlah dataset",
         "Jumlah elemen data"),
        (1, "Dinas Kesehatan", 47.8, 43.3, 58.4, 41.7, 4, 4),
        (2, "Bappeda", 31.9, 28.9, 50.0, 16.7, 2, 1),
        (None, "Diskominfotik", None, None, None, None, 0, 0),
    ]
    card = list(workbook["Kartu Skor"].iter_rows(values_only=True))
    assert card[0] == ("OPD", "Aspek", "Indikator", "Nilai", "Pembilang", "Penyebut")
    assert card[1:9] == [
        ("Dinas Kesehatan", "Prinsip SDI", "Standar data", 55.0, 11, 20),
        ("Dinas Kesehatan", "Prinsip SDI", "Metadata", 50.0, 60, 120),
        ("Dinas Kesehatan", "Prinsip SDI", "Kode referensi", 25.0, 1, 4),
        ("Dinas Kesehatan", "Kualitas Data", "Aktualitas dan ketepatan waktu", 66.7, 6, 9),
        ("Dinas Kesehatan", "Kualitas Data", "Aksesibilitas", 50.0, 2, 4),
        ("Dinas Kesehatan", "Proses Bisnis", "Pemeriksaan", 75.0, 3, 4),
        ("Dinas Kesehatan", "Proses Bisnis", "Penyebarluasan", 25.0, 1, 4),
        ("Dinas Kesehatan", "Proses Bisnis", "Pemenuhan daftar elemen data", 25.0, 1, 4),
    ]
    assert len(card) == 1 + 8 * 4  # three OPDs and all OPDs together
    assert card[-1] == ("Semua OPD", "Proses Bisnis", "Pemenuhan daftar elemen data", 20.0, 1, 5)
    datasets = list(workbook["Dataset"].iter_rows(values_only=True))
    assert [row[:2] for row in datasets[1:]] == [("Dinas Kesehatan", "dk-a"), ("Dinas Kesehatan", "dk-b"),
                                                 ("Dinas Kesehatan", "dk-e"), ("Dinas Kesehatan", "dk-f"),
                                                 ("Bappeda", "bp-c"), ("Bappeda", "bp-d")]
    assert datasets[1][3:] == ("Terbit", 12, 12, 6, 18, 5, "Ya", 1, 1, 1, 4, 3, 0, 2, 2)
    elements = list(workbook["Daftar Elemen Data"].iter_rows(values_only=True))
    assert elements == [tuple(ELEMENT_HEADERS),
                        ("Dinas Kesehatan", "Elemen A", "Ya", datetime.datetime(2026, 6, 30), "dk-a", "Terbit", "Ya",
                         datetime.datetime(2026, 7, 3, 12, 30)),
                        ("Dinas Kesehatan", "Elemen B", "Tidak", datetime.datetime(2026, 9, 30), "dk-b",
                         "Ada, belum terbit", "Tidak", None),
                        ("Dinas Kesehatan", "Elemen C", "Ya", datetime.datetime(2026, 7, 31), None,
                         "Belum ada dataset", "Ya", None),
                        ("Dinas Kesehatan", "Elemen E", "Tidak", None, "dk-e", "Ada, belum terbit", "Tidak", None),
                        ("Bappeda", "Elemen BP", "Tidak", None, "bp-c", "Ada, belum terbit", "Tidak", None)]

    rows = list(csv.reader(io.StringIO(outputs["csv"].read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Laporan evaluasi 2026-T3 - Semua OPD"]
    assert rows[2:7] == [["Peringkat"], list(ranking[0]),
                         ["1", "Dinas Kesehatan", "47,8", "43,3", "58,4", "41,7", "4", "4"],
                         ["2", "Bappeda", "31,9", "28,9", "50", "16,7", "2", "1"],
                         ["", "Diskominfotik", "", "", "", "", "0", "0"]]
    assert ["Dinas Kesehatan", "Elemen A", "Ya", "30 Juni 2026", "dk-a", "Terbit", "Ya", "3 Juli 2026, 12.30 UTC"] in rows
    assert not [cell for row in rows for cell in row if english_formats(cell)]
    assert workbook["Kartu Skor"]["D2"].number_format == "[$-421]#,##0.0"
    assert workbook["Daftar Elemen Data"]["H2"].number_format == '[$-421]d mmmm yyyy", "hh"."mm" UTC"'


def test_the_report_page_shows_the_evaluation(app, world):
    with _frozen_now():
        body = app.get("/laporan", params={"period": "2026-Q3", "report": "evaluation"},
                       headers=_headers(world, "walidata")).body
    assert "satudata-report-ranking" in body and "47,8" in body
    assert "/laporan/evaluation.xlsx?period=2026-Q3" in body
    soup = BeautifulSoup(body, "html.parser")
    evaluation = soup.select_one("section#evaluation")
    assert evaluation.select_one("table.satudata-report-data-requests")  # the data requests, as in the monitoring
    assert not soup.select_one("section#monitoring") and "satudata-report-timeliness" not in body
    # The filter keeps the tab; the tabs keep the filters.
    assert soup.select_one("form.satudata-report-filters input[name=report]")["value"] == "evaluation"
    tabs = [(a.get_text(strip=True), a["href"], "active" in a["class"]) for a in soup.select(".satudata-report-tabs a")]
    assert tabs == [("Pemantauan", "/laporan?period=2026-Q3", False),
                    ("Evaluasi", "/laporan?period=2026-Q3&report=evaluation", True)]


def test_the_report_page_shows_one_report_at_a_time(app, world):
    """The monitoring by default, with its tab and no evaluation: only the monitoring's figures are computed."""
    with _frozen_now():
        with world_module.sql_statements() as found:
            body = app.get("/laporan", params={"period": "2026-Q3", "owner_org": "dinas-kesehatan"},
                           headers=_headers(world, "walidata")).body
    soup = BeautifulSoup(body, "html.parser")
    assert [section["id"] for section in soup.select("section.satudata-document")] == ["monitoring"]
    assert "satudata-report-ranking" not in body and not soup.select("form.satudata-report-filters input[name=report]")
    tabs = [(a["href"], "active" in a["class"]) for a in soup.select(".satudata-report-tabs a")]
    assert tabs == [("/laporan?period=2026-Q3&owner_org=dinas-kesehatan", True),
                    ("/laporan?period=2026-Q3&owner_org=dinas-kesehatan&report=evaluation", False)]
    # The evaluation's queries are not run: no dataset's metadata, resources or checks are read for scores.
    assert not [statement for statement in found if "machine_readable" in statement or "checks_made" in statement]
    assert len([statement for statement in found if "lead(" in statement.lower()]) == 1  # the steps, once


def test_the_evaluation_tab_computes_the_steps_once(app, world):
    """The evaluation's page (and its PDF and .xlsx) says what the monitoring found: both reports of one run, the
    window over the workflow events computed once (by the monitoring, into its temporary table), the OPDs, the
    elements' fulfilment and the data requests read once."""
    for path in ("/laporan", "/laporan/evaluation.pdf", "/laporan/evaluation.xlsx"):
        with _frozen_now():
            with world_module.sql_statements() as found:
                app.get(path, params={"period": "2026-Q3", "report": "evaluation"}, headers=_headers(world, "walidata"))
        assert len([statement for statement in found if "lead(" in statement.lower()]) == 1, path
        assert len([statement for statement in found if "satudata_report_steps" in statement
                    and "machine_readable" in statement]) == 1, path  # the evaluation read the monitoring's steps
        opds = [statement for statement in found if statement.lstrip().startswith("SELECT \"group\".id")
                and "ORDER BY \"group\".title" in statement]
        assert len(opds) <= 2, (path, len(opds))  # the report's OPDs once (and the page's OPD filter)


def test_reports_asked_together_equal_reports_asked_alone(world):
    """A run gives the same reports as each asked on its own, whichever lists are cut, and the run's evaluation read
    the monitoring's steps (reports.py's temporary table)."""
    now = datetime.datetime(2026, 8, 20, 12)
    for period, opd in [("2026-Q3", None), ("2026", "dinas-kesehatan"), ("2026-07", "bappeda")]:
        opd_id = model.Group.get(opd).id if opd else None
        shown = reports.parse_period(period)
        for limit in (None, 0, 50):
            run = {}
            together = (reports.monitoring(shown, opd_id, now, list_limit=limit, run=run),
                        reports.evaluation(shown, opd_id, now, list_limit=limit, run=run))
            assert "steps" in run
            alone = (reports.monitoring(shown, opd_id, now, list_limit=limit),
                     reports.evaluation(shown, opd_id, now, list_limit=limit))
            assert together == alone, (period, opd, limit)
    model.Session.rollback()


def test_the_evaluation_reads_the_opds_once_and_plans_without_jit(world):
    """The page's evaluation (list_limit) reads the OPDs once (it read them twice); both reports turn PostgreSQL's
    JIT off for their transaction (it cost more than it saved on a province's reports)."""
    now = datetime.datetime(2026, 8, 20, 12)
    model.Session.execute(sa.text("SET LOCAL jit = on"))
    with world_module.sql_statements() as found:
        reports.evaluation(reports.parse_period("2026-Q3"), None, now, list_limit=50)
    opds = [statement for statement in found if 'FROM "group"' in statement and 'ORDER BY "group".title' in statement
            and "satudata_data_element" not in statement]
    assert len(opds) == 1
    assert model.Session.execute(sa.text("SHOW jit")).scalar() == "off"
    model.Session.rollback()
    model.Session.execute(sa.text("SET LOCAL jit = on"))
    reports.monitoring(reports.parse_period("2026-Q3"), None, now, list_limit=50)
    assert model.Session.execute(sa.text("SHOW jit")).scalar() == "off"
    model.Session.rollback()


@pytest.mark.parametrize("viewer, shown", [("walidata", True), ("sysadmin", True), ("operator-dk", False),
                                           ("verifikator-kominfotik", False), (None, False)])
def test_the_header_links_the_reports_for_the_walidata(app, world, viewer, shown):
    body = app.get("/dataset/", headers=_headers(world, viewer)).body
    assert ("satudata-reports-link" in body) == shown



@pytest.fixture
def wib(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")


def test_periods_and_times_are_in_the_portals_time_zone(world, wib):
    """July in WIB (UTC+7) ends on 31 July 17:00 UTC: dk-b's wait for the Walidata is 7 hours shorter than in
    UTC; the times listed are WIB, and so are the working days and hours: dk-a's Walidata check (Thursday 03.30 to
    Friday 15.30 WIB) took 1 working day and dk-b's upload (Thursday 15.00 to 18.00 WIB) 1 working hour, both on
    time in WIB though late in UTC."""
    report = _monitoring("2026-07")
    assert report["period"]["timezone"] == "Asia/Jakarta"
    assert [report["totals"][m] for m in MOVEMENTS] == [4, 3, 1, 1, 1, 1, 1]
    assert [(row["dataset"], row["step"], row["started_at"], row["hours"], row["taken"], row["status"])
            for row in report["overdue"]] == [
        ("dk-b", "verifikasi_walidata", "2026-07-06T16:00:00", 608.0, 19.0, "waiting"),
        ("bp-c", "unggah", "2026-06-30T17:00:00", 24.0, 8.5, "late")]
    assert report["generated_at"] == "2026-08-20T19:00:00"


def test_the_quarter_ends_in_the_portals_time_zone(world, wib):
    """The second quarter ends at 30 June 17:00 UTC in WIB: bp-c's upload (made 30 June 10:00 UTC, 17.00 WIB, after
    working hours) had waited 7 hours by then (14 in UTC) but no working time: it is not yet overdue."""
    report = _monitoring("2026-T2")
    upload = next(row for row in report["timeliness"] if row["opd"] is None and row["step"] == "unggah")
    assert (upload["waiting"], upload["overdue_waiting"], upload["worst"]) == (1, 0, 0.0)
    assert report["overdue"] == []
    # Elemen A's target day (30 June) is the quarter's last day: not late yet as of the quarter's end
    assert report["data_elements"]["as_of"] == "2026-07-01T00:00:00"
    assert report["data_elements"]["late"] == []


def test_the_year_of_the_elements_is_the_portals(world, wib):
    """2026 in WIB starts on 31 December 2025 17:00 UTC: the list judged is still 2026's, in both reports."""
    assert _monitoring("2026")["data_elements"]["year"] == 2026
    assert _monitoring("2026")["totals"]["data_elements"]["elements"] == 5
    assert _evaluation("2026")["portal"]["data_elements"] == 5
