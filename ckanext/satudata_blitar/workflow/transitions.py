"""The verification workflow of the SOP (steps 3–6): its states, its transitions and who may make each.

One table, TRANSITIONS, says everything; actions, auth functions, pages and reports read it.

    Draf ──ajukan──▶ Diajukan ──verifikasi_opd──▶ Terverifikasi OPD ──verifikasi_walidata──▶ Disetujui
      ▲                 │                              │                                        │
      │           kembalikan_opd                 kembalikan_walidata                       terbitkan
      │                 ▼                              ▼                                        ▼
      └──(edit)── Perlu Perbaikan ◀─────────────────────────────────────────tarik────────── Terbit
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Callable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import request_cache
from ckanext.satudata_blitar.language import N_
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.model import DatasetStatus, WorkflowEvent

DRAF = "draf"
DIAJUKAN = "diajukan"
TERVERIFIKASI_OPD = "terverifikasi_opd"
DISETUJUI = "disetujui"
TERBIT = "terbit"
PERLU_PERBAIKAN = "perlu_perbaikan"

# The words for each state (msgids: pages translate them with toolkit._, files with language.translated).
STATE_LABELS = {
    DRAF: N_("Draft"),
    DIAJUKAN: N_("Submitted"),
    TERVERIFIKASI_OPD: N_("Verified by OPD"),
    DISETUJUI: N_("Approved"),
    TERBIT: N_("Published"),
    PERLU_PERBAIKAN: N_("Needs revision"),
}

# The operator may change the content only in these states; in the others it is locked (and a published
# dataset is public: its content changes only through the workflow).
EDITABLE_STATES = frozenset({DRAF, PERLU_PERBAIKAN})

# The SOP's standard time for the step that waits in each state, in days (steps 4, 5 and 6).
STANDARD_DAYS = {DIAJUKAN: 1, TERVERIFIKASI_OPD: 1, DISETUJUI: 1}

# States in which a dataset waits for someone (a verifier, the Walidata, or the operator after a return).
WAITING_STATES = frozenset(STANDARD_DAYS) | {PERLU_PERBAIKAN}

# Events that are not transitions anyone can request: a dataset's creation, and the publication of a pending
# revision, recorded on the live dataset (revisions.py).
CREATED = "buat"
REVISION_PUBLISHED = "terbitkan_revisi"

# Keys of the package dict that belong to the workflow (added by package_show): never written by an edit.
FIELD_PREFIX = "satudata_"


# What a transition does, whichever states it joins: mail, reports and element statuses follow the kind, so a new
# transition is counted and announced by saying what kind it is.
SUBMIT, VERIFY, RETURN, PUBLISH, WITHDRAW = "submit", "verify", "return", "publish", "withdraw"
# The reports' name of a movement of each kind (with the stage for verifications and returns: "verified_opd").
MOVED = {SUBMIT: "submitted", VERIFY: "verified", RETURN: "returned", PUBLISH: "published", WITHDRAW: "withdrawn"}
# The words for each movement (every transition's movement has one: tests/workflow/test_transitions.py).
MOVEMENT_LABELS = {
    "submitted": N_("Submitted"),
    "verified_opd": N_("Verified (OPD)"),
    "returned_opd": N_("Returned (OPD)"),
    "verified_walidata": N_("Verified (Walidata)"),
    "returned_walidata": N_("Returned (Walidata)"),
    "published": N_("Published"),
    "withdrawn": N_("Withdrawn"),
}


@dataclasses.dataclass(frozen=True)
class Transition:
    name: str
    kind: str
    stage: str | None  # the verification stage ("opd" or "walidata") of a verification or a return
    from_states: frozenset[str]
    to_state: str
    roles: frozenset[str]
    note_required: bool
    label: Callable[[], str]

    @property
    def movement(self) -> str:
        return MOVED[self.kind] + (f"_{self.stage}" if self.stage else "")


def _t(name, kind, stage, from_states, to_state, who, note_required, label):
    return Transition(name, kind, stage, frozenset(from_states), to_state, frozenset(who), note_required, label)


R = roles
TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    #  name                   kind      stage       from                      to                 who may      note
    _t("ajukan",              SUBMIT,   None,       {DRAF, PERLU_PERBAIKAN},  DIAJUKAN,          {R.OPERATOR}, False,
       lambda: tk._("Submit for verification")),
    _t("verifikasi_opd",      VERIFY,   "opd",      {DIAJUKAN},               TERVERIFIKASI_OPD,
       {R.VERIFIKATOR_OPD}, False, lambda: tk._("Verify (OPD)")),
    _t("kembalikan_opd",      RETURN,   "opd",      {DIAJUKAN},               PERLU_PERBAIKAN,
       {R.VERIFIKATOR_OPD}, True, lambda: tk._("Return for revision")),
    _t("verifikasi_walidata", VERIFY,   "walidata", {TERVERIFIKASI_OPD},      DISETUJUI,
       {R.VERIFIKATOR_KOMINFOTIK, R.WALIDATA}, False, lambda: tk._("Verify (Walidata)")),
    _t("kembalikan_walidata", RETURN,   "walidata", {TERVERIFIKASI_OPD},      PERLU_PERBAIKAN,
       {R.VERIFIKATOR_KOMINFOTIK, R.WALIDATA}, True, lambda: tk._("Return for revision")),
    _t("terbitkan",           PUBLISH,  None,       {DISETUJUI},              TERBIT,            {R.WALIDATA}, False,
       lambda: tk._("Publish")),
    _t("tarik",               WITHDRAW, None,       {TERBIT},                 PERLU_PERBAIKAN,   {R.WALIDATA}, True,
       lambda: tk._("Withdraw")),
)}
# Sysadmins keep their powers: they may make any transition, and it is recorded as theirs.
ANY_TRANSITION_ROLE = R.SYSADMIN


def state_label(state: str) -> str:
    return tk._(STATE_LABELS[state]) if state in STATE_LABELS else state


def of_kind(kind: str) -> list[str]:
    """The names of the transitions of a kind, in the table's order."""
    return [t.name for t in TRANSITIONS.values() if t.kind == kind]


def next_roles(transition: Transition) -> set[str]:
    """Who acts next once `transition` is made: whoever may move the dataset on from its new state; after a
    publication, which ends the SOP, those who submitted it."""
    if transition.kind == PUBLISH:
        return {role for t in TRANSITIONS.values() if t.kind == SUBMIT for role in t.roles}
    return {role for t in TRANSITIONS.values() if transition.to_state in t.from_states for role in t.roles}


def acting_role(transition: Transition, user_roles: set[str]) -> str | None:
    """The role in which the user may make the transition (the most specific one), or None."""
    for role in (R.OPERATOR, R.VERIFIKATOR_OPD, R.VERIFIKATOR_KOMINFOTIK, R.WALIDATA):
        if role in transition.roles and role in user_roles:
            return role
    return ANY_TRANSITION_ROLE if ANY_TRANSITION_ROLE in user_roles else None


def available(state: str, user_roles: set[str]) -> list[Transition]:
    """The transitions the user may make from `state`."""
    return [t for t in TRANSITIONS.values() if state in t.from_states and acting_role(t, user_roles)]


def waiting_states(user_roles: set[str]) -> set[str]:
    """States in which a dataset waits for someone holding these roles."""
    return {state for t in TRANSITIONS.values() if acting_role(t, user_roles) for state in t.from_states
            if state in WAITING_STATES}


def without_workflow_fields(data_dict: dict) -> dict:
    return {key: value for key, value in data_dict.items() if not key.startswith(FIELD_PREFIX)}


# --- our tables ---------------------------------------------------------------------------------------------

def current_state(package_id: str) -> str:
    """The dataset's state, read once per web request: a dataset page asks for it a dozen times (each
    package_update auth check, each package_show), and SQLAlchemy's identity map keeps no row nobody holds. `move`
    forgets it, so a transition's own request reads the new state."""
    def stored() -> str:
        state = model.Session.execute(_STATE_OF, {"id": package_id}).scalar()
        return state or DRAF
    return request_cache.once(_state_key(package_id), stored)


def _state_key(package_id: str) -> tuple[str, str]:
    """request_cache's key of a dataset's state (current_state, remembered_state, remember_state)."""
    return ("dataset_state", package_id)


# current_state's query, built once: the state column only (an ORM object of the row cost twice as much)
_STATE_OF = sa.select(DatasetStatus.state).where(DatasetStatus.package_id == sa.bindparam("id"))


def state_of_id() -> sa.ScalarSelect:
    """current_state's query as a column of another statement (the dataset's id bound as `id`; NULL for Draf): a
    show reads the state with the checks' findings in one round trip (tables/upload_check.read_for_show)."""
    return _STATE_OF.scalar_subquery()


def remembered_state(package_id: str) -> str | None:
    """The state current_state has read in this request; None when not yet, or outside a request."""
    cache = request_cache.store()
    return None if cache is None else cache.get(_state_key(package_id))


def remember_state(package_id: str, stored: str | None) -> str:
    """The state read by another statement (`state_of_id`), remembered for current_state in this request."""
    state = stored or DRAF
    cache = request_cache.store()
    if cache is not None:
        cache[_state_key(package_id)] = state
    return state


def dataset_created(context: dict, pkg_dict: dict) -> None:
    """A new dataset starts as Draf; its creation is the first event of its history (SOP step 3 starts here)."""
    user = model.User.get(context.get("user") or "")
    user_roles = roles.roles_for(user, pkg_dict.get("owner_org"))
    role = next((r for r in (R.OPERATOR, R.SYSADMIN) if r in user_roles), "system")
    now = datetime.datetime.utcnow()
    package_id, owner_org = pkg_dict["id"], pkg_dict.get("owner_org")
    actor_id = user.id if user else (context.get("user") or "system")
    model.Session.add(DatasetStatus(package_id=package_id, state=DRAF, changed_at=now))
    model.Session.add(WorkflowEvent(package_id=package_id, owner_org=owner_org, transition=CREATED,
                                    from_state=None, to_state=DRAF, actor_id=actor_id, actor_role=role,
                                    created_at=now))


class Conflict(Exception):
    """The dataset left `from_state` before this transition could be made: someone else acted first."""


def move(package_id: str, owner_org: str | None, transition: Transition, from_state: str, actor_id: str,
         actor_role: str, note: str | None) -> WorkflowEvent:
    """Moves the dataset from `from_state` along `transition`, recording the event, in the caller's transaction.

    The UPDATE only matches while the row is still in `from_state`, and PostgreSQL lets one of two concurrent
    updates of a row win: the loser matches no row and raises Conflict, so exactly one transition happens."""
    now = datetime.datetime.utcnow()
    if model.Session.get(DatasetStatus, package_id) is None:
        # Datasets created before the plugin was enabled have no row yet: they are Draf.
        model.Session.add(DatasetStatus(package_id=package_id, state=DRAF, changed_at=now))
        model.Session.flush()
    result = model.Session.execute(
        sa.update(DatasetStatus)
        .where(DatasetStatus.package_id == package_id, DatasetStatus.state == from_state)
        .values(state=transition.to_state, changed_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        request_cache.forget_all()  # the state this request read is no longer the dataset's
        raise Conflict(package_id)  # the caller (the action) rolls its transaction back
    event = WorkflowEvent(package_id=package_id, owner_org=owner_org, transition=transition.name,
                          from_state=from_state, to_state=transition.to_state, actor_id=actor_id,
                          actor_role=actor_role, note=note, created_at=now)
    model.Session.add(event)
    model.Session.flush()
    model.Session.expire_all()
    request_cache.forget_all()  # the queue count and the figures a page remembered are of before the move
    return event


def waiting_query(user):
    """The query of the datasets waiting for the user: portal-wide for the Walidata's roles and sysadmins, in their
    own OPDs for operators and OPD verifiers; None when nothing can wait for them."""
    held = roles.memberships(user)
    conditions = []
    portal_states = waiting_states(held.roles_for(None))
    if portal_states:
        conditions.append(DatasetStatus.state.in_(portal_states))
    for role in (R.OPERATOR, R.VERIFIKATOR_OPD):
        orgs, states = held.opds_with(role), waiting_states({role})
        if orgs and states:
            conditions.append(sa.and_(model.Package.owner_org.in_(orgs), DatasetStatus.state.in_(states)))
    if not conditions:
        return None
    return (model.Session.query(model.Package, DatasetStatus)
            .join(DatasetStatus, DatasetStatus.package_id == model.Package.id)
            .filter(model.Package.state == "active", sa.or_(*conditions)))


def waiting_for(user, offset: int = 0, limit: int | None = None, returned: bool | None = None) -> list[Any]:
    """The datasets waiting for the user, oldest first: rows of the columns a queue shows (id, name, title,
    owner_org, state, changed_at), not whole datasets (1,000 Package objects cost ~0.3 s to build). With `offset`
    and `limit`, that page of them (LIMIT/OFFSET in SQL, the same order); with `returned`, only the datasets
    returned for revision (True) or only the others (False)."""
    query = waiting_query(user)
    if query is None:
        return []
    if returned is not None:
        query = query.filter((DatasetStatus.state == PERLU_PERBAIKAN) if returned
                             else (DatasetStatus.state != PERLU_PERBAIKAN))
    query = (query.with_entities(model.Package.id, model.Package.name, model.Package.title, model.Package.owner_org,
                                 DatasetStatus.state, DatasetStatus.changed_at)
             .order_by(DatasetStatus.changed_at, model.Package.id))
    return query.offset(offset or None).limit(limit).all()


def waiting_count(user, counted: int | None = None) -> int:
    """How many datasets wait for the user (the header's count): one COUNT of ids, whatever the queue's length,
    once per web request (the header and the dashboard both show it); `counted`, when the caller has just counted
    them (the verification queue's counts, workflow/queue.py), is remembered instead. A transition answers with a
    redirect, so no page shows a count from before its own transition."""
    def count() -> int:
        if counted is not None:
            return counted
        query = waiting_query(user)
        return query.with_entities(sa.func.count(DatasetStatus.package_id)).scalar() if query is not None else 0
    user_obj = roles.as_user(user)
    return request_cache.once(("waiting_count", user_obj.id if user_obj else None), count)


def record_revision_published(live: dict, revision_name: str, actor_id: str, actor_role: str) -> None:
    model.Session.add(WorkflowEvent(package_id=live["id"], owner_org=live["owner_org"],
                                    transition=REVISION_PUBLISHED, from_state=TERBIT, to_state=TERBIT,
                                    actor_id=actor_id, actor_role=actor_role, note=revision_name,
                                    created_at=datetime.datetime.utcnow()))


def submission_actors(package_id: str, kind: str, stage: str | None) -> set[str]:
    """Who made a transition of this kind (and stage) in the current submission: since the last submission."""
    events = (model.Session.query(WorkflowEvent.transition, WorkflowEvent.actor_id)
              .filter(WorkflowEvent.package_id == package_id)
              .order_by(WorkflowEvent.created_at.desc(), WorkflowEvent.id.desc()))
    wanted = {t.name for t in TRANSITIONS.values() if t.kind == kind and t.stage == stage}
    actors = set()
    for transition, actor_id in events:
        if transition in wanted:
            actors.add(actor_id)
        if transition in of_kind(SUBMIT):
            break
    return actors


def history(package_ids: list[str]) -> list[WorkflowEvent]:
    """The events of the datasets (a dataset and its pending revisions: the history shows both versions)."""
    return (model.Session.query(WorkflowEvent).filter(WorkflowEvent.package_id.in_(package_ids))
            .order_by(WorkflowEvent.created_at, WorkflowEvent.id).all())
