"""The satudata_blitar plugin: registration only; every behaviour lives in its own module."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.cli
@tk.blanket.config_declarations
class SatudataBlitarPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer

    def update_config(self, config_):
        tk.add_template_directory(config_, "templates")
