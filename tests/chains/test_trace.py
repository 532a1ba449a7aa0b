"""Traces through merges and splits, their CSV and SVG, and what each role may see."""

from __future__ import annotations

import csv
import io
from typing import Any

from chains.exports import CSV_COLUMNS
from tests.chains.conftest import Chain


def test_backward_trace_reaches_every_origin_and_handler_in_chain_order(
        chain: Chain, packed: dict[str, str]) -> None:
    body = chain.api("agency_92").get(f"/lots/{packed['box']}/trace?direction=backward").json
    assert {o["code"] for o in body["origins"]} == {chain.areas["farm_a"], chain.areas["farm_b"]}
    assert {lot["lot_code"] for lot in body["lots"]} == set(packed.values())
    order = [p["partner"]["id"] for p in body["partners"]]
    ids = chain.ids
    assert order.index(ids["farm_b"]) < order.index(ids["collector"]) < order.index(ids["packer"])
    assert order.index(ids["packer"]) < order.index(ids["distributor"]) < order.index(
        ids["shop_1"])
    origin = next(o for o in body["origins"] if o["code"] == chain.areas["farm_a"])
    assert origin["place"]["province_name"] == "Tỉnh Long An"
    assert origin["place"]["province_name_current"] == "Tỉnh Tây Ninh"
    assert {e["source"] for e in body["graph"]["edges"]} == {packed["a"], packed["b"]}


def test_forward_trace_lists_every_recipient_with_quantities(
        chain: Chain, packed: dict[str, str]) -> None:
    body = chain.api("admin").get(f"/lots/{packed['b']}/trace?direction=forward").json
    received = {(r["to_partner"]["id"], r["lot_code"]): r["quantity"]
                for r in body["recipients"]}
    ids = chain.ids
    assert received[(ids["collector"], packed["b"])] == 400
    assert received[(ids["packer"], packed["b"])] == 350
    assert received[(ids["shop_1"], packed["box"])] == 600
    assert received[(ids["shop_2"], packed["box"])] == 300
    holders = {(h["partner"]["id"], h["lot_code"]): h["quantity"] for h in body["holders"]}
    assert holders[(ids["distributor"], packed["box"])] == 100
    assert holders[(ids["collector"], packed["b"])] == 50


def test_the_csv_has_the_fsma_204_columns_and_one_row_per_movement(
        chain: Chain, packed: dict[str, str]) -> None:
    response = chain.api("admin").get(f"/lots/{packed['box']}/trace?direction=backward"
                                      "&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert list(rows[0].keys()) == CSV_COLUMNS
    kinds = [r["event_type"] for r in rows]
    assert kinds.count("harvest") == 2
    assert kinds.count("ship") == 6 and kinds.count("receive") == 6
    assert kinds.count("transformation input (packing)") == 2
    assert kinds.count("transformation output (packing)") == 1
    assert rows == sorted(rows, key=lambda r: (r["date"], r["traceability_lot_code"],
                                               r["event_type"]))


def test_the_svg_is_a_picture_of_the_chain(chain: Chain, packed: dict[str, str]) -> None:
    response = chain.api("admin").get(f"/lots/{packed['box']}/trace?format=svg")
    assert response.mimetype == "image/svg+xml"
    text = response.data.decode("utf-8")
    assert text.startswith("<svg") and chain.areas["farm_a"] in text and "Mã số vùng trồng" in text
    assert "1000 hộp" in text and "600 hộp" in text and " box" not in text  # units in Vietnamese


def test_a_partner_sees_one_step_back_and_one_step_forward(
        chain: Chain, packed: dict[str, str]) -> None:
    body = chain.api("distributor").get(f"/lots/{packed['box']}/trace?direction=forward").json
    assert body["restricted"] is True
    seen = {p["partner"]["id"] for p in body["partners"]}
    assert seen == {chain.ids["packer"], chain.ids["distributor"], chain.ids["shop_1"],
                    chain.ids["shop_2"]}
    assert chain.api("shop_1").get(f"/lots/{packed['a']}/trace").status_code == 403


def test_tracing_an_unknown_lot_is_404_and_needs_a_token(chain: Chain, client: Any) -> None:
    assert chain.api("admin").get("/lots/NOPE000000/trace").status_code == 404
    assert client.get("/api/v1/lots/NOPE000000/trace").status_code == 401


def test_a_bad_direction_or_format_is_422(chain: Chain, packed: dict[str, str]) -> None:
    response = chain.api("admin").get(f"/lots/{packed['a']}/trace?direction=sideways")
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "direction"
