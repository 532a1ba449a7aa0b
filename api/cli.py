"""The `nguongoc` command: serve, db upgrade, demo, users, tokens, audit (DESIGN.md 3)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from api import database
from registry import accounts, audit, demo
from registry import database as registry_database
from registry.actors import SYSTEM
from registry.errors import DomainError
from registry.models import Partner, Role


def _create_app(*_args: Any, **_kwargs: Any) -> Flask:
    from api import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, set_debug_flag=False)
def main() -> None:
    """nguongoc: traceability and supply-chain registry for Vietnamese food."""


def _fail(exc: DomainError) -> None:
    message = exc.detail + "".join(f"\n  {e.field}: {e.message}" for e in exc.errors)
    raise click.ClickException(message)


def _database_url() -> str:
    url: str = current_app.config["NGUONGOC"].database_url
    return url


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every migration (Alembic)."""
    registry_database.upgrade(_database_url())
    click.echo("database is up to date", err=True)


def load_demo_if_empty() -> str | None:
    """Load the demo data into an empty registry; the summary, or None if it had data."""
    session = database.session()
    if session.execute(select(func.count()).select_from(Partner)).scalar_one():
        return None
    settings = current_app.config["NGUONGOC"]
    summary = demo.load(session, settings.base_url, current_app.extensions["nguongoc.qr_keys"][0])
    session.commit()
    return summary


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo chains: Long An / Tây Ninh to Cần Thơ, and Quảng Ninh."""
    registry_database.upgrade(_database_url())
    summary = load_demo_if_empty()
    click.echo(summary or "the registry already has data; demo not loaded")


@click.command("serve")
@click.option("--demo", "with_demo", is_flag=True, help="load the demo data into an empty registry")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=lambda: int(os.environ.get("NGUONGOC_WORKERS", "2")),
              show_default="2", type=int, help="gunicorn sync process workers")
@with_appcontext
def serve_command(with_demo: bool, host: str, port: int, workers: int) -> None:
    """Run the service with gunicorn (sync process workers), migrating the database first."""
    from api.server import run

    registry_database.upgrade(_database_url())
    if with_demo:
        summary = load_demo_if_empty()
        click.echo(summary or "demo: the registry already has data, nothing loaded", err=True)
    database.session().close()
    current_app.extensions["nguongoc.engine"].dispose()
    click.echo(f"nguongoc on http://{host}:{port}/ ({workers} workers)", err=True)
    run(host=host, port=port, workers=workers)


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--partner-id", type=int, default=None)
@click.option("--province", "provinces", multiple=True, help="current province code (agency)")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--display-name", default=None)
@with_appcontext
def users_create(name: str, role: str, partner_id: int | None, provinces: tuple[str, ...],
                 password: str, display_name: str | None) -> None:
    """Create a user account."""
    session = database.session()
    try:
        data = accounts.UserIn(username=name, password=password, role=Role(role),
                               partner_id=partner_id, provinces=list(provinces),
                               display_name=display_name)
        user = accounts.create_user(session, SYSTEM, data)
    except DomainError as exc:
        _fail(exc)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"created {user.role.value} {user.username}", err=True)


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.argument("name")
@with_appcontext
def tokens_create(name: str) -> None:
    """Print a new API token for user NAME (the token alone on stdout)."""
    session = database.session()
    try:
        user = accounts.get_user(session, name)
    except DomainError as exc:
        _fail(exc)
    token = accounts.create_token(session, SYSTEM, user, name="cli")
    session.commit()
    click.echo(token)


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute the chain; exit 1 naming the first bad entry."""
    verdict = audit.verify(database.session())
    if not verdict.ok:
        click.echo(f"audit log is broken at entry {verdict.bad_seq}: {verdict.reason} "
                   f"({verdict.entries} entries verified before it)", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {verdict.entries} entries")


@click.command("balance")
@with_appcontext
def balance_command() -> None:
    """Check the mass balance of every lot (what was made, received, shipped, consumed and
    destroyed against what is held); exit 1 naming what does not balance."""
    from registry import mass_balance

    result = mass_balance.check(database.session())
    if not result.ok:
        for problem in result.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"mass balance holds: {result.lots} lots, {result.holdings} holdings, "
               f"{result.shipments} shipments")


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Health check: the database answers and is migrated (exit 1 otherwise)."""
    from api.ops import health

    ok, facts = health()
    for key, value in facts.items():
        click.echo(f"{key}: {value}")
    if not ok:
        sys.exit(1)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent backup of the database to TARGET (safe while serving)."""
    from registry import backup

    try:
        backup.backup(_database_url(), target)
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {target}", err=True)


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's contents with the backup SOURCE (stop the service first)."""
    from registry import backup

    if not yes:
        click.confirm(f"Replace every record in {_database_url()} with {source}?", abort=True)
    current_app.extensions["nguongoc.engine"].dispose()
    try:
        backup.restore(_database_url(), source)
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("restored; run `nguongoc audit verify` and `nguongoc balance` to check it",
               err=True)


@click.group("alerts")
def alerts_group() -> None:
    """Alerts about retailers' approved suppliers."""


@alerts_group.command("run")
@with_appcontext
def alerts_run() -> None:
    """Alert retailers about approved suppliers (idempotent; run it daily)."""
    from chains import supplier_alerts

    summary = supplier_alerts.run(database.session())
    database.session().commit()
    click.echo(f"{summary.alerts} new alerts for {summary.approvals} approvals "
               f"({summary.suppliers} suppliers) on {summary.on.isoformat()}")


@click.group("mail")
def mail_group() -> None:
    """E-mail of inbox items (cases, recalls, reports, alerts)."""


@mail_group.command("send")
@click.option("--limit", default=200, show_default=True, help="inbox items per run")
@with_appcontext
def mail_send(limit: int) -> None:
    """Mail inbox items not yet mailed to their agencies or partner (run it from cron)."""
    from registry import mailer

    settings = current_app.config["NGUONGOC"]
    if not settings.smtp_url:
        click.echo("mail is not configured (NGUONGOC_SMTP_URL); nothing sent", err=True)
        return
    try:
        config = mailer.MailConfig.from_url(settings.smtp_url, settings.mail_from)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    session = database.session()
    try:
        sent, nobody = mailer.send_pending(session, config, settings.base_url, limit)
    except OSError as exc:  # smtplib errors are OSErrors: what was sent stays marked
        session.commit()
        raise click.ClickException(f"mail server: {exc}") from None
    session.commit()
    click.echo(f"{sent} sent, {nobody} without an e-mail address")


def init_app(app: Flask) -> None:
    """Add the commands to the app's CLI (so app.test_cli_runner() sees them)."""
    for command in (db_group, demo_command, serve_command, users_group, tokens_group,
                    audit_group, balance_command, check_command, backup_command,
                    restore_command,
                    alerts_group, mail_group):
        app.cli.add_command(command)
