"""`ckan satudata …`: a thin click group; the work is done by actions and the modules they use."""
from __future__ import annotations

import contextlib
import datetime

import click

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config, demo
from ckanext.satudata_blitar.elements import data_elements, data_elements_xlsx
from ckanext.satudata_blitar.reports import RUN, report_document, report_files, report_pdf
from ckanext.satudata_blitar.site import site_context

__all__ = ["satudata"]


@click.group(short_help="Satu Data Kota Blitar: data, verifikasi dan laporan / data, verification and reports")
def satudata():
    """Perintah Satu Data Kota Blitar / Satu Data Kota Blitar commands."""


def _fail(error: tk.ValidationError, options: dict[str, str]) -> None:
    """Prints a ValidationError's messages, each under the option it is about, and exits with status 2."""
    for field, messages in error.error_dict.items():
        for message in messages if isinstance(messages, list) else [messages]:
            tk.error_shout(f"{options.get(field, '--' + field)}: {message}")
    raise click.exceptions.Exit(2)


@satudata.command("demo")
@click.option("--quiet", is_flag=True, help="Tanpa daftar login / do not print the logins.")
def demo_command(quiet: bool):
    """Isi portal pengembangan dengan OPD, pengguna demo dan dataset contoh terbit / seed a development portal with
    demo OPDs, users and published example datasets.

    Bukan untuk portal produksi / never on a production portal. Aman dijalankan berulang: yang sudah ada tidak
    diubah / safe to run again: nothing that exists is changed.
    """
    demo.seed(report=click.echo)
    if quiet:
        return
    click.secho("\nLogin demo (portal pengembangan saja / development portal only):", bold=True)
    for user in demo.DEMO_USERS:
        where = f" @ {user.opd}" if user.opd else ""
        click.echo(f"  {user.role:<24} {user.name:<24} {config.demo_password()}{where}")


@satudata.command("requeue")
@click.option("--dry-run", is_flag=True, help="Hanya tampilkan / only list them.")
def requeue_command(dry_run: bool):
    """Antrekan lagi muatan tabel yang tidak pernah berjalan / queue again the table loads that never ran.

    Mencari muatan yang tidak masuk antrean (Redis mati saat unggah) atau yang workernya mati di tengah jalan /
    finds loads that were never queued (Redis down at upload) or whose worker died mid-way. Aman diulang / safe to
    run again; run it after Redis or the worker comes back (e.g. from cron).
    """
    found = tk.get_action("satudata_requeue_loads")(site_context(), {"dry_run": dry_run})
    for load in found:
        click.echo(f"{load['resource_id']}  {load['reason']:<10}  "
                   f"{'queued' if load['queued'] else 'not queued' if not dry_run else 'found'}")
    click.secho(f"{len(found)} load(s) {'found' if dry_run else 'queued again'}", fg="green")
    if not dry_run and not all(load["queued"] for load in found):
        raise click.exceptions.Exit(1)


def _request_context():
    """A request context for what builds links (ckan.site_url) and speaks a language: CKAN's own `ckan` command
    gives its Flask app; under a test's CliRunner the caller already has one."""
    from flask import has_request_context
    app = click.get_current_context().meta.get("flask_app")
    return app.test_request_context() if app is not None and not has_request_context() else contextlib.nullcontext()


_REMIND_STATUS = {
    "sent": ("sent", "green"), "would_send": ("would send", "cyan"), "already_sent": ("already sent today", None),
    "no_email": ("no e-mail address", "yellow"), "opted_out": ("opted out", "yellow"), "failed": ("FAILED", "red"),
}


@satudata.command("remind")
@click.option("--dry-run", is_flag=True, help="Hanya tampilkan siapa menerima apa / only print who would get what.")
def remind_command(dry_run: bool):
    """Kirim pengingat harian / send the daily reminders (docs/reminders.md).

    Verifikator: yang jatuh tempo hari ini atau terlambat; Operator Data: dataset dikembalikan dan elemen data yang
    jatuh tempo; Walidata: yang terlambat 2+ hari kerja per OPD. Satu surel per orang per hari; aman diulang /
    verifiers: what is due today or late; Operator Data: returned datasets and data elements due; the Walidata:
    what is 2+ working days late, by OPD. One mail per person and day; safe to run again (run it daily at 07.00).
    """
    with _request_context():
        result = tk.get_action("satudata_remind")(site_context(), {"dry_run": dry_run})
    if not result["working_day"]:
        click.echo(f"{result['day']}: not a working day, nothing to send")
        return
    for entry in result["recipients"]:
        label, colour = _REMIND_STATUS[entry["status"]]
        counts = ", ".join(f"{section} {len(items)}" for section, items in entry["items"].items() if items)
        click.secho(f"{entry['user']:<28} {entry['language']}  {label:<20} {counts}", fg=colour)
        if entry.get("error"):
            tk.error_shout(f"{entry['user']}: {entry['error']}")
        if entry.get("body"):
            click.echo(f"    {entry['subject']}")
            click.echo("\n".join(f"    | {line}" for line in entry["body"].splitlines()))
    done = {status: sum(e["status"] == status for e in result["recipients"]) for status in _REMIND_STATUS}
    click.secho(f"{result['day']}: {done['would_send' if dry_run else 'sent']} mail(s) "
                f"{'would be sent' if dry_run else 'sent'}, {done['already_sent']} already sent today, "
                f"{done['no_email'] + done['opted_out']} not sent (no address or opted out), {done['failed']} failed",
                fg="red" if done["failed"] else "green")
    if done["failed"]:
        raise click.exceptions.Exit(1)


@satudata.command("requests")
@click.option("--late", is_flag=True, help="Hanya yang terlambat / only those past their time.")
@click.option("--owner-org", "--opd", "owner_org", default=None, help="Satu OPD (nama) / one OPD (its name).")
def requests_command(late: bool, owner_org: str | None):
    """Permohonan data yang menunggu jawaban / the data requests waiting for an answer (docs/data-requests.md).

    Satu baris per permohonan, yang paling dulu jatuh tempo lebih dulu / one line per request, the earliest due
    first: number, state, OPD, due date, late by or working days left, title. Never the requester.
    """
    from ckanext.satudata_blitar.requests import data_requests

    opd_ids = None
    if owner_org:
        group = data_requests.opd(owner_org)
        if group is None:
            raise click.UsageError(f'There is no OPD "{owner_org}"')
        opd_ids = [group["id"]]
    rows = []
    for request in data_requests.waiting(None):
        clock = data_requests.timer(request)
        if clock is None or (opd_ids and request.owner_org not in opd_ids) or (late and not clock.late_by):
            continue
        rows.append((clock.due, request.id, request, clock))
    for _due, _id, request, clock in sorted(rows, key=lambda row: row[:2]):
        group = data_requests.opd(request.owner_org)
        status = (f"late by {clock.late_by}" if clock.late_by else "due today" if clock.days_left == 0
                  else f"{clock.days_left} left")
        click.secho(f"#{request.id:<6} {request.state:<11} {(group['name'] if group else '-'):<24} "
                    f"due {clock.due.isoformat()}  {status:<13} {request.title}",
                    fg="red" if clock.late_by else None)
    late_count = sum(1 for *_rest, clock in rows if clock.late_by)
    click.secho(f"{len(rows)} request(s) waiting for an answer, {late_count} late (working days)",
                fg="red" if late_count else "green")


@satudata.command("report")
@click.argument("kind", type=click.Choice(["monitoring", "evaluation"]))
@click.option("--period", required=True,
              help="Tahun, triwulan atau bulan / year, quarter or month: 2026, 2026-Q3 (2026-T3), 2026-07.")
@click.option("--owner-org", "--opd", "owner_org", default=None,
              help="Nama atau id satu OPD / one OPD's name or id (default: every OPD). --opd: nama lama / former name.")
@click.option("--format", "fmt", type=click.Choice(list(report_files.FORMATS)), default=None,
              help="Default: dari ekstensi berkas, atau xlsx / from the file's extension, else xlsx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Berkas tujuan / output file (default: laporan-pemantauan[-evaluasi]-PERIODE[-OPD].FORMAT).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", help="Bahasa berkas: judul kolom, angka, tanggal / the file's language: headers, numbers, dates.")
def report_command(kind: str, period: str, owner_org: str | None, fmt: str | None, output: str | None, lang: str):
    """Laporan hasil pemantauan (SOP langkah 7) atau hasil pemantauan dan evaluasi (langkah 8) / the monitoring
    (SOP step 7) or monitoring and evaluation (step 8) report, as pdf, xlsx, csv or json."""
    if fmt is None:
        extension = (output or "").rsplit(".", 1)[-1].lower()
        fmt = extension if output and extension in report_files.FORMATS else "xlsx"
    # The documents of the evaluation (.pdf, the .xlsx's cover sheet) also say what the monitoring found.
    names = ("monitoring", "evaluation") if kind == "evaluation" and fmt in ("pdf", "xlsx") else (kind,)
    reports, context = {}, {**site_context(), RUN: {}}  # one run: the evaluation reads the monitoring's steps
    try:
        for name in names:
            # The PDF (and the monitoring behind an evaluation's document) lists the longest overdue steps and late
            # elements, as /laporan does; the .xlsx, .csv and .json every one.
            cut = fmt == "pdf" or name != kind
            reports[name] = tk.get_action(f"satudata_report_{name}")(
                context, {"period": period, "owner_org": owner_org or "",
                                 **({"list_limit": config.report_list_limit()} if cut else {})})
    except tk.ValidationError as error:
        _fail(error, {"owner_org": "--owner-org"})
    report = reports[kind]
    output = output or report_files.filename(kind, report, fmt)
    document = report_document.document(kind, reports, lang) if fmt in ("pdf", "xlsx") else None
    if fmt == "pdf":
        click.echo(f"{kind} {report['period']['label']} -> {output}")
        content = report_pdf.write(report_pdf.html(kind, reports, document, lang,
                                                    click.get_current_context().meta.get("flask_app")))
    else:
        parts = report_files.sections(kind, report, lang)
        with click.progressbar(parts, label=f"{kind} {report['period']['label']} -> {output}",
                               item_show_func=lambda part: part.title if part else None) as bar:
            content = report_files.write(fmt, report, bar, report_files.title(kind, report, lang), lang, document)
    with open(output, "wb") as out:
        out.write(content)
    click.secho(f"{output}: {len(content)} bytes", fg="green")


# --- daftar elemen data (SOP step 1) ------------------------------------------------------------------------------

_YEAR = click.option("--tahun", "--year", "tahun", type=int, default=lambda: datetime.date.today().year,
                     show_default="this year", help="Tahun daftar / the list's year. --year: nama lama / former name.")
_LANG = click.option("--lang", type=click.Choice(["id", "en"]), default="id", help="Bahasa judul kolom / header "
                     "language.")
_ELEMENT_OPTIONS = {"tahun": "--tahun", "owner_org": "--owner-org"}


@satudata.group("elements", short_help="Daftar elemen data: template, unduh, impor / template, export, import")
def elements():
    """Daftar elemen data (SOP langkah 1) sebagai .xlsx / the daftar elemen data (SOP step 1) as .xlsx."""


@elements.command("template")
@_YEAR
@_LANG
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Default: daftar-elemen-data-YEAR-template.xlsx")
def elements_template(tahun: int, lang: str, output: str | None):
    """Templat kosong dengan pilihan OPD dan frekuensi / the blank template with the OPD and frequency lists."""
    output = output or f"daftar-elemen-data-{tahun}-template.xlsx"
    content = data_elements_xlsx.build_workbook(tahun, [], data_elements.opds(), data_elements.frequency_choices(),
                                                lang)
    with open(output, "wb") as out:
        out.write(content)
    click.secho(f"{output}: {len(content)} bytes", fg="green")


@elements.command("export")
@_YEAR
@click.option("--owner-org", "--opd", "owner_org", default=None,
              help="Nama atau id satu OPD / one OPD's name or id (default: every OPD). --opd: nama lama / former name.")
@_LANG
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Default: daftar-elemen-data-YEAR[-OPD].xlsx")
def elements_export(tahun: int, owner_org: str | None, lang: str, output: str | None):
    """Daftar tahun ini dengan status tiap elemen / the year's list with each element's status."""
    try:
        listed = tk.get_action("satudata_data_element_list")(
            site_context(), {"tahun": tahun, "owner_org": owner_org or ""})
    except tk.ValidationError as error:
        _fail(error, _ELEMENT_OPTIONS)
    output = output or f"daftar-elemen-data-{tahun}{'-' + owner_org if owner_org else ''}.xlsx"
    content = data_elements_xlsx.build_workbook(tahun, listed, data_elements.opds(),
                                                data_elements.frequency_choices(), lang, with_status=True)
    with open(output, "wb") as out:
        out.write(content)
    click.secho(f"{output}: {len(listed)} elements, {len(content)} bytes", fg="green")


@elements.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@_YEAR
@click.option("--owner-org", "--opd", "owner_org", default=None,
              help="Baris tanpa OPD milik OPD ini / rows without an OPD are this OPD's. "
                   "--opd: nama lama / former name.")
def elements_import(file: str, tahun: int, owner_org: str | None):
    """Buat dan perbarui elemen dari .xlsx; tidak ada yang dihapus / create and update elements from an .xlsx;
    nothing is deleted, and nothing is saved when a row is wrong."""
    with open(file, "rb") as source:
        content = source.read()
    try:
        result = tk.get_action("satudata_data_element_import")(
            site_context(), {"upload": content, "tahun": tahun, "owner_org": owner_org or ""})
    except tk.ValidationError as error:
        _fail(error, {**_ELEMENT_OPTIONS, "upload": file})
    click.secho(f"{file}: {result['created']} dibuat / created, {result['updated']} diperbarui / updated, "
                f"{result['unchanged']} tetap / unchanged", fg="green")
