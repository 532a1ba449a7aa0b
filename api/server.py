"""`nguongoc serve`: gunicorn with sync process workers (never threads: DESIGN.md 3, 8)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    """Each worker builds its own app (and engine) after the fork."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings differ between gunicorn releases
                self.cfg.set(key, value)

    def load(self) -> Any:
        from api import create_app

        return create_app()


def run(host: str, port: int, workers: int) -> None:
    """Serve until interrupted."""
    _Server({
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": "sync",
        "threads": 1,
        "preload_app": False,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "control_socket_disable": True,  # gunicorn 24+: no shared ~/.gunicorn control socket
    }).run()
