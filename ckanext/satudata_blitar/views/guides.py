"""/panduan: one short guide per role of the SOP, in the words of the portal's pages, public to everyone.

Each step names the screenshot that shows it. The screenshots are taken by the browser walk
(tests/test_browser.py) from the same steps, so a guide cannot show a page that no longer looks that way: the walk
fails when a page changed and writes the new image for the developer to commit (docs/guides.md)."""
from __future__ import annotations

from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.language import N_
from ckanext.satudata_blitar.views import satudata

# Where the walk's guide images live: public/satudata_blitar/panduan/<shot>.webp
SCREENSHOT_PATH = "satudata_blitar/panduan"


class Step(NamedTuple):
    title: str
    text: str
    shot: str | None = None  # the browser walk's screenshot of this step


class Guide(NamedTuple):
    slug: str  # the guide's address, /panduan/<slug>
    title: str
    who: str  # who it is for, on the index
    steps: tuple[Step, ...]


GUIDES = (
    Guide("operator-data", N_("Operator Data"), N_(
        "Each OPD's Operator Data: collects the data, uploads the table with its statistical metadata and submits "
        "it for verification."), (
        Step(N_("Your tasks after logging in"), N_(
            "Log in with your OPD's account. The portal opens My tasks: datasets returned to you for fixing come "
            "first, then drafts and what is waiting for verification. Start a new dataset with Add dataset."),
            "operator-tasks"),
        Step(N_("Fill in the dataset's metadata"), N_(
            "The form follows BPS's statistical metadata: title, description, government affair, concept and "
            "definition, unit, years, frequency, collection method, source and nature of the data. Every choice "
            "starts empty: pick the right one, the form refuses an empty required field."),
            "operator-dataset-form"),
        Step(N_("Upload the table"), N_(
            "Choose the spreadsheet (.xlsx, .xls or .csv) and give it a name. The portal checks the file and loads "
            "the table in the background; until then the dataset page says it cannot be submitted yet."),
            "operator-resource-upload"),
        Step(N_("Describe every column (Data Dictionary)"), N_(
            "After loading, the status strip lists the columns still without a definition (MS-Var). Follow the "
            "link to the table's Data Dictionary: region columns and units in the headers come filled in, you add "
            "only what the portal cannot know, then save."),
            "operator-columns-to-describe"),
        Step(N_("Submit for verification"), N_(
            "When nothing is missing, press Submit for verification on the dataset page. The OPD's verifier sees it "
            "in their queue; the page shows its status and who it is waiting for."),
            "operator-submitted"),
        Step(N_("When a dataset is returned"), N_(
            "A returned dataset is at the top of My tasks with the verifier's reason. Fix sends you straight to the "
            "form; save, then submit again from the dataset page."),
            "operator-sees-the-reason"),
    )),
    Guide("verifikator", N_("Verifiers"), N_(
        "The OPD's Verifier (stage 1) and the Kominfotik Verifier (stage 2): check each submitted dataset and "
        "verify it or return it with a reason."), (
        Step(N_("Your queue"), N_(
            "After logging in you land on the verification queue: what is waiting for you, oldest first, with the "
            "working days it has waited. Late ones are marked."),
            "verifier-queue"),
        Step(N_("Verify or return from one page"), N_(
            "Open a dataset from the queue. One page shows the buttons, the changes since it was last returned, "
            "each file's check and first rows, and the metadata. Verify it, or return it with a reason the operator "
            "will read."),
            "verifier-one-page"),
    )),
    Guide("walidata", N_("Walidata"), N_(
        "Diskominfotik as Walidata: publishes verified data, follows the whole pipeline and issues the monitoring "
        "and evaluation reports."), (
        Step(N_("The pipeline"), N_(
            "My tasks shows every OPD's datasets by stage and what is waiting for you to publish, with late ones "
            "marked in working days."),
            "walidata-tasks"),
        Step(N_("Before publishing"), N_(
            "Open a dataset that both verifiers approved: its page shows the table, the metadata and the history of "
            "the verification."),
            "walidata-before-publishing"),
        Step(N_("Publish, after confirming"), N_(
            "Publish asks for confirmation and says what becomes public: the data and its metadata. Withdraw works "
            "the same way and says what becomes hidden."),
            "walidata-confirms-publishing"),
        Step(N_("Reports"), N_(
            "The Reports page gives the monitoring report for the head of Diskominfotik and the monitoring and "
            "evaluation report, as a page, PDF or spreadsheet. Issue report numbers it and keeps it in the "
            "archive.")),
    )),
    Guide("masyarakat", N_("Citizens"), N_(
        "Citizens, journalists, researchers and developers: find, read and download the published data."), (
        Step(N_("Find data"), N_(
            "The home page lists the latest and most viewed datasets; search, or browse by topic or OPD."),
            "home"),
        Step(N_("Read a dataset"), N_(
            "A dataset's page gives its statistical metadata (definition, unit, years, source) and its tables."),
            "dataset"),
        Step(N_("See the table and its chart"), N_(
            "Open a table to see its rows, filter and sort them, or switch to the chart. Download the whole table as "
            "CSV, JSON or Excel."),
            "resource-table"),
        Step(N_("Ask for data that is not here"), N_(
            "Not found what you need? Send a data request: the Walidata passes it to the OPD that holds the data and "
            "you can follow its progress. Programs can read every published dataset through the API (API guide).")),
    )),
)


def screenshot_names() -> set[str]:
    """Every screenshot the guides show (the browser walk must take each of them)."""
    return {step.shot for guide in GUIDES for step in guide.steps if step.shot}


def guides_index() -> Any:
    return tk.render("satudata/guides/index.html", {"guides": GUIDES})


def guide(slug: str) -> Any:
    found = next((g for g in GUIDES if g.slug == slug), None)
    if found is None:
        return tk.abort(404, tk._("Guide not found"))
    return tk.render("satudata/guides/guide.html", {"guide": found, "guides": GUIDES,
                                                     "screenshot_path": SCREENSHOT_PATH})


satudata.add_url_rule("/panduan", view_func=guides_index)
satudata.add_url_rule("/panduan/<slug>", view_func=guide)
