"""Engines, sessions and migrations for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

REFERENCE_TABLES = ("certification_scheme", "residue_limit", "audit_head", "yield_band",
                    "indicator_target")
"""Tables the migrations seed; `truncate_all` restores their seeded rows."""
_seeded: dict[str, dict[str, list[dict[str, Any]]]] = {}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    if make_url(url).get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so a writer can ask for BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")  # an acknowledged write survives a crash
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory every entry point uses."""
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start this session's transaction as a writer.

    On SQLite this takes the write lock up front (BEGIN IMMEDIATE), so a transaction that
    reads before it writes waits for other writers instead of failing on a stale snapshot.
    Call it before the session's first statement; elsewhere it does nothing.
    """
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def is_sqlite(session: Session) -> bool:
    """Whether this session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def alembic_config(url: str) -> Any:
    """The Alembic configuration for this project's migrations against `url`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema at `url` to the newest migration (creating the SQLite file's folder)."""
    from alembic import command

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() != "postgresql":
        command.upgrade(alembic_config(url), revision)  # SQLite: the file lock serialises
        return
    # Several hosts starting at once (a rolling deploy) must not migrate side by side: hold a
    # session-level advisory lock on another connection while Alembic runs.
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                command.upgrade(alembic_config(url), revision)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        engine.dispose()


MIGRATION_LOCK = 0x6E67756F6E67  # "nguong": the advisory lock key of `upgrade`


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revisions the code knows."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def is_up_to_date(engine: Engine) -> bool:
    """Whether every migration has been applied."""
    return current_revisions(engine) == head_revisions()


def truncate_all(url: str) -> None:
    """Empty every table and restore the migrations' seed rows (tests on PostgreSQL).

    The first call for a database records the seed rows, so call it right after `upgrade`.
    """
    engine = make_engine(url)
    try:
        names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
        with engine.begin() as connection:
            if url not in _seeded:
                _seeded[url] = {t: [dict(r._mapping) for r in connection.execute(
                    text(f'SELECT * FROM "{t}"'))] for t in REFERENCE_TABLES if t in names}
            if engine.dialect.name == "postgresql":
                quoted = ", ".join(f'"{n}"' for n in names)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at commit
                for name in names:
                    connection.execute(text(f'DELETE FROM "{name}"'))
            metadata = MetaData()
            for table, rows in _seeded[url].items():
                if rows:
                    connection.execute(Table(table, metadata, autoload_with=connection).insert(),
                                       rows)
            if engine.dialect.name == "postgresql":
                for table, rows in _seeded[url].items():
                    if rows and "id" in rows[0] and table != "audit_head":
                        connection.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"{max(r['id'] for r in rows)})"))
    finally:
        engine.dispose()
