"""Who may do what: ONE table of every JSON API operation and every web form POST against each
role, with the status each must get (issue 9).

Columns (scene.ROLES): anonymous; partners of each kind that matters — producer (cooperative
htx_lime, province 80), collector (80), packer (packing house, 80), distributor (92), retailer
(supermarket, 92); the agency of province 80 (where the Long An records are), the agency of
province 22 (another province); admin. A row names its target in its label ("packer's" = a
record of the packer, so the packer acts on its own record and the others on another's).

`test_every_route_is_in_the_table` fails when a route exists that the table does not cover:
a new endpoint must be added here with its expected statuses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.security import scene as sc

ROLES = tuple(sc.ROLES)
_n = itertools.count(10)


def _yesterday() -> str:
    return (datetime.now().astimezone() - timedelta(days=1)).isoformat()


def _day(days_ago: int = 1) -> str:
    return str(date.today() - timedelta(days=days_ago))


Body = Callable[["sc.Scene", int], Any]


@dataclass(frozen=True)
class Row:
    """One endpoint with one target: method, rule (as in app.url_map), concrete path, body,
    expected statuses in ROLES order."""

    method: str
    rule: str
    path: str
    expect: str
    body: Body | None = None
    setup: Callable[[sc.Scene], Any] | None = None  # run before each cell

    @property
    def web(self) -> bool:
        return not self.rule.startswith(("/api/", "/epcis/"))

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


# --- request bodies (n makes each allowed write unique) ---------------------------------------

def partner_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"kind": "producer", "name": f"Hộ thử nghiệm {n}",
            "place": {"adm_scheme": "vn2025", "province_code": "80"}}


def area_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"code": f"VN-80-803-27811-{n % 90 + 10:02d}-24", "holder_id": s.partners["htx_lime"],
            "crop": "Chanh", "area_ha": 1.0, "issued_on": _day(30)}


def registration_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"number": f"22-VD-2025-{n:04d}", "holder_id": s.partners["htx_oyster"],
            "species": ["Crassostrea gigas"], "farming_form": "raft", "cages": 4,
            "issued_on": _day(30),
            "place": {"adm_scheme": "vn2025", "province_code": "22"}}


def status_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"status": "suspended" if n % 2 else "active", "effective_on": _day(0),
            "reason": "kiểm tra định kỳ"}


def product_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"name_vi": f"Chanh thử {n}", "category": "fruit", "owner_id": s.partners["htx_lime"]}


def cert_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"scheme": "haccp", "number": f"HACCP-MATRIX-{n}", "issuer": "Trung tâm 3",
            "holder_type": "partner", "holder_id": str(s.partners["packer"]),
            "issued_on": _day(10)}


def lot_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"product_id": s.products["Ben Luc seedless lime"], "partner_id": s.partners["htx_lime"],
            "quantity": "10", "unit": "kg", "produced_on": _day(1),
            "origin": {"growing_area_code": s.ids["area_lime"]}, "batch": f"M-{n}"}


def shipment_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"lot_code": s.ids["box"], "quantity": "1", "unit": "box",
            "from_partner_id": s.partners["packer"], "to_partner_id": s.partners["distributor"],
            "shipped_at": _yesterday()}


def receipt_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"received_at": _yesterday(), "quantity": "1", "unit": "box"}


def transformation_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"partner_id": s.partners["packer"], "kind": "packing", "occurred_at": _yesterday(),
            "inputs": [{"lot_code": s.ids["lime"], "quantity": "1", "unit": "kg"}],
            "outputs": [{"product_id": s.products["Seedless lime, 1 kg box"], "quantity": "1",
                         "unit": "box"}]}


def bulk_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"operations": [{"type": "harvest", **lot_in(s, n)}]}


def sample_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"lot_code": s.ids["box"], "partner_id": s.partners["packer"],
            "taken_at": _yesterday(), "lab": "Phòng thử nghiệm", "results": [
                {"analyte": "chlorpyrifos", "value": 0.001, "unit": "mg/kg", "limit": 0.01}]}


def limit_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"analyte": f"chất thử {n}", "unit": "mg/kg", "limit_value": 0.1,
            "source": "QCVN 8-3:2012/BYT"}


def plan_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"name": f"Kế hoạch {n}", "province_code": "80", "starts_on": _day(10),
            "ends_on": _day(-300), "planned": 5}


def case_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"lot_codes": [s.ids["lime"]], "title": f"Vụ việc {n}"}


def recall_in(s: sc.Scene, n: int) -> dict[str, Any]:
    fresh = sc.post(s, "/lots", lot_in(s, n))["lot_code"]  # a lot not yet recalled
    return {"lot_codes": [fresh], "reason": f"Thu hồi thử {n}"}


def ack_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"partner_id": s.partners["distributor"], "lot_code": s.ids["dragon"], "removed": 1,
            "unit": "case"}


def scheme_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"key": f"scheme_{n}", "name_vi": f"Chứng nhận {n}", "name_en": f"Scheme {n}"}


def target_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"target": 50 + n % 10}


def gate_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"mode": "warn" if n % 2 else "off"}


def approval_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"supplier_id": s.partners["distributor"]}


def approve(s: sc.Scene) -> None:
    """The supermarket approves its distributor (again), as admin."""
    unapprove(s)
    sc.post(s, f"/partners/{s.partners['shop_nk']}/approved-suppliers", approval_in(s, 0))


def unapprove(s: sc.Scene) -> None:
    """The supermarket's approval of its distributor is gone, whoever removed it."""
    s.api("admin").delete(f"/api/v1/partners/{s.partners['shop_nk']}/approved-suppliers"
                          f"?supplier_id={s.partners['distributor']}")


def band_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"kind": "other", "max_ratio": 2.0 + n % 5}


def chain_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"name": f"Chuỗi thử {n}", "members": [{"partner_id": s.partners["htx_lime"]},
                                                 {"partner_id": s.partners["packer"]}]}


def phone_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"phone": f"0909 000 {n:03d}"}


def description_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"description": f"Quả xanh, mẫu {n}"}


def lime_product_form(s: sc.Scene, n: int) -> dict[str, str]:
    """The lime product's edit form as the page fills it, with a new description."""
    return {"name_vi": "Chanh không hạt Bến Lức", "name_en": "Ben Luc seedless lime",
            "category": "fruit", "description": f"Quả xanh, mẫu {n}", "photo_url": "",
            "declaration_kind": ""}


def hold_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"reason": f"Kiểm tra dư lượng {n}"}


def _lime_status(s: sc.Scene, action: str) -> None:
    """Before a hold the lime lot is active; before a release it is on hold (as admin)."""
    lot = s.api("admin").get(f"/api/v1/lots/{s.ids['lime']}").get_json()
    if (action == "hold") == (lot["status"] == "on_hold"):
        other = "release" if action == "hold" else "hold"
        answer = s.api("admin").post(f"/api/v1/lots/{s.ids['lime']}/{other}",
                                     json={"reason": "đặt lại"})
        assert answer.status_code == 200, answer.get_json()


def note_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"text": f"Ghi chú {n}"}


def report_form(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"text": "Quả bị dập, có mùi lạ"}


def receive_form(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"received_at": _local(0), "quantity": "1"}


def token_in(s: sc.Scene, n: int) -> dict[str, Any]:
    return {"username": "taydo", "password": "nguongoc-demo"}


def flat(body: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """An API body as the web form posts it: `a.b` names, lists joined, the province select
    as `place.province` = "scheme:code"."""
    form: dict[str, str] = {}
    for key, value in body.items():
        if key == "place":
            form["place.province"] = f"{value['adm_scheme']}:{value['province_code']}"
        elif isinstance(value, dict):
            form.update(flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            form[prefix + key] = ", ".join(str(v) for v in value)
        else:
            form[prefix + key] = str(value)
    return form


def web(api_body: Body) -> Body:
    """The web form of an API body."""
    return lambda s, n: flat(api_body(s, n))


def _local(days_ago: int = 1) -> str:
    return (datetime.now() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")


def harvest_form(s: sc.Scene, n: int) -> dict[str, str]:
    return {"product_id": str(s.products["Ben Luc seedless lime"]), "quantity": "10",
            "unit": "kg", "produced_on": _day(1), "batch": f"W-{n}",
            "origin": f"growing_area_code:{s.ids['area_lime']}"}


def ship_form(s: sc.Scene, n: int) -> dict[str, str]:
    return {"lot_code": s.ids["box"], "quantity": "1", "unit": "box",
            "to_partner": str(s.partners["distributor"]), "shipped_at": _local()}


def transform_form(s: sc.Scene, n: int) -> dict[str, str]:
    return {"kind": "packing", "occurred_at": _local(), "inputs.0.lot_code": s.ids["lime"],
            "inputs.0.quantity": "1", "inputs.0.unit": "kg",
            "outputs.0.product_id": str(s.products["Seedless lime, 1 kg box"]),
            "outputs.0.quantity": "1", "outputs.0.unit": "box"}


def sample_form(s: sc.Scene, n: int) -> dict[str, str]:
    return {"lot_code": s.ids["box"], "partner_id": str(s.partners["packer"]),
            "taken_at": _local(), "lab": "Phòng thử nghiệm", "results.0.analyte": "chlorpyrifos",
            "results.0.value": "0.001", "results.0.unit": "mg/kg", "results.0.limit": "0.01"}


def chain_form(s: sc.Scene, n: int) -> dict[str, str]:
    return {"name": f"Chuỗi web {n}", "members.0.partner_id": str(s.partners["htx_lime"]),
            "members.1.partner_id": str(s.partners["packer"])}


def packer_form(s: sc.Scene, n: int) -> dict[str, str]:
    """The packer's edit form as the page fills it, with a new phone number."""
    _key, kind, name, place, extra = next(p for p in sc.demo.PARTNERS if p[0] == "packer")
    return {"kind": kind, "name": name, "place.province": f"{place['adm_scheme']}:80",
            "place.commune_code": place["commune_code"], "place.address": place["address"],
            "tax_code": extra["tax_code"], "gln": extra["gln"], "phone": f"0909 111 {n:03d}"}


def ack_form(s: sc.Scene, n: int) -> dict[str, str]:
    return {"recipient": f"{s.partners['distributor']}|{s.ids['dragon']}", "removed": "1",
            "unit": "case"}


# the web forms of API bodies
approval_web = web(approval_in)
area_web = web(area_in)
cert_web = web(cert_in)
gate_web = web(gate_in)
partner_web = web(partner_in)
plan_web = web(plan_in)
product_web = web(product_in)
recall_web = web(recall_in)
registration_web = web(registration_in)
status_web = web(status_in)


# --- the table --------------------------------------------------------------------------------
# Paths take {p_KEY} (demo partner ids), {area_lime}, {box}, {lime}, {shipment}, {sample},
# {case}, {recall}, {band}, {certification}, {chain}, {notification}, {target}, {verification},
# {oyster_reg}, {dragon}, {gated_shipment}; {new_shipment} and {new_band} are made per cell.
# Each row: method, rule, concrete path; then the statuses in the columns' order:
#        ano pro col pac dis ret a80 a22 adm
TABLE: list[Row] = [
    Row("POST", "/api/v1/auth/token", "/api/v1/auth/token",
        "201 201 201 201 201 201 201 201 201", token_in),
    Row("GET", "/api/v1/me", "/api/v1/me",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/provinces", "/api/v1/provinces",
        "200 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/openapi.json", "/api/v1/openapi.json",
        "200 200 200 200 200 200 200 200 200"),
    # registry
    Row("POST", "/api/v1/partners", "/api/v1/partners",
        "401 403 403 403 403 403 201 403 201", partner_in),
    Row("GET", "/api/v1/partners", "/api/v1/partners",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/partners/<int:partner_id>", "/api/v1/partners/{p_packer}",
        "401 200 200 200 200 200 200 200 200"),
    Row("PATCH", "/api/v1/partners/<int:partner_id>", "/api/v1/partners/{p_packer}",
        "401 403 403 200 403 403 200 403 200", phone_in),
    Row("POST", "/api/v1/partners/<int:partner_id>/verify", "/api/v1/partners/{p_packer}/verify",
        "401 403 403 403 403 403 200 403 200"),
    Row("PATCH", "/api/v1/products/<int:product_id>", "/api/v1/products/{product_lime}",
        "401 200 403 403 403 403 200 403 200", description_in),
    Row("POST", "/api/v1/products/<int:product_id>/verify",
        "/api/v1/products/{product_lime}/verify", "401 403 403 403 403 403 200 403 200"),
    Row("POST", "/api/v1/growing-areas", "/api/v1/growing-areas",
        "401 403 403 403 403 403 201 403 201", area_in),
    Row("GET", "/api/v1/growing-areas", "/api/v1/growing-areas",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/growing-areas/<code>", "/api/v1/growing-areas/{area_lime}",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/growing-areas/<code>/status", "/api/v1/growing-areas/{area_lime}/status",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/growing-areas/<code>/status", "/api/v1/growing-areas/{area_extra}/status",
        "401 403 403 403 403 403 200 403 200", status_in),
    Row("POST", "/api/v1/aquaculture-registrations", "/api/v1/aquaculture-registrations",
        "401 403 403 403 403 403 403 201 201", registration_in),
    Row("GET", "/api/v1/aquaculture-registrations", "/api/v1/aquaculture-registrations",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/aquaculture-registrations/<path:number>",
        "/api/v1/aquaculture-registrations/{oyster_reg}",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/aquaculture-registrations/<path:number>/status",
        "/api/v1/aquaculture-registrations/{oyster_reg}/status",
        "401 403 403 403 403 403 403 200 200", status_in),
    Row("POST", "/api/v1/products", "/api/v1/products",
        "401 201 403 403 403 403 201 403 201", product_in),
    Row("GET", "/api/v1/products", "/api/v1/products",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/products/<int:product_id>", "/api/v1/products/{product_lime}",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/certifications", "/api/v1/certifications",
        "401 403 403 403 403 403 201 403 201", cert_in),
    Row("GET", "/api/v1/certifications", "/api/v1/certifications",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/certifications/<int:certification_id>",
        "/api/v1/certifications/{certification}",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/certifications/<int:certification_id>/status",
        "/api/v1/certifications/{certification}/status",
        "401 403 403 403 403 403 200 403 200", status_in),
    Row("GET", "/api/v1/certification-schemes", "/api/v1/certification-schemes",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/certification-schemes", "/api/v1/certification-schemes",
        "401 403 403 403 403 403 403 403 201", scheme_in),
    # indicators
    Row("GET", "/api/v1/reports/indicators",
        "/api/v1/reports/indicators?province_code=80&year=2026",
        "401 403 403 403 403 403 200 200 200"),
    Row("GET", "/api/v1/reports/indicators.pdf",
        "/api/v1/reports/indicators.pdf?province_code=80&year=2026",
        "401 403 403 403 403 403 200 200 200"),
    Row("GET", "/api/v1/reports/indicator-targets", "/api/v1/reports/indicator-targets",
        "401 200 200 200 200 200 200 200 200"),
    Row("PATCH", "/api/v1/reports/indicator-targets/<key>",
        "/api/v1/reports/indicator-targets/{target}",
        "401 403 403 403 403 403 403 403 200", target_in),
    # lots and events
    Row("POST", "/api/v1/lots", "/api/v1/lots",
        "401 201 403 403 403 403 201 403 201", lot_in),
    Row("GET", "/api/v1/lots", "/api/v1/lots",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/lots/<lot_code>", "/api/v1/lots/{box}",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/lots/<lot_code>/events", "/api/v1/lots/{box}/events",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/lots/<lot_code>/trace", "/api/v1/lots/{box}/trace",
        "401 403 403 200 200 200 200 200 200"),
    Row("POST", "/api/v1/shipments", "/api/v1/shipments",
        "401 403 403 201 403 403 201 403 201", shipment_in),
    Row("GET", "/api/v1/shipments/<int:shipment_id>", "/api/v1/shipments/{shipment}",
        "401 403 403 200 200 403 200 200 200"),
    Row("POST", "/api/v1/shipments/<int:shipment_id>/receive",
        "/api/v1/shipments/{new_shipment}/receive",
        "401 403 403 403 200 403 403 403 200", receipt_in),
    Row("GET", "/api/v1/shipments/<int:shipment_id>/receipt-check",
        "/api/v1/shipments/{gated_shipment}/receipt-check",
        "401 403 403 403 200 200 200 200 200"),
    Row("POST", "/api/v1/transformations", "/api/v1/transformations",
        "401 403 403 201 403 403 201 403 201", transformation_in),
    Row("POST", "/api/v1/lots/<lot_code>/hold", "/api/v1/lots/{lime}/hold",
        "401 403 403 403 403 403 200 403 200", hold_in, setup=lambda s: _lime_status(s, "hold")),
    Row("POST", "/api/v1/lots/<lot_code>/release", "/api/v1/lots/{lime}/release",
        "401 403 403 403 403 403 200 403 200", hold_in,
        setup=lambda s: _lime_status(s, "release")),
    Row("POST", "/epcis/capture", "/epcis/capture",
        "401 202 202 202 202 202 202 202 202", lambda s, n: sc.EMPTY_EPCIS),
    Row("GET", "/epcis/capture/<capture_id>", "/epcis/capture/{capture}",
        "401 403 403 200 403 403 200 200 200"),
    Row("GET", "/epcis/events", "/epcis/events",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/events/bulk", "/api/v1/events/bulk",
        "401 201 403 403 403 403 201 403 201", bulk_in),
    Row("GET", "/api/v1/partners/<int:partner_id>/holdings", "/api/v1/partners/{p_packer}/holdings",
        "401 403 403 200 403 403 200 403 200"),
    # QR codes and labels
    Row("GET", "/api/v1/lots/<lot_code>/qr.png", "/api/v1/lots/{box}/qr.png",
        "401 403 403 200 200 200 200 403 200"),
    Row("GET", "/api/v1/lots/<lot_code>/qr.svg", "/api/v1/lots/{box}/qr.svg",
        "401 403 403 200 200 200 200 403 200"),
    Row("GET", "/api/v1/lots/<lot_code>/labels.pdf", "/api/v1/lots/{box}/labels.pdf?count=1",
        "401 403 403 200 200 200 200 403 200"),
    Row("GET", "/api/v1/lots/<lot_code>/qr-issues", "/api/v1/lots/{box}/qr-issues",
        "401 403 403 200 200 200 200 200 200"),
    Row("GET", "/api/v1/flagged-codes", "/api/v1/flagged-codes",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/consumer-reports", "/api/v1/consumer-reports",
        "401 403 403 403 403 403 200 200 200"),
    # monitoring, cases, recalls
    Row("POST", "/api/v1/samples", "/api/v1/samples",
        "401 403 403 403 403 403 201 403 201", sample_in),
    Row("GET", "/api/v1/samples", "/api/v1/samples",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/samples/<int:sample_id>", "/api/v1/samples/{sample}",
        "401 403 403 200 403 403 200 200 200"),
    Row("GET", "/api/v1/limits", "/api/v1/limits",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/limits", "/api/v1/limits",
        "401 403 403 403 403 403 403 403 201", limit_in),
    Row("GET", "/api/v1/sampling-plans", "/api/v1/sampling-plans",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/sampling-plans", "/api/v1/sampling-plans",
        "401 403 403 403 403 403 201 403 201", plan_in),
    Row("POST", "/api/v1/cases", "/api/v1/cases",
        "401 403 403 403 403 403 201 201 201", case_in),
    Row("GET", "/api/v1/cases", "/api/v1/cases",
        "401 403 403 403 403 403 200 200 200"),
    Row("GET", "/api/v1/cases/<int:case_id>", "/api/v1/cases/{case}",
        "401 403 403 403 403 403 200 403 200"),
    Row("POST", "/api/v1/cases/<int:case_id>/actions", "/api/v1/cases/{case}/actions",
        "401 403 403 403 403 403 200 403 200", note_in),
    Row("POST", "/api/v1/recalls", "/api/v1/recalls",
        "401 201 403 403 403 403 201 403 201", recall_in),
    Row("GET", "/api/v1/recalls/<int:recall_id>", "/api/v1/recalls/{recall}",
        "401 403 403 200 200 200 200 200 200"),
    Row("GET", "/api/v1/recalls/<int:recall_id>/notice.pdf", "/api/v1/recalls/{recall}/notice.pdf",
        "401 403 403 200 200 200 200 200 200"),
    Row("POST", "/api/v1/recalls/<int:recall_id>/acknowledgements",
        "/api/v1/recalls/{recall}/acknowledgements",
        "401 403 403 403 201 403 403 403 201", ack_in),
    Row("GET", "/api/v1/inbox", "/api/v1/inbox",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/inbox/<int:notification_id>/read", "/api/v1/inbox/{notification}/read",
        "401 404 404 404 200 404 404 404 200"),
    # supermarkets: verification, gates, approved suppliers, yields
    Row("GET", "/api/v1/partners/<int:partner_id>/verification",
        "/api/v1/partners/{p_packer}/verification",
        "401 403 403 403 200 200 200 200 200"),  # the retailer approved the packer (demo)
    Row("GET", "/api/v1/partners/<int:partner_id>/verification.pdf",
        "/api/v1/partners/{p_packer}/verification.pdf",
        "401 403 403 403 200 200 200 200 200"),
    Row("GET", "/api/v1/lots/<lot_code>/verification", "/api/v1/lots/{box}/verification",
        "401 403 403 403 200 200 200 200 200"),
    Row("GET", "/api/v1/lots/<lot_code>/verification.pdf", "/api/v1/lots/{box}/verification.pdf",
        "401 403 403 403 200 200 200 200 200"),
    Row("GET", "/api/v1/verifications/<verification_id>", "/api/v1/verifications/{verification}",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/partners/<int:partner_id>/receiving-gate",
        "/api/v1/partners/{p_shop_nk}/receiving-gate",
        "401 403 403 403 403 200 200 200 200"),
    Row("PUT", "/api/v1/partners/<int:partner_id>/receiving-gate",
        "/api/v1/partners/{p_shop_nk}/receiving-gate",
        "401 403 403 403 403 200 403 403 200", gate_in),
    Row("GET", "/api/v1/partners/<int:partner_id>/approved-suppliers",
        "/api/v1/partners/{p_shop_nk}/approved-suppliers",
        "401 403 403 403 403 200 200 200 200"),
    Row("POST", "/api/v1/partners/<int:partner_id>/approved-suppliers",
        "/api/v1/partners/{p_shop_nk}/approved-suppliers",
        "401 403 403 403 403 201 403 403 201", approval_in, setup=unapprove),
    Row("DELETE", "/api/v1/partners/<int:partner_id>/approved-suppliers/<int:supplier_id>",
        "/api/v1/partners/{p_shop_nk}/approved-suppliers/{p_distributor}",
        "401 403 403 403 403 204 403 403 204", setup=approve),
    Row("DELETE", "/api/v1/partners/<int:partner_id>/approved-suppliers",
        "/api/v1/partners/{p_shop_nk}/approved-suppliers?supplier_id={p_distributor}",
        "401 403 403 403 403 204 403 403 204", setup=approve),
    Row("GET", "/api/v1/partners/<int:partner_id>/supplier-alerts",
        "/api/v1/partners/{p_shop_nk}/supplier-alerts",
        "401 403 403 403 403 200 200 200 200"),
    Row("GET", "/api/v1/yield-bands", "/api/v1/yield-bands",
        "401 200 200 200 200 200 200 200 200"),
    Row("POST", "/api/v1/yield-bands", "/api/v1/yield-bands",
        "401 403 403 403 403 403 403 403 201", band_in),
    Row("PUT", "/api/v1/yield-bands/<int:band_id>", "/api/v1/yield-bands/{band}",
        "401 403 403 403 403 403 403 403 200", band_in),
    Row("DELETE", "/api/v1/yield-bands/<int:band_id>", "/api/v1/yield-bands/{new_band}",
        "401 403 403 403 403 403 403 403 204"),
    # supply chains
    Row("POST", "/api/v1/chains", "/api/v1/chains",
        "401 403 403 403 403 403 201 403 201", chain_in),
    Row("GET", "/api/v1/chains", "/api/v1/chains",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/chains/<int:chain_id>", "/api/v1/chains/{chain}",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/chains/<int:chain_id>/graph", "/api/v1/chains/{chain}/graph",
        "401 200 200 200 200 200 200 200 200"),
    Row("GET", "/api/v1/chains/<int:chain_id>/graph.svg", "/api/v1/chains/{chain}/graph.svg",
        "401 200 200 200 200 200 200 200 200"),
    # web forms (anonymous is sent to the login page)
    Row("POST", "/login", "/login",
        "302 302 302 302 302 302 302 302 302", token_in),
    Row("POST", "/logout", "/logout",
        "302 302 302 302 302 302 302 302 302"),
    Row("POST", "/l/<lot_code>/reports", "/l/{box}/reports",
        "201 201 201 201 201 201 201 201 201", report_form),
    Row("POST", "/partners/new", "/partners/new",
        "302 403 403 403 403 403 302 403 302", partner_web),
    Row("POST", "/partners/<int:partner_id>/edit", "/partners/{p_packer}/edit",
        "302 403 403 302 403 403 302 403 302", packer_form),
    Row("POST", "/partners/<int:partner_id>/verify", "/partners/{p_packer}/verify",
        "302 403 403 403 403 403 302 403 302"),
    Row("POST", "/products/<int:product_id>/edit", "/products/{product_lime}/edit",
        "302 302 403 403 403 403 302 403 302", lime_product_form),
    Row("POST", "/products/<int:product_id>/verify", "/products/{product_lime}/verify",
        "302 403 403 403 403 403 302 403 302"),
    Row("POST", "/products/new", "/products/new",
        "302 302 403 403 403 403 302 403 302", product_web),
    Row("POST", "/growing-areas/new", "/growing-areas/new",
        "302 403 403 403 403 403 302 403 302", area_web),
    Row("POST", "/growing-areas/<code>/status", "/growing-areas/{area_extra}/status",
        "302 403 403 403 403 403 302 403 302", status_web),
    Row("POST", "/aquaculture/new", "/aquaculture/new",
        "302 403 403 403 403 403 403 302 302", registration_web),
    Row("POST", "/aquaculture/<path:number>/status", "/aquaculture/{oyster_reg}/status",
        "302 403 403 403 403 403 403 302 302", status_web),
    Row("POST", "/certifications/new", "/certifications/new",
        "302 403 403 403 403 403 302 403 302", cert_web),
    Row("POST", "/certifications/<int:certification_id>/status",
        "/certifications/{certification}/status",
        "302 403 403 403 403 403 302 403 302", status_web),
    Row("POST", "/partners/<int:partner_id>/stock/harvest", "/partners/{p_htx_lime}/stock/harvest",
        "302 302 403 403 403 403 302 403 302", harvest_form),
    Row("POST", "/partners/<int:partner_id>/stock/ship", "/partners/{p_packer}/stock/ship",
        "302 403 403 302 403 403 302 403 302", ship_form),
    Row("POST", "/partners/<int:partner_id>/stock/receive/<int:shipment_id>",
        "/partners/{p_distributor}/stock/receive/{new_shipment}",
        "302 403 403 403 302 403 403 403 302", receive_form),
    Row("POST", "/partners/<int:partner_id>/stock/transform",
        "/partners/{p_packer}/stock/transform",
        "302 403 403 302 403 403 302 403 302", transform_form),
    Row("POST", "/partners/<int:partner_id>/receiving-gate", "/partners/{p_shop_nk}/receiving-gate",
        "302 403 403 403 403 302 403 403 302", gate_web),
    Row("POST", "/partners/<int:partner_id>/approved-suppliers",
        "/partners/{p_shop_nk}/approved-suppliers",
        "302 403 403 403 403 302 403 403 302", approval_web, setup=unapprove),
    Row("POST", "/partners/<int:partner_id>/approved-suppliers/<int:supplier_id>/remove",
        "/partners/{p_shop_nk}/approved-suppliers/{p_distributor}/remove",
        "302 403 403 403 403 302 403 403 302", setup=approve),
    Row("POST", "/samples/new", "/samples/new",
        "302 403 403 403 403 403 302 403 302", sample_form),
    Row("POST", "/sampling-plans", "/sampling-plans",
        "302 403 403 403 403 403 302 403 302", plan_web),
    Row("POST", "/cases/<int:case_id>/actions", "/cases/{case}/actions",
        "302 403 403 403 403 403 302 403 302", note_in),
    Row("POST", "/recalls/new", "/recalls/new",
        "302 302 403 403 403 403 302 403 302", recall_web),
    Row("POST", "/recalls/<int:recall_id>/acknowledgements", "/recalls/{recall}/acknowledgements",
        "302 403 403 403 302 403 403 403 302", ack_form),
    Row("POST", "/lots/<lot_code>/<any(hold, release):action>", "/lots/{lime}/hold",
        "302 403 403 403 403 403 302 403 302", hold_in, setup=lambda s: _lime_status(s, "hold")),
    Row("POST", "/chains/new", "/chains/new",
        "302 403 403 403 403 403 302 403 302", chain_form),
    Row("POST", "/inbox/<int:notification_id>/open", "/inbox/{notification}/open",
        "302 404 404 404 302 404 404 404 302"),
    Row("POST", "/inbox/read", "/inbox/read",
        "302 302 302 302 302 302 302 302 302"),
]


# --- running one cell -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sc.Scene]:
    yield from sc.build(Path(tmp_path_factory.mktemp("matrix")))


def _fresh(s: sc.Scene, name: str) -> Any:
    """Records a cell consumes (a shipment to receive, a band to delete): one per cell."""
    if name == "new_shipment":
        return sc.post(s, "/shipments", shipment_in(s, 0))["id"]
    if name == "new_band":
        return sc.post(s, "/yield-bands", band_in(s, 0))["id"]
    raise KeyError(name)


def _path(s: sc.Scene, template: str) -> str:
    values: dict[str, Any] = {f"p_{k}": v for k, v in s.partners.items()}
    values.update(s.ids)
    values["product_lime"] = s.products["Ben Luc seedless lime"]
    for name in ("new_shipment", "new_band"):
        if "{" + name + "}" in template:
            values[name] = _fresh(s, name)
    return template.format(**values)


def request(s: sc.Scene, row: Row, role: str) -> int:
    """The status `role` gets for `row`."""
    n = next(_n)
    path = _path(s, row.path)
    if row.setup is not None:
        row.setup(s)
    client = s.web(role) if row.web else s.api(role)
    kwargs: dict[str, Any] = {}
    if row.body is not None:
        kwargs["data" if row.web else "json"] = row.body(s, n)
    response = client.open(path, method=row.method, **kwargs)
    status = response.status_code
    if status >= 500:
        pytest.fail(f"{role} {row.label}: {status} {response.get_data(as_text=True)[:300]}")
    return status


def expected(row: Row) -> dict[str, str]:
    cells = row.expect.split()
    assert len(cells) == len(ROLES), row.label
    return dict(zip(ROLES, cells, strict=True))


def _rows() -> list[Any]:
    return [pytest.param(row, id=row.label) for row in TABLE]


@pytest.mark.parametrize("row", _rows())
def test_matrix(scene: sc.Scene, row: Row) -> None:
    """Each role gets the status the table says."""
    want = expected(row)
    got = {role: str(request(scene, row, role)) for role in ROLES}
    assert got == want, "\n".join(f"{r:12s} want {want[r]} got {got[r]}"
                                  for r in ROLES if want[r] != got[r])


def _covered(app: Flask) -> set[tuple[str, str]]:
    return {(row.method, row.rule) for row in TABLE}


def test_every_route_is_in_the_table(scene: sc.Scene) -> None:
    """Every JSON API operation (/api/, /epcis/) and every web POST has a row (add new
    endpoints here)."""
    routes = set()
    for rule in scene.app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if rule.rule.startswith(("/api/", "/epcis/")) or method != "GET":
                routes.add((method, rule.rule))
    missing = sorted(routes - _covered(scene.app))
    assert not missing, f"routes without a row in the authorization matrix: {missing}"


def test_partners_list_only_the_samples_taken_from_them(scene: sc.Scene) -> None:
    """A partner's sample list holds its own samples only; agencies see every one."""
    def partner_ids(role: str) -> set[int]:
        body = scene.api(role).get("/api/v1/samples?per_page=100").get_json()
        return {item["partner"]["id"] for item in body["items"]}

    assert partner_ids("packer") == {scene.partners["packer"]}
    assert partner_ids("retailer") <= {scene.partners["shop_nk"]}
    assert scene.partners["packer"] in partner_ids("agency_22")
    link = f'href="/samples/{scene.ids["sample"]}"'
    assert link in scene.web("agency_22").get("/samples").get_data(as_text=True)
    page = scene.web("retailer").get("/samples")
    assert page.status_code == 200 and link not in page.get_data(as_text=True)
