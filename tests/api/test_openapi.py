"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document of every JSON operation, whose
request schemas are the very models that validate requests."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from api.openapi import OPERATIONS
from tests import factories

REF = "#/components/schemas/{model}"


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")  # public: no token needed
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc: dict[str, Any] = response.get_json()
    return doc


def body_validator(document: dict[str, Any], path: str, method: str) -> Draft202012Validator:
    """A JSON Schema validator for one operation's request body, refs resolved in `document`."""
    schema = document["paths"][path][method]["requestBody"]["content"]["application/json"][
        "schema"]
    registry: Registry[Any] = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": "urn:openapi" + schema["$ref"]}, registry=registry)


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["info"]["license"]["identifier"] == "Apache-2.0"
    assert document["servers"] == [{"url": "https://qr.test"}]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_every_json_operation_is_documented(app, document):
    served = {(method.lower(), _openapi_path(rule.rule))
              for rule in app.url_map.iter_rules() if rule.rule.startswith(("/api/v1/", "/epcis/"))
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    served.discard(("get", "/api/v1/openapi.json"))
    documented = {(method, path) for path, item in document["paths"].items()
                  for method in item}
    assert served == documented
    for expected in [("post", "/api/v1/partners"), ("patch", "/api/v1/partners/{partner_id}"),
                     ("get", "/api/v1/growing-areas/{code}"),
                     ("post", "/api/v1/aquaculture-registrations/{number}/status"),
                     ("get", "/api/v1/certifications"), ("post", "/api/v1/auth/token"),
                     ("get", "/api/v1/provinces"), ("get", "/api/v1/me")]:
        assert expected in documented


def test_each_operation_documents_its_parameters_auth_and_problems(document):
    public_operations = {op.operation_id for op in OPERATIONS if op.public}
    assert {"create_token", "list_provinces"} <= public_operations
    for path, item in document["paths"].items():
        for method, op in item.items():
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (method, path)
            responses = op["responses"]
            assert {"400", "404", "422"} <= set(responses)
            problem = responses["422"]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}
            public = op["operationId"] in public_operations
            assert ("security" in op) is not public, op["operationId"]
            refuses_credentials = op["operationId"] == "create_token"  # wrong password: 401
            assert ("401" in responses) is (not public or refuses_credentials), op["operationId"]
            if method in {"post", "patch"}:
                assert "409" in responses
            if "requestBody" in op:
                assert op["requestBody"]["required"] is True
    listed = document["paths"]["/api/v1/certifications"]["get"]["parameters"]
    assert {"holder_type", "holder_id", "valid_on", "page", "per_page", "q"} <= {
        p["name"] for p in listed}


def test_every_request_body_schema_is_the_model_that_validates_requests(document):
    components = document["components"]["schemas"]
    bodies = [op for op in OPERATIONS if op.body is not None]
    assert len(bodies) >= 10
    for op in bodies:
        documented = document["paths"][op.path][op.method]["requestBody"]["content"][
            "application/json"]["schema"]
        assert documented == {"$ref": REF.format(model=op.body.__name__)}
        schema = op.body.model_json_schema(ref_template=REF, mode="validation")
        for name, sub in schema.pop("$defs", {}).items():
            assert components[name] == sub, (op.operation_id, name)
        assert components[op.body.__name__] == schema, op.operation_id


def test_the_documented_schemas_accept_and_refuse_what_the_api_does(document, admin, session):
    coop = factories.partner(session, kind="cooperative", province="22")
    session.commit()
    partner_schema = body_validator(document, "/api/v1/partners", "post")
    product_schema = body_validator(document, "/api/v1/products", "post")
    good_partner = {"kind": "retailer", "name": "Siêu thị Hạ Long Xanh",
                    "place": {"adm_scheme": "vn2025", "province_code": "22"}}
    good_product = {"name_vi": "Hàu Vân Đồn", "category": "seafood", "owner_id": coop.id,
                    "ocop": {"stars": 4, "certificate_no": "OCOP-QN-2024-118",
                             "issued_on": "2024-06-01"}}
    assert list(partner_schema.iter_errors(good_partner)) == []
    assert list(product_schema.iter_errors(good_product)) == []
    assert admin.post("/partners", json=good_partner).status_code == 201
    assert admin.post("/products", json=good_product).status_code == 201
    refused = [
        (partner_schema, "/partners", good_partner | {"kind": "spaceship"}),
        (partner_schema, "/partners", good_partner | {"colour": "green"}),
        (partner_schema, "/partners", {"name": "No kind", "place": good_partner["place"]}),
        (product_schema, "/products", good_product | {"ocop": good_product["ocop"] | {
            "stars": 6}}),
        (product_schema, "/products", good_product | {"category": "jewellery"}),
    ]
    for validator, path, body in refused:
        assert list(validator.iter_errors(body)), body
        assert admin.post(path, json=body).status_code == 422, body
    area_schema = body_validator(document, "/api/v1/growing-areas", "post")
    assert any(e.validator == "exclusiveMinimum" for e in area_schema.iter_errors(
        {"code": "VN-80-803-27811-01-22", "holder_id": 1, "crop": "Chanh",
         "area_ha": -1, "issued_on": "2022-09-15"}))
