"""SQLite connections keep what they acknowledge: WAL, and a WAL fsync at every commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from registry import database


def test_every_connection_writes_ahead_and_syncs_each_commit(migrated_url: str,
                                                             tmp_path: Path) -> None:
    if not migrated_url.startswith("sqlite"):
        pytest.skip("SQLite settings")
    engine = database.make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    try:
        with engine.connect() as connection:
            pragma = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    # synchronous 2 = FULL: in WAL mode the log is fsynced before COMMIT returns, so a commit
    # survives a power loss as well as a killed process (NORMAL would only survive the latter).
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                      "busy_timeout": 30000}
