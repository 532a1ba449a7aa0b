"""E-mail for the inbox: items not yet mailed go to the agencies of their province or to their
partner, through the SMTP server in `NGUONGOC_SMTP_URL` (run `nguongoc mail send` from cron)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.orm import Session

from registry import notifications


@dataclass(frozen=True)
class MailConfig:
    """Where and as whom to send: `smtp://user:password@host:587?starttls=1` or `smtps://...`."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    tls: str = "none"  # none | starttls | ssl
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str, sender: str) -> MailConfig:
        """Parse an `smtp://` or `smtps://` URL; ValueError names what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("NGUONGOC_SMTP_URL must look like smtp://host:25 or smtps://host:465")
        starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "yes", "on")
        tls = "ssl" if parts.scheme == "smtps" else "starttls" if starttls else "none"
        return cls(host=parts.hostname, port=parts.port or (465 if tls == "ssl" else 25),
                   sender=sender, tls=tls,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


def message(item: notifications.Outgoing, sender: str, base_url: str) -> EmailMessage:
    """The e-mail of one inbox item (plain text, Vietnamese first)."""
    mail = EmailMessage()
    mail["Subject"] = f"[nguồn gốc] {item.title}"
    mail["From"] = sender
    mail["To"] = ", ".join(item.to)
    mail["X-Nguongoc-Notification"] = str(item.id)
    lines = [item.title, ""]
    if item.body:
        lines += [item.body, ""]
    lines += [f"Hộp thư / Inbox: {base_url}/inbox",
              "", "Thư gửi tự động từ sổ đăng ký nguồn gốc; xin đừng trả lời thư này.",
              "Sent automatically by the nguongoc registry; please do not reply."]
    mail.set_content("\n".join(lines))
    return mail


def _connect(config: MailConfig) -> smtplib.SMTP:
    if config.tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        if config.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config.username:
        smtp.login(config.username, config.password or "")
    return smtp


def send_pending(session: Session, config: MailConfig, base_url: str,
                 limit: int = 200) -> tuple[int, int]:
    """Mail the inbox items not yet mailed; (sent, without a recipient). Each item is marked
    as mailed once the server accepted it (the caller commits); an SMTP error stops the run
    and leaves the rest for the next one."""
    pending = notifications.pending_mail(session, limit)
    nobody = [item.id for item in pending if not item.to]
    notifications.mark_emailed(session, nobody)
    to_send = [item for item in pending if item.to]
    if not to_send:
        return 0, len(nobody)
    sent: list[int] = []
    try:
        with _connect(config) as smtp:
            for item in to_send:
                smtp.send_message(message(item, config.sender, base_url))
                sent.append(item.id)
    finally:
        notifications.mark_emailed(session, sent)
    return len(sent), len(nobody)
