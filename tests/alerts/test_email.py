"""Email delivery to a real SMTP server (aiosmtpd) on 127.0.0.1, plain and with STARTTLS."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from email import policy

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from rotascope.data.store import Store
from rotascope.outputs.alerts.rules import load_rules
from rotascope.outputs.alerts.runner import run
from rotascope.outputs.alerts.state import AlertStore

from .conftest import write_rules, write_store

DAYS = pd.bdate_range("2024-03-01", periods=3)


class Inbox:
    def __init__(self, code: str = "250 OK") -> None:
        self.messages: list[tuple[object, bool, bool]] = []
        self.code = code

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope, session.ssl is not None, bool(session.authenticated)))
        return self.code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def store(tmp_path):
    return write_store(tmp_path / "home" / "store.duckdb",
                       {"AAA": pd.Series([9.0, 11.0, 12.0], index=DAYS)})


def mail_rules(tmp_path, port, extra=""):
    return write_rules(tmp_path / "rules.yaml", f"""
        namespace: mail
        channels:
          mail:
            type: email
            host: 127.0.0.1
            port: {port}
            from: alerts@example.org
            to: [pm@example.org, risk@example.org]
            retries: 0
            timeout: 10
            {extra}
        rules:
          - id: aaa-above-10
            description: AAA closed above 10
            severity: critical
            channels: [mail]
            condition: close(AAA) > 10
        """)


def test_plain_smtp_receives_the_alert(tmp_path, store):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rules = mail_rules(tmp_path, port)
        with Store(store) as s:
            result = run(load_rules(rules, store=s), s, DAYS[1])
            again = run(load_rules(rules, store=s), s, DAYS[2])
            d = AlertStore(s).deliveries("mail")
    finally:
        controller.stop()
    assert result.delivery.delivered == 1 and again.delivery.delivered == 0
    assert len(inbox.messages) == 1
    envelope, tls, _ = inbox.messages[0]
    assert not tls
    assert envelope.mail_from == "alerts@example.org"
    assert envelope.rcpt_tos == ["pm@example.org", "risk@example.org"]
    msg = email.message_from_bytes(envelope.content, policy=policy.default)
    assert msg["Subject"] == "[rotascope] CRITICAL: aaa-above-10 on 2024-03-04"
    assert msg["Message-ID"] == f"<{d.delivery_id.iloc[0]}@rotascope.alerts>"
    body = msg.get_content()
    assert "AAA closed above 10" in body and "close(AAA) = 11" in body


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_starttls_is_used_when_offered_and_credentials_come_from_the_environment(
        tmp_path, store, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"bot" and auth_data.password == b"pa55-word-xyz"
        return AuthResult(success=ok)

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=authenticator,
                            auth_required=True, auth_require_tls=True)
    controller.start()
    monkeypatch.setenv("T_SMTP_USER", "bot")
    monkeypatch.setenv("T_SMTP_PASSWORD", "pa55-word-xyz")
    try:
        rules = mail_rules(tmp_path, port, extra=(
            f"username_env: T_SMTP_USER\n{' ' * 12}password_env: T_SMTP_PASSWORD\n"
            f"{' ' * 12}ca_file: {cert}"))
        with Store(store) as s:
            result = run(load_rules(rules, store=s), s, DAYS[1])
    finally:
        controller.stop()
    assert result.delivery.delivered == 1, result.delivery.failed
    (envelope, tls, authenticated), = inbox.messages
    assert tls and authenticated
    assert logins == [(b"bot", b"pa55-word-xyz")]
    assert "pa55-word-xyz" not in rules.read_text()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_failed_login_is_reported_without_the_credentials(tmp_path, store, monkeypatch,
                                                            caplog):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            authenticator=lambda *a: AuthResult(success=False, handled=False),
                            auth_required=True)
    controller.start()
    monkeypatch.setenv("T_SMTP_USER", "bot-user-name")
    monkeypatch.setenv("T_SMTP_PASSWORD", "wrong-pa55-xyz")
    caplog.set_level("WARNING", logger="rotascope.alerts")
    import logging

    logging.getLogger("rotascope.alerts").propagate = True
    try:
        rules = mail_rules(tmp_path, port, extra=(
            f"username_env: T_SMTP_USER\n{' ' * 12}password_env: T_SMTP_PASSWORD\n"
            f"{' ' * 12}ca_file: {cert}"))
        with Store(store) as s:
            result = run(load_rules(rules, store=s), s, DAYS[1])
            d = AlertStore(s).deliveries("mail")
    finally:
        controller.stop()
    assert inbox.messages == [] and result.delivery.pending == 1
    text = "\n".join([*result.delivery.failed, caplog.text, *d.last_error.astype(str)])
    assert "authentication failed (SMTP 535)" in text
    assert "wrong-pa55-xyz" not in text and "bot-user-name" not in text


def test_a_rejected_mail_stays_pending(tmp_path, store):
    inbox = Inbox(code="550 mailbox unavailable")
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with Store(store) as s:
            result = run(load_rules(mail_rules(tmp_path, port), store=s), s, DAYS[1])
            d = AlertStore(s).deliveries("mail")
    finally:
        controller.stop()
    assert result.delivery.pending == 1 and d.status.tolist() == ["pending"]
    assert "SMTP 550" in d.last_error.iloc[0]


def test_starttls_required_but_not_offered_fails(tmp_path, store):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rules = mail_rules(tmp_path, port, extra="starttls: required")
        with Store(store) as s:
            result = run(load_rules(rules, store=s), s, DAYS[1])
    finally:
        controller.stop()
    assert inbox.messages == []
    assert "does not offer STARTTLS" in result.delivery.failed[0]
