"""Backups that keep every acknowledged write: SQLite's online backup API (consistent while the
service runs), pg_dump/pg_restore on PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ValueError("backups need a file database")
    return Path(url.database)


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", url.database or "postgres"]
    host = url.query.get("host") or url.host
    if host:
        args += ["--host", str(host)]
    port = url.query.get("port") or url.port
    if port:
        args += ["--port", str(port)]
    if url.username:
        args += ["--username", url.username]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    tool = shutil.which(command[0])
    if tool is None:
        raise RuntimeError(f"{command[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run([tool, *command[1:]], env={**os.environ, **env},
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.strip()}")


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target` (a file)."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    args, env = _pg_args(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], env)
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup`."""
    if not source.is_file():
        raise FileNotFoundError(source)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(source)
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path)
        try:
            with target:
                backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
        return
    args, env = _pg_args(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          *args, str(source)], env)
