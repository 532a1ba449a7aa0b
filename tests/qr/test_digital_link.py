"""GS1 Digital Link URLs: built with the standard's percent-encoding, parsed back with biip,
refused with a MalformedLink (never another exception) when they are not codes we could issue."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from hypothesis import given, settings
from hypothesis import strategies as st

import qr
from qr.digital_link import LOT_CODE, DigitalLink, MalformedLink, gtin_path, lot_path, parse_link
from registry.errors import DomainError, Invalid
from registry.gs1 import check_digit

BASE = "https://qr.test"
GTIN_13 = "8930000000019"  # a Vietnamese (893) GTIN-13 with its check digit
GTIN_14 = "0" + GTIN_13
CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

ai_values = st.text(alphabet=CSET_82, min_size=1, max_size=20)
lot_codes = st.from_regex(LOT_CODE, fullmatch=True)


@st.composite
def gtins(draw: st.DrawFn) -> str:
    """A GTIN-8, -12, -13 or -14 with a correct check digit."""
    length = draw(st.sampled_from([8, 12, 13, 14]))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + check_digit(body)


def test_a_batch_url_is_base_01_gtin14_10_batch() -> None:
    assert qr.gtin_url(BASE + "/", GTIN_13, "LA-2025-07") == f"{BASE}/01/{GTIN_14}/10/LA-2025-07"


def test_a_unit_url_adds_21_serial() -> None:
    url = qr.gtin_url(BASE, GTIN_13, "LA-2025-07", "000123")
    assert url == f"{BASE}/01/{GTIN_14}/10/LA-2025-07/21/000123"


def test_every_lot_has_an_l_url() -> None:
    assert qr.lot_url(BASE, "K7Q2M9XA") == f"{BASE}/l/K7Q2M9XA"


@pytest.mark.parametrize(("batch", "encoded"), [
    ("AB/12", "AB%2F12"), ("L.1-2_3", "L.1-2_3"), ("50%", "50%25"), ("A+B", "A%2BB"),
    ("!\"&'()*,:;<=>?", "%21%22%26%27%28%29%2A%2C%3A%3B%3C%3D%3E%3F"),
])
def test_batch_characters_are_percent_encoded_as_gs1_digital_link_says(batch: str,
                                                                       encoded: str) -> None:
    assert gtin_path(GTIN_13, batch) == f"/01/{GTIN_14}/10/{encoded}"


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(batch=ai_values, serial=ai_values)
def test_the_path_agrees_with_biips_own_digital_link_rendering(batch: str, serial: str) -> None:
    path = gtin_path(GTIN_13, batch, serial)
    uri = f"https://id.gs1.org{path}"
    assert GS1DigitalLinkURI.parse(uri).as_uri() == uri
    for segment in path.split("/")[1:]:
        assert all(c.isalnum() or c in "-._%" for c in segment)
        assert unquote(segment) in (batch, serial, "01", "10", "21", GTIN_14)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(gtin=gtins(), batch=ai_values, serial=st.none() | ai_values, signed=st.booleans())
def test_a_built_url_parses_back_to_its_parts(gtin: str, batch: str, serial: str | None,
                                              signed: bool) -> None:
    key = qr.signing_key("k") if signed else None
    link = parse_link(qr.gtin_url(BASE, gtin, batch, serial, key=key))
    assert (link.gtin, link.batch, link.serial) == (gtin.zfill(14), batch, serial)
    assert link.lot_code is None
    assert link.is_serialised == (serial is not None)
    assert (link.signature is not None) == signed


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(lot_code=lot_codes)
def test_a_lot_url_parses_back_to_its_lot_code(lot_code: str) -> None:
    assert parse_link(qr.lot_url(BASE, lot_code)) == DigitalLink(lot_code=lot_code)


@pytest.mark.parametrize("gtin", ["12345670", "614141123452", "9506000134352", "09506000134352"])
def test_gtin_8_12_13_are_read_as_gtin_14(gtin: str) -> None:
    link = parse_link(f"/01/{gtin}/10/B1")
    assert link.gtin == gtin.zfill(14) and link.path == f"/01/{gtin.zfill(14)}/10/B1"


def test_a_path_prefix_a_trailing_slash_and_other_query_parameters_are_tolerated() -> None:
    link = parse_link(f"https://other.example/vn/trace/01/{GTIN_14}/10/A%2fB/?17=261231&s=x")
    assert link == DigitalLink(gtin=GTIN_14, batch="A/B", signature="x")
    assert link.path == f"/01/{GTIN_14}/10/A%2FB"  # canonical: upper-case escapes


def test_sig_is_read_as_a_synonym_of_s() -> None:
    assert parse_link("/l/ABC?sig=abc").signature == "abc"


def test_a_product_level_link_has_no_batch() -> None:
    assert parse_link(f"/01/{GTIN_14}") == DigitalLink(gtin=GTIN_14)


@pytest.mark.parametrize(("link", "reason"), [
    (f"/01/{GTIN_13[:-1]}8/10/B1", "check digit"),
    ("/01/12345678/10/B1", "check digit"),
    ("/01/123456789/10/B1", "GTIN"),
    ("/01/0950600013435X/10/B1", "GTIN"),
    (f"/01/{GTIN_14}/10/" + "A" * 21, "batch"),
    (f"/01/{GTIN_14}/10/%C3%A9", "batch"),
    (f"/01/{GTIN_14}/10/B1/21/%20", "serial"),
    (f"/01/{GTIN_14}/10/A%ZZ", "characters"),
    (f"/01/{GTIN_14}/10/A B", "characters"),
    (f"/01/{GTIN_14}/21/1/10/A", "only /10/"),
    (f"/01/{GTIN_14}/22/V1/10/A", "only /10/"),
    (f"/01/{GTIN_14}/10/A?s=1&s=2", "more than one signature"),
    ("/l/lot code", "characters"),
    ("/l/" + "A" * 33, "lot code"),
    ("/l/", "neither"),
    ("/414/9506000134352", "neither"),
    ("ftp://qr.test/l/ABC", "http"),
    ("http://[::1/l/ABC", "not a URL"),
    ("", "empty"),
    ("/l/" + "A" * 3000, "longer than"),
])
def test_malformed_links_are_refused_with_a_reason(link: str, reason: str) -> None:
    with pytest.raises(MalformedLink) as refused:
        parse_link(link)
    assert reason in refused.value.reason
    assert refused.value.errors[0].field == "link"


def test_a_malformed_link_is_a_domain_error_the_api_renders_as_400() -> None:
    assert issubclass(MalformedLink, DomainError) and not issubclass(MalformedLink, Invalid)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused_as_malformed(text: str) -> None:
    try:
        parse_link(text)
    except MalformedLink:
        pass


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(st.lists(st.sampled_from(["01", "10", "21", "l", GTIN_14, "12345670", "B%2F", "%",
                                 "x", "", "%zz", "ÄĐ", "?s=", "#"]), max_size=8))
def test_any_path_made_of_link_like_segments_parses_or_is_refused(segments: list[str]) -> None:
    try:
        link = parse_link("/" + "/".join(segments))
    except MalformedLink:
        return
    assert link.path.startswith(("/01/", "/l/"))


@pytest.mark.parametrize(("args", "field"), [
    (("123", "B1"), "gtin"), ((GTIN_13[:-1] + "8", "B1"), "gtin"), ((GTIN_13, ""), "batch"),
    ((GTIN_13, "Lô-1"), "batch"), ((GTIN_13, "A" * 21), "batch"),
    ((GTIN_13, "B1", "S 1"), "serial"),
])
def test_building_from_values_that_break_gs1_rules_is_invalid(args: tuple[str, ...],
                                                              field: str) -> None:
    with pytest.raises(Invalid) as refused:
        gtin_path(*args)
    assert refused.value.errors[0].field == field


def test_a_lot_code_outside_the_unreserved_characters_is_invalid() -> None:
    with pytest.raises(Invalid):
        lot_path("AB/CD")


def test_a_lot_code_that_could_be_a_path_step_is_refused() -> None:
    for link in ("/l/..", "/l/.", "/l/~x"):
        with pytest.raises(MalformedLink):
            parse_link(link)


def test_the_label_url_is_the_gs1_link_when_the_product_has_a_gtin_else_the_lot_url() -> None:
    assert qr.label_url(BASE, "K7Q2M9XA", gtin=GTIN_13, batch="B1", serial="9") == (
        f"{BASE}/01/{GTIN_14}/10/B1/21/9")
    assert qr.label_url(BASE, "K7Q2M9XA", gtin=None, batch="B1") == f"{BASE}/l/K7Q2M9XA"
    with pytest.raises(Invalid):
        qr.label_url(BASE, "K7Q2M9XA", batch="B1", serial="9")


def test_the_short_url_is_the_lot_url_without_its_scheme() -> None:
    assert qr.short_url("https://nguongoc.vn/", "K7Q2M9XA") == "nguongoc.vn/l/K7Q2M9XA"
