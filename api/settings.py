"""The one place that reads the environment (DESIGN.md section 3, configuration)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (or site-packages, where the wheel puts templates/ and translations/)."""
TEMPLATES = PROJECT_ROOT / "templates"
TRANSLATIONS = PROJECT_ROOT / "translations"


def stored_secret(path: Path) -> str:
    """A secret key kept in the instance folder, generated on first use."""
    if path.exists():
        return path.read_text("utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret


@dataclass(frozen=True)
class Settings:
    """What the service is configured with."""

    database_url: str
    secret_key: str
    base_url: str = "http://127.0.0.1:5000"
    rate_limits: bool = True
    secure_cookies: bool = False
    scan_log_interval: float = 0.0
    """Seconds scans wait in a worker's buffer before they are written (0: at once)."""
    smtp_url: str | None = None
    """Where `nguongoc mail send` sends inbox items (smtp://, smtps://); None: no e-mail."""
    mail_from: str = "nguongoc@localhost"
    proxies: int = 0
    """Reverse proxies in front that set X-Forwarded-For/-Proto (0: trust no such header)."""

    @classmethod
    def from_env(cls, instance: Path) -> Settings:
        """Settings from environment variables, with safe defaults in the instance folder."""
        env = os.environ
        base_url = env.get("NGUONGOC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'nguongoc.sqlite3'}",
            secret_key=env.get("NGUONGOC_SECRET_KEY") or stored_secret(instance / "secret_key"),
            base_url=base_url,
            rate_limits=env.get("NGUONGOC_RATE_LIMITS", "on").lower() not in ("0", "off", "no"),
            secure_cookies=base_url.startswith("https://"),
            scan_log_interval=float(env.get("NGUONGOC_SCAN_LOG_INTERVAL", "0.5")),
            smtp_url=env.get("NGUONGOC_SMTP_URL") or None,
            mail_from=env.get("NGUONGOC_MAIL_FROM", "nguongoc@localhost"),
            proxies=int(env.get("NGUONGOC_PROXIES", "0")),
        )
