"""`ckan satudata …`: a thin click group; the work is done by actions and the modules they use."""
from __future__ import annotations

import click

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config, demo

__all__ = ["satudata"]


@click.group(short_help="Satu Data Kota Blitar: data, verifikasi dan laporan / data, verification and reports")
def satudata():
    """Perintah Satu Data Kota Blitar / Satu Data Kota Blitar commands."""


@satudata.command("demo")
@click.option("--quiet", is_flag=True, help="Tanpa daftar login / do not print the logins.")
def demo_command(quiet: bool):
    """Isi portal pengembangan dengan OPD dan pengguna demo / seed a development portal with demo OPDs and users.

    Aman dijalankan berulang: yang sudah ada tidak diubah / safe to run again: nothing that exists is changed.
    """
    demo.seed(report=click.echo)
    if quiet:
        return
    click.secho("\nLogin demo (portal pengembangan saja / development portal only):", bold=True)
    for user in demo.DEMO_USERS:
        where = f" @ {user.opd}" if user.opd else ""
        click.echo(f"  {user.role:<24} {user.name:<24} {config.demo_password()}{where}")
