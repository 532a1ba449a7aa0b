"""Health checks, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api import create_app
from api.settings import Settings
from registry import audit, database
from tests import factories


def test_healthz_reports_the_database_and_migrations(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "migrations": "current"}


def test_check_command_exits_zero_when_healthy(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0 and "migrations: current" in result.output


def test_a_restored_backup_traces_the_same_and_its_audit_chain_verifies(
        app: Any, session: Session, settings: Settings, tmp_path: Path,
        database_url: str) -> None:
    area = factories.growing_area(session)
    session.commit()
    target = tmp_path / "backup.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    if database_url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        fresh = database_url  # PostgreSQL: restore over the emptied test database
        database.truncate_all(database_url)
    restored = create_app(Settings(database_url=fresh, secret_key="x", base_url="https://qr.test",
                                   rate_limits=False))
    restored_cli = restored.test_cli_runner().invoke(args=["restore", "--yes", str(target)])
    assert restored_cli.exit_code == 0, restored_cli.output
    with restored.extensions["nguongoc.sessions"]() as s:
        assert audit.verify(s).ok
        from registry import growing_areas

        assert growing_areas.get(s, area.code).crop == area.crop
    restored.extensions["nguongoc.engine"].dispose()
