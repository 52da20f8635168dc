"""Typed getters for this extension's options (declared in config_declaration.yaml).

Nothing else in the package reads tk.config for them, so each option has one name and one type.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def demo_password() -> str:
    return tk.config["ckanext.satudata_blitar.demo_password"]
