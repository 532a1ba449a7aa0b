"""The demo data traces end to end (issue 4): the Cần Thơ supermarkets' lots trace back to the
Long An (now Tây Ninh) growing areas, and the farm lots trace forward to those supermarkets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import trace as tracing
from registry import demo
from registry.models import Holding, Lot, OriginType, Partner, PartnerKind, Product
from tests.conftest import ApiClient

LIME_AREAS = {"VN-80-803-27811-01-22", "VN-80-27811-07-25"}
DRAGON_AREAS = {"VN-80-808-28120-02-23"}
CAN_THO_SUPERMARKETS = {"Siêu thị Xanh Ninh Kiều", "Siêu thị Tây Đô Cái Răng"}


@pytest.fixture
def demo_loaded(session: Session) -> Session:
    """The demo registry, committed."""
    demo.load(session)
    session.commit()
    return session


def _retail_lots(session: Session) -> dict[str, str]:
    """Lot code -> product name of every lot a Cần Thơ supermarket holds."""
    rows = session.execute(
        select(Lot.lot_code, Product.name_vi).join(Product, Product.id == Lot.product_id)
        .join(Holding, Holding.lot_id == Lot.id).join(Partner, Partner.id == Holding.partner_id)
        .where(Partner.kind == PartnerKind.RETAILER, Partner.province_code_current == "92",
               Holding.quantity > 0)).all()
    return dict(rows)


def _farm_lots(session: Session) -> dict[str, str]:
    """Lot code -> product name of every lot harvested from a growing area in Tây Ninh."""
    rows = session.execute(
        select(Lot.lot_code, Product.name_vi).join(Product, Product.id == Lot.product_id)
        .join(Partner, Partner.id == Lot.producer_id)
        .where(Lot.origin_type == OriginType.GROWING_AREA,
               Partner.province_code_current == "80")).all()
    return dict(rows)


def test_the_supermarkets_lots_trace_back_to_their_growing_areas(
        demo_loaded: Session) -> None:
    retail = _retail_lots(demo_loaded)
    assert sorted(retail.values()) == ["Chanh không hạt hộp 1 kg",
                                       "Thanh long ruột đỏ thùng 5 kg"]
    for code, product in retail.items():
        body = tracing.render(tracing.trace(demo_loaded, code, "backward"))
        expected = LIME_AREAS if product.startswith("Chanh") else DRAGON_AREAS
        assert {o.code for o in body.origins} == expected
        assert all(o.type is OriginType.GROWING_AREA for o in body.origins)
        assert {o.place.province_name_current for o in body.origins} == {"Tỉnh Tây Ninh"}
        kinds = [p.partner.kind for p in body.partners]
        assert kinds[0] is PartnerKind.COOPERATIVE and kinds[-1] is PartnerKind.RETAILER
        assert kinds.index(PartnerKind.PACKING_HOUSE) < kinds.index(PartnerKind.DISTRIBUTOR)


def test_the_lime_box_keeps_the_long_an_name_of_its_cooperatives_area(
        demo_loaded: Session) -> None:
    code = next(c for c, p in _retail_lots(demo_loaded).items() if p.startswith("Chanh"))
    body = tracing.render(tracing.trace(demo_loaded, code, "backward"))
    area = next(o for o in body.origins if o.code == "VN-80-803-27811-01-22")
    assert (area.place.province_name, area.place.renamed) == ("Tỉnh Long An", True)
    assert any(c.scheme == "vietgap" for c in area.certifications)


def test_the_farm_lots_trace_forward_to_the_can_tho_supermarkets(demo_loaded: Session) -> None:
    farm = _farm_lots(demo_loaded)
    assert len(farm) == 3  # two lime harvests and one dragon-fruit harvest
    for code in farm:
        body = tracing.render(tracing.trace(demo_loaded, code, "forward"))
        reached = {r.to_partner.name for r in body.recipients
                   if r.to_partner.province_code_current == "92" and r.status == "received"}
        assert CAN_THO_SUPERMARKETS <= reached, code
        shelf = {h.partner.name for h in body.holders}
        assert CAN_THO_SUPERMARKETS <= shelf


def test_the_can_tho_agency_traces_the_demo_over_http(
        demo_loaded: Session, api_as: Callable[..., ApiClient]) -> None:
    code = next(c for c, p in _retail_lots(demo_loaded).items() if p.startswith("Thanh long"))
    agency = api_as("agency", provinces=["92"])
    body = agency.get(f"/lots/{code}/trace?direction=backward").json
    assert {o["code"] for o in body["origins"]} == DRAGON_AREAS
    farm_code = next(o["lots"][0] for o in body["origins"])
    forward = agency.get(f"/lots/{farm_code}/trace?direction=forward").json
    assert CAN_THO_SUPERMARKETS <= {r["to_partner"]["name"] for r in forward["recipients"]}
