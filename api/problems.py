"""RFC 9457 problem details: the one place refusals become HTTP responses."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from registry.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    NotFound: 404, Unauthenticated: 401, Forbidden: 403, Conflict: 409, Invalid: 422,
}
JSON_PREFIXES = ("/api/", "/epcis/")


def problem_type(slug: str | None) -> str:
    """An absolute URL naming the kind of problem, or about:blank."""
    if not slug:
        return "about:blank"
    base = current_app.config["NGUONGOC"].base_url
    return f"{base}/problems/{slug}"


def problem(status: int, detail: str | None = None, *, slug: str | None = None,
            errors: Iterable[FieldError] = (), headers: dict[str, str] | None = None) -> Response:
    """An application/problem+json response."""
    body: dict[str, Any] = {"type": problem_type(slug), "title": HTTP_STATUS_CODES.get(status,
                                                                                    "Error"),
                            "status": status}
    if detail:
        body["detail"] = detail
    body["errors"] = [asdict(e) for e in errors]
    response = Response(json.dumps(body, ensure_ascii=False), status,
                        mimetype="application/problem+json", headers=headers)
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="nguongoc"')
    return response


def wants_json() -> bool:
    """Whether this request is an API call (JSON errors) rather than a page (HTML errors)."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" and (
        accept["application/json"] > accept["text/html"])


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Pydantic errors as fields (dotted paths) and messages."""
    errors = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        message = error["msg"].removeprefix("Value error, ")
        errors.append(FieldError(f"{prefix}{path}", message))
    return errors


def refused(exc: DomainError) -> Response | tuple[str, int]:
    """A domain refusal as a problem (API) or an error page (web)."""
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    if not wants_json():
        return render_template("error.html", status=status, detail=exc.detail,
                               errors=exc.errors), status
    return problem(status, exc.detail, slug=exc.slug, errors=exc.errors)


def invalid(exc: ValidationError) -> Response:
    """A request body or query that does not fit its schema: 422 naming each field."""
    errors = field_errors(exc)
    return problem(422, "some values are missing or invalid", slug="invalid", errors=errors)


def http_error(exc: HTTPException) -> Response | HTTPException | tuple[str, int]:
    """Werkzeug's errors as problems under the API, as pages elsewhere."""
    status = exc.code or 500
    if wants_json():
        return problem(status, exc.description, headers=dict(exc.get_response().headers))
    return render_template("error.html", status=status, detail=exc.description,
                           errors=()), status


def integrity(exc: IntegrityError) -> Response | tuple[str, int]:
    """A unique or foreign-key constraint the checks did not see coming (two requests racing
    for the same code): a conflict, never a 500. Nothing was stored."""
    log.info("integrity error on %s %s: %s", request.method, request.path, exc.orig)
    return refused(Conflict("the record conflicts with one stored at the same moment; "
                            "reload and try again"))


def out_of_range(exc: Exception) -> Response | tuple[str, int]:
    """A number or time beyond what the database stores (an id of 40 digits): 422."""
    log.info("value out of range on %s %s: %s", request.method, request.path, exc)
    return refused(Invalid("a number or date in the request is out of the range the registry "
                           "stores", errors=[FieldError("body", "a value is out of range")]))


def unexpected(exc: Exception) -> Response | tuple[str, int]:
    """Anything else: logged, and a 500 without a stack trace."""
    if isinstance(exc, HTTPException):
        return http_error(exc)
    cause = exc.orig if isinstance(exc, StatementError) else exc
    if isinstance(cause, OverflowError):  # an integer beyond 64 bits, a date beyond year 9999
        return out_of_range(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    if wants_json():
        return problem(500, "an internal error occurred; it has been logged")
    return render_template("error.html", status=500,
                           detail="an internal error occurred; it has been logged",
                           errors=()), 500


def init_app(app: Flask) -> None:
    """Register the translation points."""
    app.register_error_handler(DomainError, refused)
    app.register_error_handler(ValidationError, invalid)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(IntegrityError, integrity)
    app.register_error_handler(DataError, out_of_range)  # PostgreSQL: integer out of range
    app.register_error_handler(Exception, unexpected)
