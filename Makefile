# Satu Data Kota Blitar: `make run` (a real portal at http://127.0.0.1:5000) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

export SATUDATA_PG_PORT ?= 54321
export SATUDATA_REDIS_PORT ?= 63791
export SATUDATA_SOLR_PORT ?= 8983
export SATUDATA_WEB_PORT ?= 5000

PYTHON ?= python3
# The CKAN pin lives in setup.cfg (extra `ckan`); CKAN is installed in a pip call of its own before this package.
# The suite also runs on the previous CKAN minor we support: make test CKAN_VERSION=2.11.6 (and make run …). Another
# version than the pin gets a virtualenv (.venv-2.11), test databases (ckan_test211, …) and a portal database
# (ckan_default211, config ckan-211.ini) of its own: a newer CKAN's migrations change the schema an older one reads.
CKAN_DEFAULT_VERSION := $(shell sed -n 's/^ *ckan\[requirements\]==\([0-9.]*\).*/\1/p' setup.cfg)
CKAN_VERSION ?= $(CKAN_DEFAULT_VERSION)
CKAN_MINOR := $(word 1,$(subst ., ,$(CKAN_VERSION))).$(word 2,$(subst ., ,$(CKAN_VERSION)))
ifeq ($(CKAN_VERSION),$(CKAN_DEFAULT_VERSION))
VERSION_TAG :=
export VENV ?= $(CURDIR)/.venv
else
VERSION_TAG := $(subst .,,$(CKAN_MINOR))
export VENV ?= $(CURDIR)/.venv-$(CKAN_MINOR)
endif
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=
# A second test run beside the first gets databases of its own: make test SATUDATA_TEST_NAME=other
export SATUDATA_TEST_NAME ?= test$(VERSION_TAG)
export SATUDATA_PORTAL_NAME ?= default$(VERSION_TAG)

.PHONY: help install services run stop status logs test test-ckan test-release bench-load bench-pages i18n i18n-upstream docs clean

help:
	@echo "make run     start PostgreSQL, Redis, Solr and the portal at http://127.0.0.1:$(SATUDATA_WEB_PORT)"
	@echo "make test    run the whole test suite against the real services (CKAN $(CKAN_DEFAULT_VERSION);"
	@echo "             make test CKAN_VERSION=2.11.6: the same suite on CKAN 2.11, in .venv-2.11)"
	@echo "make test-ckan  run CKAN's, scheming's and xloader's own tests with our plugins (docs/development.md)"
	@echo "make test-release  a CKAN $(CKAN_PREVIOUS_VERSION) portal upgraded to $(CKAN_DEFAULT_VERSION) keeps everything; the built wheel,"
	@echo "             installed beside stock CKAN, serves the portal (docs/development.md)"
	@echo "make stop    stop the portal and every service"
	@echo "make status  show what is running;  make logs: follow the portal's logs"
	@echo "make bench-load / bench-pages  the load and page-speed benchmarks (docs/benchmarks.md); BENCH_ARGS=--help"
	@echo "make docs    write docs/configuration.md's option reference from config_declaration.yaml"

$(VENV)/.installed: setup.cfg setup.py
	services/services.sh deps
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip wheel
	$(PIP) install -q 'ckan[requirements,dev]==$(CKAN_VERSION)'
	$(PIP) install -q -e '.[test,bench]'
	$(PIP) check
	touch $@

# axe-core for the browser tests' accessibility checks, pinned, in a git-ignored folder.
AXE_VERSION := 4.10.3
AXE := $(CURDIR)/.services/npm/node_modules/axe-core/axe.min.js
$(AXE):
	mkdir -p .services/npm
	npm install --silent --no-save --no-audit --no-fund --prefix .services/npm axe-core@$(AXE_VERSION)
	test -f $@

install: $(VENV)/.installed

services: install
	services/services.sh start

run: services
	services/portal.sh run
	@echo
	@echo "Satu Data Kota Blitar berjalan di / is running at http://127.0.0.1:$(SATUDATA_WEB_PORT)  (make stop)"

stop:
	services/services.sh stop

status:
	services/services.sh status

logs:
	tail -F .services/log/web.log .services/log/worker.log

# The suite in two phases: TEST_WORKERS pytest-xdist workers, each on databases, a Solr site id, a Redis database and
# a storage folder of its own (tests/parallel.py), one test module per worker at a time (--dist loadscope: a module's
# `world` is built once); then the tests marked `serial` (they stop services or drive Chromium), alone.
# TEST_WORKERS=0 runs both phases in one process. pytest's exit code 5 (no test selected) is fine for one phase only.
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest --ckan-ini=.services/$(SATUDATA_TEST_NAME).ini
test: services $(AXE)
	$(VENV)/bin/lint-imports setup.cfg --no-cache
	SATUDATA_TEST_WORKERS=$(TEST_WORKERS) services/portal.sh test
	parallel=0 serial=0; \
	$(PYTEST) -n $(TEST_WORKERS) --dist loadscope -m "not serial" $(PYTEST_ARGS) ckanext/satudata_blitar || parallel=$$?; \
	$(PYTEST) -m serial $(PYTEST_ARGS) ckanext/satudata_blitar || serial=$$?; \
	echo "parallel phase: exit $$parallel, serial phase: exit $$serial"; \
	for rc in $$parallel $$serial; do [ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc; done; \
	[ $$parallel -eq 0 ] || [ $$serial -eq 0 ]

# CKAN's own shipped tests with our plugins loaded (ckanext/satudata_blitar/tests/ckan_suite): intended differences
# are listed in tests/ckan_suite/differences.yaml, every other failure is a finding. What runs and how to read the
# list: docs/development.md. Not in CI (about 15 min): a line of the release checklist. CKAN_SUITE_WORKERS pytest-xdist
# workers, each on databases, a Solr site id and a storage folder of its own (ckan_ckan_gw0, …; tests/parallel.py),
# sharing the run's Redis database (keys and queues are named by site id). Widen it with e.g.
# make test-ckan CKAN_SUITE="ckan.tests.logic"; one module: make test-ckan CKAN_SUITE=… CKAN_SUITE_WORKERS=0.
T := ckan.tests.logic.action
C := ckan.tests.controllers
CKAN_SUITE ?= $(T).test_create $(T).test_update $(T).test_get $(T).test_delete $(T).test_patch ckan.tests.logic.auth \
	$(C).test_package $(C).test_organization $(C).test_api $(C).test_resource $(C).test_feed \
	ckanext.datastore.tests.test_create ckanext.datastore.tests.test_search \
	ckanext.scheming.tests.test_dataset_logic ckanext.scheming.tests.test_group_logic \
	ckanext.xloader.tests.test_action
CKAN_SUITE_NAME ?= ckan$(VERSION_TAG)
CKAN_SUITE_REDIS_DB ?= 2
CKAN_SUITE_WORKERS ?= 2
CKAN_SUITE_INI := .services/test-$(CKAN_SUITE_NAME).ini
test-ckan: services
	SATUDATA_TEST_NAME=$(CKAN_SUITE_NAME) SATUDATA_TEST_REDIS_DB=$(CKAN_SUITE_REDIS_DB) \
		SATUDATA_TEST_WORKERS=$(CKAN_SUITE_WORKERS) SATUDATA_TEST_WORKER_REDIS_DB=shared services/portal.sh test
	for run in $(CKAN_SUITE_NAME) $$(seq -f '$(CKAN_SUITE_NAME)_gw%g' 0 $$(($(CKAN_SUITE_WORKERS) - 1))); do \
		sed "s|^use = config:.*|use = config:$$run.ini|" test-ckan.ini >.services/test-$$run.ini; done
	$(VENV)/bin/pytest --ckan-ini=$(CKAN_SUITE_INI) -p ckanext.satudata_blitar.tests.ckan_suite.plugin -q -rfE \
		$(if $(filter 0,$(CKAN_SUITE_WORKERS)),,-n $(CKAN_SUITE_WORKERS) --dist loadscope) \
		$(PYTEST_ARGS) --pyargs $(CKAN_SUITE)

# The release checks (tests/release, run by CI after both suites; docs/development.md): a portal on the previous CKAN
# minor, upgraded to the pin with the admin's commands, keeps everything; the wheel `pip wheel` builds, installed into
# a fresh virtualenv beside stock CKAN, serves the portal. They drive CKAN in other processes (no CKAN pytest plugin
# here), on databases of their own (ckan_$(SATUDATA_TEST_NAME)_upgrade, …) and a Solr of their own that they start.
CKAN_PREVIOUS_VERSION := 2.11.6
PREVIOUS_VENV := $(CURDIR)/.venv-$(word 1,$(subst ., ,$(CKAN_PREVIOUS_VERSION))).$(word 2,$(subst ., ,$(CKAN_PREVIOUS_VERSION)))
test-release: install
	$(MAKE) install CKAN_VERSION=$(CKAN_PREVIOUS_VERSION) VENV=$(PREVIOUS_VENV)
	services/services.sh start postgres redis
	SATUDATA_RELEASE_TESTS=1 SATUDATA_OLD_VENV=$(PREVIOUS_VENV) SATUDATA_NEW_VENV=$(VENV) \
		$(VENV)/bin/pytest -p no:ckan -p no:ckan_fixtures -q -rfEs --durations=0 $(PYTEST_ARGS) \
		ckanext/satudata_blitar/tests/release

# Benchmarks (bench/, by hand; docs/benchmarks.md): the portal under gunicorn with a jobs worker on databases and
# ports of their own (never SATUDATA_WEB_PORT's: `make run` may be up), against stock CKAN for the pages. Options
# through BENCH_ARGS, e.g. --help.
BENCH_ARGS ?=
bench-load: services
	$(VENV)/bin/python bench/load.py $(BENCH_ARGS)

bench-pages: services
	$(VENV)/bin/python bench/pages.py $(BENCH_ARGS)

# Refresh the catalogue after changing messages: extract ours, add the upstream msgids (i18n/upstream.pot: CKAN
# core and the core plugins we run, scheming, xloader) so that update_catalog keeps them, merge into i18n/id
# (translate the new entries in the .po), then compile the .mo that ships with the package. See services/i18n.py.
i18n: install
	$(VENV)/bin/python setup.py -q extract_messages
	$(VENV)/bin/python services/i18n.py pot
	$(VENV)/bin/python setup.py -q update_catalog -l id --no-fuzzy-matching --ignore-obsolete=true
	$(VENV)/bin/python setup.py -q compile_catalog -l id
	msgfmt --check --statistics -o /dev/null ckanext/satudata_blitar/i18n/id/LC_MESSAGES/ckanext-satudata_blitar.po

# After changing the CKAN, scheming or xloader pin: extract their messages again into i18n/upstream.pot. The catalogue
# serves both supported CKAN minors: run it for the default, then with CKAN_VERSION=2.11.6 (which adds, --keep).
i18n-upstream: install
	$(VENV)/bin/python services/i18n.py upstream $(if $(VERSION_TAG),--keep)
	$(MAKE) i18n

# After changing config_declaration.yaml: the option reference of docs/configuration.md, written from it
# (services/docs.py; tests/test_docs.py fails while the page is out of date). Needs only the virtualenv's PyYAML.
docs:
	$(VENV)/bin/python services/docs.py

clean:
	rm -rf $(VENV) build *.egg-info
