"""The mass-balance check: a registry built by the services balances, and a tampered holding,
a negative holding or an over-received shipment is named."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry import demo, mass_balance
from registry.models import Holding, Lot, Shipment
from tests.chains.conftest import Chain, harvest, pack, receive, ship


def _built(chain: Chain) -> str:
    """Harvest, ship with a shortfall, pack part of it, leave a shipment in transit."""
    code: str = harvest(chain, quantity="1000").json["lot_code"]
    sent = ship(chain, code, "farm_a", "packer", "400")
    assert receive(chain, sent.json["id"], "packer", "390").status_code == 200
    boxes = pack(chain, [(code, "300", "kg")], quantity="100")
    assert boxes.status_code == 201, boxes.json
    box_code = boxes.json["outputs"][0]["lot_code"]
    assert ship(chain, box_code, "packer", "distributor", "40", "box").status_code == 201
    assert ship(chain, code, "farm_a", "collector", "600").status_code == 201
    assert ship(chain, code, "farm_a", "collector", "1").status_code == 409  # nothing left
    return code


def test_what_the_services_record_balances(chain: Chain, session: Session) -> None:
    _built(chain)
    balance = mass_balance.check(session)
    assert balance.ok, balance.problems
    assert (balance.lots, balance.shipments) == (2, 3)


def test_a_tampered_holding_is_named(chain: Chain, session: Session) -> None:
    code = _built(chain)
    lot_id = session.execute(select(Lot.id).where(Lot.lot_code == code)).scalar_one()
    session.execute(update(Holding).where(Holding.lot_id == lot_id,
                                          Holding.partner_id == chain.ids["packer"])
                    .values(quantity=Holding.quantity + 5))
    session.commit()
    problems = mass_balance.check(session).problems
    assert problems == [f"lot {lot_id}: partner {chain.ids['packer']}'s holding is off by +5 "
                        "base units (produced + received - shipped - consumed - destroyed)"]


def test_negative_holdings_and_over_received_shipments_are_named(chain: Chain,
                                                                 session: Session) -> None:
    _built(chain)
    session.execute(update(Holding).where(Holding.partner_id == chain.ids["packer"])
                    .values(quantity=-1))
    session.execute(update(Shipment).where(Shipment.received_quantity.is_not(None))
                    .values(received_quantity=Shipment.quantity + 1))
    session.commit()
    problems = mass_balance.check(session).problems
    assert any("holds -1 (< 0)" in p for p in problems)
    assert any(p.startswith("shipment ") and "received 400001 of 400000" in p for p in problems)


def test_the_demo_registry_balances(session: Session) -> None:
    demo.load(session)
    session.commit()
    balance = mass_balance.check(session)
    assert balance.ok, balance.problems
    assert balance.lots > 5
