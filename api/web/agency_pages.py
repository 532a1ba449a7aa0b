"""Agencies' pages, part 1: monitoring samples (list, form with result rows, detail) and
sampling plans with their progress. Shared helpers of the agencies' pages live here too."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from api import auth, database
from api.web import bp, forms, once
from registry import documents, events, monitoring, places
from registry.actors import Actor
from registry.errors import DomainError, Forbidden, Unauthenticated
from registry.labels import PARTNER_KIND_VI
from registry.models import (
    Partner,
    PartnerKind,
    ProductCategory,
    SamplingPlan,
    Verdict,
)

RESULT_ROWS = 6
"""Result rows on the sample form (no JavaScript: empty rows are ignored)."""
PICK_LIMIT = 300
"""Partners offered in a select; beyond that the form asks for the partner's number."""

RECORD_ENDPOINTS: dict[str, tuple[str, str, str]] = {
    "partner": ("web.partners_detail", "partner_id", "/api/v1/partners/{}"),
    "product": ("web.products_detail", "product_id", "/api/v1/products/{}"),
    "growing_area": ("web.growing_areas_detail", "code", "/api/v1/growing-areas/{}"),
    "supply_chain": ("web.chains_detail", "chain_id", "/api/v1/chains/{}"),
    "lot": ("web.lots_detail", "lot_code", "/api/v1/lots/{}"),
    "sample": ("web.samples_detail", "sample_id", "/api/v1/samples/{}"),
    "case": ("web.cases_detail", "case_id", "/api/v1/cases/{}"),
    "recall": ("web.recalls_detail", "recall_id", "/api/v1/recalls/{}"),
}
"""Where a record behind a number is shown: a page when its capability has one, else JSON."""


def record_url(kind: str, key: object) -> str | None:
    """The page (or API resource) of a record, or None when it has neither."""
    if kind == "sampling_plan":
        return url_for("web.plans_list") + f"#plan-{key}"
    if kind not in RECORD_ENDPOINTS:
        return None
    endpoint, argument, fallback = RECORD_ENDPOINTS[kind]
    try:
        values: dict[str, Any] = {argument: key}
        return url_for(endpoint, **values)
    except Exception:  # a page another capability has not added yet
        return fallback.format(key)


def province_name(code: str | None) -> str:
    """A current province's name, or the code."""
    found = places.province(places.AdmScheme.VN2025, code or "")
    return found.name if found else (code or "")


def kind_label(kind: str) -> str:
    """A partner kind in the page's language."""
    if str(get_locale()) == "vi":
        return PARTNER_KIND_VI.get(kind, kind)
    return kind.replace("_", " ")


@bp.app_context_processor
def _agency_helpers() -> dict[str, Any]:
    # names of their own: other capabilities register label, province_name, number, ...
    return {"record_url": record_url, "province_now": province_name, "qty": documents.number,
            "partner_kind_label": kind_label}


def actor() -> Actor:
    """The signed-in user as the domain sees them."""
    return auth.current_actor()


def province_choices(who: Actor | None = None) -> list[tuple[str, str]]:
    """Current provinces (an agency's own first when given)."""
    rows = [(p.code, p.name) for p in places.provinces(places.AdmScheme.VN2025)]
    if who is not None and who.is_agency and not who.is_admin:
        rows = [r for r in rows if r[0] in who.provinces] or rows
    return rows


def errors_from(exc: ValidationError | DomainError,
                rename: Callable[[str], str] = lambda field: field) -> dict[str, list[str]]:
    """Form errors by field, fields renamed to the form's names."""
    found: dict[str, list[str]] = {}
    for field_name, messages in forms.errors_of(exc).items():
        found.setdefault(rename(field_name), []).extend(messages)
    return found


def submit(make: Callable[[], Any],
           rename: Callable[[str], str] = lambda field: field) -> tuple[Any, dict[str, list[str]]]:
    """Run a domain write; its result, or the errors to show beside the fields."""
    try:
        return make(), {}
    except ValidationError as exc:
        database.session().rollback()
        return None, errors_from(exc, rename)
    except DomainError as exc:
        database.session().rollback()
        if isinstance(exc, Forbidden | Unauthenticated):
            raise  # the error page says who may do this
        return None, errors_from(exc, rename)


def local_time(text: str) -> datetime | str:
    """A datetime-local value as Vietnam time (the text itself when it does not parse)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment if moment.tzinfo else moment.replace(tzinfo=events.VN_TZ)


def query_of(model: type[BaseModel], names: Iterable[str]) -> tuple[Any, dict[str, list[str]]]:
    """The page's filters as the domain's query model (bad filters are shown, not applied)."""
    data = {n: request.args[n] for n in names if request.args.get(n, "").strip()}
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return model(), errors_from(exc)


def _partner_choices(who: Actor) -> list[Partner] | None:
    stmt = select(Partner).where(Partner.kind != PartnerKind.AGENCY).order_by(Partner.name)
    if not who.is_admin:
        stmt = stmt.where(Partner.province_code_current.in_(sorted(who.provinces)))
    rows = list(database.session().execute(stmt.limit(PICK_LIMIT + 1)).scalars())
    return None if len(rows) > PICK_LIMIT else rows


def _plan_choices(who: Actor) -> list[SamplingPlan]:
    stmt = select(SamplingPlan).where(SamplingPlan.ends_on >= date(date.today().year - 1, 1, 1))
    if not who.is_admin:
        stmt = stmt.where(SamplingPlan.province_code.in_(sorted(who.provinces)))
    return list(database.session().execute(stmt.order_by(SamplingPlan.starts_on.desc())
                                           .limit(100)).scalars())


@bp.get("/samples")
@auth.login_required
def samples_list() -> ResponseReturnValue:
    """Monitoring samples, newest first, filtered by province, verdict, year or lot."""
    query, errors = query_of(monitoring.SampleQuery,
                             ("province_code", "verdict", "year", "lot_code", "page"))
    try:
        page = monitoring.list_samples(database.session(), query, actor())
    except DomainError as exc:
        errors, page = errors_from(exc), monitoring.list_samples(
            database.session(), monitoring.SampleQuery(), actor())
    who = actor()
    return render_template("agency/samples_list.html", page=page, errors=errors,
                           filters=request.args, provinces=province_choices(),
                           verdicts=[v.value for v in Verdict],
                           can_record=who.is_admin or who.is_agency)


def _sample_data() -> tuple[dict[str, Any], list[int]]:
    """The posted sample as SampleIn data, and which form row each result came from."""
    form = request.form
    data: dict[str, Any] = {k: form.get(k, "").strip() for k in
                            ("lot_code", "partner_id", "lab", "plan_id", "notes")}
    data = {k: v for k, v in data.items() if v}
    if form.get("taken_at", "").strip():
        data["taken_at"] = local_time(form["taken_at"].strip())
    results, rows = [], []
    for i in range(RESULT_ROWS):
        item = {k: form.get(f"results.{i}.{k}", "").strip() for k in
                ("analyte", "value", "unit", "limit", "limit_unit", "method")}
        if not item["analyte"]:
            continue
        value = item.pop("value").replace(",", ".")
        limit = item.pop("limit").replace(",", ".")
        result: dict[str, Any] = {k: v for k, v in item.items() if v}
        result["value"] = "ND" if value.upper() in ("ND", "KPH") else (value or None)
        if limit:
            result["limit"] = limit
        if form.get(f"results.{i}.confirmed"):
            result["confirmed"] = True
        results.append(result)
        rows.append(i)
    data["results"] = results
    return data, rows


def _sample_form(values: Any, errors: dict[str, list[str]], status: int = 200,
                 ) -> ResponseReturnValue:
    who = actor()
    return render_template("agency/sample_form.html", values=values, errors=errors,
                           rows=RESULT_ROWS, partners=_partner_choices(who),
                           plans=_plan_choices(who)), status


@bp.route("/samples/new", methods=["GET", "POST"])
@auth.login_required
def samples_new() -> ResponseReturnValue:
    """Record a sample and its results; a failing one opens a case at once."""
    who = actor()
    if not (who.is_admin or who.is_agency):
        return render_template("error.html", status=403, detail=gettext(
            "Only agencies record monitoring samples."), errors=()), 403
    if request.method == "GET":
        return _sample_form(request.args, {})
    data, rows = _sample_data()

    def rename(field: str) -> str:
        head, _, tail = field.partition(".")
        if head == "results" and tail:
            index, _, rest = tail.partition(".")
            if index.isdigit() and int(index) < len(rows):
                return f"results.{rows[int(index)]}" + (f".{rest}" if rest else "")
        return field

    session = database.session()
    if (again := once.repeated()) is not None:
        return again
    sample, errors = submit(lambda: monitoring.record_sample(
        session, who, forms.validate(monitoring.SampleIn, data)), rename)
    if errors:
        return _sample_form(request.form, errors, 422)
    target = once.done(url_for("web.samples_detail", sample_id=sample.id))
    session.commit()
    if sample.case_id:
        flash(gettext("The sample fails: case #%(id)s was opened and the provinces concerned "
                      "were notified.", id=sample.case_id))
    else:
        flash(gettext("Sample #%(id)s recorded.", id=sample.id))
    return redirect(target)


@bp.get("/samples/<int:sample_id>")
@auth.login_required
def samples_detail(sample_id: int) -> ResponseReturnValue:
    """A sample with its results and the limits used."""
    sample = monitoring.to_out(monitoring.get(database.session(), sample_id, actor()))
    return render_template("agency/sample_detail.html", sample=sample)


def _plans_page(values: Any, errors: dict[str, list[str]], status: int = 200,
                ) -> ResponseReturnValue:
    who = actor()
    province = request.args.get("province_code") or None
    plans = monitoring.list_plans(database.session(), province if province and
                                  province.isdigit() else None)
    return render_template("agency/plans.html", plans=plans, values=values, errors=errors,
                           provinces=province_choices(who), all_provinces=province_choices(),
                           categories=[c.value for c in ProductCategory],
                           can_plan=who.is_admin or who.is_agency,
                           filters=request.args), status


@bp.get("/sampling-plans")
@auth.login_required
def plans_list() -> ResponseReturnValue:
    """Sampling plans with their progress, and a form to add one."""
    year = date.today().year
    return _plans_page({"starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}, {})


@bp.post("/sampling-plans")
@auth.login_required
def plans_new() -> ResponseReturnValue:
    """Plan N samples in a province over a period (optionally one product category)."""
    session = database.session()
    data = forms.form_data()
    plan, errors = submit(lambda: monitoring.create_plan(
        session, actor(), forms.validate(monitoring.PlanIn, data)))
    if errors:
        return _plans_page(request.form, errors, 422)
    session.commit()
    flash(gettext("Sampling plan %(name)s added.", name=plan.name))
    return redirect(url_for("web.plans_list") + f"#plan-{plan.id}")
