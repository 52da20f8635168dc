"""The old path of the queued load job: RQ stores each job's function by its dotted path, and a job queued before
the load moved to tables/load_job.py names `ckanext.satudata_blitar.tables.ingest.load_job`. It must still run
after an upgrade. New jobs name load_job.load_job; nothing else imports this module.
"""
from __future__ import annotations

from ckanext.satudata_blitar.tables.load_job import load_job

__all__ = ["load_job"]
