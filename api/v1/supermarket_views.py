"""Supermarkets: supplier and incoming-lot verification (JSON and signed PDF), the check of an
issued verification, receiving gates, approved-supplier lists, alerts and yield bands."""

from __future__ import annotations

from flask import Response, current_app
from pydantic import BaseModel, Field

from api import database
from api.openapi import operation
from api.v1 import bp
from chains import lot_verification, supplier_alerts, supplier_verification, verification_pdf
from chains import yields as yield_bands
from chains.verification_common import ensure_may_verify_lot, ensure_may_verify_partner
from registry import approved_suppliers, issued_verifications, lots, partners, receiving_gates
from registry.actors import Actor
from registry.models import IssuedVerification

PDF = "application/pdf"


class LotVerificationQuery(BaseModel):
    """Whose receipt the lot is verified for (partners: always themselves)."""

    for_partner_id: int | None = Field(default=None, description="the receiving partner: "
                                       "shipments to others are not on the path")


class SupplierQuery(BaseModel):
    """Which supplier to take off the list."""

    supplier_id: int


class SignatureQuery(BaseModel):
    """A signature read off a document, to compare."""

    signature: str | None = Field(default=None, max_length=64)


def _secret() -> str:
    secret: str = current_app.config["SECRET_KEY"]
    return secret


def _pdf(body: bytes, filename: str) -> Response:
    return Response(body, mimetype=PDF,
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _stamp(record: IssuedVerification) -> verification_pdf.Stamp:
    base = current_app.config["NGUONGOC"].base_url.rstrip("/")
    return verification_pdf.Stamp(record.id, record.issued_at, record.issued_by,
                                  record.signature, f"{base}/api/v1/verifications/{record.id}")


def supplier_verification_of(actor: Actor, partner_id: int
                             ) -> supplier_verification.SupplierVerificationOut:
    """The supplier verification the actor may see."""
    session = database.session()
    partners.get(session, partner_id, "id")  # 404 before 403
    ensure_may_verify_partner(session, actor, partner_id)
    return supplier_verification.verify_supplier(session, partner_id)


def lot_verification_of(actor: Actor, lot_code: str, for_partner_id: int | None = None
                        ) -> lot_verification.LotVerificationOut:
    """The lot verification the actor may see (a partner: as its own receipt)."""
    session = database.session()
    lot = lots.get(session, lot_code)
    ensure_may_verify_lot(session, actor, lot)
    if actor.is_partner:
        for_partner_id = actor.partner_id
    return lot_verification.verify_lot(session, lot.lot_code, for_partner_id=for_partner_id)


def supplier_document(actor: Actor, partner_id: int) -> Response:
    """Issue, sign and print a supplier verification."""
    result = supplier_verification_of(actor, partner_id)
    record = issued_verifications.issue(
        database.session(), actor, subject_type="partner", subject_ref=str(partner_id),
        verdict=result.verdict.value, secret=_secret(),
        reasons=[r.model_dump(mode="json") for r in result.reasons])
    body = verification_pdf.supplier_pdf(result, _stamp(record))
    database.session().commit()
    return _pdf(body, f"xac-minh-nha-cung-cap-{partner_id}-{record.id}.pdf")


def lot_document(actor: Actor, lot_code: str, for_partner_id: int | None = None) -> Response:
    """Issue, sign and print an incoming-lot verification."""
    result = lot_verification_of(actor, lot_code, for_partner_id)
    record = issued_verifications.issue(
        database.session(), actor, subject_type="lot", subject_ref=result.lot_code,
        for_partner_id=result.for_partner_id, verdict=result.verdict.value, secret=_secret(),
        reasons=[r.model_dump(mode="json") for r in result.reasons])
    body = verification_pdf.lot_pdf(result, _stamp(record))
    database.session().commit()
    return _pdf(body, f"xac-minh-lo-{result.lot_code}-{record.id}.pdf")


@operation(bp, "GET", "/partners/<int:partner_id>/verification", tag="supermarkets",
           summary="Verify a supplier: certificates, codes, chains, cases, recalls, samples",
           response=supplier_verification.SupplierVerificationOut)
def verify_partner(actor: Actor, partner_id: int) -> supplier_verification.SupplierVerificationOut:
    """Verdict approved, conditional or rejected, with the reasons and the facts."""
    return supplier_verification_of(actor, partner_id)


@operation(bp, "GET", "/partners/<int:partner_id>/verification.pdf", tag="supermarkets",
           summary="A supplier verification as a signed PDF", produces=(PDF,))
def verify_partner_pdf(actor: Actor, partner_id: int) -> Response:
    """Issues the verification (stored, HMAC-signed) and prints it."""
    return supplier_document(actor, partner_id)


@operation(bp, "GET", "/lots/<lot_code>/verification", tag="supermarkets",
           summary="Verify an incoming lot along its whole backward trace",
           query=LotVerificationQuery, response=lot_verification.LotVerificationOut)
def verify_lot(actor: Actor, lot_code: str,
               query: LotVerificationQuery) -> lot_verification.LotVerificationOut:
    """Origins, handlers' certificates, lot status, samples, yields and balances."""
    return lot_verification_of(actor, lot_code, query.for_partner_id)


@operation(bp, "GET", "/lots/<lot_code>/verification.pdf", tag="supermarkets",
           summary="An incoming-lot verification as a signed PDF", query=LotVerificationQuery,
           produces=(PDF,))
def verify_lot_pdf(actor: Actor, lot_code: str, query: LotVerificationQuery) -> Response:
    """Issues the verification (stored, HMAC-signed) and prints it."""
    return lot_document(actor, lot_code, query.for_partner_id)


@operation(bp, "GET", "/verifications/<verification_id>", tag="supermarkets",
           summary="Check an issued verification (and a signature read off the document)",
           query=SignatureQuery, response=issued_verifications.IssuedOut)
def check_verification(verification_id: str,
                       query: SignatureQuery) -> issued_verifications.IssuedOut:
    """`intact` is false when the stored record no longer matches its signature."""
    return issued_verifications.check(database.session(), verification_id, _secret(),
                                      query.signature)


@operation(bp, "GET", "/partners/<int:partner_id>/receiving-gate", tag="supermarkets",
           summary="A retailer's receiving gate", response=receiving_gates.GateOut)
def get_gate(actor: Actor, partner_id: int) -> receiving_gates.GateOut:
    """off, warn or refuse."""
    return receiving_gates.get_gate(database.session(), actor, partner_id)


@operation(bp, "PUT", "/partners/<int:partner_id>/receiving-gate", tag="supermarkets",
           summary="Set a retailer's receiving gate: off, warn or refuse",
           body=receiving_gates.GateIn, response=receiving_gates.GateOut)
def set_gate(actor: Actor, partner_id: int,
             body: receiving_gates.GateIn) -> receiving_gates.GateOut:
    """warn records the verdict on each receipt; refuse also refuses rejected lots (409)."""
    gate = receiving_gates.set_gate(database.session(), actor, partner_id, body)
    database.session().commit()
    return gate


@operation(bp, "GET", "/shipments/<int:shipment_id>/receipt-check", tag="supermarkets",
           summary="The verdict a receiving gate recorded on a receipt",
           response=receiving_gates.ReceiptCheckOut)
def receipt_check(actor: Actor, shipment_id: int) -> receiving_gates.ReceiptCheckOut:
    """Verdict and reasons when the shipment was received."""
    return receiving_gates.receipt_check(database.session(), actor, shipment_id)


@operation(bp, "POST", "/partners/<int:partner_id>/approved-suppliers", tag="supermarkets",
           summary="Approve a supplier", body=approved_suppliers.ApprovalIn,
           response=approved_suppliers.ApprovalOut, status=201)
def approve_supplier(actor: Actor, partner_id: int,
                     body: approved_suppliers.ApprovalIn) -> approved_suppliers.ApprovalOut:
    """For some products or categories, with a note."""
    session = database.session()
    row = approved_suppliers.approve(session, actor, partner_id, body)
    session.commit()
    return approved_suppliers.to_out(row, partners.get(session, row.supplier_id))


@operation(bp, "GET", "/partners/<int:partner_id>/approved-suppliers", tag="supermarkets",
           summary="A retailer's approved suppliers",
           response=list[approved_suppliers.ApprovalOut])
def list_approved_suppliers(actor: Actor, partner_id: int) -> list[approved_suppliers.ApprovalOut]:
    """By supplier name."""
    return approved_suppliers.list_approved(database.session(), actor, partner_id)


@operation(bp, "DELETE", "/partners/<int:partner_id>/approved-suppliers/<int:supplier_id>",
           tag="supermarkets", summary="Take a supplier off the approved list", status=204)
def remove_approved_supplier(actor: Actor, partner_id: int, supplier_id: int) -> Response:
    """No content."""
    return _remove(actor, partner_id, supplier_id)


def _remove(actor: Actor, partner_id: int, supplier_id: int) -> Response:
    approved_suppliers.remove(database.session(), actor, partner_id, supplier_id)
    database.session().commit()
    return Response(status=204)


@operation(bp, "DELETE", "/partners/<int:partner_id>/approved-suppliers", tag="supermarkets",
           summary="Take a supplier off the approved list (?supplier_id=)", query=SupplierQuery,
           status=204)
def remove_approved_supplier_by_query(actor: Actor, partner_id: int,
                                      query: SupplierQuery) -> Response:
    """The same as DELETE .../approved-suppliers/{supplier_id}."""
    return _remove(actor, partner_id, query.supplier_id)


@operation(bp, "GET", "/partners/<int:partner_id>/supplier-alerts", tag="supermarkets",
           summary="Alerts about a retailer's approved suppliers",
           response=list[supplier_alerts.AlertOut])
def list_supplier_alerts(actor: Actor, partner_id: int) -> list[supplier_alerts.AlertOut]:
    """Newest first; each also went to the retailer's inbox."""
    return supplier_alerts.list_alerts(database.session(), actor, partner_id)


@operation(bp, "GET", "/yield-bands", tag="supermarkets", summary="Yield bands",
           response=list[yield_bands.YieldBandOut])
def list_yield_bands() -> list[yield_bands.YieldBandOut]:
    """How much output a transformation may make from its inputs, by kind and category."""
    return yield_bands.list_bands(database.session())


@operation(bp, "POST", "/yield-bands", tag="supermarkets", summary="Add a yield band (admins)",
           body=yield_bands.YieldBandIn, response=yield_bands.YieldBandOut, status=201)
def create_yield_band(actor: Actor, body: yield_bands.YieldBandIn) -> yield_bands.YieldBandOut:
    """The most specific matching band applies."""
    band = yield_bands.save_band(database.session(), actor, body)
    database.session().commit()
    return yield_bands.YieldBandOut.model_validate(band)


@operation(bp, "PUT", "/yield-bands/<int:band_id>", tag="supermarkets",
           summary="Replace a yield band (admins)", body=yield_bands.YieldBandIn,
           response=yield_bands.YieldBandOut)
def replace_yield_band(actor: Actor, band_id: int,
                       body: yield_bands.YieldBandIn) -> yield_bands.YieldBandOut:
    """Every field as given."""
    band = yield_bands.save_band(database.session(), actor, body, band_id)
    database.session().commit()
    return yield_bands.YieldBandOut.model_validate(band)


@operation(bp, "DELETE", "/yield-bands/<int:band_id>", tag="supermarkets",
           summary="Remove a yield band (admins)", status=204)
def delete_yield_band(actor: Actor, band_id: int) -> Response:
    """No content."""
    yield_bands.delete_band(database.session(), actor, band_id)
    database.session().commit()
    return Response(status=204)
