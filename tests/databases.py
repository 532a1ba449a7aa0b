"""Fresh, migrated databases for tests that need one of their own (a restore target, a server
killed mid-write): a new SQLite file, or a new database on the PostgreSQL server of
TEST_DATABASE_URL, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from registry import database


@contextmanager
def fresh_database(like_url: str, folder: Path, *, migrate: bool = True) -> Iterator[str]:
    """A new, empty database of the same kind as `like_url` (migrated unless told not to)."""
    parsed = make_url(like_url)
    if parsed.get_backend_name() == "sqlite":
        url = f"sqlite:///{folder / f'fresh-{secrets.token_hex(4)}.sqlite3'}"
        if migrate:
            database.upgrade(url)
        yield url
        return
    name = f"nguongoc_fresh_{secrets.token_hex(4)}"
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = parsed.set(database=name).render_as_string(hide_password=False)
        try:
            if migrate:
                database.upgrade(url)
            yield url
        finally:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()
