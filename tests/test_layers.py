"""STYLE.md section 1: registry/, chains/ and qr/ never import Flask, so the CLI, a job or a
notebook can use them without a web request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_PACKAGES = ("registry", "chains", "qr")

PROBE = """
import importlib, json, pkgutil, sys
from pathlib import Path
root = Path(sys.argv[1])
imported = []
for name in sys.argv[2:]:
    if not (root / name).is_dir():
        continue
    package = importlib.import_module(name)
    imported.append(name)
    for module in pkgutil.walk_packages(package.__path__, prefix=name + "."):
        importlib.import_module(module.name)
        imported.append(module.name)
web_layer = ("flask", "flask_babel", "flask_wtf", "api")
web = sorted(m for m in sys.modules if m.split(".")[0] in web_layer)
print(json.dumps({"imported": imported, "web": web}))
"""


def test_domain_packages_import_without_flask():
    result = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), *DOMAIN_PACKAGES],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert "registry" in found["imported"]
    assert {"registry.places", "registry.audit", "registry.models.registry"} <= set(
        found["imported"])
    assert found["web"] == [], f"a domain module pulled in {found['web']}"


def test_the_api_is_the_only_layer_that_imports_flask():
    offenders = [
        str(path.relative_to(ROOT)) for package in DOMAIN_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if any(line.strip().startswith(("import flask", "from flask", "from api", "import api"))
               for line in path.read_text("utf-8").splitlines())]
    assert offenders == []
