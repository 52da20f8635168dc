"""The daftar elemen data (SOP step 1): per year and OPD, the data elements the OPD must provide, each linked to
the dataset that provides it.

An element's status is derived, never stored, from its dataset's workflow *as of* a moment (now for the list page,
the end of the period for a report on a past period):

| status              | when                                                                    |
|---------------------|-------------------------------------------------------------------------|
| `belum_ada_dataset` | no dataset linked, the dataset is deleted, or it did not exist yet      |
| `belum_terbit`      | the dataset exists but is not published                                 |
| `terbit`            | the dataset is published                                                |

An element is *terlambat* (late) when it has a target date and was not published by the end of that day (in the
portal's time zone), counted in working days (workflow/working_days.py): a target on a day off moves to the next
working day, and the element is late once a working day after it has begun, either still not published then or
first published on it or later. `late_days` says by how many working days (as of `as_of`, or on publication).
A report on a period judges as of the period's last day.

Everything is one SQL query (`element_rows`) that the list, the page and both reports read; the reports aggregate
it with GROUP BY.
"""
from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.language import N_, names
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.workflow import working_days
from ckanext.satudata_blitar.model import DataElement, DatasetStatus, WorkflowEvent

# An element's status, derived from its dataset's workflow state (only transitions.TERBIT fulfils it): not a state.
STATUS_BELUM_ADA_DATASET = "belum_ada_dataset"
STATUS_BELUM_TERBIT = "belum_terbit"
STATUS_TERBIT = "terbit"

STATUS_LABELS = {
    STATUS_BELUM_ADA_DATASET: N_("No dataset yet"),
    STATUS_BELUM_TERBIT: N_("Dataset not yet published"),
    STATUS_TERBIT: N_("Published"),
}
STATUSES = list(STATUS_LABELS)

# The fields of an element a person edits, in the order of the page, the template and the API.
FIELDS = ["tahun", "owner_org", "nama", "definisi", "satuan", "frekuensi", "data_prioritas", "tanggal_target",
          "package_id"]

D = DataElement.__table__
E = WorkflowEvent.__table__
S = DatasetStatus.__table__
P = model.package_table
G = model.group_table


UTC = zoneinfo.ZoneInfo("UTC")


def status_label(status: str) -> str:
    return tk._(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def frequency_choices() -> list[dict[str, Any]]:
    """The dataset schema's release frequencies (`{value, label: {id, en}}`): an element and the dataset that
    provides it speak of frequency alike."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset")
    field = next(f for f in schema["dataset_fields"] if f["field_name"] == "frekuensi")
    return field["choices"]


def opds() -> list[dict[str, str]]:
    """Every active OPD as `{id, name, title}`, by title: the OPD column's choices of the .xlsx."""
    query = (sa.select(G.c.id, G.c.name, G.c.title)
             .where(G.c.is_organization.is_(True), G.c.state == "active").order_by(G.c.title, G.c.name))
    return [dict(row._mapping) for row in model.Session.execute(query)]


def opd_with_list(year: int, owner_org: str) -> dict[str, str] | None:
    """The active OPD `owner_org` (its id or name) as `{id, name, title}` when it has a daftar elemen data for the
    year, else None: one small query, so that an OPD page without a list this year costs nothing more."""
    has_list = sa.exists().where(D.c.owner_org == G.c.id, D.c.tahun == year)
    query = sa.select(G.c.id, G.c.name, G.c.title).where(
        G.c.is_organization.is_(True), G.c.state == "active", sa.or_(G.c.id == owner_org, G.c.name == owner_org),
        has_list)
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def element_rows(year: int | None = None, owner_org: str | None = None, as_of: datetime.datetime | None = None,
                 tz: zoneinfo.ZoneInfo | None = None, element_id: str | None = None):
    """The elements (of a year, an OPD, or one element) with their dataset and derived status as of `as_of`
    (naive UTC, default now), as an SQL subquery."""
    as_of_ = sa.literal(as_of or datetime.datetime.utcnow(), sa.DateTime)
    zone = (tz or UTC).key
    active = sa.and_(P.c.state == "active", P.c.type == "dataset")
    # The dataset's history up to `as_of`, read once per element (a LATERAL join): its last state and its first
    # publication. As correlated subqueries in the expressions below they were run once per use (4 s for a year's
    # report at the issue-6 scale, bench/reports.py).
    history = (sa.select(
        postgresql.array_agg(postgresql.aggregate_order_by(E.c.to_state, E.c.created_at.desc(), E.c.id.desc()))[1]
        .label("last_state"),
        sa.func.min(E.c.created_at).filter(E.c.transition.in_(transitions.of_kind(transitions.PUBLISH)))
        .label("first_published"))
        .where(E.c.package_id == D.c.package_id, E.c.created_at < as_of_)
        .lateral("history"))
    last_state, first_published = history.c.last_state, history.c.first_published
    # A dataset without any event (made before the workflow existed) is in its current state since its creation.
    state = sa.case((P.c.id.is_(None), sa.null()),
                    else_=sa.func.coalesce(last_state, sa.case((P.c.metadata_created < as_of_,
                                                                sa.func.coalesce(S.c.state, transitions.DRAF)))))
    status = sa.case((state.is_(None), STATUS_BELUM_ADA_DATASET), (state == transitions.TERBIT, STATUS_TERBIT),
                     else_=STATUS_BELUM_TERBIT)
    # Working days, with the calendar table: the target day's index (the next working day's for a day off), and
    # the index of the day the element was published or is judged on (`as_of` is an exclusive end: its day is the
    # day of the moment before it).
    moment = as_of or datetime.datetime.utcnow()
    working_days.ensure(moment, *(datetime.date(y, 1, 1) for y in [year] if y))
    target_day, published_day = working_days.C.alias("target_day"), working_days.C.alias("published_day")
    deadline = target_day.c.day_index + sa.case((target_day.c.working, 0), else_=1)
    judged = working_days.sql_day_index(
        working_days.local(moment - datetime.timedelta(microseconds=1), zoneinfo.ZoneInfo(zone)).date())
    late_days = sa.case(
        (D.c.tanggal_target.is_(None), None),
        (state == transitions.TERBIT, sa.case((first_published.isnot(None), published_day.c.day_index - deadline))),
        else_=judged - deadline)
    late = sa.func.coalesce(late_days > 0, False)
    query = (sa.select(D, G.c.name.label("opd_name"), G.c.title.label("opd_title"),
                       P.c.name.label("package_name"), P.c.title.label("package_title"),
                       state.label("state"), status.label("status"), late.label("late"),
                       sa.case((late, late_days), else_=0).label("late_days"),
                       sa.case((state == transitions.TERBIT, first_published)).label("published_at"))
             .select_from(D.join(G, G.c.id == D.c.owner_org)
                          .outerjoin(P, sa.and_(P.c.id == D.c.package_id, active))
                          .outerjoin(S, S.c.package_id == P.c.id)
                          .outerjoin(history, sa.true())
                          .outerjoin(target_day, target_day.c.day == D.c.tanggal_target)
                          .outerjoin(published_day,
                                     published_day.c.day == working_days.sql_day(first_published, tz or UTC))))
    if year is not None:
        query = query.where(D.c.tahun == year)
    if owner_org:
        query = query.where(D.c.owner_org == owner_org)
    if element_id:
        query = query.where(D.c.id == element_id)
    return query.subquery("elements")


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def as_dict(row: Any, tz: zoneinfo.ZoneInfo | None = None) -> dict[str, Any]:
    """A row of element_rows for the API and the pages (times in the portal's zone)."""
    published = row.published_at
    if published is not None and tz is not None:
        published = published.replace(tzinfo=datetime.timezone.utc).astimezone(tz).replace(tzinfo=None)
    return {
        "id": row.id, "tahun": row.tahun, "owner_org": row.owner_org, "opd_name": row.opd_name,
        "opd_title": row.opd_title, "nama": row.nama, "definisi": row.definisi, "satuan": row.satuan,
        "frekuensi": row.frekuensi, "data_prioritas": row.data_prioritas,
        "tanggal_target": _date(row.tanggal_target),
        "package_id": row.package_id if row.package_name else None, "package_name": row.package_name,
        "package_title": row.package_title, "state": row.state,
        "status": row.status, "status_label": status_label(row.status), "late": bool(row.late),
        "late_days": row.late_days,
        "published_at": _date(published),
        "created_at": _date(row.created_at), "modified_at": _date(row.modified_at),
    }


def listing(year: int | None, owner_orgs: list[str] | None, tz: zoneinfo.ZoneInfo | None = None,
            element_id: str | None = None) -> list[dict[str, Any]]:
    """Elements with their status now, by OPD title then name; `owner_orgs` None means every OPD."""
    elements = element_rows(year, None, tz=tz, element_id=element_id)
    query = sa.select(elements).order_by(elements.c.opd_title, elements.c.opd_name, sa.func.lower(elements.c.nama))
    if owner_orgs is not None:
        query = query.where(elements.c.owner_org.in_(owner_orgs))
    return [as_dict(row, tz) for row in model.Session.execute(query)]


def fulfilment(year: int, owner_org: str | None, as_of: datetime.datetime,
               tz: zoneinfo.ZoneInfo) -> dict[str | None, dict[str, int]]:
    """owner_org -> counts of the year's elements as of `as_of`: elements, priority ones, per status, late ones
    and the published ones that were on time."""
    elements = element_rows(year, owner_org, as_of, tz)
    count = sa.func.count
    query = (sa.select(elements.c.owner_org, count().label("elements"),
                       count().filter(elements.c.data_prioritas).label("priority"),
                       *[count().filter(elements.c.status == status).label(status) for status in STATUSES],
                       count().filter(sa.and_(elements.c.status == STATUS_TERBIT, elements.c.data_prioritas))
                       .label("priority_terbit"),
                       count().filter(elements.c.late).label("late"),
                       count().filter(sa.and_(elements.c.status == STATUS_TERBIT, sa.not_(elements.c.late)))
                       .label("terbit_on_time"))
             .group_by(elements.c.owner_org))
    return {row.owner_org: {key: value for key, value in row._mapping.items() if key != "owner_org"}
            for row in model.Session.execute(query)}


COUNT_KEYS = ["elements", "priority", *STATUSES, "priority_terbit", "late", "terbit_on_time"]


# --- changes -------------------------------------------------------------------------------------------------

class Duplicate(Exception):
    """An OPD's list for a year already has an element of that name."""


def find(year: int, owner_org: str, name: str) -> DataElement | None:
    """The element of the OPD's list for the year whose name (`nama`) reads as `name`: the same once case, width,
    invisible characters and lookalike letters are set aside (names.comparable), so "Jumlah Penduduk" with a
    Cyrillic "а" or a zero-width space is the same element."""
    wanted = names.comparable(name)
    return next((element for element in model.Session.query(DataElement)
                 .filter(DataElement.tahun == year, DataElement.owner_org == owner_org)
                 .order_by(DataElement.created_at) if names.comparable(element.nama) == wanted), None)


def save(values: dict[str, Any], element: DataElement | None = None) -> tuple[DataElement, bool]:
    """Creates an element, or changes `element`, from validated values; returns it and whether anything changed.
    Raises Duplicate when another element of the OPD's list for the year has the name."""
    element = element or DataElement()
    other = find(values["tahun"], values["owner_org"], values["nama"])
    if other is not None and other is not element:
        raise Duplicate()
    changed = element.id is None
    for field in FIELDS:
        value = values.get(field)
        if isinstance(value, str) and not value.strip():
            value = None  # an emptied field is stored as no value, however it arrived
        if getattr(element, field) != value:
            setattr(element, field, value)
            changed = True
    if changed:
        model.Session.add(element)  # modified_at follows (the column's onupdate)
    return element, changed


def get(element_id: str) -> DataElement | None:
    return model.Session.get(DataElement, element_id) if element_id else None


def delete(element: DataElement) -> None:
    model.Session.delete(element)
