"""Behind a reverse proxy (NGUONGOC_PROXIES=1) the client's address and scheme come from the
proxy's X-Forwarded-For / X-Forwarded-Proto; without it those headers are ignored (a client
could forge them to dodge rate limits)."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask, request

from api import create_app
from api.settings import Settings

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def _seen(app: Flask) -> dict[str, str]:
    @app.get("/_seen")
    def seen_by_app() -> dict[str, str]:
        return {"addr": str(request.remote_addr), "scheme": request.scheme}

    response = app.test_client().get("/_seen", headers=FORWARDED,
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"})
    app.extensions["nguongoc.engine"].dispose()
    seen: dict[str, str] = response.get_json()
    return seen


def test_one_trusted_proxy_gives_the_client_address_and_scheme(settings: Settings) -> None:
    app = create_app(replace(settings, proxies=1))
    assert _seen(app) == {"addr": "203.0.113.7", "scheme": "https"}


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(settings: Settings) -> None:
    assert settings.proxies == 0
    assert _seen(create_app(settings)) == {"addr": "127.0.0.1", "scheme": "http"}
