"""GS1 EPCIS 2.0 under /epcis (DESIGN.md section 6, issue 7): capture, capture status, query.

Capture is processed inside the request, all or nothing, so the 202 answer is already final:
`status` is `success`, or `failed` with per-event errors (a valid EPCIS document that breaks a
registry rule; nothing of it is stored but the capture record). A document that breaks the EPCIS
schema is a 400 problem naming the JSON path, and no capture is recorded.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from api import database
from api.openapi import MalformedBody, json_response, operation
from chains import epcis, epcis_capture, epcis_query
from registry.actors import Actor
from registry.errors import FieldError, Forbidden, NotFound
from registry.models import EpcisCapture

bp = Blueprint("epcis", __name__, url_prefix="/epcis")
MEDIA_TYPES = ("application/json", "application/ld+json")
QUERY_MIME = "application/ld+json"


def _base_url() -> str:
    return str(current_app.config["NGUONGOC"].base_url)


def _document() -> Any:
    if request.mimetype not in MEDIA_TYPES:
        raise UnsupportedMediaType("send an EPCISDocument as application/json or "
                                   "application/ld+json")
    try:
        return json.loads(request.get_data())
    except (ValueError, BadRequest):
        raise MalformedBody("the request body is not valid JSON",
                            errors=[FieldError("body", "is not valid JSON")]) from None


def _status(capture: EpcisCapture | epcis_capture.CaptureResult) -> dict[str, Any]:
    if isinstance(capture, EpcisCapture):
        return {"captureID": capture.id, "status": capture.status,
                "events": capture.event_count, "recorded": capture.mapped_count,
                "errors": capture.errors, "createdAt": capture.created_at}
    return {"captureID": capture.capture_id, "status": capture.status,
            "events": capture.events, "recorded": capture.operations, "errors": capture.errors,
            "unverifiedCreated": capture.created, "notes": capture.notes}


@operation(bp, "POST", "/capture", summary="Capture an EPCIS 2.0 document (JSON or JSON-LD, up "
           "to 10,000 events), all or nothing", tag="epcis", status=202,
           produces=("application/json",), extra_responses=(413, 415))
def capture(actor: Actor) -> Response:
    """202 with the capture id and `Location`; the body says success or per-event errors."""
    data = _document()
    session = database.session()
    capture_id = epcis_capture.new_capture_id()
    try:
        result = epcis_capture.capture(session, actor, data, _base_url(), capture_id)
        session.commit()
    except epcis_capture.CaptureRefused as refused:
        session.rollback()
        result = epcis_capture.record_failure(session, actor, capture_id, data, refused)
        session.commit()
    response = json_response(_status(result), 202)
    response.headers["Location"] = f"/epcis/capture/{capture_id}"
    return response


@operation(bp, "GET", "/capture/<capture_id>", summary="A capture's status and per-event errors",
           tag="epcis")
def capture_status(actor: Actor, capture_id: str) -> Response:
    """success, or failed with the errors (JSON paths into the captured document)."""
    found = database.session().get(EpcisCapture, capture_id)
    if found is None:
        raise NotFound(f"no capture {capture_id!r}")
    if actor.is_partner and found.recorded_by != actor.username:
        raise Forbidden("a partner sees its own captures")
    return json_response(_status(found))


@operation(bp, "GET", "/events", summary="Query EPCIS events (captured and recorded through the "
           "API), SimpleEventQuery parameters, keyset pages", tag="epcis",
           produces=(QUERY_MIME,))
def query_events(actor: Actor) -> Response:
    """An EPCISQueryDocument; more pages through `Link: <...>; rel="next"`."""
    query = epcis.parse_query(request.args)
    found, after = epcis_query.find_events(database.session(), query, _base_url(), actor)
    document = epcis.query_document(found)
    response = Response(json.dumps(document, ensure_ascii=False, default=str),
                        mimetype=QUERY_MIME)
    if after is not None:
        token = epcis.next_page_token(query, after)
        link = f"{request.base_url}?nextPageToken={token}&perPage={query.per_page}"
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response
