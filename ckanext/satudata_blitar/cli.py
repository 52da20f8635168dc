"""`ckan satudata …`: a thin click group; the work is done by actions and the modules they use."""
from __future__ import annotations

import click

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config, demo, report_files

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


@satudata.command("report")
@click.argument("kind", type=click.Choice(["monitoring", "evaluation"]))
@click.option("--period", required=True,
              help="Tahun, triwulan atau bulan / year, quarter or month: 2026, 2026-Q3 (2026-T3), 2026-07.")
@click.option("--opd", default=None, help="Nama atau id satu OPD / one OPD's name or id (default: every OPD).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "json"]), default=None,
              help="Default: dari ekstensi berkas, atau xlsx / from the file's extension, else xlsx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Berkas tujuan / output file (default: laporan-KIND-PERIOD[-OPD].FORMAT).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", help="Bahasa judul kolom / header language.")
def report_command(kind: str, period: str, opd: str | None, fmt: str | None, output: str | None, lang: str):
    """Laporan monitoring (SOP langkah 7) atau evaluasi (langkah 8) / the monitoring (SOP step 7) or evaluation
    (step 8) report, as xlsx, csv or json."""
    if fmt is None:
        extension = (output or "").rsplit(".", 1)[-1].lower()
        fmt = extension if output and extension in report_files.FORMATS else "xlsx"
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        report = tk.get_action(f"satudata_report_{kind}")({"user": site_user["name"]},
                                                           {"period": period, "opd": opd or ""})
    except tk.ValidationError as error:
        for field, messages in error.error_dict.items():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.error_shout(f"--{field}: {message}")
        raise click.exceptions.Exit(2)
    parts = report_files.sections(kind, report, lang)
    output = output or report_files.filename(kind, report, fmt)
    with click.progressbar(parts, label=f"{kind} {report['period']['label']} -> {output}",
                           item_show_func=lambda part: part.title if part else None) as bar:
        content = report_files.write(fmt, report, bar, report_files.title(kind, report, lang))
    with open(output, "wb") as out:
        out.write(content)
    click.secho(f"{output}: {len(content)} bytes", fg="green")
