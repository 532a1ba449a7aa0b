"""Every ORM class of the registry, importable from one place (Alembic reads Base.metadata)."""

from registry.models.accounts import ApiToken, AuditEntry, AuditHead, IdempotencyKey, User
from registry.models.base import Base, PlaceMixin, enum_column, utcnow
from registry.models.chains import ChainLink, ChainMember, ChainProduct, SupplyChain
from registry.models.enums import (
    DeclarationKind,
    FarmingForm,
    FarmingMethod,
    GrowingAreaKind,
    HolderType,
    PartnerKind,
    ProductCategory,
    RecordStatus,
    Role,
)
from registry.models.epcis import EpcisAlias, EpcisCapture, EpcisEpc, EpcisEvent
from registry.models.indicators import IndicatorTarget
from registry.models.lots import (
    Event,
    EventKind,
    Holding,
    Lot,
    LotEdge,
    LotStatus,
    OriginType,
    Shipment,
    ShipmentStatus,
    Transformation,
    TransformationInput,
)
from registry.models.monitoring import (
    CaseAction,
    CaseAgency,
    CaseLot,
    CaseStatus,
    Comparator,
    Notification,
    Recall,
    RecallAck,
    RecallLot,
    RecallRecipient,
    RecallScope,
    ResidueLimit,
    Sample,
    SampleResult,
    SamplingPlan,
    Verdict,
    ViolationCase,
)
from registry.models.qr import (
    ConsumerReport,
    QrIssue,
    Scan,
    ScanCount,
    ScanFlag,
    ScanThreshold,
)
from registry.models.registry import (
    AquacultureRegistration,
    Certification,
    CertificationScheme,
    GrowingArea,
    Partner,
    Product,
    StatusChange,
)
from registry.models.supermarkets import (
    ApprovedSupplier,
    GateMode,
    IssuedVerification,
    ReceiptCheck,
    ReceivingGate,
    SupplierAlert,
    YieldBand,
)

__all__ = [
    "CaseAction", "CaseAgency", "CaseLot", "CaseStatus", "Comparator", "Notification", "Recall",
    "RecallAck", "RecallLot", "RecallRecipient", "RecallScope", "ResidueLimit", "Sample",
    "SampleResult", "SamplingPlan", "Verdict", "ViolationCase",
    "ChainLink", "ChainMember", "ChainProduct", "SupplyChain",
    "Event", "EventKind", "Holding", "Lot", "LotEdge", "LotStatus", "OriginType", "Shipment",
    "ShipmentStatus", "Transformation", "TransformationInput", "IndicatorTarget",
    "ApiToken", "AquacultureRegistration", "AuditEntry", "AuditHead", "Base", "Certification",
    "IdempotencyKey",
    "CertificationScheme", "DeclarationKind", "FarmingForm", "FarmingMethod", "GrowingArea",
    "GrowingAreaKind", "HolderType", "Partner", "PartnerKind", "PlaceMixin", "Product",
    "ProductCategory", "RecordStatus", "Role", "StatusChange", "User", "enum_column", "utcnow",
    "ApprovedSupplier", "GateMode", "IssuedVerification", "ReceiptCheck", "ReceivingGate",
    "SupplierAlert", "YieldBand",
    "ConsumerReport", "QrIssue", "Scan", "ScanCount", "ScanFlag", "ScanThreshold",
    "EpcisAlias", "EpcisCapture", "EpcisEpc", "EpcisEvent",
]
