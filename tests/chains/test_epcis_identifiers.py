"""EPC URNs, GS1 Digital Link URIs and the registry's location URIs parse to the same keys,
and round-trip."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chains import epcis
from chains.epcis.identifiers import canonical_uri
from chains.epcis.vocabulary import BIZ_STEP, DISPOSITION
from registry.gs1 import check_digit

BASE = "https://qr.test"

CASES: list[tuple[str, dict[str, Any]]] = [
    ("urn:epc:id:sgtin:0614141.107346.2017",
     {"kind": "sgtin", "gtin": "10614141073464", "serial": "2017", "batch": None}),
    ("urn:epc:class:lgtin:4012345.012345.998877",
     {"kind": "lgtin", "gtin": "04012345123456", "batch": "998877", "serial": None}),
    ("urn:epc:idpat:sgtin:4012345.066666.*",
     {"kind": "gtin", "gtin": "04012345666663", "pattern": True}),
    ("urn:epc:id:sscc:0614141.1234567890", {"kind": "sscc", "sscc": "106141412345678908"}),
    ("urn:epc:id:sgln:0012345.11111.0",
     {"kind": "sgln", "gln": "0012345111112", "gln_extension": None}),
    ("urn:epc:id:sgln:0012345.11111.400",
     {"kind": "sgln", "gln": "0012345111112", "gln_extension": "400"}),
    ("urn:epc:id:pgln:4012345.00225", {"kind": "pgln", "gln": "4012345002256"}),
    ("https://id.gs1.org/01/04012345123456/10/998877",
     {"kind": "lgtin", "gtin": "04012345123456", "batch": "998877"}),
    ("https://example.com/products/01/09506000134352/10/AB%2F12/21/7",
     {"kind": "sgtin", "gtin": "09506000134352", "batch": "AB/12", "serial": "7"}),
    ("https://id.gs1.org/01/9506000134352", {"kind": "gtin", "gtin": "09506000134352"}),
    ("https://id.gs1.org/00/106141412345678908", {"kind": "sscc", "sscc": "106141412345678908"}),
    ("https://id.gs1.org/414/0012345111112/254/400",
     {"kind": "sgln", "gln": "0012345111112", "gln_extension": "400"}),
    ("https://id.gs1.org/417/4012345002256", {"kind": "pgln", "gln": "4012345002256"}),
    ("https://id.gs1.org/gtin/09506000134352/lot/L1", {"kind": "lgtin", "batch": "L1"}),
    (f"{BASE}/growing-areas/VN-80-794-27694-01-22",
     {"kind": "growing_area", "code": "VN-80-794-27694-01-22"}),
    (f"{BASE}/aquaculture-registrations/QN%2F2024%20015",
     {"kind": "aquaculture_registration", "code": "QN/2024 015"}),
    ("https://transaction.example.com/po/4711", {"kind": "other"}),
    ("urn:uuid:4c6ee4fc-d7a2-4d66-9a4a-1f9f1e1b9c11", {"kind": "other"}),
]


@pytest.mark.parametrize(("uri", "expected"), CASES, ids=[c[0] for c in CASES])
def test_identifiers_parse_to_their_keys(uri: str, expected: dict[str, Any]) -> None:
    identifier = epcis.parse_identifier(uri, BASE)
    assert {k: getattr(identifier, k) for k in expected} == expected


PAIRS = [
    ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("urn:epc:class:lgtin:4012345.012345.998877",
     "https://id.gs1.org/01/04012345123456/10/998877"),
    ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
    ("urn:epc:id:sgln:0012345.11111.0", "https://id.gs1.org/414/0012345111112"),
    ("urn:epc:id:sgln:0012345.11111.400", "https://id.gs1.org/414/0012345111112/254/400"),
    ("urn:epc:id:pgln:4012345.00225", "https://id.gs1.org/417/4012345002256"),
    ("urn:epc:id:sgtin:0614141.812345.6789%2F%26", "https://id.gs1.org/01/80614141123458/21/6789%2F%26"),
]


@pytest.mark.parametrize(("urn", "link"), PAIRS)
def test_an_epc_urn_and_its_digital_link_name_the_same_thing(urn: str, link: str) -> None:
    from_urn, from_link = epcis.parse_identifier(urn), epcis.parse_identifier(link)
    assert from_urn.digital_link() == link == from_link.digital_link()
    same = ("kind", "gtin", "batch", "serial", "sscc", "gln", "gln_extension")
    assert {k: getattr(from_urn, k) for k in same} == {k: getattr(from_link, k) for k in same}
    assert epcis.identifier_key(urn) == epcis.identifier_key(link) == link


@pytest.mark.parametrize("uri", [
    "urn:epc:id:sgtin:0614141.107346",            # no serial
    "urn:epc:id:sgtin:061414.107346.1",           # prefix + item reference != 13 digits
    "urn:epc:id:sscc:0614141.12345",              # too short
    "urn:epc:id:sgln:0012345.1111A.0",            # letters in the location reference
    "urn:epc:class:lgtin:4012345.012345.",        # empty lot
    "urn:epc:id:sgtin:0614141.107346.%ZZ",        # broken escape
    "urn:epc:id:nosuch:1.2",                      # not an EPC scheme
    "https://id.gs1.org/01/04012345123457/10/1",  # GTIN check digit
    "https://id.gs1.org/414/0012345111113",       # GLN check digit
    "https://id.gs1.org/00/106141412345678909",   # SSCC check digit
    "https://id.gs1.org/01/12",                   # not a Digital Link at all on id.gs1.org
    "lot 42",                                     # not a URI
])
def test_malformed_gs1_keys_are_refused(uri: str) -> None:
    with pytest.raises(epcis.InvalidIdentifier):
        epcis.parse_identifier(uri)


def test_an_epc_urn_of_another_scheme_is_kept_as_other() -> None:
    assert epcis.parse_identifier("urn:epc:id:gid:95100000.12345.400").kind == "other"


def test_location_uris_under_another_base_are_not_ours() -> None:
    uri = epcis.growing_area_uri("https://other.example", "VN-DTOR-0017")
    assert epcis.parse_identifier(uri, BASE).kind == "other"
    assert epcis.parse_identifier(uri, "https://other.example/").code == "VN-DTOR-0017"


@given(code=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                    max_size=40))
def test_registry_location_uris_round_trip(code: str) -> None:
    for build, kind in ((epcis.growing_area_uri, "growing_area"),
                        (epcis.aquaculture_registration_uri, "aquaculture_registration")):
        identifier = epcis.parse_identifier(build(BASE, code), BASE)
        assert (identifier.kind, identifier.code) == (kind, code)


BATCH = st.text(alphabet="!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                         "abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20)


@given(body=st.from_regex(r"\A[0-9]{13}\Z"), batch=BATCH, serial=BATCH)
def test_digital_links_built_here_round_trip(body: str, batch: str, serial: str) -> None:
    gtin = body + check_digit(body)
    lot = epcis.parse_identifier(epcis.lot_uri(gtin, batch))
    assert (lot.kind, lot.gtin, lot.batch) == ("lgtin", gtin, batch)
    assert lot.digital_link() == epcis.lot_uri(gtin, batch)
    place = epcis.parse_identifier(epcis.gln_uri(body[1:] + check_digit(body[1:]), serial))
    assert (place.kind, place.gln_extension) == ("sgln", serial if serial != "0" else None)


def test_party_and_plain_gln_uris() -> None:
    assert epcis.parse_identifier(epcis.party_uri("4012345002256")).kind == "pgln"
    assert epcis.gln_uri("4012345002256", "0") == "https://id.gs1.org/414/4012345002256"


def test_canonical_forms_drop_the_lot_when_a_serial_is_given_and_the_query_string() -> None:
    assert canonical_uri("https://example.com/01/09506000134352/10/L1/21/7?17=240101") == (
        "https://id.gs1.org/01/09506000134352/21/7")
    assert canonical_uri("https://example.com/about") is None


@pytest.mark.parametrize("value", ["shipping", "urn:epcglobal:cbv:bizstep:shipping",
                                   "https://ref.gs1.org/cbv/BizStep-shipping",
                                   "cbv:BizStep-shipping"])
def test_biz_steps_in_any_form_normalise_to_the_short_name(value: str) -> None:
    assert BIZ_STEP.normalise(value) == "shipping"
    assert BIZ_STEP.uri(value) == "https://ref.gs1.org/cbv/BizStep-shipping"


@pytest.mark.parametrize("value", ["recalled", "urn:epcglobal:cbv:disp:recalled",
                                   "https://ref.gs1.org/cbv/Disp-recalled"])
def test_dispositions_in_any_form_normalise_to_the_short_name(value: str) -> None:
    assert DISPOSITION.normalise(value) == "recalled"


@pytest.mark.parametrize("value", ["harvesting", "urn:epcglobal:cbv:bizstep:harvesting",
                                   "https://ref.gs1.org/cbv/BizStep-harvesting", "in_transit"])
def test_unknown_cbv_terms_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not a CBV 2.0 bizStep"):
        BIZ_STEP.normalise(value)
