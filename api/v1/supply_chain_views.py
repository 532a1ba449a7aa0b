"""Named supply chains, their verification and their partner graphs."""

from __future__ import annotations

from typing import Any

from flask import Response
from pydantic import BaseModel, Field

from api import database
from api.openapi import operation
from api.v1 import bp
from chains import supply_chains
from registry.actors import Actor


class ChainQuery(BaseModel):
    """Filters of the chain list."""

    province_code: str | None = Field(default=None, description="a member in this province")


@operation(bp, "POST", "/chains", summary="Register a supply chain", tag="supply chains",
           body=supply_chains.ChainIn, response=supply_chains.ChainOut, status=201)
def create_chain(actor: Actor, body: supply_chains.ChainIn) -> supply_chains.ChainOut:
    """Members and roles, products and declared links; verified from members' certificates."""
    session = database.session()
    chain = supply_chains.create_chain(session, actor, body)
    session.commit()
    return supply_chains.verify(session, chain)


@operation(bp, "GET", "/chains", summary="Supply chains with their verification status",
           tag="supply chains", query=ChainQuery, response=list[supply_chains.ChainOut])
def list_chains(query: ChainQuery) -> list[supply_chains.ChainOut]:
    """Every chain, verified as of today."""
    session = database.session()
    return [supply_chains.verify(session, c)
            for c in supply_chains.list_chains(session, query.province_code)]


@operation(bp, "GET", "/chains/<int:chain_id>", summary="A supply chain", tag="supply chains",
           response=supply_chains.ChainOut)
def get_chain(chain_id: int) -> supply_chains.ChainOut:
    """One chain: members with what they must hold and whether they do."""
    session = database.session()
    return supply_chains.verify(session, supply_chains.get(session, chain_id))


@operation(bp, "GET", "/chains/<int:chain_id>/graph",
           summary="A chain's partner graph (declared links and observed shipments)",
           tag="supply chains", response=dict[str, Any])
def chain_graph(chain_id: int) -> dict[str, Any]:
    """Node-link JSON of the partner-level graph."""
    session = database.session()
    chain = supply_chains.get(session, chain_id)
    return supply_chains.graph_json(supply_chains.partner_graph(session, chain))


@operation(bp, "GET", "/chains/<int:chain_id>/graph.svg", summary="A chain's graph as SVG",
           tag="supply chains", produces=("image/svg+xml",))
def chain_graph_svg(chain_id: int) -> Response:
    """The partner graph drawn farm to shelf."""
    session = database.session()
    chain = supply_chains.get(session, chain_id)
    picture = supply_chains.graph_svg(chain, supply_chains.partner_graph(session, chain),
                                      supply_chains.verify(session, chain))
    return Response(picture, mimetype="image/svg+xml")
