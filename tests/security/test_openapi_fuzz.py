"""schemathesis against `/api/v1/openapi.json`, in process on the WSGI app over the demo data
(issue 9): no 5xx, and every response conforms to the document (status code documented,
content type, body schema).

Bounded for CI: a few examples per operation with a fixed seed (derandomized), no deadline.
Every operation is fuzzed as admin (so writes pass authorization and reach the domain rules).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from tests.security import scene as sc

MAX_EXAMPLES = int(os.environ.get("NGUONGOC_FUZZ_EXAMPLES", "12"))
"""Examples per operation and mode; NGUONGOC_FUZZ_EXAMPLES=200 for a longer local hunt."""
DERANDOMIZE = "NGUONGOC_FUZZ_RANDOM" not in os.environ
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sc.Scene]:
    yield from sc.build(Path(tmp_path_factory.mktemp("fuzz")))


@pytest.fixture(scope="module")
def api_schema(fuzz_scene: sc.Scene) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_scene.app)


def _operations() -> list[Any]:
    """(method, path) of every documented operation, known without a database."""
    import api.v1  # noqa: F401  (declares the operations)
    from api.openapi import OPERATIONS

    return [pytest.param(op.method.upper(), op.path, bool(op.path_params or op.query or op.body),
                         id=f"{op.method.upper()} {op.path}") for op in OPERATIONS]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path", "has_inputs"), _operations())
def test_api_conforms_to_its_document(api_schema: Any, fuzz_scene: sc.Scene, method: str,
                                      path: str, has_inputs: bool, mode: GenerationMode) -> None:
    """No 5xx; documented status, content type and body for whatever the fuzzer sends, data
    that fits the schema (reaching the domain rules) and data that does not (refusals)."""
    if mode is GenerationMode.NEGATIVE and not has_inputs:
        pytest.skip("no parameter or body to make invalid")
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {fuzz_scene.tokens['admin']}"}

    @settings(max_examples=MAX_EXAMPLES, derandomize=DERANDOMIZE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode))
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
