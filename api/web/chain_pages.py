"""Supply-chain pages (chuỗi cung ứng thực phẩm an toàn): the list with verification badges,
one chain with its members' certificates and partner graph, and the form agencies register
a chain with."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import select

from api import auth, database
from api.web import bp
from api.web import lot_forms as lf
from api.web.lot_pages import fits
from chains import supply_chains
from registry import places
from registry.models import CertificationScheme, PartnerKind, Product, Role

MEMBER_FIELDS = ("partner_id", "role", "required_schemes")
LINK_FIELDS = ("from_partner_id", "to_partner_id")
MEMBER_ROWS, LINK_ROWS = 5, 4
CHAIN_INPUTS = ("name", "description", "confirmed_on", "confirmed_by", "members", "products",
                "links")


def province_name(code: str) -> str:
    """A current province's name (the code where unknown)."""
    found = places.province(places.AdmScheme.VN2025, code)
    return found.name if found else code


def _schemes(text: str) -> list[str] | None:
    """Scheme keys typed with commas or semicolons; None (the kind's default) when empty."""
    keys = [s.strip() for s in text.replace(";", ",").split(",") if s.strip()]
    return keys or None


def province_names(codes: list[str]) -> str:
    """Current provinces' names, joined."""
    return " · ".join(province_name(code) for code in codes)


@bp.get("/chains")
@auth.login_required
def chains_list() -> ResponseReturnValue:
    """Every chain with its provinces, member count and verification, optionally by province."""
    session = database.session()
    province = request.args.get("province", "").strip() or None
    chains = [supply_chains.verify(session, c)
              for c in supply_chains.list_chains(session, province)]
    actor = auth.current_actor()
    return render_template(
        "chains/list.html", chains=chains, province=province or "",
        provinces=places.provinces(places.AdmScheme.VN2025), province_names=province_names,
        may_create=actor.is_admin or actor.is_agency)


@bp.get("/chains/<int:chain_id>")
@auth.login_required
def chains_detail(chain_id: int) -> ResponseReturnValue:
    """A chain: members with what they must hold and whether they do, products, declared
    links and the partner graph (declared links plus observed shipments)."""
    session = database.session()
    chain = supply_chains.get(session, chain_id)
    status = supply_chains.verify(session, chain)
    graph = supply_chains.partner_graph(session, chain)
    picture = Markup(supply_chains.graph_svg(chain, graph, status))  # texts escaped by svg
    names = {m.partner_id: m.name for m in status.members}
    edges = [{"from": names.get(a, str(a)), "to": names.get(b, str(b)),
              "declared": d.get("declared", False), "shipments": d.get("shipments", 0)}
             for a, b, d in graph.edges(data=True)]
    return render_template("chains/detail.html", chain=status, picture=picture, edges=edges,
                           fit=fits(picture),
                           schemes=lf.scheme_names(session),
                           province_name=province_name, province_names=province_names)


def _form(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200, *,
          member_rows: int = MEMBER_ROWS, link_rows: int = LINK_ROWS) -> ResponseReturnValue:
    session = database.session()
    products = session.execute(select(Product).order_by(Product.name_vi)
                               .limit(lf.MAX_CHOICES)).scalars().all()
    schemes = session.execute(select(CertificationScheme)
                              .order_by(CertificationScheme.key)).scalars().all()
    return render_template(
        "chains/form.html", state=lf.FormState(values, errors), products=products,
        schemes=schemes, partners=lf.partner_choices(session),
        kinds=[k.value for k in PartnerKind if k is not PartnerKind.AGENCY],
        member_rows=member_rows, link_rows=link_rows,
        chosen_products={str(p) for p in request.form.getlist("products")}), status


@bp.route("/chains/new", methods=["GET", "POST"])
@auth.login_required
def chains_new() -> ResponseReturnValue:
    """Register a supply chain (agencies with a member in their provinces, admins)."""
    actor = auth.current_actor()
    actor.ensure_role(Role.AGENCY)
    if request.method == "GET":
        return _form({}, {})
    more = request.form.get("action") == "more_rows"
    n_members = lf.row_count("members", MEMBER_ROWS, more=more)
    n_links = lf.row_count("links", LINK_ROWS, more=more)
    values = {k: v.strip() for k, v in request.form.items() if k not in ("csrf_token",
                                                                         "products")}
    if more:
        return _form(values, {}, member_rows=n_members, link_rows=n_links)
    members, member_at = lf.rows("members", MEMBER_FIELDS, n_members)
    links, link_at = lf.rows("links", LINK_FIELDS, n_links)
    inputs = list(CHAIN_INPUTS)
    inputs += [f"members.{i}.{f}" for i in range(n_members) for f in MEMBER_FIELDS]
    inputs += [f"links.{i}.{f}" for i in range(n_links) for f in LINK_FIELDS]
    session = database.session()

    def act() -> Any:
        data: dict[str, Any] = {
            "name": values.get("name", ""),
            "description": values.get("description") or None,
            "confirmed_on": values.get("confirmed_on") or None,
            "confirmed_by": values.get("confirmed_by") or None,
            "members": [{"partner_id": lf.partner_id_of(session, m["partner_id"],
                                                        f"members.{i}.partner_id"),
                         "role": m["role"] or None,
                         "required_schemes": _schemes(m["required_schemes"])}
                        for i, m in enumerate(members)],
            "products": [p for p in request.form.getlist("products") if p.strip()],
            "links": [{k: lf.partner_id_of(session, v, f"links.{i}.{k}")
                       for k, v in link.items()} for i, link in enumerate(links)]}
        return supply_chains.create_chain(session, actor,
                                          supply_chains.ChainIn.model_validate(data))

    try:
        chain = lf.attempt(session, act, inputs,
                           renumbered={"members": member_at, "links": link_at})
    except lf.Rejected as rejected:
        return _form(values, rejected.errors, rejected.status, member_rows=n_members,
                     link_rows=n_links)
    session.commit()
    flash(gettext("Supply chain %(name)s registered.", name=chain.name))
    return redirect(url_for("web.chains_detail", chain_id=chain.id))
