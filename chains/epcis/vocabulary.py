"""CBV 2.0 vocabularies: business steps, dispositions, business transaction types, source and
destination types, error reasons and sensor terms, in short names and their URI forms."""

from __future__ import annotations

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"

BIZ_STEPS = frozenset("""
accepting arriving assembling collecting commissioning consigning creating_class_instance
cycle_counting decommissioning departing destroying disassembling dispensing encoding
entering_exiting holding inspecting installing killing loading other packing picking receiving
removing repackaging repairing replacing reserving retail_selling sampling sensor_reporting
shipping staging_outbound stock_taking stocking storing transporting unloading unpacking
void_shipping
""".split())
DISPOSITIONS = frozenset("""
active available completeness_inferred completeness_verified conformant container_closed
container_open damaged destroyed dispensed disposed encoded expired in_progress in_transit
inactive mismatch_class mismatch_instance mismatch_quantity needs_replacement no_pedigree_match
non_conformant non_sellable_other partially_dispensed recalled reserved retail_sold returned
sellable_accessible sellable_not_accessible stolen unavailable unknown
""".split())
BIZ_TRANSACTION_TYPES = frozenset(
    "bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt".split())
SOURCE_DEST_TYPES = frozenset(("owning_party", "possessing_party", "location"))
ERROR_REASONS = frozenset(("did_not_occur", "incorrect_data"))
COMPONENTS = frozenset("""
x y z axial_distance azimuth height spherical_radius polar_angle elevation_angle easting
northing latitude longitude altitude
""".split())
SENSOR_ALERTS = frozenset(("ALARM_CONDITION", "ERROR_CONDITION"))
_CBV_SPACES = ("urn:epcglobal:cbv:", "https://ref.gs1.org/cbv/", "http://ref.gs1.org/cbv/",
               "https://ns.gs1.org/cbv/", "http://ns.gs1.org/cbv/", "cbv:")


class Vocabulary:
    """One CBV vocabulary: its terms, web URI prefix (`https://ref.gs1.org/cbv/BizStep-`) and
    EPCIS 1.x URN prefix (`urn:epcglobal:cbv:bizstep:`)."""

    def __init__(self, name: str, terms: frozenset[str], web: str, urn: str | None) -> None:
        self.name, self.terms, self.urn = name, terms, urn
        self._uris: dict[str, str] = {}
        self.web = CBV + web
        self._cbv_forms = tuple(f"{host}{web}" for host in (
            "https://ref.gs1.org/cbv/", "http://ref.gs1.org/cbv/", "https://ns.gs1.org/cbv/",
            "http://ns.gs1.org/cbv/", "https://gs1.org/voc/", "cbv:"))

    def normalise(self, value: str) -> str:
        """The short name of a CBV term given in any form; other URIs unchanged; ValueError for
        an unknown short name or an unknown term in a CBV namespace."""
        term = value
        if self.urn and value.startswith(self.urn):
            term = value[len(self.urn):]
        else:
            for form in self._cbv_forms:
                if value.startswith(form):
                    term = value[len(form):]
                    break
            else:
                if value in self.terms:
                    return value
                if ":" in value and " " not in value and not value.startswith(_CBV_SPACES):
                    return value  # a private vocabulary URI (CBV allows them), e.g. GDST's
        if term not in self.terms:
            raise ValueError(f"{value!r} is not a CBV 2.0 {self.name}")
        return term

    def uri(self, value: str) -> str:
        """The CBV 2.0 web URI of a term (short or long form); other URIs unchanged."""
        uri = self._uris.get(value)
        if uri is None:
            term = self.normalise(value)
            uri = self.web + term if term in self.terms else term
            if len(self._uris) < 4096:
                self._uris[value] = uri
        return uri


BIZ_STEP = Vocabulary("bizStep", BIZ_STEPS, "BizStep-", "urn:epcglobal:cbv:bizstep:")
DISPOSITION = Vocabulary("disposition", DISPOSITIONS, "Disp-", "urn:epcglobal:cbv:disp:")
BIZ_TRANSACTION_TYPE = Vocabulary("business transaction type", BIZ_TRANSACTION_TYPES, "BTT-",
                                  "urn:epcglobal:cbv:btt:")
SOURCE_DEST_TYPE = Vocabulary("source/destination type", SOURCE_DEST_TYPES, "SDT-",
                              "urn:epcglobal:cbv:sdt:")
ERROR_REASON = Vocabulary("error reason", ERROR_REASONS, "ER-", "urn:epcglobal:cbv:er:")
COMPONENT = Vocabulary("sensor component", COMPONENTS, "Comp-", None)

HARVEST_STEPS = frozenset(("commissioning",))
"""CBV has no harvesting step: a harvest is an ObjectEvent ADD with bizStep commissioning."""


def is_harvest_step(biz_step: str | None) -> bool:
    """Whether a (normalised) bizStep records a harvest: commissioning, or GDST's farm harvest."""
    if biz_step is None:
        return False
    return biz_step in HARVEST_STEPS or biz_step.lower().rsplit(":", 1)[-1].rsplit(
        "/", 1)[-1] in ("farmharvest", "farm_harvest", "harvesting")


def measurement_type(value: str) -> str:
    """A sensor measurement type: a GS1 Web Vocabulary term (`Temperature`, `gs1:Temperature`)
    as its short name, or another URI unchanged."""
    for prefix in ("gs1:", GS1_VOC, "https://ref.gs1.org/voc/"):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    else:
        if ":" in value:
            return value
    if not value.isascii() or not value.isalpha() or not value[:1].isupper():
        raise ValueError(f"{value!r} is not a GS1 measurement type (e.g. Temperature) or a URI")
    return value


def sensor_alert(value: str) -> str:
    """A sensor alert type (ALARM_CONDITION, ERROR_CONDITION) as short name, or another URI."""
    for prefix in ("gs1:", GS1_VOC, "https://ref.gs1.org/voc/"):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    else:
        if ":" in value:
            return value
    if value not in SENSOR_ALERTS:
        raise ValueError(f"{value!r} is not a sensor alert type (ALARM_CONDITION, "
                         "ERROR_CONDITION) or a URI")
    return value
