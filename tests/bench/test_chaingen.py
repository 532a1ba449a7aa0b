"""The benchmarks' generator writes what the services would: a generated registry traces.

`bench/chaingen.py` writes rows straight into the tables; when a migration adds a column the
generator does not know, the load test and the trace benchmark break in CI only. Generating a
small registry here keeps them in step with the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from chains import trace as tracing
from registry import database, lots
from registry.models import Event, Holding, Lot, OriginType

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def chaingen() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import chaingen as module
        yield module
    finally:
        sys.path.remove(str(BENCH))


def test_a_generated_registry_traces_from_shelf_to_growing_area(chaingen: Any,
                                                                 database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        generated = chaingen.generate(engine, 600, progress=False)
    finally:
        engine.dispose()
    assert generated.retail_lots and generated.farm_lots
    assert generated.counts["lot"] >= 600

    engine = database.make_engine(database_url)
    sessions = database.make_sessions(engine)
    try:
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(Event)) > 0
            assert session.scalar(select(func.min(Holding.quantity))) >= 0
            retail = lots.get(session, generated.retail_lots[0])
            backward = tracing.load(session, retail, "backward")
            origins = [x for x in backward.lots.values()
                       if x.origin_type == OriginType.GROWING_AREA]
            assert origins, "a retail lot traces back to a harvest from a growing area"
            farm = lots.get(session, generated.farm_lots[0])
            forward = tracing.load(session, farm, "forward")
            assert len(forward.graph.nodes) > 1
            assert session.get(Lot, retail.id) is not None
    finally:
        engine.dispose()
