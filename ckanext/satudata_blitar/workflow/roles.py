"""The SOP's roles, mapped onto CKAN organisation membership so the stock member pages and API keep working.

| SOP role               | CKAN capacity            | in which organisation                          |
|------------------------|--------------------------|------------------------------------------------|
| Operator Data          | editor                   | its OPD                                        |
| Verifikator OPD        | verifikator              | its OPD                                        |
| Verifikator Kominfotik | verifikator_kominfotik   | the Walidata's organisation (whole portal)     |
| Walidata               | walidata                 | the Walidata's organisation (whole portal)     |

CKAN's admin and member capacities keep their CKAN meaning but grant nothing in the workflow and no sight of
unpublished datasets. CKAN sysadmins keep their powers.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, config, request_cache
from ckanext.satudata_blitar.model import RoleEvent

# Workflow roles (the names used by workflow.TRANSITIONS and recorded in the history).
OPERATOR = "operator"
VERIFIKATOR_OPD = "verifikator_opd"
VERIFIKATOR_KOMINFOTIK = "verifikator_kominfotik"
WALIDATA = "walidata"
SYSADMIN = "sysadmin"

# CKAN capacity -> workflow role, for the OPD's own organisation and for the Walidata's organisation.
OPD_CAPACITIES = {"editor": OPERATOR, "verifikator": VERIFIKATOR_OPD}
PORTAL_CAPACITIES = {"verifikator_kominfotik": VERIFIKATOR_KOMINFOTIK, "walidata": WALIDATA}

ROLE_LABELS = {
    OPERATOR: lambda: tk._("Operator Data"),
    VERIFIKATOR_OPD: lambda: tk._("Verifikator OPD"),
    VERIFIKATOR_KOMINFOTIK: lambda: tk._("Verifikator Kominfotik"),
    WALIDATA: lambda: tk._("Walidata"),
    SYSADMIN: lambda: tk._("Sysadmin"),
}

# Labels a dataset that is not published carries; see permission_labels below.
PORTAL_LABEL = "satudata-walidata"


def register_capacities() -> None:
    """Adds our capacities to CKAN's role table (CKAN has no interface for this; authz's table is the registry the
    member form, member_create's validator and organization_list_for_user all read). The new capacities only
    `read`: what they may do in the workflow is decided by the transition table, not by CKAN permissions."""
    for capacity, label in (("verifikator", ROLE_LABELS[VERIFIKATOR_OPD]),
                            ("verifikator_kominfotik", ROLE_LABELS[VERIFIKATOR_KOMINFOTIK]),
                            ("walidata", ROLE_LABELS[WALIDATA])):
        adapters.register_capacity(capacity, ["read"], label)
    adapters.relabel_capacity("editor", ROLE_LABELS[OPERATOR])


def role_label(role: str) -> str:
    return ROLE_LABELS[role]() if role in ROLE_LABELS else role


def as_user(user: Any) -> model.User | None:
    """A user from a name, an id, a User or Flask-Login's current_user proxy; None for anonymous visitors."""
    if isinstance(user, str):
        return model.User.get(user) if user else None
    user = getattr(user, "_get_current_object", lambda: user)()
    return user if isinstance(user, model.User) else None


@dataclasses.dataclass(frozen=True)
class Memberships:
    """A user's workflow roles, from one query of their organisation memberships."""
    sysadmin: bool
    portal: frozenset[str]  # roles in the Walidata's organisation: the whole portal
    opds: dict[str, str]  # OPD id -> the role held in it

    def roles_for(self, owner_org: str | None) -> set[str]:
        """The roles held for a dataset of `owner_org`."""
        roles = {SYSADMIN} if self.sysadmin else set()
        if owner_org in self.opds:
            roles.add(self.opds[owner_org])
        return roles | self.portal

    def opds_with(self, role: str) -> list[str]:
        return [org for org, held in self.opds.items() if held == role]


NOBODY = Memberships(sysadmin=False, portal=frozenset(), opds={})


def forget_memberships() -> None:
    """Memberships already read in this web request are forgotten (a membership changed)."""
    request_cache.forget("memberships")


def memberships(user: Any) -> Memberships:
    """The user's roles: in each OPD (capacities editor, verifikator) and in the Walidata's organisation
    (verifikator_kominfotik, walidata). One query, once per web request; anonymous visitors hold none."""
    user_obj = as_user(user)
    if not user_obj:
        return NOBODY
    # A page asks once per dataset, label and button: one query per request (request_cache, emptied whenever a
    # membership changes: record_membership_change).
    key = ("memberships", user_obj.id, bool(user_obj.sysadmin), config.walidata_org())
    return request_cache.once(key, lambda: _memberships(user_obj))


def _memberships(user_obj: model.User) -> Memberships:
    rows = (model.Session.query(model.Member.group_id, model.Group.name, model.Member.capacity)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user_obj.id,
                    model.Member.state == "active", model.Group.state == "active",
                    model.Group.is_organization.is_(True)))
    walidata_org = config.walidata_org()  # a name or an id
    portal, opds = set(), {}
    for group_id, group_name, capacity in rows:
        if capacity in OPD_CAPACITIES:
            opds[group_id] = OPD_CAPACITIES[capacity]
        if walidata_org in (group_id, group_name) and capacity in PORTAL_CAPACITIES:
            portal.add(PORTAL_CAPACITIES[capacity])
    return Memberships(sysadmin=bool(user_obj.sysadmin), portal=frozenset(portal), opds=opds)


def _capacities(user_id: str) -> dict[str, str]:
    """organisation id -> capacity, for the user's active memberships (the role history compares them)."""
    rows = (model.Session.query(model.Member.group_id, model.Member.capacity)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user_id,
                    model.Member.state == "active", model.Group.state == "active",
                    model.Group.is_organization.is_(True)))
    return {group_id: capacity for group_id, capacity in rows}


def walidata_org_id() -> str | None:
    org = model.Group.get(config.walidata_org())
    return org.id if org else None


def roles_for(user: Any, owner_org: str | None) -> set[str]:
    """The workflow roles the user holds for a dataset of `owner_org`."""
    return memberships(user).roles_for(owner_org)


def opd_ids_with_role(user: Any, role: str) -> list[str]:
    """The OPDs in which the user holds an OPD role (operator or verifikator_opd)."""
    return memberships(user).opds_with(role)


def is_walidata(user: Any) -> bool:
    return bool(roles_for(user, None) & {WALIDATA, SYSADMIN})


def dataset_labels(owner_org: str | None, public: bool) -> list[str]:
    """Who may see a dataset: everyone once published; before that its OPD's operators and verifiers and the
    portal-wide roles (sysadmins see everything anyway)."""
    if public:
        return ["public"]
    return [f"satudata-opd-{owner_org}", PORTAL_LABEL]


def user_labels(user: Any) -> list[str]:
    held = memberships(user)
    return (["public"] + [f"satudata-opd-{org}" for org in held.opds]
            + ([PORTAL_LABEL] if held.portal else []))


def members_with(org_id: str | None, capacities: set[str]) -> list[model.User]:
    """Active users holding one of `capacities` in the organisation."""
    if not org_id:
        return []
    return (model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(model.Member.group_id == org_id, model.Member.table_name == "user",
                    model.Member.state == "active", model.Member.capacity.in_(capacities),
                    model.User.state == "active").all())


def workflow_people() -> list[model.User]:
    """Every active user holding a workflow role: an OPD role in an active OPD, or a portal role in the Walidata's
    organisation (the people `ckan satudata remind` may write to), by name. Sysadmins only by such a role."""
    walidata = walidata_org_id()
    held = sa.or_(model.Member.capacity.in_(OPD_CAPACITIES),
                  sa.and_(model.Member.group_id == walidata, model.Member.capacity.in_(PORTAL_CAPACITIES)))
    return (model.Session.query(model.User)
            .join(model.Member, sa.and_(model.Member.table_id == model.User.id, model.Member.table_name == "user"))
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.state == "active", model.Group.state == "active",
                    model.Group.is_organization.is_(True), model.User.state == "active", held)
            .distinct().order_by(model.User.name).all())


def users_with_role(role: str, owner_org: str | None) -> list[model.User]:
    """Who holds a workflow role for a dataset of `owner_org` (the people to notify)."""
    opd = {capacity for capacity, name in OPD_CAPACITIES.items() if name == role}
    portal = {capacity for capacity, name in PORTAL_CAPACITIES.items() if name == role}
    return members_with(owner_org, opd) + members_with(walidata_org_id(), portal)


# --- role history -------------------------------------------------------------------------------------------

def record_membership_change(original_action, context: dict[str, Any], data_dict: dict[str, Any],
                             removed: bool = False) -> Any:
    """Runs member_create / member_delete and records the user's role in the organisation before and after, in the
    caller's transaction (the action commits)."""
    forget_memberships()
    try:
        return _record_membership_change(original_action, context, data_dict, removed)
    finally:
        forget_memberships()


def _record_membership_change(original_action, context: dict[str, Any], data_dict: dict[str, Any],
                              removed: bool) -> Any:
    group = model.Group.get(data_dict.get("id") or "")
    user = model.User.get(data_dict.get("object") or "")
    if data_dict.get("object_type") != "user" or not group or not group.is_organization or not user:
        return original_action(context, data_dict)
    old = _capacities(user.id).get(group.id)
    result = original_action({**context, "defer_commit": True}, data_dict)
    model.Session.flush()  # CKAN's session does not autoflush: the new membership, for _capacities
    new = None if removed else _capacities(user.id).get(group.id)
    if old != new:
        actor = model.User.get(context.get("user") or "")
        model.Session.add(RoleEvent(organization_id=group.id, user_id=user.id, old_role=old, new_role=new,
                                    actor_id=actor.id if actor else (context.get("user") or "")))
    return result  # the action commits the membership and its event together


def role_events(org_id: str) -> list[RoleEvent]:
    return (model.Session.query(RoleEvent).filter(RoleEvent.organization_id == org_id)
            .order_by(RoleEvent.created_at, RoleEvent.id).all())


def readable_opd_ids(user: Any) -> list[str] | None:
    """The OPDs whose daftar elemen data the user may read: None for every OPD (the Walidata's roles and
    sysadmins), else those where the user is Operator Data or Verifikator OPD (maybe none)."""
    held = memberships(user)
    if held.sysadmin or held.portal:
        return None
    return list(held.opds)
