"""JSON operations declared once: the same pydantic models parse requests, render responses
and describe the API in its OpenAPI 3.1 document."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema
from pydantic_core import to_jsonable_python
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from api import auth, database
from api.security import limiter, throttle_account_failures
from registry import idempotency
from registry.errors import DomainError, FieldError

JSON_MIME = "application/json"


@dataclass(frozen=True)
class Operation:
    """One documented API operation."""

    method: str
    path: str  # OpenAPI form, /partners/{partner_id}
    operation_id: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    public: bool
    produces: tuple[str, ...]
    path_params: dict[str, str] = field(default_factory=dict)
    extra_responses: tuple[int, ...] = ()


OPERATIONS: list[Operation] = []
_RULE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _openapi_path(rule: str, prefix: str) -> tuple[str, dict[str, str]]:
    params: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        params[name] = "integer" if converter == "int" else "string"
        return "{" + name + "}"

    return prefix + _RULE_PARAM.sub(replace, rule), params


class MalformedBody(DomainError):
    """A request body that is not JSON at all (400, naming the field `body`)."""

    slug = "malformed"


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON request body as `model`: 400 if malformed, 415 if not JSON, 422 if invalid."""
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = request.get_json(force=True)
    except BadRequest:
        raise MalformedBody("the request body is not valid JSON", errors=[
            FieldError("body", "is not valid JSON")]) from None
    if _has_lone_surrogate(data):
        raise MalformedBody("the request body holds text that is not valid Unicode", errors=[
            FieldError("body", "holds a lone UTF-16 surrogate (\\ud800-\\udfff escape)")])
    return model.model_validate(data)


def _has_lone_surrogate(data: Any) -> bool:
    """Whether decoded JSON holds a string no database can store (a lone surrogate escape)."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def query_dict(args: MultiDict[str, str], model: type[BaseModel]) -> dict[str, Any]:
    """Query arguments as a dict; list-typed fields take every repeated value."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in args:
            continue
        is_list = "list[" in str(info.annotation)
        values = [v for v in args.getlist(key)]
        data[name] = values if is_list else (values[-1] if values[-1] != "" else None)
    return data


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string as `model` (422 naming the parameter at fault)."""
    return model.model_validate(query_dict(request.args, model))


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON response (UTF-8, Vietnamese kept readable)."""
    return Response(json.dumps(to_jsonable_python(payload), ensure_ascii=False), status,
                    mimetype=JSON_MIME)


def _idempotent(key: str, run: Callable[[], Response]) -> Response:
    """A POST sent with an `Idempotency-Key`: the stored answer of the same earlier request,
    or the write run once and its answer kept (registry.idempotency)."""
    username = auth.current_actor().username
    digest = idempotency.request_digest(request.method, request.path, request.query_string,
                                        request.get_data(cache=True))
    stored = idempotency.claim(database.session(), username, key, digest)
    if stored is not None:
        replay = Response(stored.body, stored.status, content_type=stored.content_type)
        if stored.location:
            replay.headers["Location"] = stored.location
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    response = run()
    if 200 <= response.status_code < 300:
        idempotency.remember(database.session(), username, key, digest, idempotency.Stored(
            response.status_code, response.content_type, response.headers.get("Location"),
            response.get_data(as_text=True)))
    return response


IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER, "in": "header", "required": False,
    "description": "Send a retried write with the same key: it is recorded once and the retry "
                   "gets the first answer (kept 7 days per user).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200,
               "pattern": "^[\\x21-\\x7e]+$"}}


def operation(bp: Blueprint, method: str, rule: str, *, summary: str, tag: str,
              body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
              response: Any = None, status: int = 200, public: bool = False,
              produces: tuple[str, ...] = (JSON_MIME,), extra_responses: tuple[int, ...] = (),
              rate_limit: str | None = None,
              signs_in: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """Declare a JSON operation: auth, then parsing, then the view; document it.

    `rate_limit` ("10 per minute") limits the operation per client address; `signs_in` also
    counts its refusals against the account named in the body (security.ACCOUNT_FAILURES).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        wants = inspect.signature(view).parameters

        def endpoint(**path: Any) -> Any:
            if not public:
                auth.current_actor()
                key = request.headers.get(idempotency.HEADER) if method == "POST" else None
                if key is not None:
                    return _idempotent(key, lambda: run(path))
            return run(path)

        def run(path: dict[str, Any]) -> Any:
            kwargs = dict(path)
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if "actor" in wants:
                kwargs["actor"] = auth.current_actor() if not public else auth.optional_actor()
            result = view(**kwargs)
            if isinstance(result, Response):
                if result.status_code == 204:
                    del result.headers["Content-Type"]
                return result
            return json_response(result, status)

        endpoint.__name__ = view.__name__
        endpoint.__doc__ = view.__doc__
        handler: Callable[..., Any] = endpoint
        if signs_in:
            handler = throttle_account_failures(handler)
        if rate_limit is not None:
            handler = limiter.limit(rate_limit)(handler)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handler, methods=[method])
        path, params = _openapi_path(rule, bp.url_prefix or "")
        OPERATIONS.append(Operation(
            method=method.lower(), path=path, operation_id=view.__name__, summary=summary,
            tag=tag, body=body, query=query, response=response, status=status, public=public,
            produces=produces, path_params=params, extra_responses=extra_responses))
        return endpoint

    return decorator


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def merge_defs(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Move `schema`'s `$defs` into the components; a name already taken by a different model
    (two classes named alike in different modules) gets a numbered name, refs rewritten."""
    defs = schema.pop("$defs", {})
    renames: dict[str, str] = {}
    for name, sub in defs.items():
        if name in schemas and schemas[name] != sub:
            n = 2
            while f"{name}{n}" in schemas and schemas[f"{name}{n}"] != sub:
                n += 1
            renames[name] = f"{name}{n}"
    if renames:
        text = json.dumps({"schema": schema, "defs": defs})
        for old, new in renames.items():
            text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
        moved = json.loads(text)
        schema, defs = moved["schema"], {renames.get(k, k): v for k, v in moved["defs"].items()}
    for name, sub in defs.items():
        schemas.setdefault(name, sub)
    return schema


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = merge_defs(model.model_json_schema(ref_template="#/components/schemas/{model}"),
                        schemas)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop,
             **({"description": prop["description"]} if "description" in prop else {})}
            for name, prop in schema.get("properties", {}).items()]


def document(title: str, version: str, server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every declared operation."""
    models: list[tuple[Any, Any]] = []
    for op in OPERATIONS:
        if op.body is not None:
            models.append((op.body, "validation"))
    keys, defs = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary,
                                 "tags": [op.tag]}
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": kind}}
                      for name, kind in op.path_params.items()]
        if op.query is not None:
            parameters += _query_parameters(op.query, schemas)
        if op.method == "post" and not op.public:
            parameters.append(IDEMPOTENCY_PARAMETER)
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {
                JSON_MIME: {"schema": keys[(op.body, "validation")]}}}
        content: dict[str, Any] = {}
        for mime in op.produces if op.status != 204 else ():  # 204: no body, no type
            if mime == JSON_MIME and op.response is not None:
                schema = merge_defs(TypeAdapter(op.response).json_schema(
                    ref_template="#/components/schemas/{model}", mode="serialization"),
                    schemas)
                content[mime] = {"schema": schema}
            elif mime.startswith(("image/", "application/pdf", "text/")):
                content[mime] = {"schema": {"type": "string"}}
            else:
                content[mime] = {"schema": {}}
        problem = {"content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}}
        responses: dict[str, Any] = {str(op.status): {"description": "success",
                                                      **({"content": content} if content else {})}}
        codes = {400, 404, 422, 429} | set(op.extra_responses)
        if not op.public:
            codes |= {401, 403}
        if op.method in ("post", "patch", "put", "delete"):
            codes |= {409}
        for code in sorted(codes):
            responses[str(code)] = {"description": "problem", **problem}
        entry["responses"] = responses
        if not op.public:
            entry["security"] = [{"bearer": []}]
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Traceability and supply-chain registry for Vietnamese farm, "
                                "forest and fishery food.",
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }
