"""A write retried with the same Idempotency-Key is recorded once and answered with the first
response (a producer's phone that lost the answer sends the shipment again); the same key
with another request, a malformed key, and parallel duplicates are refused; a refused write
keeps no key, so its retry runs again."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from registry.models import AuditEntry, IdempotencyKey, Shipment
from tests.api.helpers import assert_problem
from tests.chains.conftest import Chain, harvest


def shipment(chain: Chain, lot_code: str, quantity: str = "10") -> dict[str, Any]:
    return {"lot_code": lot_code, "quantity": quantity, "unit": "kg",
            "from_partner_id": chain.ids["farm_a"], "to_partner_id": chain.ids["collector"],
            "shipped_at": "2026-11-02T08:00:00+07:00"}


def shipments(app: Any) -> int:
    with app.extensions["nguongoc.sessions"]() as s:
        return int(s.execute(select(func.count()).select_from(Shipment)).scalar_one())


def test_a_retried_shipment_is_recorded_once_and_answered_as_the_first(
        app: Any, chain: Chain) -> None:
    code = harvest(chain, quantity="100").json["lot_code"]
    farm = chain.api("farm_a")
    key = {"Idempotency-Key": "phone-42/ship-0001"}
    first = farm.post("/shipments", json=shipment(chain, code), headers=key)
    assert first.status_code == 201, first.json
    again = farm.post("/shipments", json=shipment(chain, code), headers=key)
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert shipments(app) == 1
    assert chain.api("admin").get(f"/lots/{code}").json["holdings"][0]["base_quantity"] == 90_000
    other = farm.post("/shipments", json=shipment(chain, code), headers={
        "Idempotency-Key": "phone-42/ship-0002"})
    assert other.status_code == 201 and other.json["id"] != first.json["id"]
    assert shipments(app) == 2
    # keys are per user: another user's same key is its own request
    collector = chain.api("collector").post("/shipments", json=shipment(chain, code),
                                            headers=key)
    assert_problem(collector, 403)


def test_a_key_reused_for_another_request_or_malformed_is_refused(
        app: Any, chain: Chain) -> None:
    code = harvest(chain, quantity="100").json["lot_code"]
    farm = chain.api("farm_a")
    key = {"Idempotency-Key": "k-1"}
    assert farm.post("/shipments", json=shipment(chain, code), headers=key).status_code == 201
    body = assert_problem(farm.post("/shipments", json=shipment(chain, code, "20"), headers=key),
                          409, "Idempotency-Key")
    assert "another request" in body["detail"]
    for bad in ("", "a" * 201, "kéy", "two words"):
        assert_problem(farm.post("/shipments", json=shipment(chain, code),
                                 headers={"Idempotency-Key": bad}), 422, "Idempotency-Key")
    assert shipments(app) == 1


def test_a_refused_write_keeps_no_key_so_its_retry_runs_again(app: Any, chain: Chain) -> None:
    code = harvest(chain, quantity="5").json["lot_code"]
    farm = chain.api("farm_a")
    key = {"Idempotency-Key": "retry-after-409"}
    assert_problem(farm.post("/shipments", json=shipment(chain, code, "10"), headers=key), 409)
    with app.extensions["nguongoc.sessions"]() as s:
        assert s.execute(select(func.count()).select_from(IdempotencyKey)).scalar_one() == 0
    # the request body changed after the refusal: a new request under the same key is fine
    assert farm.post("/shipments", json=shipment(chain, code, "5"), headers=key
                     ).status_code == 201
    assert shipments(app) == 1


def test_parallel_duplicates_with_one_key_record_one_shipment(app: Any, chain: Chain) -> None:
    code = harvest(chain, quantity="100").json["lot_code"]
    token = chain.api("farm_a").token
    answers: list[tuple[int, Any]] = []
    barrier = threading.Barrier(6)

    def fire() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/shipments", json=shipment(chain, code), headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": "same-tap-six-times"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=fire) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert shipments(app) == 1
    created = [body for status, body in answers if status == 201]
    assert created and all(body == created[0] for body in created)
    assert all(status in (201, 409) for status, _ in answers), answers
    with app.extensions["nguongoc.sessions"]() as s:
        writes = s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "ship")).scalar_one()
    assert writes == 1
