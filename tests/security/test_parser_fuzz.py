"""Hypothesis fuzzing of the parsers that read hostile input (issue 9): GS1 Digital Link, the
scan page's raw URI, growing-area codes, GTIN/GLN check digits, EPC URNs and EPCIS identifiers,
and EPCIS documents (mutated conformance documents, read in place, and arbitrary JSON).

Each parser either succeeds or raises its one documented error, never anything else; what is
built from valid values parses back to the same keys. Bounded for CI (fixed seed);
NGUONGOC_FUZZ_EXAMPLES=5000 NGUONGOC_FUZZ_RANDOM=1 for a longer local hunt.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import qr
from chains.epcis.documents import InvalidDocument, parse_document, parse_query_document
from chains.epcis.identifiers import InvalidIdentifier, parse_identifier
from qr.digital_link import MalformedLink, parse_link
from registry import growing_areas, gs1
from registry.errors import Invalid
from registry.gs1 import check_digit
from registry.scan_reads import fast_link
from tests.chains import epcis_files

EXAMPLES = int(os.environ.get("NGUONGOC_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize="NGUONGOC_FUZZ_RANDOM" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BASE = "https://qr.test"

any_text = st.text(max_size=300)  # every code point, lone surrogates included
digits = st.text("0123456789", min_size=1, max_size=20)
ai_values = st.from_regex(gs1.BATCH_CHARS.pattern.replace("^", r"\A").replace("$", r"\Z"))
lot_codes = st.from_regex(r"\A[0-9A-Za-z][0-9A-Za-z_-]{0,31}\Z")


def keyed(body_lengths: tuple[int, ...]) -> st.SearchStrategy[str]:
    """A GS1 key (GTIN, GLN) with a correct check digit."""
    return st.sampled_from(body_lengths).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)).map(
        lambda body: body + check_digit(body))


gtins = keyed((7, 11, 12, 13))
glns = keyed((12,))


# --- GS1 Digital Link ------------------------------------------------------------------------

@FUZZ
@given(gtin=gtins, batch=ai_values, serial=st.none() | ai_values, prefix=st.sampled_from(
    ["", BASE, BASE + "/a/b", "http://x.example"]), signed=st.booleans())
def test_a_built_gtin_link_parses_back_to_its_keys(gtin: str, batch: str, serial: str | None,
                                                   prefix: str, signed: bool) -> None:
    path = qr.gtin_path(gtin, batch, serial)
    url = qr.signed_url(prefix or BASE, path, b"k" * 32) if signed else prefix + path
    link = parse_link(url)
    assert (link.gtin, link.batch, link.serial) == (gs1.checked_gtin(gtin), batch, serial)
    assert link.path == path and (link.signature is not None) is signed
    assert fast_link(url.removeprefix(BASE) if prefix == BASE else url) == link


@FUZZ
@given(lot_code=lot_codes)
def test_a_built_lot_link_parses_back_to_its_lot_code(lot_code: str) -> None:
    assert parse_link(qr.lot_url(BASE, lot_code)).lot_code == lot_code
    assert fast_link(qr.lot_path(lot_code)).lot_code == lot_code


@FUZZ
@given(text=any_text | st.builds(lambda a, b: f"/01/{a}/10/{b}", digits, any_text)
       | st.builds(lambda a: f"/l/{a}", any_text))
def test_any_text_is_a_link_or_malformed(text: str) -> None:
    for parser in (parse_link, fast_link):
        try:
            parser(text)
        except MalformedLink:
            pass


@FUZZ
@given(gtin=st.text(max_size=20), batch=any_text, serial=st.none() | any_text)
def test_building_a_link_from_any_values_is_a_link_or_invalid(gtin: str, batch: str,
                                                             serial: str | None) -> None:
    try:
        path = qr.gtin_path(gtin, batch, serial)
    except Invalid:
        return
    assert parse_link(path).batch == batch


# --- GS1 keys --------------------------------------------------------------------------------

@FUZZ
@given(gtin=gtins)
def test_a_gtin_with_its_check_digit_is_accepted_as_gtin_14(gtin: str) -> None:
    assert gs1.checked_gtin(gtin) == gtin.zfill(14)


@FUZZ
@given(key=gtins | glns, wrong=st.integers(1, 9))
def test_a_wrong_check_digit_is_refused(key: str, wrong: int) -> None:
    bad = key[:-1] + str((int(key[-1]) + wrong) % 10)
    checkers = [gs1.checked_gtin] + ([gs1.checked_gln] if len(key) == 13 else [])
    for checker in checkers:  # 13 digits: a GTIN-13 or a GLN, both refused
        with pytest.raises(ValueError):
            checker(bad)


@FUZZ
@given(gln=glns)
def test_a_gln_with_its_check_digit_is_accepted(gln: str) -> None:
    assert gs1.checked_gln(gln) == gln


@FUZZ
@given(text=any_text | digits)
def test_any_text_is_a_gs1_key_or_a_value_error(text: str) -> None:
    for checker in (gs1.checked_gtin, gs1.checked_gln, gs1.checked_batch):
        try:
            checker(text)
        except ValueError:
            pass


# --- growing-area codes (VIETNAM.md section 3) -----------------------------------------------

decision_3156 = st.builds(
    lambda p, d, c, n, y: f"VN-{p}-{d}-{c}-{n}-{y}", *(st.text("0123456789", min_size=k,
                                                               max_size=k) for k in (2, 3, 5)),
    st.text("0123456789", min_size=2, max_size=4), st.text("0123456789", min_size=2, max_size=2))
any_code_shape = st.from_regex(r"\AVN[A-Z0-9-]{4,40}\Z")


@FUZZ
@given(code=decision_3156 | any_code_shape, lower=st.booleans())
def test_codes_of_the_accepted_shape_are_accepted(code: str, lower: bool) -> None:
    typed = code.lower() if lower else code
    assert growing_areas.checked_code(f"  {typed} ") == typed
    place = growing_areas.parse_3156(typed)
    if code.count("-") == 5 and place is not None:
        _, province, district, commune, _, _ = code.split("-")
        assert (place.province_code, place.district_code, place.commune_code) == (
            province, district, commune)


@FUZZ
@given(code=decision_3156)
def test_a_decision_3156_code_names_its_place(code: str) -> None:
    place = growing_areas.parse_3156(code)
    assert place is not None and code.startswith(f"VN-{place.province_code}-")


@FUZZ
@given(text=any_text)
def test_any_text_is_a_code_or_refused_as_invalid(text: str) -> None:
    try:
        growing_areas.checked_code(text)
    except ValueError:
        pass
    try:
        growing_areas.GrowingAreaIn.model_validate(
            {"code": text, "holder_id": 1, "crop": "Chanh", "area_ha": 1.0,
             "issued_on": "2024-01-01"})
    except ValidationError:
        pass
    growing_areas.parse_3156(text)  # None or a place, never an error


# --- EPC URNs and EPCIS identifiers ----------------------------------------------------------

@st.composite
def sgtin_urns(draw: st.DrawFn) -> tuple[str, str, str]:
    """An SGTIN EPC URN with its GTIN-14 and serial."""
    cp_len = draw(st.integers(6, 12))
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    company, item = body[1:1 + cp_len], body[0] + body[1 + cp_len:]
    serial = draw(st.from_regex(r"\A[0-9A-Za-z_-]{1,20}\Z"))
    return f"urn:epc:id:sgtin:{company}.{item}.{serial}", body + check_digit(body), serial


@FUZZ
@given(sgtin=sgtin_urns())
def test_an_sgtin_urn_parses_to_its_gtin_and_serial(sgtin: tuple[str, str, str]) -> None:
    urn, gtin, serial = sgtin
    parsed = parse_identifier(urn)
    assert (parsed.kind, parsed.gtin, parsed.serial) == ("sgtin", gtin, serial)


@FUZZ
@given(tail=any_text, head=st.sampled_from(
    ["urn:epc:id:sgtin:", "urn:epc:class:lgtin:", "urn:epc:idpat:sgtin:", "urn:epc:id:sscc:",
     "urn:epc:id:sgln:", "urn:epc:id:pgln:", "urn:epc:id:", "https://id.gs1.org/01/",
     "https://id.gs1.org/414/", "https://id.gs1.org/", BASE + "/growing-areas/", ""]))
def test_any_identifier_parses_or_is_refused_as_invalid(head: str, tail: str) -> None:
    try:
        parse_identifier(head + tail, BASE)
    except InvalidIdentifier:
        pass


# --- EPCIS documents -------------------------------------------------------------------------

def _conformance_documents() -> list[Any]:
    if not epcis_files.CONFORMANCE.is_dir():
        return []
    found = []
    for path in sorted(epcis_files.CONFORMANCE.rglob("*.json*")):
        try:
            kind = epcis_files.classify(path)
        except (ValueError, UnicodeDecodeError):
            continue
        if kind in ("document", "query_document"):
            found.append((kind, epcis_files.load(path)))
    return found


DOCUMENTS = _conformance_documents()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12)
json_like = json_values | st.sampled_from(
    ["ObjectEvent", "AggregationEvent", "TransformationEvent", "TransactionEvent",
     "AssociationEvent", "EPCISDocument", "2024-02-30T25:00:00Z", "urn:epc:id:sgtin:1.2.3",
     "+14:00", "-00:00", 1e308, -0.0, 2**70, ["x"], {"type": []}])


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _mutate(document: Any, path: tuple[Any, ...], how: str, value: Any, key: str) -> Any:
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent[last], dict):
        parent[last][key] = value
    elif how == "add" and isinstance(parent[last], list):
        parent[last].append(value)
    return document


def _parse_either(kind: str, data: Any) -> None:
    parser = parse_document if kind == "document" else parse_query_document
    try:
        parser(data)
    except InvalidDocument as refused:
        assert refused.errors, "a refusal names the fields at fault"


@pytest.mark.skipif(not DOCUMENTS, reason="the GS1 conformance files are not beside the checkout")
@FUZZ
@given(data=st.data())
def test_a_mutated_conformance_document_parses_or_is_invalid(data: st.DataObject) -> None:
    kind, original = data.draw(st.sampled_from(DOCUMENTS))
    document = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(document)
        path = data.draw(st.sampled_from(paths))
        how = data.draw(st.sampled_from(["replace", "delete", "add"]))
        assume(path or how == "replace")
        document = _mutate(document, path, how, copy.deepcopy(data.draw(json_like)),
                           data.draw(st.sampled_from(["type", "eventTime", "epcList", "x"])))
    _parse_either(kind, document)


@FUZZ
@given(value=json_like)
def test_arbitrary_json_is_a_document_or_invalid(value: Any) -> None:
    value = copy.deepcopy(value)
    _parse_either("document", value)
    _parse_either("document", {"type": "EPCISDocument", "schemaVersion": "2.0",
                               "creationDate": "2024-01-01T00:00:00Z",
                               "epcisBody": {"eventList": [value]}})


def test_the_conformance_documents_parse_as_they_are() -> None:
    """The mutation fuzz starts from documents the parser accepts."""
    for kind, original in DOCUMENTS:
        parser = parse_document if kind == "document" else parse_query_document
        try:
            parser(json.loads(json.dumps(original)))
        except InvalidDocument:
            continue  # GS1's negative examples: refused, as test_epcis_conformance checks
