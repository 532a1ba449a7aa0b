"""Bulk recording: many harvests, shipments, receipts and transformations in one request."""

from __future__ import annotations

from flask import Response

from api import database
from api.openapi import operation
from api.v1 import bp
from chains import bulk
from chains.bulk_ops import BatchIn, BatchResult
from registry.actors import Actor


@operation(bp, "POST", "/events/bulk",
           summary="Record up to 10,000 harvests, shipments, receipts and transformations, "
                   "in order, all or nothing", tag="lots", body=BatchIn, response=BatchResult,
           status=201, extra_responses=(409,))
def record_bulk(actor: Actor, body: BatchIn) -> Response:
    """The single endpoints' rules; the first refusal names `operations.N.<field>`."""
    session = database.session()
    result = bulk.record_batch(session, actor, body.operations)
    session.commit()
    return Response(result.model_dump_json(), status=201, mimetype="application/json")
