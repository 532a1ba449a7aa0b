"""Where the GS1 EPCIS conformance files are (read in place from ../shared, never copied) and
what each one is."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def shared_dir() -> Path:
    """../shared beside the checkout, or $NGUONGOC_SHARED."""
    beside = Path(__file__).resolve().parents[2] / ".." / "shared"
    if (beside / "conformance").is_dir():
        return beside.resolve()
    return Path(os.environ.get("NGUONGOC_SHARED", beside)).resolve()


CONFORMANCE = shared_dir() / "conformance" / "epcis"
HASH_EXAMPLES = CONFORMANCE / "event-hash" / "examples"

NOT_DOCUMENTS = {
    "epcis-context.jsonld": "a JSON-LD context, not an EPCIS document",
    "JSON-LD-Context/": "JSON-LD contexts (root and CBV vocabularies), not EPCIS documents",
    "Ontology/": "the CBV ontology, not an EPCIS document",
    "EPCIS-JSON-Schema.json": "the official JSON Schema itself (used to cross-check)",
    "JSON-Schema/EPCIS-": "modular JSON Schemas, not documents",
    "JSON-Schema/schemas/": "modular JSON Schemas, not documents",
    "JSON-Schema/test/schemas/": "extension schemas used by GS1's schema tests, not documents",
    "REST Bindings/": "the REST bindings' OpenAPI and query schemas, not documents",
}
"""Files under the conformance folder that are not EPCIS documents or events, and why."""


def relative(path: Path) -> str:
    """A conformance file's path relative to the folder (as in SOURCE.md)."""
    return path.relative_to(CONFORMANCE).as_posix()


def load(path: Path) -> Any:
    """A conformance file's JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def classify(path: Path) -> str:
    """`document`, `query_document`, `event` (a single event fixture) or `skip`."""
    name = relative(path)
    if any(name == key or (key.endswith("/") and name.startswith(key)) or
           (key.endswith("-") and name.startswith(key)) for key in NOT_DOCUMENTS):
        return "skip"
    data = load(path)
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "EPCISDocument":
        return "document"
    if kind == "EPCISQueryDocument":
        return "query_document"
    if isinstance(data, dict) and "eventTime" in data:
        return "event"
    return "unknown"


def json_files() -> list[Path]:
    """Every JSON and JSON-LD file under the conformance folder."""
    if not CONFORMANCE.is_dir():
        return []
    return sorted(p for p in CONFORMANCE.rglob("*") if p.suffix in (".json", ".jsonld"))


def files_of(kind: str) -> list[Path]:
    """The conformance files of one kind (see `classify`)."""
    return [p for p in json_files() if classify(p) == kind]
