"""Agencies' pages, part 2: violation cases (list, page with the trace snapshot, timeline and
actions), recalls (form prefilled from a case, page with recipients, progress and the
acknowledgement form) and the inbox of agencies and partners."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import auth, database
from api.web import bp, forms
from api.web.agency_pages import actor, query_of, submit
from chains import snapshot
from registry import cases, notifications, recall_listing, recalls
from registry.models import CaseStatus, RecallScope, ViolationCase
from registry.paging import PageQuery
from registry.units import Unit


@bp.get("/cases")
@auth.login_required
def cases_list() -> ResponseReturnValue:
    """Violation cases found in, or originating from, the agency's provinces."""
    query, errors = query_of(cases.CaseQuery, ("status", "page"))
    page = cases.list_cases(database.session(), actor(), query)
    return render_template("agency/cases_list.html", page=page, errors=errors,
                           filters=request.args, statuses=[s.value for s in CaseStatus])


def _case_page(case_id: int, values: Any, errors: dict[str, list[str]],
               status: int = 200) -> ResponseReturnValue:
    session = database.session()
    case = cases.get(session, actor(), case_id)
    return render_template(
        "agency/case_detail.html", case=cases.to_out(case),
        next_statuses=sorted(s.value for s in cases.NEXT[case.status]),
        recalls=recall_listing.recalls_of_case(session, case.id), values=values,
        errors=errors), status


@bp.get("/cases/<int:case_id>")
@auth.login_required
def cases_detail(case_id: int) -> ResponseReturnValue:
    """A case: its lots, the trace when opened, the agencies concerned and the timeline."""
    return _case_page(case_id, {}, {})


@bp.post("/cases/<int:case_id>/actions")
@auth.login_required
def cases_action(case_id: int) -> ResponseReturnValue:
    """Add a note or an action, optionally moving the case on."""
    session = database.session()
    data = forms.form_data()
    _, errors = submit(lambda: cases.add_action(
        session, actor(), case_id, forms.validate(cases.CaseActionIn, data)))
    if errors:
        return _case_page(case_id, request.form, errors, 422)
    session.commit()
    flash(gettext("Added to the case's timeline."))
    return redirect(url_for("web.cases_detail", case_id=case_id) + "#timeline")


@bp.get("/recalls")
@auth.login_required
def recalls_list() -> ResponseReturnValue:
    """Recalls, newest first (a partner sees those it must act on)."""
    query, errors = query_of(PageQuery, ("page",))
    page = recall_listing.list_recalls(database.session(), actor(), query)
    return render_template("agency/recalls_list.html", page=page, errors=errors)


def _recall_form(values: Any, errors: dict[str, list[str]], status: int = 200
                 ) -> ResponseReturnValue:
    return render_template("agency/recall_form.html", values=values, errors=errors,
                           scopes=[s.value for s in RecallScope]), status


@bp.route("/recalls/new", methods=["GET", "POST"])
@auth.login_required
def recalls_new() -> ResponseReturnValue:
    """Order a recall; from a case, its lots and title fill the form."""
    session = database.session()
    who = actor()
    if request.method == "GET":
        values: dict[str, Any] = {"scope": "forward"}
        case_id = request.args.get("case_id", "")
        if case_id.isdigit():
            case = cases.to_out(cases.get(session, who, int(case_id)))
            values.update(case_id=case.id, lot_codes="\n".join(case.lot_codes),
                          reason=case.title)
        values.update({k: v for k, v in request.args.items() if k == "lot_codes"})
        return _recall_form(values, {})
    data = forms.form_data(lists=("lot_codes",))
    recall, errors = submit(lambda: recalls.order_recall(
        session, who, forms.validate(recalls.RecallIn, data)))
    if errors:
        return _recall_form(request.form, errors, 422)
    session.commit()
    flash(gettext("Recall #%(id)s ordered: %(count)s lots are recalled and every recipient "
                  "was notified.", id=recall.id, count=recall.lot_count))
    return redirect(url_for("web.recalls_detail", recall_id=recall.id))


def _recall_page(recall_id: int, values: Any, errors: dict[str, list[str]],
                 status: int = 200) -> ResponseReturnValue:
    session = database.session()
    who = actor()
    recall = recalls.get(session, recall_id)
    recalls.ensure_may_see(session, who, recall)
    out = recalls.to_out(session, recall)
    partners = snapshot.partners_by_id(session, {r.partner_id for r in out.recipients})
    rows = recall_listing.acknowledgeable(who, out, partners)
    if who.is_partner:
        out.recipients = [r for r in out.recipients if r.partner_id == who.partner_id]
    names = {p.id: p.name for p in partners.values()}
    return render_template("agency/recall_detail.html", recall=out, ack_rows=rows,
                           names=names, units=[u.value for u in Unit], values=values,
                           errors=errors, may_see_case=not who.is_partner), status


@bp.get("/recalls/<int:recall_id>")
@auth.login_required
def recalls_detail(recall_id: int) -> ResponseReturnValue:
    """A recall: lots, recipients with what each has accounted for, progress, the notice."""
    return _recall_page(recall_id, {}, {})


@bp.post("/recalls/<int:recall_id>/acknowledgements")
@auth.login_required
def recalls_acknowledge(recall_id: int) -> ResponseReturnValue:
    """A recipient (or its province's agency) accounts for a recalled lot."""
    session = database.session()
    data = forms.form_data()
    partner_id, _, lot_code = data.pop("recipient", "").partition("|")
    data.update(partner_id=partner_id or None, lot_code=lot_code)
    data = {k: (v.replace(",", ".") if k in ("removed", "destroyed") else v)
            for k, v in data.items() if v is not None}
    _, errors = submit(lambda: recalls.acknowledge(
        session, actor(), recall_id, forms.validate(recalls.AckIn, data)),
        lambda field: "recipient" if field in ("partner_id", "lot_code") else field)
    if errors:
        return _recall_page(recall_id, request.form, errors, 422)
    session.commit()
    flash(gettext("Acknowledgement recorded."))
    return redirect(url_for("web.recalls_detail", recall_id=recall_id) + "#recipients")


SUBJECT_PAGES = {"case": ("web.cases_detail", "case_id"),
                 "recall": ("web.recalls_detail", "recall_id")}


@bp.get("/inbox")
@auth.login_required
def inbox() -> ResponseReturnValue:
    """The notifications of the agency's provinces, or of the partner, unread marked."""
    query, errors = query_of(notifications.InboxQuery, ("kind", "unread", "page"))
    page = notifications.inbox(database.session(), actor(), query)
    return render_template("agency/inbox.html", page=page, errors=errors, filters=request.args,
                           subject_pages=SUBJECT_PAGES)


@bp.post("/inbox/<int:notification_id>/open")
@auth.login_required
def inbox_open(notification_id: int) -> ResponseReturnValue:
    """Mark an item read and go to what it is about."""
    session = database.session()
    item = notifications.mark_read(session, actor(), notification_id)
    session.commit()
    if item.subject_type == "epcis_capture":  # records a capture made, for the agency to check
        return redirect(url_for("web.unverified_queue"))
    page = SUBJECT_PAGES.get(item.subject_type)
    if page is None or not item.subject_id.isdigit():
        return redirect(url_for("web.inbox"))
    target: dict[str, Any] = {page[1]: int(item.subject_id)}
    return redirect(url_for(page[0], **target))


@bp.post("/inbox/read")
@auth.login_required
def inbox_read_all() -> ResponseReturnValue:
    """Mark every item read."""
    session = database.session()
    count = recall_listing.mark_all_read(session, actor())
    session.commit()
    flash(gettext("%(count)s notifications marked read.", count=count))
    return redirect(url_for("web.inbox"))


@bp.app_context_processor
def _case_links() -> dict[str, Any]:
    """`case_visible(case_id)`: whether a link to the case page works for the signed-in user
    (its agencies and admins), so that sample pages link to cases only then."""
    def case_visible(case_id: int) -> bool:
        who = auth.optional_actor()
        found = database.session().get(ViolationCase, case_id)
        return who is not None and found is not None and cases.concerns(who, found)

    return {"case_visible": case_visible}
