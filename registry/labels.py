"""Vietnamese names of the registry's vocabularies, for documents the domain renders (SVG, PDF).
Web pages translate through the gettext catalog instead."""

from __future__ import annotations

PARTNER_KIND_VI = {
    "producer": "Hộ/cơ sở sản xuất", "cooperative": "Hợp tác xã", "collector": "Cơ sở thu gom",
    "packing_house": "Cơ sở đóng gói", "slaughterhouse": "Cơ sở giết mổ",
    "processor": "Cơ sở chế biến", "distributor": "Nhà phân phối",
    "wholesale_market": "Chợ đầu mối", "retailer": "Siêu thị / bán lẻ", "agency": "Cơ quan quản lý",
}

ORIGIN_TYPE_VI = {
    "growing_area": "Mã số vùng trồng", "aquaculture_registration": "Đăng ký nuôi trồng thủy sản",
    "partner": "Cơ sở sản xuất", "transformation": "Sơ chế, chế biến",
}

LOT_STATUS_VI = {"active": "đang lưu thông", "on_hold": "tạm giữ", "recalled": "đã thu hồi",
                 "destroyed": "đã tiêu hủy"}


UNITS_VI = {"t": "tấn", "head": "con", "piece": "cái", "case": "thùng", "box": "hộp",
            "bag": "bao"}
"""Counted units (and tonnes) as Vietnamese documents write them; kg, g, l, ml stay."""


def unit_vi(value: str) -> str:
    """A unit of quantity in Vietnamese."""
    return UNITS_VI.get(value, value)
