"""CKAN's own shipped tests (core, DataStore, scheming, xloader) run with our plugins loaded: `make test-ckan`.

`plugin.py` is the pytest plugin (`-p ckanext.satudata_blitar.tests.ckan_suite.plugin`), `differences.yaml` the SOP's
intended differences from stock CKAN, `factories.py` what CKAN's factories need to make a dataset of ours.
"""
