"""The floor the scan page is measured against (DESIGN.md section 8): the same application and
server settings answering a primary-key read of a lot plus a small Jinja template, nothing else.

Served by `bench/scan.py --calibrate` with gunicorn's command line and the options of
`nguongoc serve` (two sync workers, access log on stdout)."""

from __future__ import annotations

from flask import abort

from api import create_app, database
from registry.models import Lot

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ lot.lot_code }}
</title></head><body><h1>{{ lot.lot_code }}</h1><p>{{ lot.batch }} · {{ lot.quantity }}
{{ lot.unit }} · {{ lot.produced_on }}</p></body></html>"""

app = create_app()
template = app.jinja_env.from_string(PAGE)  # compiled once, as a cached file template is


@app.get("/calibrate/<int:lot_id>")
def calibrate(lot_id: int) -> str:
    """One lot by primary key, rendered."""
    lot = database.session().get(Lot, lot_id)
    if lot is None:
        abort(404)  # counted as failed: the floor must read real lots
    return template.render(lot=lot)
