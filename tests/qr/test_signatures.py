"""The short signature: a code this registry issued verifies; any change to the code, the
signature or the key does not."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import qr
from qr.digital_link import SIGNATURE_LENGTH, parse_link, sign, signing_key, verify

BASE = "https://qr.test"
GTIN_14 = "08930000000019"
KEY = signing_key("test secret")
CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
ai_values = st.text(alphabet=CSET_82, min_size=1, max_size=20)


def test_a_signature_is_12_url_safe_characters_in_the_s_parameter() -> None:
    url = qr.gtin_url(BASE, GTIN_14, "LA-01", "7", key=KEY)
    assert re.fullmatch(rf"{BASE}/01/{GTIN_14}/10/LA-01/21/7\?s=[A-Za-z0-9_-]{{12}}", url)
    assert SIGNATURE_LENGTH == 12


def test_the_signing_key_is_derived_and_not_the_secret_itself() -> None:
    assert signing_key("test secret") == KEY != b"test secret"
    assert len(KEY) == 32 and signing_key(b"test secret") == KEY


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(batch=ai_values, serial=st.none() | ai_values)
def test_an_issued_gtin_code_verifies(batch: str, serial: str | None) -> None:
    assert parse_link(qr.gtin_url(BASE, GTIN_14, batch, serial, key=KEY)).is_signed_by(KEY)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(lot_code=st.from_regex(r"[0-9A-Z]{6,16}", fullmatch=True))
def test_an_issued_lot_code_verifies(lot_code: str) -> None:
    assert parse_link(qr.lot_url(BASE, lot_code, key=KEY)).is_signed_by(KEY)


def test_other_spellings_of_the_same_code_verify() -> None:
    signature = sign(KEY, f"/01/{GTIN_14}/10/A%2FB")
    for spelling in (f"/01/{GTIN_14[1:]}/10/A%2fB", f"http://moved.example/x/01/{GTIN_14}/10/A%2FB/"):
        assert parse_link(f"{spelling}?s={signature}").is_signed_by(KEY)


def test_an_unsigned_code_is_not_signed() -> None:
    assert not parse_link(qr.lot_url(BASE, "K7Q2M9XA")).is_signed_by(KEY)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(tampered=st.text(max_size=30))
def test_any_other_signature_is_refused(tampered: str) -> None:
    path = f"/01/{GTIN_14}/10/LA-01"
    assume(tampered != sign(KEY, path))
    assert not verify(KEY, path, tampered)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(position=st.integers(0, SIGNATURE_LENGTH - 1), replacement=st.sampled_from("A_-9z"))
def test_changing_one_character_of_a_signature_is_refused(position: int, replacement: str) -> None:
    url = qr.lot_url(BASE, "K7Q2M9XA", key=KEY)
    signature = url.rsplit("=", 1)[1]
    assume(signature[position] != replacement)
    tampered = signature[:position] + replacement + signature[position + 1:]
    assert not parse_link(url.rsplit("=", 1)[0] + "=" + tampered).is_signed_by(KEY)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(batch=ai_values, other=ai_values)
def test_a_signature_moved_to_another_batch_is_refused(batch: str, other: str) -> None:
    assume(batch != other)
    signature = sign(KEY, qr.gtin_path(GTIN_14, batch))
    assert not verify(KEY, qr.gtin_path(GTIN_14, other), signature)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(serial=ai_values, other=ai_values)
def test_a_signature_copied_to_another_serial_is_refused(serial: str, other: str) -> None:
    assume(serial != other)
    url = qr.gtin_url(BASE, GTIN_14, "LA-01", serial, key=KEY)
    copied = qr.gtin_url(BASE, GTIN_14, "LA-01", other) + "?s=" + url.rsplit("=", 1)[1]
    assert not parse_link(copied).is_signed_by(KEY)


def test_a_batch_signature_does_not_sign_its_units() -> None:
    signature = sign(KEY, qr.gtin_path(GTIN_14, "LA-01"))
    assert not verify(KEY, qr.gtin_path(GTIN_14, "LA-01", "1"), signature)


@settings(deadline=None)  # a loaded CI machine must not fail a property
@given(secret=st.text(min_size=1, max_size=40))
def test_a_code_signed_with_another_key_is_refused(secret: str) -> None:
    assume(secret != "test secret")
    url = qr.lot_url(BASE, "K7Q2M9XA", key=signing_key(secret))
    assert not parse_link(url).is_signed_by(KEY)


def test_a_rotated_secret_still_accepts_codes_signed_with_the_old_one() -> None:
    old, new = signing_key("old secret"), signing_key("new secret")
    printed = parse_link(qr.lot_url(BASE, "K7Q2M9XA", key=old))
    assert printed.is_signed_by([new, old]) and not printed.is_signed_by([new])
