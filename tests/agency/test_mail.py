"""Inbox items by e-mail: `nguongoc mail send` mails each item not yet mailed to the agencies
of its province (or its partner) through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import mailer, notifications
from registry.models import Notification
from tests import factories


class Inbox:
    """An SMTP handler keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, smtp_session: Any, envelope: Any) -> str:
        self.messages.append((sorted(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _configure(app: Flask, url: str | None) -> None:
    app.config["NGUONGOC"] = dataclasses.replace(app.config["NGUONGOC"], smtp_url=url,
                                                 mail_from="canh-bao@nguongoc.test")


def test_items_go_to_the_province_agencies_and_the_partner_once(app: Flask, session: Session,
                                                                 smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    factories.partner(session, kind="agency", province="92", email="ccqlcl@cantho.gov.vn")
    factories.partner(session, kind="agency", province="92", email="chicuc@cantho.gov.vn")
    factories.partner(session, kind="agency", province="80")  # no address: nothing to send
    shop = factories.partner(session, kind="retailer", province="92", email="qa@sieuthi.vn")
    notifications.notify(session, kind="case", subject_type="case", subject_id=7,
                         title="Vụ việc số 7: lô K7Q2M9XA không đạt", body="Salbutamol 0,8 µg/kg",
                         provinces=["92", "80"], partners=[shop.id])
    session.commit()
    _configure(app, f"smtp://127.0.0.1:{port}")

    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 1 without an e-mail address" in result.output
    by_rcpt = {tuple(to): mail for to, mail in inbox.messages}
    agencies = by_rcpt[("ccqlcl@cantho.gov.vn", "chicuc@cantho.gov.vn")]
    assert agencies["Subject"] == "[nguồn gốc] Vụ việc số 7: lô K7Q2M9XA không đạt"
    assert agencies["From"] == "canh-bao@nguongoc.test"
    assert "Salbutamol 0,8 µg/kg" in agencies.get_content()
    assert "/inbox" in agencies.get_content()
    assert ("qa@sieuthi.vn",) in by_rcpt
    session.expire_all()
    assert all(n.emailed_at is not None
               for n in session.execute(select(Notification)).scalars())

    again = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "0 sent, 0 without" in again.output and len(inbox.messages) == 2


def test_an_unreachable_server_leaves_items_for_the_next_run(app: Flask,
                                                            session: Session) -> None:
    factories.partner(session, kind="agency", province="92", email="ccqlcl@cantho.gov.vn")
    notifications.notify(session, kind="case", subject_type="case", subject_id=1, title="Vụ 1",
                         provinces=["92"])
    session.commit()
    _configure(app, f"smtp://127.0.0.1:{_free_port()}")  # nobody listens there

    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "mail server" in result.output
    session.expire_all()
    assert session.execute(select(Notification.emailed_at)).scalar() is None


def test_without_configuration_nothing_is_sent_or_marked(app: Flask, session: Session) -> None:
    notifications.notify(session, kind="case", subject_type="case", subject_id=1, title="Vụ 1",
                         provinces=["92"])
    session.commit()
    _configure(app, None)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "not configured" in result.output
    session.expire_all()
    assert session.execute(select(Notification.emailed_at)).scalar() is None


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.test", ("mail.test", 25, "none", None)),
    ("smtp://u%40x:p%2Fw@mail.test:587?starttls=1", ("mail.test", 587, "starttls", "u@x")),
    ("smtps://mail.test", ("mail.test", 465, "ssl", None)),
])
def test_smtp_urls(url: str, expected: tuple[Any, ...]) -> None:
    config = mailer.MailConfig.from_url(url, "a@b")
    assert (config.host, config.port, config.tls, config.username) == expected


def test_a_bad_smtp_url_is_refused() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        mailer.MailConfig.from_url("http://mail.test", "a@b")
