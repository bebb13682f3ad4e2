"""Delivery channels: console, JSON-lines file, signed webhook, and email over SMTP.

Every channel implements ``send(payload, delivery_id) -> attempts`` and raises
:class:`DeliveryError` (with the attempts used) when it cannot confirm delivery. The
runner gives each channel its own worker, so a slow or failing channel never blocks
the others, and records each confirmation in the store as it arrives.

Idempotency: each (alert, channel) pair has a stable ``delivery_id``. The webhook sends
it as ``X-Rotascope-Delivery`` (and ``Idempotency-Key``) so a receiver can drop a
repeat; the JSON-lines file skips an id it already holds; email uses it in the
``Message-ID``. A repeat can only happen if the process dies between the channel's
confirmation and the store's commit of it.

Webhook: ``POST`` of the JSON payload (UTF-8, keys sorted, no spaces), header
``X-Rotascope-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes with the shared
secret>``; ``timeout`` seconds per attempt; on a connection error, a timeout, HTTP 408,
429 or 5xx it retries up to ``retries`` times, waiting ``backoff * 2**(n-1)`` seconds
(at most ``max_backoff``; a ``Retry-After`` in seconds is honoured within that cap).
Other statuses (and redirects, which are not followed) fail at once.

Email: ``SMTP_SSL`` when ``ssl: true``; otherwise plain SMTP upgraded with STARTTLS
whenever the server offers it (``starttls: required`` fails if it does not,
``never`` skips it). Credentials come from the environment variables named in the
rules file and are only sent over TLS (or to a loopback host).

Nothing here logs or raises a secret: messages name the channel, the redacted URL or
host and the failure, and pass through :func:`redact` with every secret the channel
knows.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import smtplib
import ssl
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, TextIO

from .rules import ChannelConfig, redact_url

__all__ = ["DeliveryError", "Channel", "ConsoleChannel", "JsonlChannel", "WebhookChannel",
           "EmailChannel", "make_channel", "redact", "body_bytes", "sign"]


class DeliveryError(Exception):
    """A channel could not confirm a delivery; the message holds no secret."""

    def __init__(self, message: str, attempts: int = 1, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.retryable = retryable


def redact(text: str, secrets: list[str]) -> str:
    """Replace every secret value (at least 3 characters) in ``text`` with ``***``."""
    for s in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        text = text.replace(s, "***")
    return text


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed and signed: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _format_line(payload: Mapping[str, Any]) -> str:
    values = payload.get("values") or {}
    shown = "; ".join(f"{k} = {_fmt_value(v)}" for k, v in values.items())
    line = (f"[{str(payload.get('severity', 'info')).upper()}] {payload.get('date')} "
            f"{payload.get('rule')}: {payload.get('description')}")
    return line + (f" ({shown})" if shown else "")


def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return "n/a" if v is None else str(v)


class Channel(ABC):
    """A configured delivery channel."""

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self.name = config.name

    @abstractmethod
    def send(self, payload: Mapping[str, Any], delivery_id: str) -> int:
        """Deliver one alert; return the attempts used or raise :class:`DeliveryError`."""

    def secrets(self) -> list[str]:
        """Secret values this channel holds (redacted from every message)."""
        return []

    def describe(self) -> str:
        return f"{self.config.type} channel {self.name!r}"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (connections)."""


class ConsoleChannel(Channel):
    """One line per alert on stdout (or stderr, or a stream given by the caller)."""

    def __init__(self, config: ChannelConfig, stream: TextIO | None = None) -> None:
        super().__init__(config)
        self._stream = stream

    def send(self, payload: Mapping[str, Any], delivery_id: str) -> int:
        stream = self._stream or (sys.stderr if self.config.options.get("stream") == "stderr"
                                  else sys.stdout)
        try:
            stream.write(_format_line(payload) + "\n")
            stream.flush()
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"console: cannot write ({type(exc).__name__})") from None
        return 1


class JsonlChannel(Channel):
    """Append one JSON object per alert to a file (``delivery_id`` included), fsync'ed.

    A delivery id already in the file is not written again.
    """

    def send(self, payload: Mapping[str, Any], delivery_id: str) -> int:
        path = Path(self.config.options["path"])
        record = {**payload, "delivery_id": delivery_id}
        line = json.dumps(record, sort_keys=True, ensure_ascii=False, allow_nan=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and _file_has_id(path, delivery_id):
                return 1
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                if self.config.options.get("fsync", True):
                    os.fsync(fh.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot append to {path}: {exc.strerror or exc}") from None
        return 1


def _file_has_id(path: Path, delivery_id: str) -> bool:
    needle = f'"delivery_id": "{delivery_id}"'
    with open(path, encoding="utf-8", errors="replace") as fh:
        return any(needle in line for line in fh)


class WebhookChannel(Channel):
    """HTTP POST of the signed JSON payload, with timeout, retries and backoff."""

    def __init__(self, config: ChannelConfig, env: Mapping[str, str],
                 sleep: Callable[[float], None] = time.sleep, client: Any = None) -> None:
        super().__init__(config)
        o = config.options
        self._url = o.get("url") or env.get(o.get("url_env") or "", "")
        self._secret = env.get(o["secret_env"], "")
        self._sleep = sleep
        self._client = client
        self._missing = [name for name, value in (
            (o.get("url_env"), self._url), (o["secret_env"], self._secret)) if name and not value]

    def secrets(self) -> list[str]:
        out = [self._secret]
        if self.config.options.get("url_env"):
            out.append(self._url)  # a URL kept in the environment may embed a token
        return out

    def describe(self) -> str:
        return f"webhook {self.name!r} ({redact_url(self._url) if self._url else 'no URL'})"

    def _http(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=float(self.config.options["timeout"]),
                                        follow_redirects=False)
        return self._client

    def send(self, payload: Mapping[str, Any], delivery_id: str) -> int:
        import httpx

        if self._missing:
            plural = "s" if len(self._missing) > 1 else ""
            raise DeliveryError(f"webhook {self.name!r}: environment variable{plural} "
                                f"{', '.join(self._missing)} not set", attempts=0)
        o = self.config.options
        body = body_bytes({**payload, "delivery_id": delivery_id})
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "rotascope-alerts",
            "X-Rotascope-Delivery": delivery_id,
            "Idempotency-Key": delivery_id,
            o["signature_header"]: sign(self._secret, body),
        }
        retries = int(o["retries"])
        where = redact_url(self._url)
        last = ""
        for attempt in range(1, retries + 2):
            wait = None
            try:
                resp = self._http().post(self._url, content=body, headers=headers)
            except httpx.TimeoutException:
                last = f"timed out after {o['timeout']:g}s"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}"
            else:
                if 200 <= resp.status_code < 300:
                    return attempt
                last = f"HTTP {resp.status_code}"
                if resp.status_code not in (408, 429) and resp.status_code < 500:
                    raise DeliveryError(f"webhook {self.name!r} {where}: {last} "
                                        "(not retried)", attempt, retryable=False)
                wait = _retry_after(resp.headers.get("Retry-After"))
            if attempt <= retries:
                delay = min(float(o["max_backoff"]), float(o["backoff"]) * 2 ** (attempt - 1))
                if wait is not None:
                    delay = min(float(o["max_backoff"]), max(delay, wait))
                self._sleep(delay)
        raise DeliveryError(f"webhook {self.name!r} {where}: {last} after {retries + 1} "
                            f"attempt{'s' if retries else ''}", retries + 1)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class EmailChannel(Channel):
    """One email per alert over SMTP (SSL, or STARTTLS when offered)."""

    def __init__(self, config: ChannelConfig, env: Mapping[str, str],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(config)
        o = config.options
        self._user = env.get(o.get("username_env") or "", "")
        self._password = env.get(o.get("password_env") or "", "")
        self._sleep = sleep
        self._missing = [n for n, v in ((o.get("username_env"), self._user),
                                        (o.get("password_env"), self._password)) if n and not v]

    def secrets(self) -> list[str]:
        return [self._password, self._user]

    def describe(self) -> str:
        o = self.config.options
        return f"email {self.name!r} (smtp {o['host']}:{o['port']})"

    def message(self, payload: Mapping[str, Any], delivery_id: str) -> EmailMessage:
        o = self.config.options
        msg = EmailMessage()
        msg["Subject"] = (f"{o['subject_prefix']} {str(payload.get('severity')).upper()}: "
                          f"{payload.get('rule')} on {payload.get('date')}")
        msg["From"] = o["from"]
        msg["To"] = ", ".join(o["to"])
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{delivery_id}@rotascope.alerts>"
        msg["X-Rotascope-Delivery"] = delivery_id
        lines = [_format_line(payload), "", f"Condition: {payload.get('condition')}",
                 f"Rule file: {payload.get('namespace')}", "", "Values on that date:"]
        for k, v in (payload.get("values") or {}).items():
            lines.append(f"  {k} = {_fmt_value(v)}")
        lines += ["", "Alert id: " + str(payload.get("alert_id")),
                  "", "Information, not investment advice."]
        msg.set_content("\n".join(lines))
        return msg

    def _context(self) -> ssl.SSLContext:
        ca = self.config.options.get("ca_file")
        return ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()

    def _send_once(self, msg: EmailMessage) -> None:
        o = self.config.options
        host, port, timeout = o["host"], int(o["port"]), float(o["timeout"])
        if o["ssl"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                  context=self._context())
            secure = True
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            secure = False
        try:
            smtp.ehlo()
            if not secure and o["starttls"] != "never":
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                    secure = True
                elif o["starttls"] == "required":
                    raise DeliveryError(f"email {self.name!r}: {host}:{port} does not offer "
                                        "STARTTLS (starttls: required)", retryable=False)
            if self._user:
                if not secure and not _is_loopback(host):
                    raise DeliveryError(f"email {self.name!r}: refusing to send credentials "
                                        f"to {host} without TLS", retryable=False)
                smtp.login(self._user, self._password)
            smtp.send_message(msg)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, payload: Mapping[str, Any], delivery_id: str) -> int:
        if self._missing:
            raise DeliveryError(f"email {self.name!r}: environment variable"
                                f"{'s' if len(self._missing) > 1 else ''} "
                                f"{', '.join(self._missing)} not set", attempts=0)
        msg = self.message(payload, delivery_id)
        o = self.config.options
        retries = int(o.get("retries", 2))
        last = ""
        for attempt in range(1, retries + 2):
            try:
                self._send_once(msg)
                return attempt
            except DeliveryError as exc:
                exc.attempts = attempt
                raise
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(f"email {self.name!r}: authentication failed "
                                    f"(SMTP {exc.smtp_code})", attempt, retryable=False) from None
            except smtplib.SMTPResponseException as exc:
                last = f"SMTP {exc.smtp_code}"
                if 500 <= exc.smtp_code < 600:
                    raise DeliveryError(f"email {self.name!r}: rejected ({last})", attempt,
                                        retryable=False) from None
            except smtplib.SMTPRecipientsRefused:
                raise DeliveryError(f"email {self.name!r}: recipients refused", attempt,
                                    retryable=False) from None
            except ssl.SSLError as exc:
                raise DeliveryError(f"email {self.name!r}: TLS failed ({exc.reason})", attempt,
                                    retryable=False) from None
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                last = type(exc).__name__
            if attempt <= retries:
                self._sleep(min(float(o.get("max_backoff", 60.0)),
                                float(o.get("backoff", 1.0)) * 2 ** (attempt - 1)))
        raise DeliveryError(f"email {self.name!r} (smtp {o['host']}:{o['port']}): {last} after "
                            f"{retries + 1} attempt{'s' if retries else ''}", retries + 1)


def make_channel(config: ChannelConfig, *, env: Mapping[str, str] | None = None,
                 console_stream: TextIO | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> Channel:
    """Build the channel for a configuration (secrets read from ``env``, default os.environ)."""
    env = os.environ if env is None else env
    if config.type == "console":
        return ConsoleChannel(config, console_stream)
    if config.type == "jsonl":
        return JsonlChannel(config)
    if config.type == "webhook":
        return WebhookChannel(config, env, sleep)
    if config.type == "email":
        return EmailChannel(config, env, sleep)
    raise ValueError(f"unknown channel type {config.type!r}")
