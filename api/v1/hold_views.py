"""An agency puts a lot on hold while it checks it, and releases it."""

from __future__ import annotations

from api import database
from api.openapi import operation
from api.v1 import bp
from registry import lot_holds, lots
from registry.actors import Actor


@operation(bp, "POST", "/lots/<lot_code>/hold", summary="Put a lot on hold (tạm giữ)",
           tag="lots", body=lot_holds.HoldIn, response=lots.LotOut, extra_responses=(409,))
def hold_lot(actor: Actor, lot_code: str, body: lot_holds.HoldIn) -> lots.LotOut:
    """Agencies of the producer's or a holder's province: the lot may not move, its scan page
    warns, until it is released."""
    session = database.session()
    lot = lot_holds.hold(session, actor, lot_code, body)
    session.commit()
    return lots.to_out(session, lot, actor)


@operation(bp, "POST", "/lots/<lot_code>/release", summary="Release a held lot",
           tag="lots", body=lot_holds.HoldIn, response=lots.LotOut, extra_responses=(409,))
def release_lot(actor: Actor, lot_code: str, body: lot_holds.HoldIn) -> lots.LotOut:
    """The check is over: the lot may move again."""
    session = database.session()
    lot = lot_holds.release(session, actor, lot_code, body)
    session.commit()
    return lots.to_out(session, lot, actor)
