"""Domain and validation messages reach the user in Vietnamese (English with ?lang=en),
beside the input they concern."""

from __future__ import annotations

import pytest
from flask import Flask
from pydantic import ValidationError

from api.web import forms
from api.web.messages import FIXED, translate
from registry import growing_areas
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, Forbidden, Invalid
from registry.models import Role

CASES = [
    ("'VN-1' is already registered", "VN-1 đã được đăng ký."),
    ("growing-area code 'VN-1' is already registered", "VN-1 đã được đăng ký."),
    ("no partner 12", "Không có đối tác số 12."),
    ("is before issued_on (2025-01-02)", "Không được trước ngày 2025-01-02."),
    ("'99' is not a vn2025 province code", "99 không phải là mã tỉnh, thành hiện nay."),
    ("'99' is not a vn2004 province", "99 không phải là mã tỉnh, thành trước năm 2025."),
    ("must be a producer, cooperative",
     "Phải là đối tác thuộc loại hình: Cơ sở sản xuất, Hợp tác xã."),
    ("Invalid GTIN check digit for '08935049501238': Expected 7, got 8.",
     "Sai số kiểm tra của GTIN 08935049501238: phải là 7, không phải 8."),
    ("the growing area lies in province 22; tn acts for provinces 80",
     "Hồ sơ này thuộc tỉnh, thành 22; tài khoản của bạn chỉ thao tác cho tỉnh, thành 80."),
    ("this needs the role agency; farm1 is partner",
     "Việc này cần vai trò agency; tài khoản của bạn có vai trò partner."),
    ("a commune code has 5 digits", "Mã xã gồm 5 chữ số."),
]


@pytest.mark.parametrize(("english", "vietnamese"), CASES)
def test_domain_messages_are_translated(app: Flask, english: str, vietnamese: str):
    with app.test_request_context("/"):
        assert translate(english) == vietnamese


def test_english_keeps_the_domain_wording_readable(app: Flask):
    with app.test_request_context("/?lang=en"):
        assert translate("no partner 12") == "There is no partner 12."
        assert translate("a commune code has 5 digits") == "a commune code has 5 digits"


def test_every_fixed_domain_message_has_a_vietnamese_text(app: Flask):
    with app.test_request_context("/"):
        untranslated = [m for m in FIXED if translate(m) == m]
    assert not untranslated


def test_validation_errors_land_on_their_inputs(app: Flask):
    with app.test_request_context("/"):
        with pytest.raises(ValidationError) as caught:
            growing_areas.GrowingAreaIn.model_validate({
                "code": "XX-1234567", "holder_id": "a", "crop": "C", "area_ha": "-1",
                "issued_on": "2025-13-01", "markets": ["china"]})
        errors = forms.errors_of(caught.value)
    assert errors["code"] == ["Mã số vùng trồng bắt đầu bằng VN, tiếp theo là 4 đến 40 chữ cái, "
                              "chữ số hoặc dấu gạch ngang (ví dụ VN-80-794-27694-01-22 hoặc "
                              "VN-DTOR-0017)."]
    assert errors["area_ha"] == ["Phải lớn hơn 0."]
    assert errors["holder_id"] == ["Nhập một số nguyên."]
    assert errors["crop"] == ["Quá ngắn: tối thiểu 2 ký tự."]
    assert errors["issued_on"] == ["Nhập ngày hợp lệ (năm-tháng-ngày, ví dụ 2025-07-01)."]
    assert errors["markets"] == ["Thị trường là mã quốc gia 2 chữ cái (ISO 3166), ví dụ CN, US, "
                                 "JP."]


def test_errors_move_to_the_input_that_shows_them():
    placed = forms.placed({"place.province_code": ["a"], "place": ["b"], "geometry.type": ["c"],
                           "nowhere": ["d"]},
                          ["place.province", "latitude"],
                          {**forms.PLACE_ALIASES, "geometry": "latitude"})
    assert placed == {"place.province": ["a", "b"], "latitude": ["c"], forms.FORM: ["d"]}


def test_refusals_choose_the_form_or_the_error_page(app: Flask):
    actor = Actor(username="tn", role=Role.AGENCY, provinces=frozenset({"80"}))
    with app.test_request_context("/"):
        with pytest.raises(forms.Rejected) as duplicate:
            forms.submit(lambda: (_ for _ in ()).throw(Duplicate("code", "VN-1", "code")),
                         ["code"])
        assert duplicate.value.status == 409
        assert duplicate.value.errors == {"code": ["VN-1 đã được đăng ký."]}
        with pytest.raises(forms.Rejected) as invalid:
            forms.submit(lambda: (_ for _ in ()).throw(Invalid.field("x", "y")), ["code"])
        assert invalid.value.status == 422 and invalid.value.errors == {forms.FORM: ["y"]}
        with pytest.raises(Forbidden) as forbidden:
            forms.submit(lambda: actor.ensure_province("22", "the area"), ["code"])
        assert forbidden.value.detail.startswith("Hồ sơ này thuộc tỉnh, thành 22")
        with pytest.raises(forms.Rejected) as kind:
            forms.submit(lambda: (_ for _ in ()).throw(Forbidden(
                "no", errors=[FieldError("holder_id", "must be a producer")])), ["holder_id"])
        assert kind.value.status == 403
