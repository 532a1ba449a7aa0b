"""POST /auth/token, GET /me, GET /provinces: tokens, who is asking, and what anonymous
callers, forged tokens and web-session cookies may do."""

from __future__ import annotations

from sqlalchemy import select

from api.auth import fingerprint
from registry import accounts
from registry.actors import SYSTEM
from registry.models import ApiToken, Role, User
from tests import factories
from tests.api.helpers import assert_problem

PASSWORD = "password-123"  # what conftest's api_as gives every user


def test_a_username_and_password_buy_a_token_that_works(api_as, client, session):
    api_as("agency", provinces=["92", "80"], username="tayninh")
    response = client.post("/api/v1/auth/token",
                           json={"username": "tayninh", "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["username"], body["role"]) == ("tayninh", "agency")
    token = body["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json() == {"username": "tayninh", "role": "agency", "partner_id": None,
                             "provinces": ["80", "92"]}
    stored = session.execute(select(ApiToken.token_hash)).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)  # only digests are kept


def test_each_exchange_gives_a_new_token_and_both_work(api_as, client):
    api_as("admin", username="root-user")
    tokens = [client.post("/api/v1/auth/token", json={
        "username": "root-user", "password": PASSWORD}).get_json()["token"] for _ in range(2)]
    assert tokens[0] != tokens[1]
    for token in tokens:
        assert client.get("/api/v1/me", headers={
            "Authorization": f"Bearer {token}"}).get_json()["role"] == "admin"


def test_a_partner_users_me_names_its_partner(api_as, session):
    coop = factories.partner(session)
    session.commit()
    assert api_as("partner", partner_id=coop.id).get("/me").get_json()["partner_id"] == coop.id


def test_wrong_credentials_are_a_401_that_does_not_say_which_was_wrong(api_as, client,
                                                                        unchanged):
    api_as("admin", username="someone")
    with unchanged():
        wrong_password = client.post("/api/v1/auth/token",
                                     json={"username": "someone", "password": "guess-1234"})
        unknown_user = client.post("/api/v1/auth/token",
                                   json={"username": "nobody", "password": PASSWORD})
    assert_problem(wrong_password, 401)
    assert_problem(unknown_user, 401)
    assert wrong_password.get_json()["detail"] == unknown_user.get_json()["detail"]


def test_an_inactive_user_gets_no_token_and_its_tokens_stop_working(api_as, client, session):
    holder = api_as("admin", username="leaver")
    user = session.execute(select(User).where(User.username == "leaver")).scalar_one()
    user.active = False
    session.commit()
    assert_problem(client.post("/api/v1/auth/token",
                               json={"username": "leaver", "password": PASSWORD}), 401)
    assert_problem(holder.get("/me"), 401)


def test_revoked_tokens_stop_working(api_as, session):
    holder = api_as("admin", username="rotating")
    user = accounts.get_user(session, "rotating")
    assert accounts.revoke_tokens(session, SYSTEM, user) == 1
    session.commit()
    assert_problem(holder.get("/me"), 401)


def test_bad_token_requests(client, unchanged):
    with unchanged():
        assert_problem(client.post("/api/v1/auth/token", json={"username": "x"}), 422,
                       "password")
        assert_problem(client.post("/api/v1/auth/token", json={
            "username": "", "password": "p"}), 422, "username")
        assert_problem(client.post("/api/v1/auth/token", json={
            "username": "x", "password": "p", "role": "admin"}), 422, "role")
        assert_problem(client.post("/api/v1/auth/token", data='{"username": "x",',
                                   content_type="application/json"), 400, "body")
        assert_problem(client.post("/api/v1/auth/token", data="username=x&password=p"), 415)


def test_who_am_i_needs_a_valid_token(client):
    anonymous = client.get("/api/v1/me")
    assert_problem(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="nguongoc"'
    for header in ("Bearer ngg_forged-token", "Bearer not-even-ours", "Bearer ",
                   "Basic dGF5bmluaDpwYXNzd29yZA=="):
        assert_problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_a_web_session_reads_the_api_but_never_writes_through_it(app, session, unchanged):
    user = accounts.create_user(session, SYSTEM, accounts.UserIn(
        username="browser-user", password=PASSWORD, role=Role.ADMIN))
    session.commit()
    browser = app.test_client()
    with browser.session_transaction() as cookie:  # what signing in on /login stores
        cookie["uid"] = user.id
        cookie["fp"] = fingerprint(user)
    assert browser.get("/api/v1/me").get_json()["username"] == "browser-user"
    with unchanged():  # cookies alone would invite cross-site request forgery
        response = browser.post("/api/v1/partners", json={
            "kind": "retailer", "name": "Cross-site", "place": {"province_code": "92"}})
    assert_problem(response, 401)


def test_the_province_table_is_public(client):
    response = client.get("/api/v1/provinces")
    assert response.status_code == 200
    rows = response.get_json()
    assert len([r for r in rows if r["scheme"] == "vn2025"]) == 34
    assert len([r for r in rows if r["scheme"] == "vn2004"]) == 63
    long_an = next(r for r in rows if (r["scheme"], r["code"]) == ("vn2004", "80"))
    assert (long_an["name"], long_an["current_code"]) == ("Tỉnh Long An", "80")
    hau_giang = next(r for r in rows if (r["scheme"], r["code"]) == ("vn2004", "93"))
    assert hau_giang["current_code"] == "92"
