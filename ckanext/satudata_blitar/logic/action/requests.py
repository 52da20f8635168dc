"""Actions of the data requests (permohonan data, docs/data-requests.md): file, show, list, route, answer, extend,
follow up, close and hide. Who may is the auth functions' (logic/auth/requests.py); what a state allows is here."""
from __future__ import annotations

import datetime
from typing import Any

import flask
from flask_babel import force_locale

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.accounts import throttle
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.logic import request_schema
from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.requests import data_requests as flow
from ckanext.satudata_blitar.requests import notifications
from ckanext.satudata_blitar.requests.model import DataRequest
from ckanext.satudata_blitar.workflow import revisions, roles
from ckanext.satudata_blitar.workflow import transitions

__all__: list[str] = ["satudata_data_request_create", "satudata_data_request_show", "satudata_data_request_list",
                      "satudata_data_request_route", "satudata_data_request_answer",
                      "satudata_data_request_extend", "satudata_data_request_follow_up",
                      "satudata_data_request_close", "satudata_data_request_hide"]

MAX_LIMIT = 100


def _validated(data_dict: dict[str, Any], schema: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _request(data_dict: dict[str, Any], lock: bool = True) -> DataRequest:
    """The request `id`; locked for the rest of the transaction unless only read."""
    request = flow.get(data_dict.get("id"), lock=lock)
    if request is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return request


def _refuse_state(request: DataRequest) -> None:
    raise tk.ValidationError({"state": [tk._("Not possible while the request is {state}").format(
        state=flow.state_label(request.state))]})


def _opd_id(name_or_id: str) -> str:
    group = model.Group.get(name_or_id) if name_or_id else None
    if not group or not group.is_organization or group.state != "active":
        raise tk.ValidationError({"owner_org": [tk._('There is no OPD "{opd}"').format(opd=name_or_id)]})
    return group.id


def _published_dataset(name_or_id: str) -> model.Package:
    """A published dataset (Terbit, public, not a pending revision). Anything else, a draft of any OPD included,
    gets the same message as a name that does not exist: a request never tells whether an unpublished dataset
    exists."""
    package = model.Package.get(name_or_id) if name_or_id else None
    if (package is None or package.state != "active" or package.type != "dataset" or package.private
            or transitions.current_state(package.id) != transitions.TERBIT or revisions.revision_of(package.id)):
        raise tk.ValidationError({"package_id": [tk._('There is no published dataset "{dataset}"').format(
            dataset=name_or_id)]})
    return package


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def request_dict(request: DataRequest, user: Any) -> dict[str, Any]:
    """What `user` sees of a request. Everyone: its text (unless hidden), OPD, state, dates, answer and history
    (roles, never names). Its requester, the Walidata's roles and the answering OPD's people: also the requester's
    name and the hidden text. Nobody: the requester's e-mail or address."""
    staff, own = flow.is_staff(user, request), flow.is_requester(user, request)
    shows_text = staff or own or not request.text_hidden
    timer = flow.timer(request)
    package = model.Package.get(request.package_id) if request.package_id else None
    element = data_elements.get(request.element_id) if request.element_id else None
    result: dict[str, Any] = {
        "id": request.id,
        "title": request.title if shows_text else None,
        "description": request.description if shows_text else None,
        "period": request.period if shows_text else None,
        "area": request.area if shows_text else None,
        "purpose": request.purpose if shows_text else None,
        "data_format": request.data_format,
        "text_hidden": request.text_hidden,
        "owner_org": request.owner_org,
        "opd": flow.opd(request.owner_org),
        "state": request.state,
        "state_label": flow.state_label(request.state),
        "created_at": _when(request.created_at),
        "received_at": _when(request.received_at),
        "answered_at": _when(request.answered_at),
        "closed_at": _when(request.closed_at),
        "extended": request.extended_at is not None,
        "extension_reason": request.extension_reason,
        "timer": timer.as_dict() if timer else None,
        "package": ({"id": package.id, "name": package.name, "title": package.title}
                    if package and package.state == "active" and not package.private else None),
        "element": ({"id": element.id, "tahun": element.tahun, "nama": element.nama,
                     "owner_org": element.owner_org} if element else None),
        "reason": request.reason,
        "reason_label": flow.reason_label(request.reason) if request.reason else None,
        "clause": request.clause,
        "answer_note": request.answer_note if shows_text else None,
        "is_requester": own,
        "events": [{"event": event.event, "event_label": flow.event_label(event.event),
                    "from_state": event.from_state, "to_state": event.to_state,
                    "to_state_label": flow.state_label(event.to_state), "actor_role": event.actor_role,
                    "actor_role_label": flow.role_label(event.actor_role), "created_at": _when(event.created_at),
                    "note": event.note if shows_text else None,
                    **({"actor_name": _display_name(event.actor_id)} if staff else {})}
                   for event in flow.events(request.id)],
    }
    if staff or own:
        requester = model.User.get(request.user_id) if request.user_id else None
        result["requester"] = ({"name": requester.name, "display_name": requester.display_name}
                               if requester else None)
    return result


def _display_name(user_id: str | None) -> str | None:
    user = model.User.get(user_id) if user_id else None
    return user.display_name if user else None


def _done(context: dict[str, Any], request: DataRequest, event: str) -> dict[str, Any]:
    model.Session.commit()
    notifications.request_changed(request, event)
    return request_dict(request, user_of(context))


def satudata_data_request_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """File a data request (anyone with an account). The requester's name and e-mail are never public.

    :param title: what data (at most 200 characters)
    :param description: the data asked for, in detail (at most 4000)
    :param period: the period the data covers, e.g. "2020–2025" (optional)
    :param area: the area, e.g. "Kecamatan Sukorejo" (optional)
    :param purpose: what the data is for (optional)
    :param owner_org: the OPD that holds the data, if known (optional: "tidak tahu")
    :param data_format: ``xlsx``, ``csv``, ``pdf`` or ``lainnya`` (optional)
    :returns: the request, as satudata_data_request_show
    """
    data = _validated(data_dict, request_schema.create_schema(), context)
    tk.check_access("satudata_data_request_create", context, data)
    if data.get("website"):
        raise tk.ValidationError({"website": [tk._("This request looks automated and was not filed")]})
    user = user_of(context)
    if flow.open_count(user.id) >= config.data_requests_max_open_per_account():
        raise tk.ValidationError({"__limit": [tk._(
            "You have {number} requests waiting for an answer; file a new one when one is answered or closed").format(
            number=config.data_requests_max_open_per_account())]})
    digest = None
    if flask.has_request_context():
        digest = flow.address_hash(throttle.client_address())
        if flow.count_from_address_today(digest) >= config.data_requests_max_per_address_per_day():
            raise tk.ValidationError({"__limit": [tk._(
                "Too many data requests from your network today; please try again tomorrow")]})
    now = datetime.datetime.utcnow()
    request = DataRequest(
        user_id=user.id, owner_org=_opd_id(data["owner_org"]) if data.get("owner_org") else None,
        title=data["title"], description=data["description"], period=data.get("period") or None,
        area=data.get("area") or None, purpose=data.get("purpose") or None,
        data_format=data.get("data_format") or None, state=flow.DIAJUKAN, address_hash=digest, created_at=now,
        received_at=now)
    model.Session.add(request)
    model.Session.flush()
    request.state = ""  # the first event's from_state
    flow.record(request, "ajukan", flow.DIAJUKAN, user, flow.REQUESTER, now=now)
    return _done(context, request, "ajukan")


@tk.side_effect_free
def satudata_data_request_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A data request: its text (unless the Walidata hid it), OPD, state, the answer's time in working days
    (``timer``: ``due_date``, ``days_left``, ``late_by``), the answer and its history. Its requester and the people
    who answer it also see the requester's name.

    :param id: the request's number
    """
    data = _validated(data_dict, request_schema.id_schema(), context)
    request = _request(data, lock=False)
    tk.check_access("satudata_data_request_show", context, {"id": request.id})
    return request_dict(request, user_of(context))


@tk.side_effect_free
def satudata_data_request_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Data requests, newest first; the answerers' queue oldest first.

    :param q: words of the request's title or description (optional)
    :param state: one state (optional)
    :param owner_org: an OPD's name or id (optional)
    :param mine: only the user's own requests (optional)
    :param queue: only the requests waiting for the user's answer (optional): the Walidata's every open one, an
        OPD's Operator Data and Verifikator OPD those routed to their OPD
    :param limit: at most 100 (default 20); :param offset:
    :returns: ``{"count": n, "results": [requests as satudata_data_request_show, without history]}``
    """
    data = _validated(data_dict, request_schema.list_schema(), context)
    tk.check_access("satudata_data_request_list", context, data)
    user = user_of(context)
    limit, offset = min(data.get("limit", 20), MAX_LIMIT), data.get("offset", 0)
    if data.get("queue"):
        opd_ids = None if roles.is_walidata(user) else sorted(
            set(roles.opd_ids_with_role(user, roles.OPERATOR)) | set(roles.opd_ids_with_role(user,
                                                                                              roles.VERIFIKATOR_OPD)))
        found = flow.waiting(opd_ids)
        count, page = len(found), found[offset:offset + limit]
    else:
        owner_org = _opd_id(data["owner_org"]) if data.get("owner_org") else None
        found = flow.query(state=data.get("state"), owner_org=owner_org,
                           user_id=user.id if data.get("mine") and user else None, text=data.get("q"),
                           with_hidden_text=roles.is_walidata(user))
        count, page = found.count(), found.offset(offset).limit(limit).all()
    results = []
    for request in page:
        shown = request_dict(request, user)
        shown.pop("events")
        results.append(shown)
    return {"count": count, "results": results}


def satudata_data_request_route(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Route a request to the OPD that answers it (the Walidata), or to another one. The clock keeps running
    from the day the request was received.

    :param id: the request's number
    :param owner_org: the OPD's name or id
    :param note: a note to the OPD (optional)
    """
    data = _validated(data_dict, request_schema.route_schema(), context)
    request = _request(data)
    tk.check_access("satudata_data_request_route", context, {"id": request.id})
    if request.state not in flow.OPEN:
        _refuse_state(request)
    user = user_of(context)
    request.owner_org = _opd_id(data["owner_org"])
    flow.record(request, "teruskan", flow.DITERUSKAN, user,
                flow.actor_role(user, request, {roles.WALIDATA, roles.SYSADMIN}), data.get("note"))
    return _done(context, request, "teruskan")


def _proposed_element(request: DataRequest, url: str) -> str:
    """The element of the OPD's daftar elemen data for next year that the answer promises (one of the same name
    already there is used), linked back to the request in its definition."""
    zone = config.portal_zone()
    year = datetime.datetime.now(zone).year + 1
    name = request.title[:200]
    existing = data_elements.find(year, request.owner_org, name)
    if existing:
        return existing.id
    with force_locale(tk.config["ckan.locale_default"]):  # the list's language, not the answerer's page's
        definition = tk._("Proposed by data request #{number}: {url}").format(number=request.id, url=url)
    element, _changed = data_elements.save({"tahun": year, "owner_org": request.owner_org, "nama": name,
                                            "definisi": definition, "data_prioritas": False})
    model.Session.flush()
    return element.id


def satudata_data_request_answer(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Answer a request (the Operator Data or Verifikator OPD of the OPD it is routed to, or the Walidata).

    :param id: the request's number
    :param outcome: ``terpenuhi`` (with ``package_id``: a published dataset), ``akan_disediakan`` (the data
        will be produced: an element is added to the OPD's daftar elemen data for next year) or ``ditolak``
        (with ``reason``: ``tidak_ada``, ``dikecualikan`` with the ``clause`` of UU 14/2008 Pasal 17 (a–j), or
        ``bukan_opd``, which sends the request back to the Walidata to route it; and a ``note``)
    :param note: the answer's text (required when refused)
    """
    data = _validated(data_dict, request_schema.answer_schema(), context)
    request = _request(data)
    if request.state not in flow.OPEN:  # the state is public: a 409 says it to anyone
        _refuse_state(request)
    tk.check_access("satudata_data_request_answer", context, {"id": request.id})
    user = user_of(context)
    answering = flow.handler_roles(user, request)
    outcome, errors = data["outcome"], {}
    package = None
    if outcome == flow.TERPENUHI:
        if not data.get("package_id"):
            errors["package_id"] = [tk._("Name the published dataset that holds the data")]
        else:
            package = _published_dataset(data["package_id"])
    elif outcome == flow.AKAN_DISEDIAKAN and not request.owner_org:
        errors["owner_org"] = [tk._("Route the request to the OPD that will provide the data first")]
    elif outcome == flow.DITOLAK:
        if not data.get("reason"):
            errors["reason"] = [tk._("Choose why the request is refused")]
        elif data["reason"] == flow.DIKECUALIKAN and not data.get("clause"):
            errors["clause"] = [tk._("Name the clause of UU 14/2008 Pasal 17 (a–j)")]
        if not data.get("note"):
            errors["note"] = [tk._("Explain the refusal to the requester")]
    if errors:
        raise tk.ValidationError(errors)
    role = flow.actor_role(user, request, answering)
    now = datetime.datetime.utcnow()
    if outcome == flow.DITOLAK and data["reason"] == flow.BUKAN_OPD:
        flow.record(request, "kembalikan", flow.DIAJUKAN, user, role, data["note"], now=now)
        request.owner_org = None
        return _done(context, request, "kembalikan")
    request.answered_at = now
    request.answer_note = data.get("note") or None
    request.package_id = package.id if package else None
    request.reason = data.get("reason") if outcome == flow.DITOLAK else None
    request.clause = data.get("clause") if outcome == flow.DITOLAK and request.reason == flow.DIKECUALIKAN else None
    if outcome == flow.AKAN_DISEDIAKAN:
        url = tk.url_for("satudata.data_request", id=request.id, _external=True, locale="default")
        request.element_id = _proposed_element(request, url)
    note = data.get("note")
    if outcome == flow.DITOLAK and request.clause:
        note = tk._("UU 14/2008 Pasal 17 letter {clause}: {note}").format(clause=request.clause, note=note)
    flow.record(request, outcome, outcome, user, role, note, now=now)
    return _done(context, request, outcome)


def satudata_data_request_extend(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Extend the answer's time by 7 working days, once, with a reason (who may answer the request).

    :param id: the request's number
    :param note: the reason
    """
    data = _validated(data_dict, request_schema.note_schema(required=True), context)
    request = _request(data)
    if request.state not in flow.OPEN:  # the state is public: a 409 says it to anyone
        _refuse_state(request)
    tk.check_access("satudata_data_request_extend", context, {"id": request.id})
    user = user_of(context)
    answering = flow.handler_roles(user, request)
    if request.extended_at:
        raise tk.ValidationError({"note": [tk._("The time of this request has already been extended once")]})
    request.extended_at, request.extension_reason = datetime.datetime.utcnow(), data["note"]
    flow.record(request, "perpanjang", request.state, user, flow.actor_role(user, request, answering), data["note"])
    return _done(context, request, "perpanjang")


def satudata_data_request_follow_up(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Ask a follow-up question on an answered request (its requester): it goes back to the OPD (or to the
    Walidata) and the 10 working days start again.

    :param id: the request's number
    :param note: the question
    """
    data = _validated(data_dict, request_schema.note_schema(required=True), context)
    request = _request(data)
    tk.check_access("satudata_data_request_follow_up", context, {"id": request.id})
    if request.state not in flow.ANSWERED:
        _refuse_state(request)
    user = user_of(context)
    now = datetime.datetime.utcnow()
    flow.record(request, "tanya_lanjut", flow.DITERUSKAN if request.owner_org else flow.DIAJUKAN, user,
                flow.actor_role(user, request, {flow.REQUESTER, roles.SYSADMIN}), data["note"], now=now)
    request.received_at, request.answered_at = now, None
    return _done(context, request, "tanya_lanjut")


def satudata_data_request_close(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Close a request (its requester, or the Walidata).

    :param id: the request's number
    :param note: why (optional)
    """
    data = _validated(data_dict, request_schema.note_schema(required=False), context)
    request = _request(data)
    tk.check_access("satudata_data_request_close", context, {"id": request.id})
    if request.state == flow.DITUTUP:
        _refuse_state(request)
    user = user_of(context)
    request.closed_at = datetime.datetime.utcnow()
    flow.record(request, "tutup", flow.DITUTUP, user,
                flow.actor_role(user, request, {flow.REQUESTER, roles.WALIDATA, roles.SYSADMIN}), data.get("note"))
    return _done(context, request, "tutup")


def satudata_data_request_hide(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Hide a request's text from the public (it holds personal data), or show it again (the Walidata).

    :param id: the request's number
    :param hidden: true to hide, false to show
    """
    data = _validated(data_dict, request_schema.hide_schema(), context)
    request = _request(data)
    tk.check_access("satudata_data_request_hide", context, {"id": request.id})
    user = user_of(context)
    if request.text_hidden != data["hidden"]:
        request.text_hidden = data["hidden"]
        flow.record(request, "sembunyikan" if data["hidden"] else "tampilkan", request.state, user,
                    flow.actor_role(user, request, {roles.WALIDATA, roles.SYSADMIN}))
    model.Session.commit()
    return request_dict(request, user)
