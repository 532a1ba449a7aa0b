"""A realistic demo registry: Long An (now Tây Ninh) lime and dragon-fruit chains to Cần Thơ
supermarkets, Quảng Ninh oysters and golden-camellia tea, and the agencies of each province.

Names and codes are illustrative, not real establishments. Every record goes through the same
services as the API, so the audit log and derived fields are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

import qr
from chains import supplier_alerts, supply_chains
from registry import (
    accounts,
    approved_suppliers,
    aquaculture,
    certifications,
    demo_monitoring,
    events,
    growing_areas,
    lots,
    partners,
    products,
    qr_issues,
    receiving_gates,
    shipments,
    transformations,
)
from registry.actors import SYSTEM
from registry.gs1 import check_digit
from registry.models import Partner, Product

DEMO_PASSWORD = "nguongoc-demo"

@dataclass
class DemoRegistry:
    """What the demo created, by short names, for later steps to build on."""

    partners: dict[str, Partner] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    growing_areas: dict[str, str] = field(default_factory=dict)
    registrations: dict[str, str] = field(default_factory=dict)
    lots: dict[str, str] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def gtin(item: str) -> str:
    """A GTIN-14 under the demo's Vietnamese (893) company prefix."""
    body = "893604950" + item.zfill(3)
    return "0" + body + check_digit(body)


def gln(n: int) -> str:
    """A GLN under the demo's company prefix."""
    body = "89360495" + f"{n:04d}"
    return body + check_digit(body)


def _place(province: str, commune: str | None = None, *, scheme: str | None = None,
           district: str | None = None, address: str | None = None) -> dict[str, Any]:
    return {"adm_scheme": scheme, "province_code": province, "district_code": district,
            "commune_code": commune, "address": address}


PARTNERS: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    ("agency_tn", "agency", "Chi cục Chất lượng, Chế biến và Phát triển thị trường Tây Ninh",
     _place("80", "27694", scheme="vn2025", address="Phường Long An, Tây Ninh"), {}),
    ("agency_ct", "agency", "Chi cục Chất lượng, Chế biến và Phát triển thị trường Cần Thơ",
     _place("92", "31117", scheme="vn2025", address="Phường Ninh Kiều, Cần Thơ"), {}),
    ("agency_qn", "agency", "Chi cục Chất lượng, Chế biến và Phát triển thị trường Quảng Ninh",
     _place("22", "06652", scheme="vn2025", address="Phường Hồng Gai, Quảng Ninh"), {}),
    ("htx_lime", "cooperative", "Hợp tác xã Chanh không hạt Thạnh Lợi",
     _place("80", "27811", scheme="vn2004", district="803",
            address="Ấp 3, xã Thạnh Lợi, huyện Bến Lức, tỉnh Long An"),
     {"tax_code": "1101876543", "phone": "0272 3871 234"}),
    ("htx_dragon", "cooperative", "Hợp tác xã Thanh long Châu Thành",
     _place("80", "28120", scheme="vn2004", district="808",
            address="Ấp Bình Thạnh, xã Dương Xuân Hội, huyện Châu Thành, tỉnh Long An"),
     {"tax_code": "1101765432", "gln": gln(1)}),
    ("farm_tuan", "producer", "Hộ ông Nguyễn Văn Tuấn",
     _place("80", "27811", scheme="vn2025", address="Ấp 3, xã Thạnh Lợi, Tây Ninh"), {}),
    ("collector", "collector", "Cơ sở thu mua nông sản Bến Lức",
     _place("80", "27790", scheme="vn2025", address="Xã Bến Lức, Tây Ninh"),
     {"phone": "0909 123 456"}),
    ("packer", "packing_house", "Công ty TNHH Đóng gói trái cây Long An Xanh",
     _place("80", "27700", scheme="vn2025", address="Khu công nghiệp Long Hậu, Tây Ninh"),
     {"tax_code": "1102345678", "gln": gln(2)}),
    ("distributor", "distributor", "Công ty CP Phân phối nông sản Tây Đô",
     _place("92", "31150", scheme="vn2025", address="Phường Cái Răng, Cần Thơ"),
     {"tax_code": "1801234567", "gln": gln(3)}),
    ("market_cr", "wholesale_market", "Chợ đầu mối nông sản Cái Răng",
     _place("92", "31150", scheme="vn2025", address="Phường Cái Răng, Cần Thơ"), {}),
    ("shop_nk", "retailer", "Siêu thị Xanh Ninh Kiều",
     _place("92", "31117", scheme="vn2025", address="Đường 30/4, phường Ninh Kiều, Cần Thơ"),
     {"tax_code": "1809876543", "gln": gln(4)}),
    ("shop_cr", "retailer", "Siêu thị Tây Đô Cái Răng",
     _place("92", "31150", scheme="vn2025", address="Phường Cái Răng, Cần Thơ"),
     {"tax_code": "1809876500"}),
    ("htx_oyster", "cooperative", "Hợp tác xã Hàu Vân Đồn",
     _place("22", "07192", scheme="vn2004", district="203",
            address="Xã Bản Sen, huyện Vân Đồn, tỉnh Quảng Ninh"),
     {"tax_code": "5701234567"}),
    ("htx_tea", "cooperative", "Hợp tác xã Chè hoa vàng Ba Chẽ",
     _place("22", "07000", scheme="vn2025", address="Xã Ba Chẽ, Quảng Ninh"),
     {"tax_code": "5701765432"}),
    ("processor_qn", "processor", "Công ty CP Chế biến trà hoa vàng Quảng Ninh",
     _place("22", "06700", scheme="vn2025", address="Phường Hà Lầm, Quảng Ninh"),
     {"tax_code": "5702345678", "gln": gln(5)}),
    ("shop_hl", "retailer", "Siêu thị Hạ Long Xanh",
     _place("22", "06652", scheme="vn2025", address="Phường Bãi Cháy, Quảng Ninh"), {}),
]


def _partners(session: Session, demo: DemoRegistry) -> None:
    for key, kind, name, place, extra in PARTNERS:
        data = partners.PartnerIn(kind=kind, name=name, place=place, **extra)
        demo.partners[key] = partners.register_partner(session, SYSTEM, data)


def _codes(session: Session, demo: DemoRegistry) -> None:
    p = demo.partners
    areas = [
        ("lime", dict(code="VN-80-803-27811-01-22", holder_id=p["htx_lime"].id,
                      crop="Chanh không hạt (Citrus latifolia)", area_ha=32.5, standard="VietGAP",
                      expected_output_t=900, issued_on=date(2022, 9, 15),
                      geometry={"type": "Point", "coordinates": [106.4436, 10.6395]})),
        ("dragon", dict(code="VN-80-808-28120-02-23", holder_id=p["htx_dragon"].id,
                        crop="Thanh long ruột đỏ (Hylocereus costaricensis)", area_ha=48.0,
                        standard="GlobalGAP", expected_output_t=1500,
                        issued_on=date(2023, 4, 10))),
        ("dragon_export", dict(code="VN-LAOR-0102", kind="export", markets=["CN", "NZ"],
                               holder_id=p["htx_dragon"].id, crop="Thanh long ruột đỏ",
                               area_ha=20.0, issued_on=date(2024, 2, 1),
                               place=_place("80", "28120", scheme="vn2004", district="808"))),
        ("lime_tuan", dict(code="VN-80-27811-07-25", holder_id=p["farm_tuan"].id,
                           crop="Chanh không hạt", area_ha=1.2, issued_on=date(2025, 10, 2),
                           place=_place("80", "27811", scheme="vn2025"))),
        ("tea", dict(code="VN-22-07000-01-25", holder_id=p["htx_tea"].id,
                     crop="Chè hoa vàng (Camellia chrysantha)", area_ha=12.0,
                     issued_on=date(2025, 9, 20), place=_place("22", "07000", scheme="vn2025"))),
    ]
    for key, values in areas:
        area = growing_areas.register_growing_area(
            session, SYSTEM, growing_areas.GrowingAreaIn(**values))
        demo.growing_areas[key] = area.code
    reg = aquaculture.register(session, SYSTEM, aquaculture.AquacultureRegistrationIn(
        number="22-VD-2024-0015", holder_id=p["htx_oyster"].id,
        species=["Hàu Thái Bình Dương (Crassostrea gigas)"], farming_form="raft",
        method="extensive", cages=120, issued_on=date(2024, 3, 12),
        place=_place("22", "07192", scheme="vn2004", district="203",
                     address="Vịnh Bái Tử Long, Vân Đồn")))
    demo.registrations["oyster"] = reg.number


def _products(session: Session, demo: DemoRegistry) -> None:
    p = demo.partners
    items = [
        ("lime", dict(name_vi="Chanh không hạt Bến Lức", name_en="Ben Luc seedless lime",
                      category="fruit", gtin=gtin("1"), owner_id=p["htx_lime"].id)),
        ("dragon", dict(name_vi="Thanh long ruột đỏ Châu Thành",
                        name_en="Chau Thanh red dragon fruit", category="fruit",
                        gtin=gtin("2"), owner_id=p["htx_dragon"].id)),
        ("lime_box", dict(name_vi="Chanh không hạt hộp 1 kg", name_en="Seedless lime, 1 kg box",
                          category="processed_prepackaged", gtin=gtin("3"),
                          owner_id=p["packer"].id, declaration_kind="self_declared")),
        ("dragon_box", dict(name_vi="Thanh long ruột đỏ thùng 5 kg",
                            name_en="Red dragon fruit, 5 kg case", category="fruit",
                            gtin=gtin("4"), owner_id=p["packer"].id)),
        ("oyster", dict(name_vi="Hàu Vân Đồn", name_en="Van Don oysters", category="seafood",
                        owner_id=p["htx_oyster"].id,
                        ocop=dict(stars=4, certificate_no="OCOP-QN-2024-118",
                                  issued_on=date(2024, 6, 1), valid_until=date(2027, 5, 31)))),
        ("tea_leaf", dict(name_vi="Hoa chè hoa vàng tươi", name_en="Fresh golden camellia",
                          category="tea_coffee", owner_id=p["htx_tea"].id)),
        ("tea", dict(name_vi="Trà hoa vàng Ba Chẽ hộp 50 g",
                     name_en="Ba Che golden camellia tea, 50 g", category="processed_prepackaged",
                     gtin=gtin("5"), owner_id=p["processor_qn"].id,
                     declaration_kind="conformity_registered",
                     ocop=dict(stars=5, certificate_no="OCOP-QN-2025-007",
                               issued_on=date(2025, 11, 20), valid_until=date(2028, 11, 19)))),
    ]
    for key, values in items:
        demo.products[key] = products.register_product(session, SYSTEM,
                                                       products.ProductIn(**values))


def _certifications(session: Session, demo: DemoRegistry) -> None:
    p, ga = demo.partners, demo.growing_areas
    certs = [
        ("vietgap", "VietGAP-TT-13-03-80-0012", "Trung tâm Chứng nhận VietGAP Nam Bộ",
         "growing_area", ga["lime"], date(2024, 12, 1), date(2027, 11, 30)),
        ("vietgap", "VietGAP-TT-12-05-80-0007", "Trung tâm Chứng nhận VietGAP Nam Bộ",
         "growing_area", ga["lime_tuan"], date(2022, 1, 10), date(2025, 1, 9)),
        ("globalgap", "GGN-4063061234567", "Control Union Việt Nam",
         "growing_area", ga["dragon"], date(2025, 5, 1), date(2026, 12, 31)),
        ("globalgap", "GGN-4063061299901", "Control Union Việt Nam",
         "growing_area", ga["dragon_export"], date(2025, 5, 1), date(2026, 12, 31)),
        ("food_safety_commitment", "CK-ATTP-80-2025-0341", "UBND xã Bến Lức",
         "partner", str(p["collector"].id), date(2025, 8, 1), None),
        ("food_safety_certificate", "ATTP-80-2024-0088", "Chi cục QLCL NLS&TS Long An",
         "partner", str(p["packer"].id), date(2024, 3, 1), None),
        ("haccp", "HACCP-VN-2025-1120", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng 3",
         "partner", str(p["packer"].id), date(2025, 2, 15), date(2028, 2, 14)),
        ("food_safety_certificate", "ATTP-92-2025-0210", "Chi cục CL,CB&PTTT Cần Thơ",
         "partner", str(p["distributor"].id), date(2025, 8, 20), None),
        ("food_safety_certificate", "ATTP-92-2024-0150", "Chi cục CL,CB&PTTT Cần Thơ",
         "partner", str(p["shop_nk"].id), date(2024, 11, 5), None),
        ("food_safety_certificate", "ATTP-92-2023-0099", "Chi cục QLCL NLS&TS Cần Thơ",
         "partner", str(p["shop_cr"].id), date(2023, 6, 1), None),
        ("food_safety_certificate", "ATTP-92-2026-0102", "Chi cục CL,CB&PTTT Cần Thơ",
         "partner", str(p["shop_cr"].id), date(2026, 5, 20), None),
        ("food_safety_certificate", "ATTP-22-2025-0061", "Chi cục CL,CB&PTTT Quảng Ninh",
         "partner", str(p["shop_hl"].id), date(2025, 7, 15), None),
        ("vietgap", "VietGAP-TS-22-0031", "Trung tâm Chứng nhận Phù hợp Quảng Ninh",
         "aquaculture_registration", demo.registrations["oyster"], date(2024, 9, 1),
         date(2027, 8, 31)),
        ("food_safety_certificate", "ATTP-22-2025-0044", "Chi cục CL,CB&PTTT Quảng Ninh",
         "partner", str(p["processor_qn"].id), date(2025, 9, 10), None),
        ("iso22000", "ISO22000-VN-2025-0456", "Bureau Veritas Việt Nam",
         "partner", str(p["processor_qn"].id), date(2025, 3, 1), date(2028, 2, 28)),
        ("vietgap", "VietGAP-TT-22-0015", "Trung tâm Chứng nhận Phù hợp Quảng Ninh",
         "growing_area", ga["tea"], date(2025, 10, 1), date(2028, 9, 30)),
    ]
    for scheme, number, issuer, holder_type, holder_id, issued, until in certs:
        certifications.record_certification(session, SYSTEM, certifications.CertificationIn(
            scheme=scheme, number=number, issuer=issuer, holder_type=holder_type,
            holder_id=holder_id, issued_on=issued, valid_until=until))


def _accounts(session: Session, demo: DemoRegistry) -> None:
    p = demo.partners
    users = [
        ("admin", "admin", None, []),
        ("tayninh", "agency", p["agency_tn"].id, ["80"]),
        ("cantho", "agency", p["agency_ct"].id, ["92"]),
        ("quangninh", "agency", p["agency_qn"].id, ["22"]),
        ("htx-thanhloi", "partner", p["htx_lime"].id, []),
        ("htx-thanhlong", "partner", p["htx_dragon"].id, []),
        ("thumua-benluc", "partner", p["collector"].id, []),
        ("longanxanh", "partner", p["packer"].id, []),
        ("taydo", "partner", p["distributor"].id, []),
        ("sieuthi-ninhkieu", "partner", p["shop_nk"].id, []),
        ("htx-hauvandon", "partner", p["htx_oyster"].id, []),
        ("trahoavang", "partner", p["processor_qn"].id, []),
    ]
    for username, role, partner_id, provinces in users:
        accounts.create_user(session, SYSTEM, accounts.UserIn(
            username=username, password=DEMO_PASSWORD, role=role, partner_id=partner_id,
            provinces=provinces))
        who = p_name(demo, partner_id) if partner_id else "all provinces"
        demo.accounts.append((username, role, who))


def _at(days_ago: int, hour: int = 8) -> datetime:
    return datetime.combine(date.today() - timedelta(days=days_ago), time(hour),
                            tzinfo=events.VN_TZ)


def _lots(session: Session, demo: DemoRegistry) -> None:
    """Harvests, shipments, receipts and packing along the demo chains (dates before today)."""
    p, pr, ga = demo.partners, demo.products, demo.growing_areas

    def harvest(key: str, product: str, partner: str, qty: str, unit: str, days: int,
                **origin: Any) -> str:
        lot = lots.harvest(session, SYSTEM, lots.LotIn(
            product_id=pr[product].id, partner_id=p[partner].id, quantity=qty, unit=unit,
            produced_on=date.today() - timedelta(days=days), origin=origin,
            batch=f"{product.upper()[:4]}-{date.today() - timedelta(days=days):%y%m%d}"
                  f"-{p[partner].id}"))
        demo.lots[key] = lot.lot_code
        return lot.lot_code

    def ship(code: str, qty: str, unit: str, src: str, dst: str, days: int,
             arrived: str | None = None, ref: str | None = None) -> None:
        shipment = shipments.ship(session, SYSTEM, shipments.ShipmentIn(
            lot_code=code, quantity=qty, unit=unit, from_partner_id=p[src].id,
            to_partner_id=p[dst].id, shipped_at=_at(days), reference=ref))
        shipments.receive(session, SYSTEM, shipment.id, shipments.ReceiptIn(
            received_at=_at(days, 16), quantity=arrived or qty, unit=unit))

    def transform(key: str, partner: str, days: int, inputs: list[tuple[str, str, str]],
                  product: str, qty: str, unit: str) -> str:
        _, made = transformations.transform(session, SYSTEM, transformations.TransformationIn(
            partner_id=p[partner].id, kind="packing", occurred_at=_at(days, 10),
            inputs=[{"lot_code": c, "quantity": q, "unit": u} for c, q, u in inputs],
            outputs=[{"product_id": pr[product].id, "quantity": qty, "unit": unit}]))
        demo.lots[key] = made[0].lot_code
        return made[0].lot_code

    lime = harvest("lime", "lime", "htx_lime", "3000", "kg", 9,
                   growing_area_code=ga["lime"])
    tuan = harvest("lime_tuan", "lime", "farm_tuan", "400", "kg", 9,
                   growing_area_code=ga["lime_tuan"])
    ship(lime, "2500", "kg", "htx_lime", "packer", 8, arrived="2480", ref="PGH-0811")
    ship(tuan, "400", "kg", "farm_tuan", "collector", 8)
    ship(tuan, "300", "kg", "collector", "packer", 7, ref="PGH-0812")
    ship(tuan, "100", "kg", "collector", "market_cr", 7, ref="PGH-0813")
    box = transform("lime_box", "packer", 6, [(lime, "2400", "kg"), (tuan, "300", "kg")],
                    "lime_box", "2500", "box")
    ship(box, "2000", "box", "packer", "distributor", 5, ref="PXK-LAX-0421")
    ship(box, "800", "box", "distributor", "shop_nk", 4, ref="PXK-TD-1102")
    ship(box, "600", "box", "distributor", "shop_cr", 4, ref="PXK-TD-1103")
    ship(box, "400", "box", "distributor", "market_cr", 3, ref="PXK-TD-1104")
    dragon = harvest("dragon", "dragon", "htx_dragon", "5", "t", 8,
                     growing_area_code=ga["dragon"])
    ship(dragon, "4.5", "t", "htx_dragon", "packer", 7, ref="PGH-0820")
    case = transform("dragon_box", "packer", 6, [(dragon, "4500", "kg")], "dragon_box", "880",
                     "case")
    ship(case, "800", "case", "packer", "distributor", 5, ref="PXK-LAX-0422")
    ship(case, "300", "case", "distributor", "shop_nk", 4)
    ship(case, "300", "case", "distributor", "shop_cr", 4)
    oyster = harvest("oyster", "oyster", "htx_oyster", "3000", "piece", 2,
                     aquaculture_registration=demo.registrations["oyster"])
    ship(oyster, "1200", "piece", "htx_oyster", "shop_hl", 1)
    leaf = harvest("tea_leaf", "tea_leaf", "htx_tea", "60", "kg", 20, growing_area_code=ga["tea"])
    ship(leaf, "60", "kg", "htx_tea", "processor_qn", 19)
    tea = transform("tea", "processor_qn", 15, [(leaf, "60", "kg")], "tea", "1000", "box")
    ship(tea, "400", "box", "processor_qn", "shop_hl", 10)


def _chains(session: Session, demo: DemoRegistry) -> None:
    """Three Long An - Cần Thơ chains (one to international standard) and two in Quảng Ninh."""
    p, pr = demo.partners, demo.products

    def chain(name: str, members: list[str], products: list[str],
              links: list[tuple[str, str]]) -> None:
        supply_chains.create_chain(session, SYSTEM, supply_chains.ChainIn(
            name=name, members=[{"partner_id": p[m].id} for m in members],
            products=[pr[x].id for x in products],
            links=[{"from_partner_id": p[a].id, "to_partner_id": p[b].id} for a, b in links],
            confirmed_on=date(2025, 10, 15), confirmed_by="Sở Nông nghiệp và Môi trường"))

    chain("Chuỗi chanh không hạt Bến Lức – siêu thị Cần Thơ",
          ["htx_lime", "packer", "distributor", "shop_nk", "shop_cr"], ["lime", "lime_box"],
          [("htx_lime", "packer"), ("packer", "distributor"), ("distributor", "shop_nk"),
           ("distributor", "shop_cr")])
    chain("Chuỗi thanh long ruột đỏ Châu Thành – Cần Thơ (GlobalGAP)",
          ["htx_dragon", "packer", "distributor", "shop_nk", "shop_cr"],
          ["dragon", "dragon_box"],
          [("htx_dragon", "packer"), ("packer", "distributor"), ("distributor", "shop_nk"),
           ("distributor", "shop_cr")])
    chain("Chuỗi chanh tươi Thạnh Lợi – chợ đầu mối Cái Răng",
          ["farm_tuan", "collector", "market_cr"], ["lime"],
          [("farm_tuan", "collector"), ("collector", "market_cr")])
    chain("Chuỗi hàu Vân Đồn – Hạ Long", ["htx_oyster", "shop_hl"], ["oyster"],
          [("htx_oyster", "shop_hl")])
    chain("Chuỗi trà hoa vàng Ba Chẽ", ["htx_tea", "processor_qn", "shop_hl"], ["tea_leaf", "tea"],
          [("htx_tea", "processor_qn"), ("processor_qn", "shop_hl")])


def p_name(demo: DemoRegistry, partner_id: int | None) -> str:
    """The name of a demo partner by id."""
    return next((x.name for x in demo.partners.values() if x.id == partner_id), "-")


def _labels(session: Session, demo: DemoRegistry, base_url: str, qr_key: bytes | None) -> None:
    """The packers print label sheets for their boxes (the plans' "lots with a QR code")."""
    for key in ("lime_box", "dragon_box", "tea"):
        lot = lots.get(session, demo.lots[key])
        qr_issues.issue_labels(session, SYSTEM, lot, qr_issues.LabelsQuery(count=24),
                               qr_issues.code_url(base_url, qr_key, lot) if qr_key
                               else qr.label_url(base_url, lot.lot_code, gtin=lot.product.gtin,
                                                 batch=lot.batch))


def _supermarket(session: Session, demo: DemoRegistry) -> None:
    """Siêu thị Xanh Ninh Kiều approves its Long An packer and its distributor, checks what it
    receives with a warning gate, and gets the alerts of today (the demo case names its
    packer)."""
    shop = demo.partners["shop_nk"].id
    for key, categories in (("packer", ["fruit", "processed_prepackaged"]),
                            ("distributor", [])):
        approved_suppliers.approve(session, SYSTEM, shop, approved_suppliers.ApprovalIn(
            supplier_id=demo.partners[key].id, categories=categories,
            note="Nhà cung cấp chanh không hạt và thanh long (demo)"))
    receiving_gates.set_gate(session, SYSTEM, shop, receiving_gates.GateIn(mode="warn"))
    session.flush()
    alerts = supplier_alerts.run(session).alerts
    demo.notes.append(f"supermarket: {demo.partners['shop_nk'].name} approves 2 suppliers, "
                      f"checks receipts with a warning gate, {alerts} supplier alerts")


def load(session: Session, base_url: str = "http://127.0.0.1:5000",
         qr_key: bytes | None = None) -> str:
    """Load the demo into an empty registry; return a summary with the demo accounts.

    `base_url` and `qr_key` sign the label sheets the demo packers print (unsigned without a
    key)."""
    demo = DemoRegistry()
    for step in (_partners, _codes, _products, _certifications, _accounts, _lots, _chains,
                 demo_monitoring.monitoring):
        step(session, demo)
        session.flush()
    _labels(session, demo, base_url, qr_key)
    session.flush()
    _supermarket(session, demo)
    session.flush()
    lines = [f"demo loaded: {len(demo.partners)} partners, {len(demo.growing_areas)} growing "
             f"areas, {len(demo.registrations)} aquaculture registration, "
             f"{len(demo.products)} products, {len(demo.lots)} lots, 5 supply chains",
             *demo.notes,
             f"demo accounts (password {DEMO_PASSWORD!r}):"]
    lines += [f"  {u:<18} {r:<8} {w}" for u, r, w in demo.accounts]
    return "\n".join(lines)
