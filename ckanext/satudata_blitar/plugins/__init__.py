"""The plugins of this package, registration only (every behaviour lives in its own module), as ckanext-dcat keeps
its own: `satudata_blitar` (the portal), `satudata_chart` (the chart resource view of tables/chart_view.py) and
`satudata_interop` (DCAT catalogue, sitemap, API guide: interop/). Their names are the `ckan.plugins` entry points
of setup.cfg."""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from ckanext.datastore.interfaces import IDataDictionaryForm
from ckanext.xloader.interfaces import IXloader

from ckanext.satudata_blitar import adapters, config, helpers, request_cache
from ckanext.satudata_blitar.accounts import sessions, throttle
from ckanext.satudata_blitar.interop import catalogue, helpers as interop_helpers, views as interop_views
from ckanext.satudata_blitar.logic import action, auth
from ckanext.satudata_blitar.metadata import contracts, ms_var, search
from ckanext.satudata_blitar.tables import (chart_view, load_queue, resource_upload, served_files, upload_check,
                                            wilayah_columns)
from ckanext.satudata_blitar.views import accounts as account_pages, guards, http_headers
from ckanext.satudata_blitar.workflow import dataset_state, roles, working_days
from ckanext.satudata_blitar.workflow import transitions

# The package's folder: templates/, public/, assets/ and i18n/ are beside this folder.
PACKAGE_DIR = os.path.dirname(os.path.dirname(__file__))


@tk.blanket.actions(action.get_actions)
@tk.blanket.auth_functions(auth.get_auth_functions)
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers(helpers.get_helpers)
@tk.blanket.validators
class SatudataBlitarPlugin(p.SingletonPlugin, DefaultTranslation):
    """The portal: the SOP's workflow, metadata, tables, elements, requests and reports."""
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.IConfigurable)
    p.implements(p.IConfigurer)
    p.implements(p.IDomainObjectModification, inherit=True)
    p.implements(p.IFacets)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.ITranslation)
    p.implements(p.IUploader, inherit=True)
    p.implements(IXloader, inherit=True)
    p.implements(IDataDictionaryForm, inherit=True)

    # ITranslation: CKAN looks for i18n/ beside the plugin's module; ours is the package's

    def i18n_directory(self):
        return os.path.join(PACKAGE_DIR, "i18n")

    # IConfigurable

    def configure(self, config_):
        config.refuse_unsupported_core_settings(config_)
        working_days.current()  # a bad calendar option stops the start, named, rather than a report later
        roles.register_capacities()
        adapters.xloader_jobs_engine_pre_ping(config_)

    # IMiddleware: checks of every request (views/guards.py)

    def make_middleware(self, app, config):
        # The body's size right after CKAN's own set-up (timer, user), before its CSRF check reads the form.
        checks = app.before_request_funcs.setdefault(None, [])
        after_ckan = next((n + 1 for n, check in enumerate(checks) if check.__name__ == "ckan_before_request"), 0)
        checks.insert(after_ckan, guards.limit_request_body)
        app.before_request(guards.reject_bad_input)
        app.before_request(guards.unaccepted_file_pages)
        app.register_error_handler(tk.NotAuthorized, guards.not_authorized)
        app.after_request(http_headers.secure_response)
        adapters.csrf_exemption_per_request(app)
        sessions.survive_redis_outage(app)
        return app

    # IAuthenticator and ISignal: login throttling, equal login timing, sessions that end (accounts/)

    def identify(self):
        sessions.check_request()

    def login(self):
        return account_pages.refuse_locked_login()

    def logout(self):
        return account_pages.logout_by_post_only()

    def authenticate(self, identity):
        return throttle.authenticate(identity)

    def get_signal_subscriptions(self):
        return {
            tk.signals.failed_login: [throttle.login_failed],
            tk.signals.user_logged_in: [throttle.login_succeeded, sessions.logged_in],
            tk.signals.user_logged_out: [sessions.logged_out],
        }

    # IConfigurer

    def update_config(self, config_):
        tk.add_template_directory(config_, os.path.join(PACKAGE_DIR, "templates"))
        for folder in adapters.version_templates():  # searched before templates/ (CKAN puts each added one first)
            tk.add_template_directory(config_, os.path.join(PACKAGE_DIR, folder))
        tk.add_public_directory(config_, os.path.join(PACKAGE_DIR, "public"))
        tk.add_resource(os.path.join(PACKAGE_DIR, "assets"), "satudata_blitar")
        # After login each role lands on its work (views/portal.after_login), unless the site chose a route itself.
        if config_.get("ckan.auth.route_after_login", "dashboard.datasets") == "dashboard.datasets":
            config_["ckan.auth.route_after_login"] = "satudata.after_login"
        # No Gravatar (a broken image without the Internet, and every user's e-mail hash sent to a third party):
        # CKAN's own placeholder, unless the site chose otherwise.
        if config_.get("ckan.gravatar_default", "identicon") == "identicon":
            config_["ckan.gravatar_default"] = "disabled"

    # IDomainObjectModification: every uploaded file is checked, whatever its declared format (tables/load_queue.py)

    def notify(self, entity, operation):
        if isinstance(entity, model.Resource) and operation in (model.DomainObjectOperation.new,
                                                                 model.DomainObjectOperation.changed):
            load_queue.file_changed(entity, new=operation == model.DomainObjectOperation.new)

    # IResourceController: one OPD's uploads cannot fill the checks' queue (tables/load_queue.py)

    def before_resource_create(self, context, resource):
        load_queue.refuse_when_opd_busy(resource, resource.get("package_id"))

    def before_resource_update(self, context, current, resource):
        load_queue.refuse_when_opd_busy(resource, current.get("package_id"))

    # IXloader: links are never fetched, only uploaded files are loaded (docs/security.md)

    def can_upload(self, resource_id):
        return load_queue.can_upload(resource_id)

    def after_upload(self, context, resource_dict, dataset_dict):
        chart_view.add_default_chart(context, resource_dict)

    # IFacets: the same facets on /dataset/, organisation pages and package_search from the web UI

    def dataset_facets(self, facets_dict, package_type):
        return OrderedDict(search.facet_titles(insider=dataset_state.is_insider(tk.current_user)))

    def organization_facets(self, facets_dict, organization_type, package_type):
        titles = search.facet_titles(insider=dataset_state.is_insider(tk.current_user))
        titles.pop("organization")
        return OrderedDict(titles)

    def group_facets(self, facets_dict, group_type, package_type):
        return self.dataset_facets(facets_dict, package_type)

    # IPackageController

    def after_dataset_create(self, context, pkg_dict):
        transitions.dataset_created(context, pkg_dict)

    def after_dataset_show(self, context, pkg_dict):
        state, found = upload_check.read_for_show(context, pkg_dict)  # one statement (tables/upload_check.py)
        pkg_dict.update(dataset_state.fields(pkg_dict["id"], state))
        contracts.restore_core_resource_keys(pkg_dict)
        served_files.advertise(pkg_dict, found)

    def before_dataset_index(self, pkg_dict):
        # What package_show has just read for this index, if it has; the workflow state first: the others use it.
        shown = request_cache.handed_to_index(pkg_dict["id"])
        pkg_dict = search.index_dataset(dataset_state.index(pkg_dict, shown.get("state")))
        return wilayah_columns.index_kecamatan(pkg_dict, shown.get("kecamatan"))

    def before_dataset_search(self, search_params):
        return search.count_years_as_strings(search_params)

    def after_dataset_search(self, search_results, search_params):
        search.year_facet_as_asked(search_results, search_params)
        dataset_state.keep_datasets_for_submit_checks(search_results, tk.current_user)
        return dataset_state.label_results(search.label_choice_facets(search_results, search_params))

    # IUploader: resource files that fail to be written (disk full, unwritable storage) are a clear message

    def get_uploader(self, upload_to, old_filename):
        return None

    def get_resource_uploader(self, data_dict):
        return resource_upload.SafeResourceUpload(data_dict)

    # IDataDictionaryForm: MS-Var in each column's Data Dictionary `info`, label/notes kept in step (metadata/ms_var.py)

    def update_datastore_create_schema(self, schema):
        schema["fields"]["info"] = [tk.get_validator("ignore_missing"), ms_var.info_validator]
        return schema

    def update_datastore_info_field(self, field, plugin_data):
        return field

    # IPermissionLabels: who sees a dataset that is not published (roles.py)

    def get_dataset_labels(self, dataset_obj):
        return roles.dataset_labels(dataset_obj.owner_org, dataset_obj.state == "active" and not dataset_obj.private)

    def get_user_dataset_labels(self, user_obj):
        return roles.user_labels(user_obj)


class SatudataChartView(p.SingletonPlugin):
    """The chart resource view of a DataStore table, drawn by tables/chart_view.py."""
    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        ignore_missing = tk.get_validator("ignore_missing")
        unicode_safe = tk.get_validator("unicode_safe")
        return {"name": "satudata_chart", "title": tk._("Chart"), "icon": "chart-line", "iframed": False,
                "requires_datastore": True, "default_title": tk._("Chart"),
                "schema": {key: [ignore_missing, unicode_safe] for key in ("x", "y", "split", "kind")}}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return bool(data_dict["resource"].get("datastore_active"))

    def setup_template_variables(self, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
        try:
            return chart_view.chart(data_dict["resource"]["id"], data_dict.get("resource_view") or {})
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            return {"fields": [], "options": [], "settings": chart_view.defaults({}, []), "svg": None}

    def view_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "satudata/chart/view.html"

    def form_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "satudata/chart/form.html"


@tk.blanket.actions(catalogue)
@tk.blanket.helpers(interop_helpers)
@tk.blanket.blueprints([interop_views.interop])
class SatudataInteropPlugin(p.SingletonPlugin):
    """Needs ckanext-dcat's `dcat` plugin (and `structured_data` for schema.org in the dataset pages)."""
