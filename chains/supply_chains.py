"""Named supply chains: members, products, declared links, the partner-level graph (declared
links plus observed shipments) and the verification status (every member's required
certificate valid). Decision 3075/QĐ-BNN-QLCL confirms chains by their members' certificates."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chains import svg
from registry import audit, partners, places, products, validity
from registry.actors import Actor
from registry.errors import FieldError, Forbidden, Invalid, NotFound
from registry.labels import PARTNER_KIND_VI
from registry.models import (
    AquacultureRegistration,
    Certification,
    CertificationScheme,
    ChainLink,
    ChainMember,
    ChainProduct,
    GrowingArea,
    Partner,
    PartnerKind,
    Role,
    Shipment,
    StatusChange,
    SupplyChain,
)

GAP = ["vietgap", "globalgap", "vietgahp", "gahp", "organic", "asc", "bap"]
FOOD_SAFETY = ["food_safety_certificate", "food_safety_commitment", "haccp", "iso22000",
               "fssc22000", "brc", "ifs", "gmp"]
DEFAULT_REQUIRED: dict[PartnerKind, list[str]] = {
    PartnerKind.PRODUCER: GAP, PartnerKind.COOPERATIVE: GAP,
    **{kind: FOOD_SAFETY for kind in PartnerKind
       if kind not in (PartnerKind.PRODUCER, PartnerKind.COOPERATIVE, PartnerKind.AGENCY)},
}
"""Certificates a member must hold (any one), by kind, when the chain does not say."""


class MemberIn(BaseModel):
    """A partner joining a chain."""

    model_config = ConfigDict(extra="forbid")

    partner_id: int
    role: str | None = Field(default=None, max_length=40, description="defaults to its kind")
    required_schemes: list[str] | None = Field(
        default=None, description="any one of these must be valid; defaults by partner kind")


class LinkIn(BaseModel):
    """A declared supplier -> customer link."""

    model_config = ConfigDict(extra="forbid")

    from_partner_id: int
    to_partner_id: int


class ChainIn(BaseModel):
    """A supply chain to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    members: list[MemberIn] = Field(min_length=2, max_length=200)
    products: list[int] = Field(default_factory=list, max_length=200)
    links: list[LinkIn] = Field(default_factory=list, max_length=1000)
    confirmed_on: date | None = None
    confirmed_by: str | None = Field(default=None, max_length=200)


class MemberStatus(BaseModel):
    """A member, what it must hold, and whether it does today."""

    partner_id: int
    name: str
    kind: PartnerKind
    role: str
    province_code_current: str
    required_any_of: list[str]
    valid_certifications: list[str]
    ok: bool
    international: bool
    problem: str | None


class ChainOut(BaseModel):
    """A supply chain with its verification status."""

    id: int
    name: str
    description: str | None
    provinces: list[str]
    confirmed_on: date | None
    confirmed_by: str | None
    products: list[dict[str, Any]]
    members: list[MemberStatus]
    links: list[LinkIn]
    verified: bool
    international: bool
    checked_on: date
    created_at: datetime


def get(session: Session, chain_id: int) -> SupplyChain:
    """The chain with this id; NotFound otherwise."""
    chain = session.get(SupplyChain, chain_id)
    if chain is None:
        raise NotFound(f"supply chain {chain_id} is not registered",
                       errors=[FieldError("id", f"no chain {chain_id}")])
    return chain


def create_chain(session: Session, actor: Actor, data: ChainIn) -> SupplyChain:
    """Register a chain: agencies of a member's province, or admins."""
    actor.ensure_role(Role.AGENCY)
    known = set(session.execute(select(CertificationScheme.key)).scalars())
    members: list[tuple[Partner, MemberIn]] = []
    seen: set[int] = set()
    for i, m in enumerate(data.members):
        partner = partners.get(session, m.partner_id, f"members.{i}.partner_id")
        if partner.id in seen:
            raise Invalid.field(f"members.{i}.partner_id", "is listed twice")
        for scheme in m.required_schemes or []:
            if scheme not in known:
                raise Invalid.field(f"members.{i}.required_schemes", f"unknown scheme {scheme!r}")
        seen.add(partner.id)
        members.append((partner, m))
    provinces = sorted({p.province_code_current for p, _ in members})
    if not actor.is_admin and not set(provinces) & actor.provinces:
        raise Forbidden("an agency registers chains with at least one member in its provinces")
    for i, link in enumerate(data.links):
        for end in ("from_partner_id", "to_partner_id"):
            if getattr(link, end) not in seen:
                raise Invalid.field(f"links.{i}.{end}", "is not a member of the chain")
    chain = SupplyChain(name=data.name.strip(), description=data.description,
                        provinces=provinces, confirmed_on=data.confirmed_on,
                        confirmed_by=data.confirmed_by, created_by=actor.username)
    for position, (partner, m) in enumerate(members):
        chain.members.append(ChainMember(
            partner_id=partner.id, role=m.role or partner.kind.value, position=position,
            required_schemes=m.required_schemes if m.required_schemes is not None
            else DEFAULT_REQUIRED.get(partner.kind, [])))
    for i, product_id in enumerate(dict.fromkeys(data.products)):
        products.get(session, product_id, f"products.{i}")
        chain.products.append(ChainProduct(product_id=product_id))
    for link in {(x.from_partner_id, x.to_partner_id) for x in data.links}:
        chain.links.append(ChainLink(from_partner_id=link[0], to_partner_id=link[1]))
    session.add(chain)
    session.flush()
    audit.append(session, actor, "create_chain", "supply_chain", chain.id,
                 data.model_dump(mode="json"))
    return chain


def _valid_schemes(session: Session, members: list[ChainMember],
                   day: date) -> dict[int, set[str]]:
    """For each member partner: the schemes it (or its areas and sites) holds valid on `day`."""
    ids = [m.partner_id for m in members]
    area_owner = dict(session.execute(select(GrowingArea.id, GrowingArea.holder_id)
                                      .where(GrowingArea.holder_id.in_(ids))).all())
    reg_owner = dict(session.execute(
        select(AquacultureRegistration.id, AquacultureRegistration.holder_id)
        .where(AquacultureRegistration.holder_id.in_(ids))).all())
    certs = session.execute(select(Certification).where(
        Certification.partner_id.in_(ids)
        | Certification.growing_area_id.in_(list(area_owner) or [-1])
        | Certification.aquaculture_registration_id.in_(list(reg_owner) or [-1]))).scalars().all()
    history: dict[int, list[StatusChange]] = defaultdict(list)
    for change in session.execute(select(StatusChange).where(
            StatusChange.subject_type == "certification",
            StatusChange.subject_id.in_([c.id for c in certs] or [-1]))
            .order_by(StatusChange.effective_on, StatusChange.id)).scalars():
        history[change.subject_id].append(change)
    held: dict[int, set[str]] = defaultdict(set)
    for cert in certs:
        if not validity.is_valid_on(cert, history[cert.id], day):
            continue
        owner = (cert.partner_id or area_owner.get(cert.growing_area_id or -1)
                 or reg_owner.get(cert.aquaculture_registration_id or -1))
        if owner is not None:
            held[owner].add(cert.scheme_key)
    return held


def verify(session: Session, chain: SupplyChain, day: date | None = None) -> ChainOut:
    """The chain with each member's status: verified when every member holds one of its
    required certificates valid on `day` (today by default)."""
    day = day or date.today()
    held = _valid_schemes(session, chain.members, day)
    international_schemes = set(session.execute(
        select(CertificationScheme.key).where(CertificationScheme.international)).scalars())
    statuses = []
    for m in chain.members:
        valid = sorted(held.get(m.partner_id, set()))
        required = list(m.required_schemes or [])
        ok = not required or bool(set(required) & set(valid))
        problem = None if ok else ("no valid certificate among: " + ", ".join(required))
        statuses.append(MemberStatus(
            partner_id=m.partner_id, name=m.partner.name, kind=m.partner.kind, role=m.role,
            province_code_current=m.partner.province_code_current, required_any_of=required,
            valid_certifications=valid, ok=ok,
            international=bool(set(valid) & international_schemes), problem=problem))
    return ChainOut(
        id=chain.id, name=chain.name, description=chain.description,
        provinces=chain.provinces or [], confirmed_on=chain.confirmed_on,
        confirmed_by=chain.confirmed_by,
        products=[{"id": p.product.id, "name_vi": p.product.name_vi, "gtin": p.product.gtin}
                  for p in chain.products],
        members=statuses,
        links=[LinkIn(from_partner_id=x.from_partner_id, to_partner_id=x.to_partner_id)
               for x in chain.links],
        verified=all(s.ok for s in statuses),
        international=_international(statuses),
        checked_on=day, created_at=chain.created_at)


MAKERS = frozenset({PartnerKind.PRODUCER, PartnerKind.COOPERATIVE, PartnerKind.PACKING_HOUSE,
                    PartnerKind.PROCESSOR, PartnerKind.SLAUGHTERHOUSE})


def _international(statuses: list[MemberStatus]) -> bool:
    """To international standard: every grower and processor holds an international scheme
    (GLOBALG.A.P., ASC, BAP, HACCP, ISO 22000, FSSC 22000, BRCGS, IFS) and all are verified."""
    makers = [s for s in statuses if s.kind in MAKERS]
    return bool(makers) and all(s.international for s in makers) and all(
        s.ok for s in statuses)


def list_chains(session: Session, province_code: str | None = None) -> list[SupplyChain]:
    """Every chain (optionally those with a member in a current province), by name."""
    stmt = select(SupplyChain).order_by(SupplyChain.name)
    if province_code:
        member_in = (select(ChainMember.chain_id).join(Partner)
                     .where(Partner.province_code_current == province_code.zfill(2)))
        stmt = stmt.where(SupplyChain.id.in_(member_in))
    return list(session.execute(stmt).scalars())


def partner_graph(session: Session, chain: SupplyChain) -> nx.DiGraph:
    """Members as nodes; edges for declared links and for shipments observed between members
    (edge attributes: declared, shipments, last_shipped_at)."""
    graph = nx.DiGraph()
    ids = [m.partner_id for m in chain.members]
    for m in chain.members:
        now = places.province(places.AdmScheme.VN2025, m.partner.province_code_current)
        graph.add_node(m.partner_id, name=m.partner.name, kind=m.partner.kind.value, role=m.role,
                       province=now.name if now else m.partner.province_code_current)
    for link in chain.links:
        graph.add_edge(link.from_partner_id, link.to_partner_id, declared=True, shipments=0)
    observed = session.execute(
        select(Shipment.from_partner_id, Shipment.to_partner_id, func.count(),
               func.max(Shipment.shipped_at))
        .where(Shipment.from_partner_id.in_(ids), Shipment.to_partner_id.in_(ids))
        .group_by(Shipment.from_partner_id, Shipment.to_partner_id)).all()
    for source, target, count, last in observed:
        if graph.has_edge(source, target):
            graph.edges[source, target].update(shipments=count, last_shipped_at=str(last))
        else:
            graph.add_edge(source, target, declared=False, shipments=count,
                           last_shipped_at=str(last))
    return graph


def graph_json(graph: nx.DiGraph) -> dict[str, Any]:
    """The partner graph as node-link JSON."""
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


def graph_svg(chain: SupplyChain, graph: nx.DiGraph, status: ChainOut) -> str:
    """The partner graph as an SVG picture, members without valid certificates in red."""
    ok = {s.partner_id: s.ok for s in status.members}
    boxes = {n: svg.Box([d["name"], PARTNER_KIND_VI.get(d["role"], d["role"]), d["province"],
                         "✓ chứng nhận hợp lệ" if ok.get(n) else "✗ thiếu chứng nhận"],
                        "retail" if d["kind"] == "retailer" else
                        ("origin" if d["kind"] in ("producer", "cooperative") else
                         "lot") if ok.get(n) else "alert")
             for n, d in graph.nodes(data=True)}
    labels = {(a, b): (f"{d['shipments']} chuyến" if d.get("shipments") else "khai báo")
              for a, b, d in graph.edges(data=True)}
    return svg.render(boxes, list(graph.edges), title=chain.name, edge_labels=labels)
