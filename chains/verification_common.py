"""What supplier and lot verification share: who may see a verification, and the certificates
of a set of partners (held directly or by their growing areas and aquaculture registrations)
with their dated status histories, loaded in a fixed number of IN-list queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import lineage
from registry import aquaculture, certifications, growing_areas, validity
from registry.actors import Actor
from registry.errors import Forbidden
from registry.models import (
    ApprovedSupplier,
    AquacultureRegistration,
    Certification,
    GrowingArea,
    Lot,
    Shipment,
    StatusChange,
)


def histories(session: Session, subject_type: str,
              ids: set[int] | list[int]) -> dict[int, list[StatusChange]]:
    """Status changes of many records of one type, oldest first, by record id."""
    found: dict[int, list[StatusChange]] = defaultdict(list)
    for (change,) in lineage.rows_in(session, lambda c: select(StatusChange).where(
            StatusChange.subject_type == subject_type, StatusChange.subject_id.in_(c))
            .order_by(StatusChange.effective_on, StatusChange.id), ids):
        found[change.subject_id].append(change)
    return found


@dataclass
class CertIndex:
    """Certificates of some partners and of their sites, with status histories."""

    areas: dict[int, GrowingArea] = field(default_factory=dict)
    registrations: dict[int, AquacultureRegistration] = field(default_factory=dict)
    certs: list[Certification] = field(default_factory=list)
    history: dict[int, list[StatusChange]] = field(default_factory=dict)
    area_history: dict[int, list[StatusChange]] = field(default_factory=dict)
    registration_history: dict[int, list[StatusChange]] = field(default_factory=dict)

    def owner(self, cert: Certification) -> int | None:
        """The partner a certificate counts for (its holder, or the holder of its site)."""
        if cert.partner_id is not None:
            return cert.partner_id
        if cert.growing_area_id in self.areas:
            return self.areas[cert.growing_area_id].holder_id
        if cert.aquaculture_registration_id in self.registrations:
            return self.registrations[cert.aquaculture_registration_id].holder_id
        return None

    def is_valid(self, cert: Certification, day: date) -> bool:
        """Whether the certificate was valid on `day`."""
        return validity.is_valid_on(cert, self.history.get(cert.id, []), day)

    def valid_schemes(self, partner_id: int, day: date, *,
                      site: tuple[str, int] | None = None) -> set[str]:
        """Schemes valid on `day` for a partner: its own certificates plus those of one site
        (`site` = ("growing_area_id", id)) or, without `site`, of every site it holds."""
        found = set()
        for cert in self.certs:
            if cert.partner_id is not None:
                if cert.partner_id != partner_id:
                    continue
            elif site is not None:
                if getattr(cert, site[0]) != site[1]:
                    continue
            elif self.owner(cert) != partner_id:
                continue
            if self.is_valid(cert, day):
                found.add(cert.scheme_key)
        return found


def cert_index(session: Session, partner_ids: set[int], extra_area_ids: Iterable[int] = (),
               extra_registration_ids: Iterable[int] = ()) -> CertIndex:
    """Certificates of these partners and of every site they hold (plus some extra sites)."""
    index = CertIndex()
    index.areas = {a.id: a for (a,) in lineage.rows_in(session, lambda c: select(GrowingArea)
                                                       .where(GrowingArea.holder_id.in_(c)),
                                                       partner_ids)}
    index.areas.update({a.id: a for (a,) in lineage.rows_in(
        session, lambda c: select(GrowingArea).where(GrowingArea.id.in_(c)),
        set(extra_area_ids) - set(index.areas))})
    index.registrations = {r.id: r for (r,) in lineage.rows_in(
        session, lambda c: select(AquacultureRegistration)
        .where(AquacultureRegistration.holder_id.in_(c)), partner_ids)}
    index.registrations.update({r.id: r for (r,) in lineage.rows_in(
        session, lambda c: select(AquacultureRegistration)
        .where(AquacultureRegistration.id.in_(c)),
        set(extra_registration_ids) - set(index.registrations))})
    certs = {c.id: c for (c,) in lineage.rows_in(session, lambda c: select(Certification).where(
        Certification.partner_id.in_(c)), partner_ids)}
    certs.update({c.id: c for (c,) in lineage.rows_in(session, lambda c: select(Certification)
                                                      .where(Certification.growing_area_id
                                                             .in_(c)), index.areas)})
    certs.update({c.id: c for (c,) in lineage.rows_in(
        session, lambda c: select(Certification).where(
            Certification.aquaculture_registration_id.in_(c)), index.registrations)})
    index.certs = sorted(certs.values(), key=lambda c: (c.scheme_key, c.issued_on, c.id))
    index.history = histories(session, certifications.SUBJECT, set(certs))
    index.area_history = histories(session, growing_areas.SUBJECT, set(index.areas))
    index.registration_history = histories(session, aquaculture.SUBJECT,
                                           set(index.registrations))
    return index


def ensure_may_verify_partner(session: Session, actor: Actor, partner_id: int) -> None:
    """Agencies and admins verify any partner; a partner verifies its own suppliers (partners
    it received from, or has approved); nobody else."""
    if actor.is_admin or actor.is_agency:
        return
    mine = actor.partner_id
    if mine is not None:
        received = session.execute(select(Shipment.id).where(
            Shipment.to_partner_id == mine, Shipment.from_partner_id == partner_id)
            .limit(1)).first()
        approved = session.execute(select(ApprovedSupplier.id).where(
            ApprovedSupplier.retailer_id == mine, ApprovedSupplier.supplier_id == partner_id)
            .limit(1)).first()
        if received is not None or approved is not None:
            return
    raise Forbidden(f"partner {partner_id} is not one of your suppliers: a partner sees "
                    "verifications of partners it received from or approved")


def ensure_may_verify_lot(session: Session, actor: Actor, lot: Lot) -> None:
    """Agencies and admins verify any lot; a partner verifies lots shipped to it."""
    if actor.is_admin or actor.is_agency:
        return
    if actor.partner_id is not None and session.execute(select(Shipment.id).where(
            Shipment.lot_id == lot.id, Shipment.to_partner_id == actor.partner_id)
            .limit(1)).first() is not None:
        return
    raise Forbidden(f"lot {lot.lot_code} was not shipped to you: a partner sees verifications "
                    "of lots it received")
