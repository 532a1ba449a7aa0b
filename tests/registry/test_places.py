"""The province table across the 1 July 2025 reorganisation (VIETNAM.md section 2): 34 current
and 63 pre-2025 provinces, one current province per old one, and recorded places."""

from __future__ import annotations

from datetime import date

import pytest

from registry import places
from registry.errors import Invalid
from registry.places import AdmScheme, PlaceIn

# VIETNAM.md section 2: new code <- the old codes merged into it (Decision 19/2025/QĐ-TTg).
MERGERS = {
    "22": {"22"}, "80": {"72", "80"}, "92": {"92", "93", "94"}, "82": {"82", "87"},
    "86": {"83", "84", "86"}, "91": {"89", "91"}, "96": {"95", "96"},
    "79": {"74", "77", "79"}, "75": {"70", "75"}, "68": {"60", "67", "68"},
    "66": {"54", "66"}, "56": {"56", "58"}, "52": {"52", "64"}, "51": {"51", "62"},
    "48": {"48", "49"}, "44": {"44", "45"}, "37": {"35", "36", "37"}, "33": {"33", "34"},
    "31": {"30", "31"}, "25": {"17", "25", "26"}, "24": {"24", "27"}, "19": {"06", "19"},
    "15": {"10", "15"}, "08": {"02", "08"},
    **{code: {code} for code in ("01", "04", "11", "12", "14", "20", "38", "40", "42", "46")},
}


def test_there_are_34_current_and_63_pre_2025_provinces():
    current = places.provinces(AdmScheme.VN2025)
    old = places.provinces(AdmScheme.VN2004)
    assert len(current) == 34 and len({p.code for p in current}) == 34
    assert len(old) == 63 and len({p.code for p in old}) == 63
    assert all(p.current_code == p.code for p in current)
    assert sum(p.kind == "city" for p in current) == 6  # 28 tỉnh + 6 thành phố


def test_every_old_code_maps_to_exactly_one_current_province():
    current_codes = {p.code for p in places.provinces(AdmScheme.VN2025)}
    for old in places.provinces(AdmScheme.VN2004):
        now = places.current_province(AdmScheme.VN2004, old.code)
        assert now.scheme is AdmScheme.VN2025 and now.code in current_codes
        assert now.code == old.current_code


def test_the_mapping_is_the_table_of_vietnam_md():
    assert set(MERGERS) == {p.code for p in places.provinces(AdmScheme.VN2025)}
    for new, olds in MERGERS.items():
        assert {p.code for p in places.legacy_sources(new)} == olds, new
    merged = sum(len(olds) for olds in MERGERS.values() if len(olds) > 1)
    assert merged == 52  # "52 units merged into 23"
    assert sum(len(olds) > 1 for olds in MERGERS.values()) == 23


def test_the_pinned_package_defect_is_not_in_our_table():
    """vietnam-provinces 2026.9.0 tags a Long An commune with province 82 (VIETNAM.md 2.3)."""
    tien_giang = places.current_province(AdmScheme.VN2004, "82")
    assert (tien_giang.code, tien_giang.name) == ("82", "Tỉnh Đồng Tháp")
    assert [p.name for p in places.legacy_sources("80")] == ["Tỉnh Tây Ninh", "Tỉnh Long An"]
    assert "Tỉnh Tiền Giang" not in {p.name for p in places.legacy_sources("80")}
    assert {p.name for p in places.legacy_sources("82")} == {"Tỉnh Tiền Giang",
                                                               "Tỉnh Đồng Tháp"}


@pytest.mark.parametrize(("code", "old_name", "new_name"), [
    ("80", "Tỉnh Long An", "Tỉnh Tây Ninh"),
    ("82", "Tỉnh Tiền Giang", "Tỉnh Đồng Tháp"),
    ("24", "Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"),
])
def test_the_same_number_means_different_provinces_in_each_scheme(code, old_name, new_name):
    assert places.province(AdmScheme.VN2004, code).name == old_name
    assert places.province(AdmScheme.VN2025, code).name == new_name


def test_can_tho_soc_trang_and_hau_giang_are_now_can_tho():
    for old in ("92", "93", "94"):
        assert places.current_province("vn2004", old).name == "Thành phố Cần Thơ"
    assert places.province(AdmScheme.VN2025, "93") is None
    assert places.province(AdmScheme.VN2025, "94") is None


def test_the_scheme_follows_the_records_date():
    assert places.scheme_for(date(2025, 6, 30)) is AdmScheme.VN2004
    assert places.scheme_for(date(2025, 7, 1)) is AdmScheme.VN2025
    assert places.scheme_for(None) is AdmScheme.VN2025


def test_resolving_an_old_long_an_place_keeps_it_and_derives_tay_ninh():
    columns = places.resolve(PlaceIn(province_code="80", district_code="803",
                                     commune_code="27811", address=" Ấp 3 "),
                             on=date(2022, 9, 15))
    assert columns == {"adm_scheme": "vn2004", "province_code": "80", "district_code": "803",
                       "commune_code": "27811", "address": "Ấp 3",
                       "province_code_current": "80", "commune_code_current": None}


def test_a_one_digit_province_code_is_padded():
    columns = places.resolve(PlaceIn(province_code="8", adm_scheme="vn2025"), on=None)
    assert (columns["province_code"], columns["province_code_current"]) == ("08", "08")


@pytest.mark.parametrize(("place", "fields"), [
    (PlaceIn(adm_scheme="vn2025", province_code="93"), {"place.province_code"}),
    (PlaceIn(adm_scheme="vn2004", province_code="ab"), {"place.province_code"}),
    (PlaceIn(adm_scheme="vn2025", province_code="80", district_code="803"),
     {"place.district_code"}),
    (PlaceIn(adm_scheme="vn2004", province_code="80", district_code="80"),
     {"place.district_code"}),
    (PlaceIn(adm_scheme="vn2004", province_code="99", commune_code="123"),
     {"place.province_code", "place.commune_code"}),
])
def test_unknown_units_are_invalid_naming_each_field(place, fields):
    with pytest.raises(Invalid) as refused:
        places.resolve(place, on=None)
    assert {e.field for e in refused.value.errors} == fields


def test_describe_shows_the_recorded_and_the_current_unit():
    class Record:
        adm_scheme, province_code, district_code, commune_code = "vn2004", "94", None, None
        address, province_code_current, commune_code_current = None, "92", None

    described = places.describe(Record())
    assert (described.province_name, described.province_name_current) == (
        "Tỉnh Sóc Trăng", "Thành phố Cần Thơ")
    assert described.renamed is True
