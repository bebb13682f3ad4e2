"""One retry policy for every outbound call (data providers, webhooks, SMTP), on tenacity.

The data sources (:mod:`rotascope.data.sources._http`) and the alert channels
(:mod:`rotascope.outputs.alerts.channels`) both retry through :meth:`RetryPolicy.call`,
so they wait, give up and redact alike:

* **Attempts**: at most ``attempts`` calls in all (1 = no retry), and, when
  ``max_time`` is set, no wait that would end more than ``max_time`` seconds after the
  first call started (waits count even when a test fakes the sleeping).
* **Backoff**: after the k-th failure, ``min(max_delay, base_delay * 2**(k-1))``
  seconds times a random factor in ``[1, 1 + jitter)`` (``jitter`` < 1 keeps successive
  waits strictly increasing until the cap, and parallel clients out of lock-step).
* **Retry-After** (delta-seconds or an HTTP date, :func:`parse_retry_after`): the wait is
  at least what the server asked. When it asks for more than ``max_delay``,
  ``long_retry_after="give_up"`` stops at once (a data fetch should not hang for an
  hour) and ``"cap"`` waits ``max_delay`` (a webhook keeps its schedule).
* **Secrets**: every reason logged passes through a :class:`Redactor`: the secret
  values the caller knows (API keys, webhook secrets, passwords, user names) and any
  ``api_key=``/``token=``/``password=``-style parameter, ``user:password@`` in a URL and
  ``Authorization`` values are masked as ``***``.

A call does not raise the library's errors: an attempt returns either its result or a
:class:`Retry` (what failed, plus an optional Retry-After), and :meth:`RetryPolicy.call`
returns the result or an :class:`Exhausted` saying why it stopped. The caller raises its
own error (``ProviderUnavailableError``, ``DeliveryError``) outside any ``except``
block, so no exception carries the HTTP library's error (whose request holds the full
URL) as cause or context. Errors an attempt raises itself (a permanent failure: HTTP
401, a rejected mail) pass through untouched, without retry.

Examples
--------
>>> policy = RetryPolicy(attempts=3, base_delay=1.0, jitter=0.0)
>>> calls = []
>>> def attempt(n):
...     calls.append(n)
...     return "ok" if n == 3 else Retry(f"HTTP 503 on try {n}")
>>> waits = []
>>> policy.call(attempt, sleep=waits.append)
'ok'
>>> calls, waits
([1, 2, 3], [1.0, 2.0])
>>> RetryPolicy(attempts=2, jitter=0.0).call(lambda n: Retry("HTTP 503"), sleep=waits.append)
Exhausted(last=Retry(reason='HTTP 503', retry_after=None, data=None), attempts=2, why='attempts')
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Literal, TypeVar

import tenacity

__all__ = ["RetryPolicy", "Retry", "Exhausted", "Redactor", "redact", "redact_patterns",
           "parse_retry_after", "install_log_redaction", "MASK", "SECRET_NAMES"]

T = TypeVar("T")

#: What a secret is replaced with.
MASK = "***"
#: Parameter names whose values are secrets (query strings, ``name=value`` text).
SECRET_NAMES = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token",
                          "refresh_token", "auth", "password", "passwd", "pwd", "secret",
                          "client_secret", "signature", "sig"})

_PARAM_RE = re.compile(r"(?i)(?<![A-Za-z0-9_-])(" + "|".join(
    re.escape(n) for n in sorted(SECRET_NAMES, key=len, reverse=True))
    + r")(=|%3D)([^&\s\"'<>]+)")
_USERINFO_RE = re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/@\s:]+(?::[^/@\s]*)?@")
_AUTH_RE = re.compile(r"(?i)\b(authorization|proxy-authorization)(\s*[:=]\s*)"
                      r"(?:(bearer|basic|token)\s+)?[^\s,;\"']+")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by ``***`` (longest first, so a
    secret containing another is masked whole).

    >>> redact("key s3cr3tKEY here", ["s3cr3tKEY", ""])
    'key *** here'
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def redact_patterns(text: str) -> str:
    """Mask what looks like a secret whatever its value: ``api_key=...``, ``token=...``,
    ``password=...`` (see :data:`SECRET_NAMES`), ``user:pass@`` in URLs and
    ``Authorization`` header values.

    >>> redact_patterns("GET https://bob:pw@x.org/a?series_id=DGS10&api_key=abc123 failed")
    'GET https://***@x.org/a?series_id=DGS10&api_key=*** failed'
    >>> redact_patterns("Authorization: Bearer eyJhbGciOi")
    'Authorization: Bearer ***'
    """
    text = _USERINFO_RE.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _PARAM_RE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _AUTH_RE.sub(lambda m: m.group(1) + m.group(2)
                        + (m.group(3) + " " if m.group(3) else "") + MASK, text)


@dataclass
class Redactor:
    """Masks known secret values and secret-looking patterns (callable on text)."""

    secrets: set[str] = field(default_factory=set)

    def add(self, secrets: Iterable[str]) -> None:
        self.secrets |= {s for s in secrets if s}

    def __call__(self, text: str) -> str:
        return redact_patterns(redact(text, self.secrets))


class _RedactingFilter(logging.Filter):
    """Masks secrets in the records of the loggers it is installed on."""

    def __init__(self) -> None:
        super().__init__("rotascope-redact")
        self.redactor = Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return True
        cleaned = self.redactor(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = _RedactingFilter()
_FILTER_LOCK = threading.Lock()
_FILTERED: set[str] = set()


def install_log_redaction(loggers: Iterable[str], secrets: Iterable[str] = ()) -> None:
    """Mask ``secrets`` (and secret-looking patterns) in every record of ``loggers``.

    Installed on first use, never at import; secrets accumulate for the process.
    """
    with _FILTER_LOCK:
        _FILTER.redactor.add(secrets)
        for name in loggers:
            if name not in _FILTERED:
                logging.getLogger(name).addFilter(_FILTER)
                _FILTERED.add(name)


def parse_retry_after(value: str | None, now: Callable[[], float] | None = None
                      ) -> float | None:
    """Seconds asked by a ``Retry-After`` value: delta-seconds (``"7"``, ``"1.5"``) or an
    HTTP date (``"Wed, 21 Oct 2026 07:28:00 GMT"``, relative to ``now()``, default
    ``time.time()``); None when absent or unreadable; never negative.

    >>> parse_retry_after("7"), parse_retry_after("soon"), parse_retry_after(None)
    (7.0, None, None)
    >>> parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=lambda: 40.0)
    60.0
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    clock = now if now is not None else time.time
    return max(0.0, when.timestamp() - clock())


@dataclass(frozen=True)
class Retry:
    """An attempt failed in a way worth retrying.

    ``reason`` (already free of secrets, or redacted by the policy's redactor) goes to
    the log and to :class:`Exhausted`; ``retry_after`` is the wait the server asked for
    (seconds); ``data`` anything the caller wants back (e.g. "this was a connection
    failure").
    """

    reason: str
    retry_after: float | None = None
    data: Any = None


@dataclass(frozen=True)
class Exhausted:
    """Why :meth:`RetryPolicy.call` stopped without a result.

    ``why``: ``"attempts"`` (all used), ``"retry_after"`` (the server asked to wait
    longer than ``max_delay``), ``"max_time"`` (the next wait would pass ``max_time``).
    """

    last: Retry
    attempts: int
    why: Literal["attempts", "retry_after", "max_time"]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry an outbound call.

    Parameters
    ----------
    attempts : int, default 3. Calls in all (1 = no retry).
    base_delay : float, default 1.0. Seconds waited after the first failure; doubles
        after each further failure.
    max_delay : float, default 30.0. Cap of one wait (before jitter).
    jitter : float, default 0.25. Each wait is multiplied by a random factor in
        ``[1, 1 + jitter)``; 0 for exact waits.
    max_time : float or None, default None. No wait may end later than this many
        seconds after the first call started.
    long_retry_after : {"give_up", "cap"}, default "give_up". What to do when a server
        asks to wait longer than ``max_delay``.
    """

    attempts: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.25
    max_time: float | None = None
    long_retry_after: Literal["give_up", "cap"] = "give_up"

    def __post_init__(self) -> None:
        from .errors import ParameterError

        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int) or \
                self.attempts < 1:
            raise ParameterError(f"RetryPolicy(): 'attempts' must be an int >= 1, got "
                                 f"{self.attempts!r}")
        for name in ("base_delay", "max_delay", "jitter"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value >= 0:
                raise ParameterError(f"RetryPolicy(): {name!r} must be a number >= 0, got "
                                     f"{value!r}")
        if self.max_time is not None and not self.max_time > 0:
            raise ParameterError(f"RetryPolicy(): 'max_time' must be > 0 or None, got "
                                 f"{self.max_time!r}")
        if self.long_retry_after not in ("give_up", "cap"):
            raise ParameterError("RetryPolicy(): 'long_retry_after' must be 'give_up' or "
                                 f"'cap', got {self.long_retry_after!r}")

    def backoff(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1-based)."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (failures - 1))
        if self.jitter:
            delay *= 1.0 + self.jitter * (rng or random).random()
        return delay

    def delay(self, failures: int, retry_after: float | None,
              rng: random.Random | None = None) -> float:
        """The wait after the ``failures``-th failure, given the server's Retry-After."""
        delay = self.backoff(failures, rng)
        if retry_after is not None:
            delay = max(delay, retry_after)
            if self.long_retry_after == "cap":
                delay = min(delay, max(self.max_delay, self.backoff(failures, rng)))
        return delay

    def call(self, attempt: Callable[[int], T | Retry], *,
             sleep: Callable[[float], None] = time.sleep,
             rng: random.Random | None = None,
             log: logging.Logger | None = None,
             what: str = "",
             redactor: Callable[[str], str] | None = None) -> T | Exhausted:
        """Call ``attempt(n)`` (n = 1, 2, ...) until it returns something other than a
        :class:`Retry`, waiting between calls as the policy says.

        Parameters
        ----------
        attempt : the call; returns its result, or a :class:`Retry` to try again.
            Exceptions it raises propagate at once (not retried).
        sleep : how to wait (tests pass a recorder; the alert runner an interruptible
            wait).
        rng : source of the jitter (default: the ``random`` module).
        log : logger for one INFO line per retry (reason, attempt, wait), redacted.
        what : what is being fetched or delivered, for the log line.
        redactor : masks secrets in the log line (default :func:`redact_patterns`).

        Returns
        -------
        The first non-:class:`Retry` result, or :class:`Exhausted`.
        """
        clean = redactor if redactor is not None else redact_patterns
        stopped: list[Literal["attempts", "retry_after", "max_time"]] = []

        def last(state: tenacity.RetryCallState) -> Retry:
            assert state.outcome is not None
            value = state.outcome.result()
            assert isinstance(value, Retry)
            return value

        def wait(state: tenacity.RetryCallState) -> float:
            return self.delay(state.attempt_number, last(state).retry_after, rng)

        def stop(state: tenacity.RetryCallState) -> bool:
            failed = last(state)
            if (failed.retry_after is not None and failed.retry_after > self.max_delay
                    and self.long_retry_after == "give_up"):
                stopped.append("retry_after")
            elif state.attempt_number >= self.attempts:
                stopped.append("attempts")
            elif self.max_time is not None and (
                    max(state.seconds_since_start or 0.0, state.idle_for)
                    + state.upcoming_sleep > self.max_time):
                stopped.append("max_time")
            else:
                return False
            return True

        def before_sleep(state: tenacity.RetryCallState) -> None:
            if log is not None:
                log.info("%s%s; retry %d/%d in %.1f s", clean(last(state).reason),
                         f" ({clean(what)})" if what else "", state.attempt_number,
                         self.attempts - 1, state.upcoming_sleep)

        def exhausted(state: tenacity.RetryCallState) -> Exhausted:
            return Exhausted(last(state), state.attempt_number,
                             stopped[-1] if stopped else "attempts")

        counter = _Counter()
        retrying = tenacity.Retrying(
            sleep=sleep, stop=stop, wait=wait, before_sleep=before_sleep,
            retry=tenacity.retry_if_result(lambda value: isinstance(value, Retry)),
            retry_error_callback=exhausted, reraise=True)
        result: T | Retry | Exhausted = retrying(lambda: attempt(counter.next()))
        assert not isinstance(result, Retry)
        return result


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n
