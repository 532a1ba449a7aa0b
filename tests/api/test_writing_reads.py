"""GET endpoints that write (issuing a code, signing a verification) take SQLite's write lock
before they read: a read transaction cannot become a writer once another connection has
committed, which made a code download fail with "database is locked" (500) when the scan-log
thread wrote a scan in between."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from registry import qr_issues
from tests.api.qr_scene import Scene, scene

__all__ = ["scene"]


def test_a_code_download_holds_the_write_lock_before_it_reads(
        scene: Scene, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's lock upgrade; PostgreSQL has row locks")
    path = make_url(database_url).database
    others: list[str] = []
    checked = qr_issues.ensure_may_issue

    def another_writer_commits_meanwhile(*args: Any) -> None:
        checked(*args)
        other = sqlite3.connect(str(path), timeout=0)
        try:
            other.execute("UPDATE scan_threshold SET value = value")
            other.commit()
            others.append("wrote")
        except sqlite3.OperationalError:
            others.append("waited")  # the request holds the write lock: as it should
        finally:
            other.close()

    monkeypatch.setattr(qr_issues, "ensure_may_issue", another_writer_commits_meanwhile)
    for kind in ("qr.png", "qr.svg", "labels.pdf?count=3"):
        response = scene.api("farm").get(f"/lots/{scene.lots['lime']}/{kind}")
        assert response.status_code == 200, (kind, response.get_data(as_text=True)[:300])
    assert others == ["waited"] * 3
