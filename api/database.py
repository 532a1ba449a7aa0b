"""One session per request; the view owns the transaction and commits."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from registry import database as registry_database

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITING_READS = frozenset({
    "v1.lot_qr_png", "v1.lot_qr_svg", "v1.lot_labels_pdf",  # record the codes they issue
    "v1.verify_partner_pdf", "v1.verify_lot_pdf",  # store the verification they sign
    "web.supplier_verification_pdf", "web.lot_verification_pdf",
    "web.consumer_report",  # marks the report read
})
"""GET endpoints that write: like the write methods, their transaction takes the write lock
before the sign-in lookup reads (on SQLite a read transaction cannot become a writer once
another connection, e.g. the scan-log thread, has committed: "database is locked")."""


def init_app(app: Flask, url: str) -> None:
    """Create the engine and session factory and close each request's session."""
    engine = registry_database.make_engine(url)
    app.extensions["nguongoc.engine"] = engine
    app.extensions["nguongoc.sessions"] = registry_database.make_sessions(engine)
    app.teardown_appcontext(close_session)


def session() -> Session:
    """This request's session; closed, and rolled back if uncommitted, at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["nguongoc.sessions"]()
        if has_request_context() and (request.method in WRITE_METHODS
                                      or request.endpoint in WRITING_READS):
            registry_database.begin_write(g.db_session)
    db_session: Session = g.db_session
    return db_session


def close_session(_exc: BaseException | None) -> None:
    if (db_session := g.pop("db_session", None)) is not None:
        db_session.close()
