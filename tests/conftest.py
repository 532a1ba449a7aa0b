"""Fixtures: a migrated database per test (SQLite copy, or CI's PostgreSQL), the app, clients
acting as each role, and a domain session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api import create_app
from api.settings import Settings
from registry import accounts
from registry import database as registry_database
from registry.actors import SYSTEM
from registry.models import Role
from tests import factories

BASE_URL = "https://qr.test"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 at production cost takes ~0.2 s a hash; tests create many users."""
    from argon2 import PasswordHasher

    saved = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = saved


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated once by the same migrations production runs."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        registry_database.upgrade(url)
        registry_database.truncate_all(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    url = f"sqlite:///{path}"
    registry_database.upgrade(url)
    return url


@pytest.fixture
def database_url(migrated_url: str, tmp_path: Path) -> Iterator[str]:
    """This test's own database: a fresh SQLite copy, or the emptied PostgreSQL database."""
    if migrated_url.startswith("sqlite"):
        source = make_url(migrated_url).database
        assert source is not None
        copy = shutil.copy(source, tmp_path / "test.sqlite3")
        yield f"sqlite:///{copy}"
    else:
        yield migrated_url
        registry_database.truncate_all(migrated_url)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", base_url=BASE_URL,
                    rate_limits=False)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config.update(TESTING=True)
    yield app
    app.extensions["nguongoc.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A domain session on the app's database; tests commit what the app must see."""
    db_session = app.extensions["nguongoc.sessions"]()
    yield db_session
    db_session.close()


class ApiClient:
    """A test client that sends a bearer token and prefixes /api/v1."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.token = client, token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _url(self, path: str) -> str:
        return path if path.startswith(("/api/", "/epcis/", "/l/", "/01/")) else "/api/v1" + path

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(self._url(path), headers=self._headers(headers), **kw)

    def post(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.post(self._url(path), headers=self._headers(headers), **kw)

    def patch(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.patch(self._url(path), headers=self._headers(headers), **kw)


@pytest.fixture
def api_as(app: Flask, session: Session) -> Callable[..., ApiClient]:
    """`api_as("agency", provinces=["80"])`: a client acting as a new user of that role."""
    counter = iter(range(1, 10_000))

    def make(role: str = "admin", *, partner_id: int | None = None,
             provinces: list[str] | None = None, username: str | None = None) -> ApiClient:
        if role == "anonymous":
            return ApiClient(app.test_client(), None)
        name = username or f"{role}{next(counter)}"
        if role == "agency" and provinces is None:
            provinces = ["80"]
        if role == "partner" and partner_id is None:
            partner_id = factories.partner(session).id
        user = accounts.create_user(session, SYSTEM, accounts.UserIn(
            username=name, password="password-123", role=Role(role), partner_id=partner_id,
            provinces=provinces or []))
        token = accounts.create_token(session, SYSTEM, user)
        session.commit()
        return ApiClient(app.test_client(), token)

    return make


@pytest.fixture
def admin(api_as: Callable[..., ApiClient]) -> ApiClient:
    return api_as("admin")
