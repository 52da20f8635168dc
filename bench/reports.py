"""Benchmark: the monitoring and evaluation reports (ckanext.satudata_blitar.reports.figures) over a synthetic portal, by hand.

    .venv/bin/python bench/reports.py [--opds 50] [--datasets 20000] [--elements 40]

The reports are timed as the report page and the PDF ask for them (the longest report.list_limit overdue steps and
late elements, --list-limit), then the year's full reports written as the .xlsx and .csv downloads write them
(--no-files skips them). The defaults are the issue's scale: 50 OPDs, 20,000 datasets, 200,000 workflow events, and
here 40 data elements per OPD (2,000 in the year's daftar elemen data, three in four linked to a dataset). Measured 2026-11-25: see
docs/benchmarks.md ("Reports"); targets: under 10 s and 500 MB.

Needs the services (it says so when one is missing). Runs on databases of its own, `ckan_bench_<--name>` (default
reports; bench/serve.py makes them from its migrated template), or on those of --ckan-ini. Everything is inserted
with INSERT … SELECT generate_series in one transaction that is rolled back at the end: the database is left as it
was. Each dataset gets a creation event
and a path through the workflow of 14, 10 or 6 events (returns at both stages, publication, withdrawal and
resubmission; ten on average), four extras of the metadata schema (where the CKAN version keeps extras:
adapters.py) and one resource. tests/test_bench.py runs it with tiny sizes.
"""
from __future__ import annotations

import argparse
import datetime
import resource
import sys
import time
from pathlib import Path


def _ckan(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    return make_app(load_config(ini))


SETUP = """
INSERT INTO "group" (id, name, title, type, is_organization, state)
SELECT 'bench-org-' || g, 'bench-org-' || g, 'Bench OPD ' || g, 'organization', true, 'active'
FROM generate_series(1, :opds) g;

INSERT INTO package (id, name, title, type, state, private, owner_org)
SELECT 'bench-pkg-' || p, 'bench-pkg-' || p, 'Bench ' || p, 'dataset', 'active', true, 'bench-org-' || (p % :opds + 1)
FROM generate_series(1, :datasets) p;

{extras};

INSERT INTO resource (id, package_id, url, format, state, extras)
SELECT 'bench-res-' || p, 'bench-pkg-' || p, 'http://bench.invalid/' || p, CASE WHEN p % 2 = 0 THEN 'CSV' ELSE 'PDF' END,
       'active', CASE WHEN p % 4 = 0 THEN '{"datastore_active": true}' ELSE '{}' END
FROM generate_series(1, :datasets) p;

-- paths of 14, 10 and 6 events: kind 0 ends waiting for publication, kind 1 for the Walidata, kind 2 for the OPD
WITH base AS (
  SELECT p, p % 3 AS kind, TIMESTAMP '2026-01-01' + (p % 300) * INTERVAL '1 day' + (p % 7) * INTERVAL '1 hour' AS t0
  FROM generate_series(1, :datasets) p
), steps(kind, n, transition, from_state, to_state, hours) AS (VALUES
  (0, 0, 'buat', NULL, 'draf', 0), (0, 1, 'ajukan', 'draf', 'diajukan', 2),
  (0, 2, 'kembalikan_opd', 'diajukan', 'perlu_perbaikan', 20), (0, 3, 'ajukan', 'perlu_perbaikan', 'diajukan', 50),
  (0, 4, 'verifikasi_opd', 'diajukan', 'terverifikasi_opd', 60),
  (0, 5, 'kembalikan_walidata', 'terverifikasi_opd', 'perlu_perbaikan', 80),
  (0, 6, 'ajukan', 'perlu_perbaikan', 'diajukan', 100), (0, 7, 'verifikasi_opd', 'diajukan', 'terverifikasi_opd', 110),
  (0, 8, 'verifikasi_walidata', 'terverifikasi_opd', 'disetujui', 130), (0, 9, 'terbitkan', 'disetujui', 'terbit', 140),
  (0, 10, 'tarik', 'terbit', 'perlu_perbaikan', 400), (0, 11, 'ajukan', 'perlu_perbaikan', 'diajukan', 420),
  (0, 12, 'verifikasi_opd', 'diajukan', 'terverifikasi_opd', 430),
  (0, 13, 'verifikasi_walidata', 'terverifikasi_opd', 'disetujui', 450),
  (1, 0, 'buat', NULL, 'draf', 0), (1, 1, 'ajukan', 'draf', 'diajukan', 1),
  (1, 2, 'kembalikan_opd', 'diajukan', 'perlu_perbaikan', 30), (1, 3, 'ajukan', 'perlu_perbaikan', 'diajukan', 40),
  (1, 4, 'verifikasi_opd', 'diajukan', 'terverifikasi_opd', 50),
  (1, 5, 'verifikasi_walidata', 'terverifikasi_opd', 'disetujui', 70), (1, 6, 'terbitkan', 'disetujui', 'terbit', 90),
  (1, 7, 'tarik', 'terbit', 'perlu_perbaikan', 300), (1, 8, 'ajukan', 'perlu_perbaikan', 'diajukan', 320),
  (1, 9, 'verifikasi_opd', 'diajukan', 'terverifikasi_opd', 330),
  (2, 0, 'buat', NULL, 'draf', 0), (2, 1, 'ajukan', 'draf', 'diajukan', 3),
  (2, 2, 'kembalikan_opd', 'diajukan', 'perlu_perbaikan', 10), (2, 3, 'ajukan', 'perlu_perbaikan', 'diajukan', 30),
  (2, 4, 'kembalikan_opd', 'diajukan', 'perlu_perbaikan', 40), (2, 5, 'ajukan', 'perlu_perbaikan', 'diajukan', 60))
INSERT INTO satudata_workflow_event (package_id, owner_org, transition, from_state, to_state, actor_id, actor_role,
                                     created_at)
SELECT 'bench-pkg-' || b.p, 'bench-org-' || (b.p % :opds + 1), s.transition, s.from_state, s.to_state, 'bench',
       'sysadmin', b.t0 + s.hours * INTERVAL '1 hour'
FROM base b JOIN steps s ON s.kind = b.kind;

INSERT INTO satudata_dataset_status (package_id, state, changed_at)
SELECT package_id, (array_agg(to_state ORDER BY created_at DESC, id DESC))[1], max(created_at)
FROM satudata_workflow_event WHERE package_id LIKE 'bench-pkg-%' GROUP BY package_id;
-- the daftar elemen data: :elements per OPD, three in four provided by one of the OPD's datasets, a third priority,
-- targets spread over the year
INSERT INTO satudata_data_element (id, tahun, owner_org, nama, data_prioritas, tanggal_target, package_id,
                                   created_at, modified_at)
SELECT 'bench-el-' || o || '-' || e, 2026, 'bench-org-' || o, 'Elemen ' || e, e % 3 = 0,
       DATE '2026-01-31' + (e * 7 % 330), CASE WHEN e % 4 <> 0 THEN 'bench-pkg-' || (o - 1 + :opds * e) END,
       now(), now()
FROM generate_series(1, :opds) o, generate_series(1, :elements) e;

ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="reports", help="databases ckan_bench_<name> … (default reports)")
    parser.add_argument("--ckan-ini", help="run on this config's databases instead (left as they were)")
    parser.add_argument("--datasets", type=int, default=20000)
    parser.add_argument("--opds", type=int, default=50)
    parser.add_argument("--elements", type=int, default=40, help="data elements per OPD")
    parser.add_argument("--existing", action="store_true", help="time the reports on the databases of --ckan-ini "
                        "as they are, inserting nothing (bench/province.py's world)")
    parser.add_argument("--list-limit", type=int, help="overdue steps and late elements the page and the PDF "
                        "list (default: the configuration's report.list_limit)")
    parser.add_argument("--no-files", action="store_true", help="skip the full reports written as .xlsx and .csv")
    args = parser.parse_args()
    if args.existing and not args.ckan_ini:
        parser.error("--existing needs --ckan-ini")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import serve
    serve.require(server=False)
    ini = args.ckan_ini
    if not ini:
        serve.create_databases(serve.check_name(args.name), fresh=True)  # a copy of the template: a second
        ini = str(serve.write_ini(args.name, 0))
    app = _ckan(ini)
    import sqlalchemy as sa

    import ckan.model as model
    from ckanext.satudata_blitar import adapters, config
    from ckanext.satudata_blitar.reports import figures as reports

    setup = SETUP.replace("{extras}", adapters.extras_insert_sql(
        "SELECT 'bench-pkg-' || p, k, 'x' FROM generate_series(1, :datasets) p, "
        "unnest(ARRAY['urusan', 'definisi', 'satuan', 'konsep']) k"))
    with app._wsgi_app.test_request_context():
        start = time.perf_counter()
        for statement in setup.split(";\n") if not args.existing else []:
            if statement.strip():
                model.Session.execute(sa.text(statement), {"datasets": args.datasets, "opds": args.opds,
                                                           "elements": args.elements})
        count = model.Session.execute(sa.text(
            "SELECT (SELECT count(*) FROM \"group\" WHERE is_organization AND state = 'active'), "
            "(SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset'), "
            "(SELECT count(*) FROM satudata_workflow_event), (SELECT count(*) FROM satudata_data_element)")).one()
        print(f"{'as it is' if args.existing else 'setup'}: {count[0]} OPDs, {count[1]} datasets, {count[2]} events "
              f"and {count[3]} data elements in all, {time.perf_counter() - start:.1f} s")
        now = datetime.datetime(2026, 12, 15)
        limit = config.report_list_limit() if args.list_limit is None else args.list_limit
        try:
            # As the report page and the PDF ask for them: the longest `limit` overdue steps and late elements.
            for kind, period in [("monitoring", "2026"), ("monitoring", "2026-Q3"), ("monitoring", "2026-07"),
                                 ("evaluation", "2026"), ("evaluation", "2026-07")]:
                start = time.perf_counter()
                report = getattr(reports, kind)(reports.parse_period(period), None, now, list_limit=limit)
                print(f"{kind:<10} {period:<8} {time.perf_counter() - start:6.2f} s  ({len(report['opds'])} OPDs"
                      + (f"; {len(report['overdue'])} of {report['overdue_count']} overdue steps and "
                         f"{len(report['data_elements']['late'])} of {report['data_elements']['late_count']} late "
                         f"elements listed)" if kind == "monitoring" else ")"))
            # The evaluation's tab of /laporan (and its PDF): the monitoring's summary and the evaluation in one
            # run, the steps computed once (figures.py's `run`).
            for period in ("2026", "2026-07"):
                start, run = time.perf_counter(), {}
                reports.monitoring(reports.parse_period(period), None, now, list_limit=0, run=run)
                reports.evaluation(reports.parse_period(period), None, now, list_limit=limit, run=run)
                print(f"{'both, run':<10} {period:<8} {time.perf_counter() - start:6.2f} s  (the evaluation's tab: "
                      f"the monitoring's summary and the evaluation, the steps computed once)")
            # Peak RSS of this process (CKAN loaded + the reports); the target is under 500 MB.
            print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (page and PDF)")
            if not args.no_files:
                _files(reports, now)
        finally:
            model.Session.rollback()


def _files(reports, now: datetime.datetime) -> None:
    """The year's reports in full (every overdue step, late element, dataset and element) written as the
    downloads write them: time of the report, of each file, its size, and the process's peak RSS after them."""
    from ckanext.satudata_blitar.reports import report_files
    for kind in ("monitoring", "evaluation"):
        start = time.perf_counter()
        report = getattr(reports, kind)(reports.parse_period("2026"), None, now)
        took = time.perf_counter() - start
        rows = (f"{len(report['overdue'])} overdue steps, {len(report['data_elements']['late'])} late elements"
                if kind == "monitoring" else
                f"{sum(len(opd['dataset_facts']) for opd in report['opds'])} datasets, "
                f"{sum(len(opd['element_facts']) for opd in report['opds'])} elements")
        print(f"full {kind:<10} 2026     {took:6.2f} s  ({rows})")
        for fmt in ("xlsx", "csv"):
            start = time.perf_counter()
            content = report_files.write(fmt, report, report_files.sections(kind, report, "id"),
                                         report_files.title(kind, report, "id"), "id")
            print(f"  .{fmt:<5} {time.perf_counter() - start:6.2f} s  {len(content) / 1e6:.1f} MB")
        del report, content
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (with the full files)")


if __name__ == "__main__":
    main()
