"""The lot-test chain (tests/chains/conftest.py) and helpers for the agencies' tests."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
from flask.testing import FlaskClient

from tests.chains import conftest as chains
from tests.chains.conftest import Chain, harvest, move, pack

chain = chains.chain
"""The lot tests' chain fixture: two farms, collector, packer, distributor, two shops."""

CHLORPYRIFOS_HIGH = {"analyte": "Chlorpyrifos", "value": 0.8, "unit": "mg/kg", "limit": 0.5}


@pytest.fixture
def at_shop(chain: Chain) -> dict[str, str]:
    """Limes from farm_a and farm_b packed into boxes that reached both shops in Cần Thơ."""
    a = harvest(chain, "farm_a").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="500").json["lot_code"]
    move(chain, a, "farm_a", "packer", "800")
    move(chain, b, "farm_b", "packer", "500")
    box = pack(chain, [(a, "600", "kg"), (b, "500", "kg")], quantity="1000").json
    code = box["outputs"][0]["lot_code"]
    move(chain, code, "packer", "distributor", "900", unit="box")
    move(chain, code, "distributor", "shop_1", "500", unit="box")
    move(chain, code, "distributor", "shop_2", "300", unit="box")
    return {"a": a, "b": b, "box": code}


def failing_sample(chain: Chain, lot_code: str, where: str = "shop_1") -> Any:
    """Chlorpyrifos above its limit, found by Cần Thơ's agency."""
    response = chain.api("agency_92").post("/samples", json={
        "lot_code": lot_code, "partner_id": chain.ids[where],
        "taken_at": "2026-11-05T09:00:00+07:00", "lab": "Trung tâm Kiểm nghiệm Cần Thơ",
        "results": [CHLORPYRIFOS_HIGH]})
    assert response.status_code == 201, response.json
    return response.json


def pdf_text(data: bytes) -> str:
    """Every page's text, as a reader copies it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token a page's form carries."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, f"no form on {path} ({page.status_code})"
    return found.group(1)
