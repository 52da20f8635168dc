"""The satudata_interop plugin: registration only (see the modules of this package)."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.interop import catalogue, helpers, views


@tk.blanket.actions(catalogue)
@tk.blanket.helpers(helpers)
@tk.blanket.blueprints([views.interop])
class SatudataInteropPlugin(p.SingletonPlugin):
    """Needs ckanext-dcat's `dcat` plugin (and `structured_data` for schema.org in the dataset pages)."""
