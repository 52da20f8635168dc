"""The WSGI entry point gunicorn loads in each of its workers (bench/serve.py): CKAN's app from $CKAN_INI, as the
production image's uWSGI loads /srv/app/wsgi.py (one app per worker, nothing shared across the fork).

Every answer carries the nonce bench/serve.py gave this server ($SATUDATA_BENCH_NONCE, header X-Satudata-Bench):
the benchmark checks it talks to the server it started, not to another one on the same port."""
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

_app = make_app(load_config(os.environ["CKAN_INI"]))
_NONCE = ("X-Satudata-Bench", os.environ.get("SATUDATA_BENCH_NONCE", ""))


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, _NONCE], exc_info)
    return _app(environ, start)
