"""Health checks, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api import create_app
from api.settings import Settings
from registry import accounts, audit, mass_balance
from registry.actors import SYSTEM
from registry.models import Role
from tests import factories
from tests.databases import fresh_database


def test_healthz_reports_the_database_and_migrations(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "migrations": "current"}


def test_check_command_exits_zero_when_healthy(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0 and "migrations: current" in result.output


def _traces(client: Any, token: str, codes: list[str]) -> dict[str, Any]:
    """Both traces of each lot, as the API renders them."""
    headers = {"Authorization": f"Bearer {token}"}
    found = {}
    for code in codes:
        for direction in ("backward", "forward"):
            response = client.get(f"/api/v1/lots/{code}/trace?direction={direction}",
                                  headers=headers)
            assert response.status_code == 200, response.json
            found[f"{code} {direction}"] = response.json
    return found


def test_a_backup_restored_into_a_fresh_database_traces_the_same_and_its_audit_chain_verifies(
        app: Any, session: Session, database_url: str, tmp_path: Path) -> None:
    """`nguongoc backup` (SQLite online backup; pg_dump on PostgreSQL) of a registry with a
    chain, `nguongoc restore` into a database that never held anything (a new SQLite file; a
    new, empty PostgreSQL database, as on a replacement server): healthy, migrated, the same
    traces, an intact audit chain."""
    farm = factories.partner(session)
    packer = factories.partner(session, kind="packing_house")
    area = factories.growing_area(session, holder=farm)
    lime = factories.product(session, owner=farm)
    box = factories.product(session, owner=packer, category="processed_prepackaged")
    user = accounts.create_user(session, SYSTEM, accounts.UserIn(
        username="operator", password="password-123", role=Role.ADMIN))
    token = accounts.create_token(session, SYSTEM, user)
    session.commit()
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    lot = client.post("/api/v1/lots", headers=auth, json={
        "product_id": lime.id, "partner_id": farm.id, "quantity": "500", "unit": "kg",
        "produced_on": "2026-11-01", "origin": {"growing_area_code": area.code}}).json["lot_code"]
    sent = client.post("/api/v1/shipments", headers=auth, json={
        "lot_code": lot, "quantity": "300", "unit": "kg", "from_partner_id": farm.id,
        "to_partner_id": packer.id, "shipped_at": "2026-11-02T08:00:00+07:00"}).json
    assert client.post(f"/api/v1/shipments/{sent['id']}/receive", headers=auth, json={
        "received_at": "2026-11-02T15:00:00+07:00", "quantity": "300"}).status_code == 200
    packed = client.post("/api/v1/transformations", headers=auth, json={
        "partner_id": packer.id, "kind": "packing", "occurred_at": "2026-11-03T09:00:00+07:00",
        "inputs": [{"lot_code": lot, "quantity": "300", "unit": "kg"}],
        "outputs": [{"product_id": box.id, "quantity": "60", "unit": "box"}]})
    assert packed.status_code == 201, packed.json
    codes = [lot, packed.json["outputs"][0]["lot_code"]]
    before = _traces(client, token, codes)
    assert len(before[f"{lot} forward"]["lots"]) == 2

    target = tmp_path / "backup.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    magic = b"SQLite format 3\0" if database_url.startswith("sqlite") else b"PGDMP"  # pg_dump -Fc
    assert target.read_bytes().startswith(magic)
    with fresh_database(database_url, tmp_path, migrate=False) as fresh:
        restored = create_app(Settings(database_url=fresh, secret_key="x",
                                       base_url="https://qr.test", rate_limits=False))
        try:
            cli = restored.test_cli_runner()
            restored_cli = cli.invoke(args=["restore", "--yes", str(target)])
            assert restored_cli.exit_code == 0, restored_cli.output
            checked = cli.invoke(args=["check"])
            assert checked.exit_code == 0 and "migrations: current" in checked.output
            verified = cli.invoke(args=["audit", "verify"])
            assert verified.exit_code == 0, verified.output
            assert _traces(restored.test_client(), token, codes) == before
            with restored.extensions["nguongoc.sessions"]() as s:
                assert audit.verify(s).entries == audit.verify(session).entries
                assert mass_balance.check(s).ok
        finally:
            restored.extensions["nguongoc.engine"].dispose()
