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

Registry: channel types are plugins registered under the entry-point group
``rotascope.channels`` (``pyproject.toml`` declares the four built-in ones, as
``rotascope.sources`` declares the data sources); :func:`make_channel` loads the class
named by the configuration's ``type`` (:func:`channel_class`) and builds it with
:meth:`Channel.from_config`. A third-party package adds a type by declaring a
:class:`Channel` subclass there. :func:`validate_settings` checks a configuration's
options before anything runs (``rotascope alerts check`` reports its problems at
file:line:column).

Retries: the webhook and email channels retry through the one policy of
:mod:`rotascope._retry` (the rules file's ``retries``, ``backoff`` and ``max_backoff``;
no jitter, so the schedule is exactly the configured one).

Webhook: ``POST`` of the JSON payload (UTF-8, keys sorted, no spaces), header
``X-Rotascope-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes with the shared
secret>``; ``timeout`` seconds per attempt; on a connection error, a timeout, HTTP 408,
429 or 5xx it retries up to ``retries`` times, waiting ``backoff * 2**(n-1)`` seconds
(at most ``max_backoff``; a ``Retry-After``, in seconds or as an HTTP date, is honoured
within that cap). Other statuses (and redirects, which are not followed) fail at once.

Email: ``SMTP_SSL`` when ``ssl: true``; otherwise plain SMTP upgraded with STARTTLS
whenever the server offers it (``starttls: required`` fails if it does not,
``never`` skips it). Credentials come from the environment variables named in the
rules file and are only sent over TLS (or to a loopback host).

Nothing here logs or raises a secret: messages name the channel, the redacted URL or
host and the failure, and pass through :func:`redact` with every secret the channel
knows.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import smtplib
import ssl
import stat
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from ..._retry import Exhausted, Redactor, Retry, RetryPolicy, parse_retry_after
from ...errors import ParameterError

if TYPE_CHECKING:
    from .rules import ChannelConfig

__all__ = ["DeliveryError", "Channel", "ChannelContext", "ConsoleChannel", "JsonlChannel",
           "WebhookChannel", "EmailChannel", "make_channel", "channel_class",
           "available_channels", "validate_settings", "SettingProblem", "ENTRY_POINT_GROUP",
           "redact", "body_bytes", "sign"]

#: Entry-point group channel types register under.
ENTRY_POINT_GROUP = "rotascope.channels"

logger = logging.getLogger("rotascope.alerts")


def _redact_url(url: str) -> str:
    from .rules import redact_url  # rules imports this module for validate_settings

    return redact_url(url)


class DeliveryError(Exception):
    """A channel could not confirm a delivery; the message holds no secret."""

    def __init__(self, message: str, attempts: int = 1, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.retryable = retryable


def redact(text: str, secrets: list[str]) -> str:
    """Replace every secret value in ``text`` with ``***`` (and secret-looking
    ``token=...`` parameters, URL credentials; see :class:`rotascope._retry.Redactor`)."""
    return Redactor(set(secrets))(text)


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


@dataclass(frozen=True)
class ChannelContext:
    """What a channel may need beyond its configuration: the environment its secrets
    come from, how to wait between retries, and the console stream (tests)."""

    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Callable[[float], None] = time.sleep
    console_stream: TextIO | None = None


class Channel(ABC):
    """A configured delivery channel.

    Subclasses registered under :data:`ENTRY_POINT_GROUP` implement :meth:`send` and may
    override :meth:`from_config` (to read secrets from ``context.env``) and
    :meth:`validate_options` (checked by ``rotascope alerts check``).
    """

    #: The ``type:`` a rules file names (set by subclasses; informative).
    kind: ClassVar[str] = ""

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self.name = config.name

    @classmethod
    def from_config(cls, config: ChannelConfig, context: ChannelContext) -> Channel:
        """Build the channel for ``config`` (default: ``cls(config)``)."""
        return cls(config)

    @classmethod
    def validate_options(cls, options: Mapping[str, Any]) -> list[SettingProblem]:
        """Problems with ``options`` found before anything runs (default: none)."""
        return []

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

    kind = "console"

    def __init__(self, config: ChannelConfig, stream: TextIO | None = None) -> None:
        super().__init__(config)
        self._stream = stream

    @classmethod
    def from_config(cls, config: ChannelConfig, context: ChannelContext) -> Channel:
        return cls(config, context.console_stream)

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

    kind = "jsonl"

    @classmethod
    def validate_options(cls, options: Mapping[str, Any]) -> list[SettingProblem]:
        path = options.get("path")
        problem = None if not isinstance(path, str) or "\0" in path else _jsonl_path_problem(
            path)
        return [] if problem is None else [SettingProblem("path", problem)]

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

    kind = "webhook"

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

    @classmethod
    def from_config(cls, config: ChannelConfig, context: ChannelContext) -> Channel:
        return cls(config, context.env, context.sleep)

    def secrets(self) -> list[str]:
        out = [self._secret]
        if self.config.options.get("url_env"):
            out.append(self._url)  # a URL kept in the environment may embed a token
        return out

    def describe(self) -> str:
        return f"webhook {self.name!r} ({_redact_url(self._url) if self._url else 'no URL'})"

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
        where = _redact_url(self._url)

        def attempt(n: int) -> int | Retry:
            try:
                resp = self._http().post(self._url, content=body, headers=headers)
            except httpx.TimeoutException:
                return Retry(f"timed out after {o['timeout']:g}s")
            except httpx.HTTPError as exc:
                return Retry(f"{type(exc).__name__}")
            if 200 <= resp.status_code < 300:
                return n
            last = f"HTTP {resp.status_code}"
            if resp.status_code not in (408, 429) and resp.status_code < 500:
                raise DeliveryError(f"webhook {self.name!r} {where}: {last} "
                                    "(not retried)", n, retryable=False)
            return Retry(last, retry_after=parse_retry_after(resp.headers.get("Retry-After")))

        result = _policy(o, "retries", 4).call(
            attempt, sleep=self._sleep, log=logger, what=f"webhook {self.name!r} {where}",
            redactor=Redactor(set(self.secrets())))
        if isinstance(result, Exhausted):
            raise DeliveryError(f"webhook {self.name!r} {where}: {result.last.reason} after "
                                f"{_attempts(result.attempts)}", result.attempts)
        return result

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _policy(o: Mapping[str, Any], retries_key: str, default: int) -> RetryPolicy:
    """The rules file's retry settings as the shared policy (exact waits, no jitter;
    a Retry-After beyond ``max_backoff`` is capped, not a reason to give up)."""
    return RetryPolicy(attempts=int(o.get(retries_key, default)) + 1,
                       base_delay=float(o.get("backoff", 1.0)),
                       max_delay=float(o.get("max_backoff", 60.0)), jitter=0.0,
                       long_retry_after="cap")


def _attempts(n: int) -> str:
    return f"{n} attempt{'s' if n > 1 else ''}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class EmailChannel(Channel):
    """One email per alert over SMTP (SSL, or STARTTLS when offered)."""

    kind = "email"

    @classmethod
    def from_config(cls, config: ChannelConfig, context: ChannelContext) -> Channel:
        return cls(config, context.env, context.sleep)

    @classmethod
    def validate_options(cls, options: Mapping[str, Any]) -> list[SettingProblem]:
        ca = options.get("ca_file")
        if isinstance(ca, str) and "\0" not in ca and not os.path.isfile(ca):
            what = "is a directory" if os.path.isdir(ca) else "does not exist"
            return [SettingProblem("ca_file", f"{ca} {what}; give a PEM file of CA "
                                              "certificates")]
        return []

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

        def attempt(n: int) -> int | Retry:
            try:
                self._send_once(msg)
                return n
            except DeliveryError as exc:
                exc.attempts = n
                raise
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(f"email {self.name!r}: authentication failed "
                                    f"(SMTP {exc.smtp_code})", n, retryable=False) from None
            except smtplib.SMTPResponseException as exc:
                if 500 <= exc.smtp_code < 600:
                    raise DeliveryError(f"email {self.name!r}: rejected (SMTP "
                                        f"{exc.smtp_code})", n, retryable=False) from None
                return Retry(f"SMTP {exc.smtp_code}")
            except smtplib.SMTPRecipientsRefused:
                raise DeliveryError(f"email {self.name!r}: recipients refused", n,
                                    retryable=False) from None
            except ssl.SSLError as exc:
                raise DeliveryError(f"email {self.name!r}: TLS failed ({exc.reason})", n,
                                    retryable=False) from None
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                return Retry(type(exc).__name__)

        where = f"smtp {o['host']}:{o['port']}"
        result = _policy(o, "retries", 2).call(
            attempt, sleep=self._sleep, log=logger, what=f"email {self.name!r} ({where})",
            redactor=Redactor(set(self.secrets())))
        if isinstance(result, Exhausted):
            raise DeliveryError(f"email {self.name!r} ({where}): {result.last.reason} after "
                                f"{_attempts(result.attempts)}", result.attempts)
        return result


# -- registry ----------------------------------------------------------------------------

#: The built-in types, used when the installed metadata lacks the entry points (a
#: source checkout run without ``pip install -e .`` after the group was added).
_BUILTIN: dict[str, type[Channel]] = {"console": ConsoleChannel, "jsonl": JsonlChannel,
                                      "webhook": WebhookChannel, "email": EmailChannel}


def available_channels() -> dict[str, EntryPoint | type[Channel]]:
    """Channel types: name -> entry point under ``rotascope.channels`` (the built-in
    classes for built-in names the installed metadata does not list)."""
    found: dict[str, EntryPoint | type[Channel]] = dict(_BUILTIN)
    found.update({ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)})
    return found


def channel_class(kind: str) -> type[Channel]:
    """The :class:`Channel` subclass registered as ``kind``.

    Raises
    ------
    ParameterError
        Unknown type (the message lists the installed ones, with a suggestion), or an
        entry point that does not name a Channel subclass.
    """
    types = available_channels()
    if kind not in types:
        close = difflib.get_close_matches(kind, list(types), n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise ParameterError(f"unknown channel type {kind!r}; installed: "
                             f"{', '.join(sorted(types))}{hint}")
    found = types[kind]
    # An entry point is loaded; a class is a built-in fallback. Not isinstance(EntryPoint):
    # once the importlib_metadata backport is imported (dask does), entry_points() returns
    # the backport's EntryPoint class.
    cls = found if isinstance(found, type) else found.load()
    if not (isinstance(cls, type) and issubclass(cls, Channel)):
        raise ParameterError(f"channel type {kind!r} ({found}) is not a "
                             "rotascope.outputs.alerts.channels.Channel subclass")
    return cls


def make_channel(config: ChannelConfig, *, env: Mapping[str, str] | None = None,
                 console_stream: TextIO | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> Channel:
    """Build the channel for a configuration (secrets read from ``env``, default
    os.environ), loading its class from the registry (:func:`channel_class`)."""
    context = ChannelContext(os.environ if env is None else env, sleep, console_stream)
    return channel_class(config.type).from_config(config, context)


# -- validation ----------------------------------------------------------------------------

class SettingProblem(str):
    """A problem with one channel option: the message, with ``option`` naming the key
    (so the rules file can point at its line and column)."""

    option: str

    def __new__(cls, option: str, message: str) -> SettingProblem:
        self = super().__new__(cls, f"{option}: {message}")
        self.option = option
        return self


_CONTROL = {"\r": "a carriage return (CR)", "\n": "a line feed (LF)", "\0": "a NUL byte"}
#: Kernel pseudo-file systems: writing there is never an alert log.
_PSEUDO_ROOTS = ("/proc", "/sys", "/dev")


def _control_problems(option: str, value: Any) -> list[SettingProblem]:
    values = value if isinstance(value, tuple | list) else (value,)
    out = []
    for v in values:
        if isinstance(v, str):
            bad = [name for ch, name in _CONTROL.items() if ch in v]
            if bad:
                out.append(SettingProblem(option, f"{v!r} contains {' and '.join(bad)}; "
                                                  "header-like values must be one line"))
    return out


def _jsonl_path_problem(path: str) -> str | None:
    real = os.path.realpath(path)
    for p in dict.fromkeys((os.path.abspath(path), real)):
        if any(p == root or p.startswith(root + "/") for root in _PSEUDO_ROOTS):
            shown = path if p == path else f"{path} (-> {p})"
            return (f"{shown} is a device or kernel file, not a log file; give a regular "
                    "file path")
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:
        return f"{path} cannot be used: {exc.strerror or exc}"
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return f"{path} is a directory; give a file path inside it"
        if not stat.S_ISREG(st.st_mode):
            return f"{path} is not a regular file (a device, FIFO or socket)"
        if not os.access(real, os.W_OK):
            return f"{path} is not writable"
        return None
    parent = Path(real).parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{path} cannot be created: {parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{path} cannot be created: {parent} is not writable"
    return None


def validate_settings(kind: str, options: Mapping[str, Any]) -> list[str]:
    """Problems with a channel's options, found before anything runs.

    Every text option (and each item of a list) must be one line: CR, LF or NUL would
    let a value inject headers (SMTP host, From/To, Subject prefix, URL, signature
    header). Then the channel type's own checks (:meth:`Channel.validate_options`):
    a ``jsonl`` path must be a regular, writable file or creatable (not a directory,
    ``/dev/full``, ``/proc/...``); an ``email`` ``ca_file`` must exist.

    Returns
    -------
    list of :class:`SettingProblem` (``str`` subclasses; ``.option`` names the key).
        Empty when the options are fine, or when ``kind`` is not installed (the rules
        file reports unknown types itself).

    Examples
    --------
    >>> [p.option for p in validate_settings("email", {"host": "mx.example.org" + chr(10)})]
    ['host']
    >>> validate_settings("jsonl", {"path": "/dev/full"})
    ['path: /dev/full is a device or kernel file, not a log file; give a regular file path']
    """
    problems: list[SettingProblem] = []
    for option, value in options.items():
        problems.extend(_control_problems(option, value))
    try:
        cls = channel_class(kind)
    except ParameterError:
        return list(problems)
    bad = {p.option for p in problems}
    problems.extend(p for p in cls.validate_options(options) if p.option not in bad)
    return list(problems)
