"""The public scan pages (DESIGN.md section 6): `/01/{gtin}/10/{batch}[/21/{serial}]` and
`/l/{lot_code}`, no login; `POST /l/{lot_code}/reports`, a consumer's problem report.

The scan page is the registry's most requested URL: a few indexed reads (`registry.scans`), a
file template, a scan-log row handed to a buffer (`registry.scan_log`). The code is parsed from
the raw request URI: the decoded path has lost the difference between `/` and `%2F` in a batch.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import click
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
)
from flask.cli import with_appcontext
from flask_babel import get_locale, get_translations
from pydantic import ValidationError

import qr
from api import database, problems, scan_text
from api.security import limiter
from api.web import forms
from qr.digital_link import DigitalLink, MalformedLink
from registry import consumer_reports, copied_codes, scan_log, scan_reads, scans
from registry.actors import SYSTEM
from registry.errors import DomainError, FieldError
from registry.events import VN_TZ
from registry.models import Lot

bp = Blueprint("scan", __name__)

REPORT_LIMIT = "5 per hour"
SCAN_LIMIT = "300 per minute"
"""Scans per client address: generous (a shop's Wi-Fi puts many shoppers behind one address),
yet a crawler walking lot codes is slowed to a crawl."""
REPORT_MAX_BYTES = 6 * 1024 * 1024
NO_CACHE = {"Cache-Control": "no-cache", "Vary": "Accept, Cookie"}


def init_app(app: Flask) -> None:
    """Register the pages, the scan log and the `nguongoc scans` commands."""
    settings = app.config["NGUONGOC"]
    app.extensions["nguongoc.qr_keys"] = (qr.signing_key(settings.secret_key),)
    engine = app.extensions["nguongoc.engine"]
    log_engine, read_engine = engine, engine  # PostgreSQL: per-transaction settings suffice
    if engine.dialect.name == "sqlite":  # per-connection settings: connections of their own
        log_engine = scan_log.log_engine(settings.database_url)
        read_engine = scan_reads.read_engine(settings.database_url)
    app.extensions["nguongoc.scan_log"] = scan_log.ScanLog(log_engine,
                                                           settings.scan_log_interval)
    app.extensions["nguongoc.scanner"] = scan_reads.Scanner(read_engine)
    app.register_blueprint(bp)
    app.add_template_filter(day)
    app.cli.add_command(scans_group)


def day(value: date | datetime | str | None) -> str:
    """A date as Vietnamese and British readers write it (dd/mm/yyyy), in Vietnam's time."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ).date()
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def raw_uri() -> str:
    """The path and query as they came over the wire (gunicorn RAW_URI, werkzeug REQUEST_URI)."""
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    query = environ.get("QUERY_STRING", "")
    return request.script_root + request.path + (f"?{query}" if query else "")


def switch_language_url(raw: str, lang: str) -> str:
    """This very URL (signature and escapes kept) in another language."""
    path, _, query = raw.partition("?")
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return f"{path}?{urlencode([*pairs, ('lang', lang)])}"


def _problem_page(status: int, reason: str, detail: str, lot_code: str | None = None
                  ) -> Response:
    """A clear page (or problem+json) for a code that cannot be shown."""
    if problems.wants_json():
        response = problems.problem(status, detail, slug=f"scan-{reason}",
                                    errors=[FieldError("link", detail)])
    else:
        html = render_page("scan/problem.html", status=status, reason=reason, detail=detail,
                           lot_code=lot_code)
        response = Response(html, status, mimetype="text/html")
    response.headers.update(NO_CACHE)
    return response


def render_page(template: str, **context: Any) -> str:
    """A scan template with this language's message table `t` (api/scan_text.py)."""
    lang = str(get_locale())
    root = request.script_root
    return render_template(template, t=scan_text.table(lang, get_translations()), lang=lang,
                           root=root, static=root + (current_app.static_url_path or ""),
                           lang_url=switch_language_url(raw_uri(), "en" if lang == "vi" else "vi"),
                           **context)


def _log(lot_id: int, link: DigitalLink, verdict: str) -> None:
    headers = request.headers
    current_app.extensions["nguongoc.scan_log"].record(scan_log.scan_row(
        lot_id, link.serial, verdict, remote_addr=request.remote_addr,
        user_agent=headers.get("User-Agent"), accept_language=headers.get("Accept-Language"),
        headers=headers))


@bp.get("/l/<path:_rest>", endpoint="lot_page")
@bp.get("/01/<path:_rest>", endpoint="gs1_page")
@limiter.shared_limit(SCAN_LIMIT, scope="scan")  # one budget for /l/ and /01/
def scan_page(_rest: str) -> Response:
    """The consumer scan page of the lot a code names (HTML, or JSON when asked)."""
    raw = raw_uri()
    try:
        link = scan_reads.fast_link(raw)
    except MalformedLink as exc:
        return _problem_page(400, "malformed", exc.reason)
    with current_app.extensions["nguongoc.scanner"].reading(database.session) as reading:
        found = reading.find(link)
        lot = found.lot
        if lot is None:
            return _problem_page(404, "not-registered", "no lot with this code is registered")
        if link.signature is not None:
            if not link.is_signed_by(current_app.extensions["nguongoc.qr_keys"]):
                _log(lot.id, link, "forged")
                return _problem_page(400, "forged", "the code's signature does not match: "
                                     "it was not printed by this registry")
            verdict = "verified"
        else:
            verdict = "unsigned"
        if not found.serial_issued:
            _log(lot.id, link, "unissued")
            return _problem_page(404, "serial-not-issued", "this unit's serial number was never "
                                 "issued by the registry", lot_code=lot.lot_code)
        facts = scans.facts(lot, reading.events(lot), database.session)
    facts["verification"], facts["serial"] = verdict, link.serial
    _log(lot.id, link, verdict)
    if str(get_locale()) == "en":
        scans.english_scheme_names(database.session(), facts)
    if problems.wants_json():
        body = json.dumps(facts, ensure_ascii=False, default=scans.to_json)
        return Response(body, 200, mimetype="application/json", headers=NO_CACHE)
    html = render_page("scan/lot.html", f=facts)
    return Response(html, 200, mimetype="text/html", headers=NO_CACHE)


def _report_form(lot_code: str, values: dict[str, Any], errors: dict[str, list[str]],
                 status: int) -> tuple[str, int]:
    return render_page("scan/report.html", lot_code=lot_code, values=values, errors=errors,
                       sent=False), status


@bp.post("/l/<lot_code>/reports")
@limiter.limit(REPORT_LIMIT)
def report(lot_code: str) -> tuple[str, int]:
    """A consumer's problem report (text, optional photo, optional contact)."""
    values = {key: request.form.get(key, "") for key in ("text", "contact", "serial")}
    upload = request.files.get("photo")
    photo = upload.read(REPORT_MAX_BYTES + 1) if upload and upload.filename else None
    session = database.session()
    try:
        data = consumer_reports.ReportIn.model_validate(values)
        consumer_reports.submit(session, lot_code, data, photo=photo,
                                language=str(get_locale()))
    except (ValidationError, DomainError) as exc:
        session.rollback()
        status = 404 if isinstance(exc, DomainError) and exc.slug == "not-found" else 422
        return _report_form(lot_code, values, forms.errors_of(exc), status)
    session.commit()
    return render_page("scan/report.html", lot_code=lot_code, values={}, errors={},
                       sent=True), 201


@click.group("scans")
def scans_group() -> None:
    """The scan log and copied-code detection."""


@scans_group.command("check")
@with_appcontext
def scans_check() -> None:
    """Recheck the scan log for copied codes; flag and notify the new ones."""
    current_app.extensions["nguongoc.scan_log"].flush()
    session = database.session()
    flags = copied_codes.check_all(session)
    session.commit()
    for flag in flags:
        lot = session.get(Lot, flag.lot_id)
        click.echo(f"flagged lot {lot.lot_code if lot else flag.lot_id} serial "
                   f"{flag.serial or '-'}: {flag.reason} ({flag.observed} seen, threshold "
                   f"{flag.threshold})")
    click.echo(f"{len(flags)} new flags", err=True)


@scans_group.command("thresholds")
@click.argument("key", required=False)
@click.argument("value", required=False, type=int)
@with_appcontext
def scans_thresholds(key: str | None, value: int | None) -> None:
    """Print the copied-code thresholds, or set KEY to VALUE."""
    session = database.session()
    if key is not None and value is not None:
        try:
            copied_codes.set_threshold(session, SYSTEM, key, value)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
        session.commit()
    for name, current in copied_codes.thresholds(session).items():
        default = copied_codes.DEFAULTS[name]
        click.echo(f"{name} = {current}" + ("" if current == default else f" (default {default})"))
