"""Partners, growing areas, aquaculture registrations, products and certifications."""

from __future__ import annotations

from api import database
from api.openapi import operation
from api.v1 import bp
from registry import (
    aquaculture,
    certifications,
    growing_areas,
    partners,
    products,
    unverified,
    validity,
)
from registry.actors import Actor
from registry.paging import Page


def _commit() -> None:
    database.session().commit()


# -- partners ---------------------------------------------------------------------------------

@operation(bp, "POST", "/partners", summary="Register a partner", tag="partners",
           body=partners.PartnerIn, response=partners.PartnerOut, status=201)
def create_partner(actor: Actor, body: partners.PartnerIn) -> partners.PartnerOut:
    """Register a farm, cooperative, collector, packer, processor, seller or agency."""
    partner = partners.register_partner(database.session(), actor, body)
    _commit()
    return partners.to_out(partner)


@operation(bp, "GET", "/partners", summary="List and search partners", tag="partners",
           query=partners.PartnerQuery, response=Page[partners.PartnerOut])
def list_partners(query: partners.PartnerQuery) -> Page[partners.PartnerOut]:
    """One page of partners."""
    return partners.list_partners(database.session(), query)


@operation(bp, "GET", "/partners/<int:partner_id>", summary="A partner", tag="partners",
           response=partners.PartnerOut)
def get_partner(partner_id: int) -> partners.PartnerOut:
    """One partner."""
    return partners.to_out(partners.get(database.session(), partner_id, "partner_id"))


@operation(bp, "PATCH", "/partners/<int:partner_id>", summary="Change a partner's details",
           tag="partners", body=partners.PartnerPatch, response=partners.PartnerOut)
def patch_partner(actor: Actor, partner_id: int,
                  body: partners.PartnerPatch) -> partners.PartnerOut:
    """Change name, place, tax code, GLN or contacts."""
    partner = partners.update_partner(database.session(), actor, partner_id, body)
    _commit()
    return partners.to_out(partner)


@operation(bp, "POST", "/partners/<int:partner_id>/verify",
           summary="Mark a partner an EPCIS capture created as verified", tag="partners",
           response=partners.PartnerOut)
def mark_partner_verified(actor: Actor, partner_id: int) -> partners.PartnerOut:
    """An agency of the partner's province (or an admin) checked it (`GET /partners?verified=
    false` lists those to check); verifying a verified partner changes nothing."""
    partner = unverified.verify_partner(database.session(), actor, partner_id)
    _commit()
    return partners.to_out(partner)


# -- growing areas ----------------------------------------------------------------------------

@operation(bp, "POST", "/growing-areas", summary="Issue a growing-area code",
           tag="growing areas", body=growing_areas.GrowingAreaIn,
           response=growing_areas.GrowingAreaOut, status=201)
def create_growing_area(actor: Actor,
                        body: growing_areas.GrowingAreaIn) -> growing_areas.GrowingAreaOut:
    """Issue (or record) a growing-area code (mã số vùng trồng)."""
    area = growing_areas.register_growing_area(database.session(), actor, body)
    _commit()
    return growing_areas.to_out(area)


@operation(bp, "GET", "/growing-areas", summary="List and search growing areas",
           tag="growing areas", query=growing_areas.GrowingAreaQuery,
           response=Page[growing_areas.GrowingAreaOut])
def list_growing_areas(
        query: growing_areas.GrowingAreaQuery) -> Page[growing_areas.GrowingAreaOut]:
    """One page of growing areas; `valid_on` keeps those valid on a day."""
    return growing_areas.list_growing_areas(database.session(), query)


@operation(bp, "GET", "/growing-areas/<code>", summary="A growing area", tag="growing areas",
           response=growing_areas.GrowingAreaOut)
def get_growing_area(code: str) -> growing_areas.GrowingAreaOut:
    """One growing area by its code (any case)."""
    return growing_areas.to_out(growing_areas.get(database.session(), code, "code"))


@operation(bp, "POST", "/growing-areas/<code>/status",
           summary="Suspend, revoke or reinstate a growing-area code", tag="growing areas",
           body=validity.StatusChangeIn, response=growing_areas.GrowingAreaOut)
def change_growing_area_status(actor: Actor, code: str,
                               body: validity.StatusChangeIn) -> growing_areas.GrowingAreaOut:
    """A dated status change with its reason."""
    area = growing_areas.change_status(database.session(), actor, code, body)
    _commit()
    return growing_areas.to_out(area)


@operation(bp, "GET", "/growing-areas/<code>/status", summary="A growing area's status history",
           tag="growing areas", response=list[validity.StatusChangeOut])
def growing_area_history(code: str) -> list[validity.StatusChangeOut]:
    """Every dated status change, oldest first."""
    session = database.session()
    area = growing_areas.get(session, code, "code")
    return [validity.StatusChangeOut.model_validate(c)
            for c in validity.history(session, growing_areas.SUBJECT, area.id)]


# -- aquaculture registrations ----------------------------------------------------------------

@operation(bp, "POST", "/aquaculture-registrations", summary="Issue an aquaculture registration",
           tag="aquaculture", body=aquaculture.AquacultureRegistrationIn,
           response=aquaculture.AquacultureRegistrationOut, status=201)
def create_aquaculture_registration(
        actor: Actor,
        body: aquaculture.AquacultureRegistrationIn) -> aquaculture.AquacultureRegistrationOut:
    """Issue (or record) a registration of a cage, raft or pond site (form 28.NT)."""
    reg = aquaculture.register(database.session(), actor, body)
    _commit()
    return aquaculture.to_out(reg)


@operation(bp, "GET", "/aquaculture-registrations", summary="List aquaculture registrations",
           tag="aquaculture", query=aquaculture.AquacultureQuery,
           response=Page[aquaculture.AquacultureRegistrationOut])
def list_aquaculture_registrations(
        query: aquaculture.AquacultureQuery) -> Page[aquaculture.AquacultureRegistrationOut]:
    """One page of registrations."""
    return aquaculture.list_registrations(database.session(), query)


@operation(bp, "GET", "/aquaculture-registrations/<path:number>",
           summary="An aquaculture registration", tag="aquaculture",
           response=aquaculture.AquacultureRegistrationOut)
def get_aquaculture_registration(number: str) -> aquaculture.AquacultureRegistrationOut:
    """One registration by its number (any case)."""
    return aquaculture.to_out(aquaculture.get(database.session(), number, "number"))


@operation(bp, "POST", "/aquaculture-registrations/<path:number>/status",
           summary="Suspend, revoke or reinstate a registration", tag="aquaculture",
           body=validity.StatusChangeIn, response=aquaculture.AquacultureRegistrationOut)
def change_aquaculture_status(
        actor: Actor, number: str,
        body: validity.StatusChangeIn) -> aquaculture.AquacultureRegistrationOut:
    """A dated status change with its reason."""
    reg = aquaculture.change_status(database.session(), actor, number, body)
    _commit()
    return aquaculture.to_out(reg)


# -- products ---------------------------------------------------------------------------------

@operation(bp, "POST", "/products", summary="Register a product", tag="products",
           body=products.ProductIn, response=products.ProductOut, status=201)
def create_product(actor: Actor, body: products.ProductIn) -> products.ProductOut:
    """Register a product, with its GTIN and OCOP rating when it has them."""
    product = products.register_product(database.session(), actor, body)
    _commit()
    return products.to_out(product)


@operation(bp, "GET", "/products", summary="List and search products", tag="products",
           query=products.ProductQuery, response=Page[products.ProductOut])
def list_products(query: products.ProductQuery) -> Page[products.ProductOut]:
    """One page of products."""
    return products.list_products(database.session(), query)


@operation(bp, "GET", "/products/<int:product_id>", summary="A product", tag="products",
           response=products.ProductOut)
def get_product(product_id: int) -> products.ProductOut:
    """One product."""
    return products.to_out(products.get(database.session(), product_id, "product_id"))


@operation(bp, "PATCH", "/products/<int:product_id>", summary="Change a product's details",
           tag="products", body=products.ProductPatch, response=products.ProductOut)
def patch_product(actor: Actor, product_id: int,
                  body: products.ProductPatch) -> products.ProductOut:
    """Change names, category, description, photo or declaration: its owner, an agency of the
    owner's province, or an admin. The GTIN, owner and OCOP rating do not change here."""
    product = products.update_product(database.session(), actor, product_id, body)
    _commit()
    return products.to_out(product)


@operation(bp, "POST", "/products/<int:product_id>/verify",
           summary="Mark a product an EPCIS capture created as verified", tag="products",
           response=products.ProductOut)
def mark_product_verified(actor: Actor, product_id: int) -> products.ProductOut:
    """An agency of the owner's province (or an admin) checked it (`GET /products?verified=
    false` lists those to check); verifying a verified product changes nothing."""
    product = unverified.verify_product(database.session(), actor, product_id)
    _commit()
    return products.to_out(product)


# -- certifications ---------------------------------------------------------------------------

@operation(bp, "POST", "/certifications", summary="Record a certification",
           tag="certifications", body=certifications.CertificationIn,
           response=certifications.CertificationOut, status=201)
def create_certification(actor: Actor,
                         body: certifications.CertificationIn) -> certifications.CertificationOut:
    """Record a certificate or commitment and its holder."""
    session = database.session()
    cert = certifications.record_certification(session, actor, body)
    _commit()
    return certifications.to_out(session, cert)


@operation(bp, "GET", "/certifications", summary="List certifications (valid on a day)",
           tag="certifications", query=certifications.CertificationQuery,
           response=Page[certifications.CertificationOut])
def list_certifications(
        query: certifications.CertificationQuery) -> Page[certifications.CertificationOut]:
    """One page of certifications; `valid_on` keeps those valid on that day."""
    return certifications.list_certifications(database.session(), query)


@operation(bp, "GET", "/certifications/<int:certification_id>", summary="A certification",
           tag="certifications", response=certifications.CertificationOut)
def get_certification(certification_id: int) -> certifications.CertificationOut:
    """One certification."""
    session = database.session()
    return certifications.to_out(session, certifications.get(session, certification_id))


@operation(bp, "POST", "/certifications/<int:certification_id>/status",
           summary="Suspend, revoke or reinstate a certification", tag="certifications",
           body=validity.StatusChangeIn, response=certifications.CertificationOut)
def change_certification_status(actor: Actor, certification_id: int,
                                body: validity.StatusChangeIn) -> certifications.CertificationOut:
    """A dated status change with its reason."""
    session = database.session()
    cert = certifications.change_status(session, actor, certification_id, body)
    _commit()
    return certifications.to_out(session, cert)


@operation(bp, "GET", "/certification-schemes", summary="Certification schemes",
           tag="certifications", response=list[certifications.SchemeOut])
def list_schemes() -> list[certifications.SchemeOut]:
    """Every scheme the registry knows."""
    return certifications.list_schemes(database.session())


@operation(bp, "POST", "/certification-schemes", summary="Add a certification scheme (admins)",
           tag="certifications", body=certifications.SchemeIn,
           response=certifications.SchemeOut, status=201)
def create_scheme(actor: Actor, body: certifications.SchemeIn) -> certifications.SchemeOut:
    """Extend the scheme table."""
    scheme = certifications.add_scheme(database.session(), actor, body)
    _commit()
    return certifications.SchemeOut.model_validate(scheme)
