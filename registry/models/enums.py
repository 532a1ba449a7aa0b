"""Closed vocabularies of the registry (stored as their values)."""

from __future__ import annotations

from enum import StrEnum


class PartnerKind(StrEnum):
    """What an organisation or household does in a chain."""

    PRODUCER = "producer"
    COOPERATIVE = "cooperative"
    COLLECTOR = "collector"
    PACKING_HOUSE = "packing_house"
    SLAUGHTERHOUSE = "slaughterhouse"
    PROCESSOR = "processor"
    DISTRIBUTOR = "distributor"
    WHOLESALE_MARKET = "wholesale_market"
    RETAILER = "retailer"
    AGENCY = "agency"


class RecordStatus(StrEnum):
    """Lifecycle of an issued code, registration or certificate."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class GrowingAreaKind(StrEnum):
    """Domestic codes (Decision 3156/QĐ-BNN-TT) or export codes (importer protocols)."""

    DOMESTIC = "domestic"
    EXPORT = "export"


class FarmingForm(StrEnum):
    """Aquaculture farming form (Circular 24/2018/TT-BNNPTNT)."""

    CAGE = "cage"
    RAFT = "raft"
    POND = "pond"
    TANK = "tank"
    TIDAL_FLAT = "tidal_flat"
    OTHER = "other"


class FarmingMethod(StrEnum):
    """Aquaculture farming method (thâm canh / bán thâm canh / quảng canh)."""

    INTENSIVE = "intensive"
    SEMI_INTENSIVE = "semi_intensive"
    EXTENSIVE = "extensive"
    OTHER = "other"


class ProductCategory(StrEnum):
    """Product groups used by limits, yields and the plans' indicators."""

    FRUIT = "fruit"
    VEGETABLE = "vegetable"
    RICE_CEREAL = "rice_cereal"
    TEA_COFFEE = "tea_coffee"
    SEAFOOD = "seafood"
    MEAT = "meat"
    LIVESTOCK = "livestock"
    EGGS_MILK = "eggs_milk"
    HONEY = "honey"
    PROCESSED_PREPACKAGED = "processed_prepackaged"
    BEVERAGE = "beverage"
    MEDICINAL = "medicinal"
    OTHER = "other"


class HolderType(StrEnum):
    """What a certification is issued to."""

    PARTNER = "partner"
    GROWING_AREA = "growing_area"
    AQUACULTURE_REGISTRATION = "aquaculture_registration"
    PRODUCT = "product"


class Role(StrEnum):
    """Who a user is to the registry (DESIGN.md section 6)."""

    ADMIN = "admin"
    AGENCY = "agency"
    PARTNER = "partner"


class DeclarationKind(StrEnum):
    """How a pre-packaged product was declared (Decree 15/2018, Decree 46/2026)."""

    SELF_DECLARED = "self_declared"
    CONFORMITY_REGISTERED = "conformity_registered"
