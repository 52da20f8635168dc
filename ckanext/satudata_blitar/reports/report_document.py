"""The SOP's reports as documents an official signs: step 7's Laporan hasil pemantauan (compiled and signed by the
Kepala Bidang Statistik dan Persandian for the Kepala Dinas) and step 8's Laporan hasil pemantauan dan evaluasi
(compiled by the Kepala Bidang, signed by the Kepala Dinas under "Mengetahui").

`document()` gives what the PDF, the printed /laporan page and the .xlsx cover sheet write around the figures:
letterhead, title, period, number and date of issue, a summary paragraph written from the figures, and the
signature blocks, in the document's language. Everything comes from the reports (figures.py) and config.py."""
from __future__ import annotations

import datetime
import json
from typing import Any

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.language import N_, formats, translated

KINDS = ("monitoring", "evaluation")
TITLES = {"monitoring": N_("Report on the results of monitoring"),
          "evaluation": N_("Report on the results of monitoring and evaluation")}
# {kind} of the number format: Laporan Hasil Pemantauan, Laporan Hasil Pemantauan dan Evaluasi.
NUMBER_CODES = {"monitoring": "LHP", "evaluation": "LHPE"}
# The part of the number the secretariat fills in by hand on a document not issued through the archive.
BLANK_NUMBER = "……"
BLANK_NAME = "." * 40
BLANK_NIP = "." * 30
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
VERIFICATION_STEPS = ("verifikasi_opd", "verifikasi_walidata")
WAITING_STATES = ("diajukan", "terverifikasi_opd", "disetujui")


def period_name(period: dict[str, Any], lang: str) -> str:
    """"Triwulan III Tahun 2026", "Juli 2026", "Tahun 2026" (English: "Quarter 3, 2026", "July 2026", "Year
    2026")."""
    start = datetime.datetime.fromisoformat(period["start"])
    if period["kind"] == "month":
        return formats.satudata_month(start.date(), lang)
    if period["kind"] == "quarter":
        quarter = (start.month - 1) // 3 + 1
        return translated(N_("Quarter {quarter}, {year}"), lang).format(
            quarter=ROMAN[quarter] if lang == "id" else quarter, year=start.year)
    return translated(N_("Year {year}"), lang).format(year=start.year)


def period_text(period: dict[str, Any], lang: str) -> str:
    """"Triwulan III Tahun 2026 (1 Juli 2026 s.d. 30 September 2026)": the period's name and its first and last
    days."""
    start = datetime.datetime.fromisoformat(period["start"]).date()
    last = datetime.datetime.fromisoformat(period["end"]).date() - datetime.timedelta(days=1)
    days = translated(N_("{start} to {end}"), lang).format(start=formats.satudata_date(start, lang),
                                                           end=formats.satudata_date(last, lang))
    return f"{period_name(period, lang)} ({days})"


def _number(kind: str, period: dict[str, Any], issued: datetime.date, seq: int | None = None) -> str:
    try:
        return config.report_number_format().format(
            seq=BLANK_NUMBER if seq is None else seq, kind=NUMBER_CODES[kind], year=issued.year,
            period=formats.satudata_period(period["label"], "id"))
    except (KeyError, IndexError, ValueError):  # a placeholder we do not know: the option as written
        return config.report_number_format()


def _signatory(who: str, lang: str, heading: str = "", place_date: str = "") -> dict[str, str]:
    person = config.report_signatory(who)
    return {"heading": heading, "place_date": place_date, "position": person["position"],
            "name": person["name"] or BLANK_NAME, "rank": person["rank"],
            "nip": "NIP. " + (person["nip"] or BLANK_NIP), "signed": bool(person["name"])}


def _n(value: Any, lang: str) -> str:
    return formats.satudata_number(value or 0, lang=lang)


def _overall(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The timeliness rows of all OPDs together, by step."""
    return {row["step"]: row for row in report["timeliness"] if row["opd"] is None}


def monitoring_summary(report: dict[str, Any], lang: str) -> list[str]:
    """The monitoring report's findings in sentences, from its figures."""
    totals, overall = report["totals"], _overall(report)
    sentences = []
    if totals["submitted"]:
        sentences.append(translated(N_("Of the {submitted} dataset submissions in the period, {published} were "
                                       "published ({share})."), lang).format(
            submitted=_n(totals["submitted"], lang), published=_n(totals["published"], lang),
            share=formats.satudata_percent(totals["published"] / totals["submitted"], lang=lang)))
    else:
        sentences.append(translated(N_("No dataset was submitted in the period; {published} were published."),
                                    lang).format(published=_n(totals["published"], lang)))
    done = sum(row["done"] for row in overall.values())
    if done:
        on_time = sum(row["on_time"] for row in overall.values())
        sentences.append(translated(N_("Of the {done} steps done, {on_time} were within the SOP's standard time "
                                       "({share})."), lang).format(
            done=_n(done, lang), on_time=_n(on_time, lang), share=formats.satudata_percent(on_time / done, lang=lang)))
    late = sum(overall[step]["late"] for step in VERIFICATION_STEPS if step in overall)
    waiting = sum(overall[step]["overdue_waiting"] for step in VERIFICATION_STEPS if step in overall)
    sentences.append(translated(N_("{overdue} verifications went past the standard time ({late} done late, "
                                   "{waiting} still waiting)."), lang).format(
        overdue=_n(late + waiting, lang), late=_n(late, lang), waiting=_n(waiting, lang)))
    sentences.append(translated(N_("Now {waiting} datasets wait for verification or publication, {returned} need "
                                   "correction and {published} are published."), lang).format(
        waiting=_n(sum(totals["states"].get(state, 0) for state in WAITING_STATES), lang),
        returned=_n(totals["states"].get("perlu_perbaikan", 0), lang),
        published=_n(totals["states"].get("terbit", 0), lang)))
    elements = totals["data_elements"]
    if elements["elements"]:
        sentences.append(translated(N_("Data element list {year}: {published} of {elements} elements fulfilled "
                                       "({share}), {late} late."), lang).format(
            year=report["data_elements"]["year"], published=_n(elements["terbit"], lang),
            elements=_n(elements["elements"], lang), share=formats.satudata_percent(elements["share"], lang=lang),
            late=_n(elements["late"], lang)))
    return sentences


def evaluation_summary(report: dict[str, Any], lang: str) -> list[str]:
    """The evaluation's findings in sentences: the score of all OPDs, the highest and lowest, who has none."""
    from ckanext.satudata_blitar.reports import figures  # the aspects' labels

    portal, sentences = report["portal"], []
    if portal["total"] is not None:
        aspects = "; ".join(f"{translated(figures.ASPECT_LABELS[aspect], lang)} "
                            f"{formats.satudata_number(score, lang=lang) if score is not None else '-'}"
                            for aspect, score in portal["aspects"].items())
        sentences.append(translated(N_("All OPDs together score {total} of 100 ({aspects})."), lang).format(
            total=formats.satudata_number(portal["total"], lang=lang), aspects=aspects))
    scored = [opd for opd in report["opds"] if opd["rank"]]
    scored.sort(key=lambda opd: opd["rank"])
    if len(scored) > 1:
        best, worst = scored[0], scored[-1]
        sentences.append(translated(N_("The highest score is {best}'s ({best_score}), the lowest {worst}'s "
                                       "({worst_score})."), lang).format(
            best=best["title"], best_score=formats.satudata_number(best["total"], lang=lang),
            worst=worst["title"], worst_score=formats.satudata_number(worst["total"], lang=lang)))
    unscored = len(report["opds"]) - len(scored)
    if unscored:
        sentences.append(translated(N_("{count} OPDs have no score: no dataset or data element in the period."),
                                    lang).format(count=_n(unscored, lang)))
    return sentences


def _css_string(text: str) -> str:
    """`text` as a CSS string for an inline style: no quote, backslash, angle bracket or line break can leave it."""
    return json.dumps("".join(c for c in text if c not in '"\\<>' and c.isprintable()), ensure_ascii=False)


def _page_counter_css(lang: str) -> str:
    """The CSS `content` of the page number in the document's language: "Halaman " counter(page) " dari "
    counter(pages)."""
    text = translated(N_("Page {page} of {pages}"), lang)
    parts = []
    for piece in text.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def document(kind: str, reports: dict[str, dict[str, Any]], lang: str = "id",
             issued: datetime.date | None = None, seq: int | None = None) -> dict[str, Any]:
    """What the document of `kind` says around its tables. `reports`: the monitoring report (and, for
    "evaluation", the evaluation report) of one period and OPD; `issued`: the date of issue (today in the portal's
    time zone); `seq`: the number of an issued report in its year (reports/archive.py), dots when not issued."""
    report = reports[kind]
    issued = issued or datetime.datetime.now(config.portal_zone()).date()
    place_date = f"{config.report_place()}, {formats.satudata_date(issued, lang)}".lstrip(", ")
    division_head = _signatory("division_head", lang, place_date=place_date)
    if kind == "monitoring":
        signatures = [division_head]
    else:
        # The Kepala Dinas acknowledges (Mengetahui) the report the Kepala Bidang compiled.
        signatures = [_signatory("agency_head", lang, heading=translated(N_("Acknowledged by,"), lang)),
                      division_head]
    summary = monitoring_summary(reports["monitoring"], lang)
    if kind == "evaluation":
        summary += evaluation_summary(report, lang)
    letterhead = config.report_letterhead()
    opd_title = next((opd["title"] for opd in report["opds"]), None) if report.get("opd") else None
    title = translated(TITLES[kind], lang)
    period = period_text(report["period"], lang)
    agency_head = config.report_signatory("agency_head")["position"]
    return {
        "kind": kind, "lang": lang, "letterhead": letterhead, "title": title,
        "scope": opd_title or translated(N_("All OPDs"), lang),
        "period": period, "period_label": formats.satudata_period(report["period"]["label"], lang),
        "number": _number(kind, report["period"], issued, seq),
        "issued": issued.isoformat(), "issued_text": formats.satudata_date(issued, lang),
        "recipient": agency_head if kind == "monitoring" else "",  # step 7 reports to the Kepala Dinas
        "summary": summary, "signatures": signatures,
        "page_counter_css": _page_counter_css(lang),
        "footer_css": _css_string(f"{title} - {period_name(report['period'], lang)}"),
        "full_title": f"{title} - {period_name(report['period'], lang)}",
        "author": letterhead["name"],
    }
