"""The WSGI entry point gunicorn loads in each of its workers (bench/serve.py): CKAN's app from $CKAN_INI, as the
production image's uWSGI loads /srv/app/wsgi.py (one app per worker, nothing shared across the fork)."""
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

application = make_app(load_config(os.environ["CKAN_INI"]))
