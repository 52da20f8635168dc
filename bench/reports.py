"""Benchmark: the monitoring and evaluation reports (ckanext.satudata_blitar.reports) over a synthetic portal, by hand.

    .venv/bin/python bench/reports.py --ckan-ini .services/test.ini [--datasets 20000] [--opds 13]

The issue's scale (50 OPDs, 200,000 workflow events) is `--opds 50 --datasets 60000`; measured 2026-11-25: a year's
monitoring report 4.3 s, evaluation 3.3 s, peak RSS 271 MB (targets: under 10 s and 500 MB).

Needs the services and a migrated test database. Everything is inserted with INSERT … SELECT generate_series in
one transaction that is rolled back at the end: the database is left as it was. Each dataset gets a creation event
and a path through the workflow (a third published after one return, a third waiting for a verifier, a third in
draft), four extras of the metadata schema and one resource. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import datetime
import resource
import time


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

INSERT INTO package_extra (id, package_id, key, value, state)
SELECT 'bench-pe-' || p || '-' || k, 'bench-pkg-' || p, k, 'x', 'active'
FROM generate_series(1, :datasets) p, unnest(ARRAY['urusan', 'definisi', 'satuan', 'konsep']) k;

INSERT INTO resource (id, package_id, url, format, state, extras)
SELECT 'bench-res-' || p, 'bench-pkg-' || p, 'http://bench.invalid/' || p, CASE WHEN p % 2 = 0 THEN 'CSV' ELSE 'PDF' END,
       'active', CASE WHEN p % 4 = 0 THEN '{"datastore_active": true}' ELSE '{}' END
FROM generate_series(1, :datasets) p;

-- paths: kind 0 published after a return, kind 1 waiting for the OPD verifier, kind 2 draft
WITH base AS (
  SELECT p, p % 3 AS kind, TIMESTAMP '2026-01-01' + (p % 330) * INTERVAL '1 day' + (p % 7) * INTERVAL '1 hour' AS t0
  FROM generate_series(1, :datasets) p
), steps(kind, n, transition, from_state, to_state, hours) AS (VALUES
  (0, 0, 'buat', NULL, 'draf', 0), (0, 1, 'ajukan', 'draf', 'diajukan', 2),
  (0, 2, 'kembalikan_opd', 'diajukan', 'perlu_perbaikan', 20), (0, 3, 'ajukan', 'perlu_perbaikan', 'diajukan', 50),
  (0, 4, 'verifikasi_opd', 'diajukan', 'terverifikasi_opd', 60),
  (0, 5, 'verifikasi_walidata', 'terverifikasi_opd', 'disetujui', 90), (0, 6, 'terbitkan', 'disetujui', 'terbit', 100),
  (1, 0, 'buat', NULL, 'draf', 0), (1, 1, 'ajukan', 'draf', 'diajukan', 1),
  (2, 0, 'buat', NULL, 'draf', 0))
INSERT INTO satudata_workflow_event (package_id, owner_org, transition, from_state, to_state, actor_id, actor_role,
                                     created_at)
SELECT 'bench-pkg-' || b.p, 'bench-org-' || (b.p % :opds + 1), s.transition, s.from_state, s.to_state, 'bench',
       'sysadmin', b.t0 + s.hours * INTERVAL '1 hour'
FROM base b JOIN steps s ON s.kind = b.kind;

INSERT INTO satudata_dataset_status (package_id, state, changed_at)
SELECT package_id, (array_agg(to_state ORDER BY created_at DESC, id DESC))[1], max(created_at)
FROM satudata_workflow_event WHERE package_id LIKE 'bench-pkg-%' GROUP BY package_id;
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", required=True)
    parser.add_argument("--datasets", type=int, default=20000)
    parser.add_argument("--opds", type=int, default=13)
    args = parser.parse_args()
    app = _ckan(args.ckan_ini)
    import sqlalchemy as sa

    import ckan.model as model
    from ckanext.satudata_blitar import reports

    with app._wsgi_app.test_request_context():
        start = time.perf_counter()
        for statement in SETUP.split(";\n"):
            if statement.strip():
                model.Session.execute(sa.text(statement), {"datasets": args.datasets, "opds": args.opds})
        events = model.Session.execute(sa.text("SELECT count(*) FROM satudata_workflow_event")).scalar()
        print(f"setup: {args.datasets} datasets, {events} events in all, {time.perf_counter() - start:.1f} s")
        now = datetime.datetime(2026, 12, 15)
        try:
            for kind, period in [("monitoring", "2026"), ("monitoring", "2026-Q3"), ("monitoring", "2026-07"),
                                 ("evaluation", "2026"), ("evaluation", "2026-07")]:
                start = time.perf_counter()
                report = getattr(reports, kind)(reports.parse_period(period), None, now)
                print(f"{kind:<10} {period:<8} {time.perf_counter() - start:6.2f} s  ({len(report['opds'])} OPDs)")
        finally:
            model.Session.rollback()
        # Peak RSS of this process (CKAN loaded + the reports); the target is under 500 MB.
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
