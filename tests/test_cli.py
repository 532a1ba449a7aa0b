"""The `nguongoc` command: users, tokens, db upgrade, demo, audit verify and balance."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import func, select, update

from api import create_app
from api.cli import main
from registry import audit
from registry import database as registry_database
from registry.models import AuditEntry, GrowingArea, Partner, User


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_users_create_makes_an_agency_user(runner, session):
    result = runner.invoke(args=["users", "create", "tayninh", "--role", "agency",
                                 "--province", "80", "--province", "92",
                                 "--password", "correct-horse-1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "created agency tayninh" in result.stderr
    user = session.execute(select(User).where(User.username == "tayninh")).scalar_one()
    assert (user.role.value, user.provinces) == ("agency", ["80", "92"])


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "partner"], "partner-id"),
    (["--role", "agency"], "province"),
    (["--role", "agency", "--province", "93"], "93"),
    (["--role", "partner", "--partner-id", "4242"], "4242"),
    (["--role", "emperor"], "emperor"),
])
def test_users_create_refuses_bad_accounts(runner, session, args, message):
    result = runner.invoke(args=["users", "create", "someone", "--password", "long-enough-1",
                                 *args])
    assert result.exit_code != 0
    assert message in result.output
    assert session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_users_create_refuses_a_taken_name(runner):
    args = ["users", "create", "admin", "--role", "admin", "--password", "long-enough-1"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "already registered" in again.output


def test_users_create_asks_for_the_password_when_not_given(runner, session):
    result = runner.invoke(args=["users", "create", "asked", "--role", "admin"],
                           input="typed-secret-1\ntyped-secret-1\n")
    assert result.exit_code == 0, result.output
    assert session.execute(select(User).where(User.username == "asked")).scalar_one()


def test_tokens_create_prints_only_the_token_and_it_works(runner, client):
    runner.invoke(args=["users", "create", "admin", "--role", "admin", "--password",
                        "long-enough-1"])
    result = runner.invoke(args=["tokens", "create", "admin"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token.startswith("ngg_") and " " not in token
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["username"] == "admin"
    write = client.post("/api/v1/partners", headers={"Authorization": f"Bearer {token}"},
                        json={"kind": "retailer", "name": "Siêu thị Xanh",
                              "place": {"province_code": "92"}})
    assert write.status_code == 201


def test_tokens_create_for_an_unknown_user_fails_with_nothing_on_stdout(runner):
    result = runner.invoke(args=["tokens", "create", "ghost"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "ghost" in result.stderr


def test_the_console_script_reads_database_url_from_the_environment(database_url,
                                                                    monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NGUONGOC_SECRET_KEY", "cli-test")
    apps: list[Flask] = []

    def create_app_from_env() -> Flask:  # what the console script does, keeping the app
        apps.append(create_app())
        return apps[-1]

    runner = CliRunner()
    try:
        made = runner.invoke(main, ["users", "create", "envuser", "--role", "admin",
                                    "--password", "long-enough-1"],
                             obj=ScriptInfo(create_app=create_app_from_env))
        assert made.exit_code == 0, made.output
        token = runner.invoke(main, ["tokens", "create", "envuser"],
                              obj=ScriptInfo(create_app=create_app_from_env))
        assert token.exit_code == 0 and token.stdout.startswith("ngg_")
    finally:
        for app in apps:
            app.extensions["nguongoc.engine"].dispose()
    assert apps and all(a.config["NGUONGOC"].database_url == database_url for a in apps)
    assert "serve" in runner.invoke(main, ["--help"]).stdout


def test_db_upgrade_is_idempotent(runner, app, database_url):
    for _ in range(2):
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.stderr
    assert registry_database.is_up_to_date(app.extensions["nguongoc.engine"])


def test_demo_loads_once_and_the_chain_verifies(runner, session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo loaded" in result.stdout and "tayninh" in result.stdout
    assert "nguongoc-demo" in result.stdout
    partners = session.execute(select(func.count()).select_from(Partner)).scalar_one()
    areas = session.execute(select(func.count()).select_from(GrowingArea)).scalar_one()
    assert partners >= 10 and areas >= 3
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already has data" in again.stdout
    assert session.execute(select(func.count()).select_from(Partner)).scalar_one() == partners
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert audit.verify(session).ok


def test_the_demo_user_tayninh_signs_in_and_acts_on_old_long_an_codes(runner, client,
                                                                      session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    token = client.post("/api/v1/auth/token", json={
        "username": "tayninh", "password": "nguongoc-demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    lime = client.get("/api/v1/growing-areas/VN-80-803-27811-01-22", headers=headers)
    assert lime.get_json()["place"]["province_name"] == "Tỉnh Long An"
    suspended = client.post("/api/v1/growing-areas/VN-80-803-27811-01-22/status",
                            headers=headers, json={"status": "suspended",
                                                   "effective_on": "2025-01-01",
                                                   "reason": "demo suspension"})
    assert suspended.status_code == 200


def test_audit_verify_exits_0_then_1_naming_the_first_bad_entry(runner, session):
    runner.invoke(args=["demo"])
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0
    count = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    assert f"audit log intact: {count} entries" in intact.stdout
    session.execute(update(AuditEntry).where(AuditEntry.seq == 7).values(actor="mallory"))
    session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry 7" in broken.stderr and "6 entries verified" in broken.stderr


def test_balance_exits_0_on_the_demo_then_1_naming_a_tampered_holding(runner, session):
    from registry.models import Holding

    runner.invoke(args=["demo"])
    intact = runner.invoke(args=["balance"])
    assert intact.exit_code == 0, intact.output
    assert "mass balance holds" in intact.stdout
    holding = session.execute(select(Holding).where(Holding.quantity > 0).limit(1)).scalar_one()
    lot_id = holding.lot_id
    holding.quantity += 1000
    session.commit()
    broken = runner.invoke(args=["balance"])
    assert broken.exit_code == 1
    assert f"lot {lot_id}" in broken.stderr
