"""An agency puts a lot on hold and releases it: a held lot may not move and its scan page
warns; only agencies of the producer's or a holder's province may do it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.models import AuditEntry, Event
from tests.chains.conftest import Chain, harvest, move, ship
from tests.chains.verification_fixtures import csrf, signed_in

REASON = {"reason": "Chờ kết quả kiểm nghiệm mẫu chlorpyrifos"}


def test_a_held_lot_may_not_move_until_it_is_released(session: Session, chain: Chain,
                                                      client: FlaskClient) -> None:
    lot = harvest(chain, "farm_a").json["lot_code"]
    move(chain, lot, "farm_a", "collector", "400")
    held = chain.api("agency_80").post(f"/lots/{lot}/hold", json=REASON)
    assert held.status_code == 200 and held.json["status"] == "on_hold"
    refused = ship(chain, lot, "collector", "packer", "100")
    assert refused.status_code == 409 and "on_hold" in refused.json["detail"]
    scan = client.get(f"/l/{lot}")
    assert scan.status_code == 200 and "TẠM GIỮ" in scan.get_data(as_text=True)
    assert chain.api("agency_80").post(f"/lots/{lot}/hold", json=REASON).status_code == 409
    released = chain.api("agency_80").post(f"/lots/{lot}/release",
                                           json={"reason": "Mẫu đạt"})
    assert released.status_code == 200 and released.json["status"] == "active"
    assert ship(chain, lot, "collector", "packer", "100").status_code == 201
    kinds = session.execute(select(Event.kind).where(Event.kind.in_(["hold", "release"]))
                            .order_by(Event.id)).scalars().all()
    assert [k.value for k in kinds] == ["hold", "release"]


def test_who_may_hold_a_lot_and_bad_requests_change_nothing(session: Session,
                                                          chain: Chain) -> None:
    lot = harvest(chain, "farm_a").json["lot_code"]
    entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    assert chain.api("farm_a").post(f"/lots/{lot}/hold", json=REASON).status_code == 403
    assert chain.api("agency_92").post(f"/lots/{lot}/hold", json=REASON).status_code == 403
    assert chain.api("agency_80").post(f"/lots/{lot}/hold", json={}).status_code == 422
    assert chain.api("agency_80").post(f"/lots/{lot}/release", json=REASON).status_code == 409
    assert chain.api("agency_80").post("/lots/ZZZZZZZZZZ/hold", json=REASON).status_code == 404
    session.expire_all()
    assert session.execute(select(func.count()).select_from(AuditEntry)
                           ).scalar_one() == entries
    move(chain, lot, "farm_a", "distributor", "100")  # now also held in Cần Thơ
    assert chain.api("agency_92").post(f"/lots/{lot}/hold", json=REASON).status_code == 200


def test_the_lot_page_holds_and_releases_for_its_agency(session: Session, chain: Chain,
                                                        app: Flask) -> None:
    lot = harvest(chain, "farm_a").json["lot_code"]
    farm = signed_in(app, session, "partner", partner_id=chain.ids["farm_a"])
    assert f"/lots/{lot}/hold" not in farm.get(f"/lots/{lot}").get_data(as_text=True)
    agency = signed_in(app, session, "agency", provinces=["80"])
    page = f"/lots/{lot}"
    assert f'action="/lots/{lot}/hold"' in agency.get(page).get_data(as_text=True)
    empty = agency.post(f"{page}/hold", data={"reason": "", "csrf_token": csrf(agency, page)},
                        follow_redirects=True)
    assert "lý do" in empty.get_data(as_text=True)
    held = agency.post(f"{page}/hold", data={"reason": "Chờ kết quả kiểm nghiệm",
                                             "csrf_token": csrf(agency, page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "TẠM GIỮ" in held and f'action="/lots/{lot}/release"' in held
    assert chain.api("admin").get(f"/lots/{lot}").json["status"] == "on_hold"
