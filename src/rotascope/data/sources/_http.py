"""What the online sources share: HTTP with timeouts, retries and redaction; a base class.

Every online source (:mod:`~rotascope.data.sources.yahoo`, ``stooq``, ``fred``,
``wikipedia``) sends its requests through one :class:`HttpFetcher`, so they behave alike:

* **Timeouts** are explicit (:data:`DEFAULT_TIMEOUT`: 10 s to connect, 30 s to read).
* **Retries** follow the one policy of :mod:`rotascope._retry` (on ``tenacity``):
  connection errors, timeouts, HTTP 429 and 5xx are retried up to
  ``RetryPolicy.attempts`` times in all, waiting ``base_delay * 2**(k-1)`` seconds after
  the k-th failure (capped at ``max_delay``) times a random factor in
  ``[1, 1 + jitter)`` (so delays strictly increase and parallel clients do not retry in
  lock-step). A ``Retry-After`` header (seconds or an HTTP date) is honoured: the wait
  is at least what the server asked; if it asks for more than ``max_delay`` the fetch
  gives up at once rather than hang.
* **Failures** after the last attempt raise
  :class:`~rotascope.errors.ProviderUnavailableError` (exit code 5) with a message such as
  ``cannot reach query2.finance.yahoo.com (offline?): ConnectError: ... after 3 attempts
  (fetching AAPL)``. The exception carries ``host``, ``offline`` (True for connection
  failures and connect timeouts, the signature of a machine without network) and ``url``.
  Other HTTP statuses (404, 400...) are returned to the source, which knows how to read
  the provider's error body.
* **Secrets** (the FRED API key) are never shown: :func:`safe_url` masks secret query
  parameters in every URL used in messages and provenance, exception messages are passed
  through :func:`redact`, exceptions carry neither the httpx error as cause nor as
  context (its request holds the full URL), and a logging filter masks the secrets (and
  anything shaped like ``api_key=...``) in records of the ``httpx``/``httpcore`` loggers
  (httpx logs every request URL at INFO level) and of ``rotascope.http``.

Tests inject an ``httpx.Client`` built on ``httpx.MockTransport`` and a fake ``sleep``, so
no test touches the network or waits.

:class:`OnlineSource` is the base of the price sources: ``build_query(tickers=, start=,
end=)``, a ``fetch`` that requests one payload per ticker and turns a failing ticker into a
:class:`~rotascope.data.model.Rejection` (``check="offline"`` / ``"unavailable"`` /
``"source"``), and ``parse`` returning a :class:`ParsedSeries` that also lists the rows the
provider sent but that are not prices (:class:`SkippedRow`), so nothing is dropped silently.
Once a host proved unreachable (``offline``), the remaining tickers of the same fetch are
rejected with the same message without sending more requests.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import numpy as np
import pandas as pd

from ..._retry import (
    Exhausted,
    Retry,
    RetryPolicy,
    install_log_redaction,
    parse_retry_after,
    redact,
    redact_patterns,
)
from ..._validation import check_date
from ...errors import ParameterError, ParameterTypeError, ProviderUnavailableError, SourceError
from ..model import Rejection, SeriesData, normalize_ticker
from .base import Query, RawPayload, Source, SourceOutput

__all__ = ["RetryPolicy", "HttpFetcher", "OnlineSource", "ParsedSeries", "SkippedRow",
           "DEFAULT_TIMEOUT", "USER_AGENT", "BROWSER_USER_AGENT", "redact", "safe_url",
           "SECRET_PARAMS", "price_frame", "first_duplicate_or_unsorted", "http_date"]

log = logging.getLogger("rotascope.http")

#: Connect within 10 s, read each response within 30 s.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

#: Descriptive agent (Wikimedia's policy asks for one with a contact address).
USER_AGENT = "rotascope/0.1 (market-rotation research; https://github.com/rotascope/rotascope)"
#: Yahoo answers 429 to agents it does not recognise as a browser.
BROWSER_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/126.0 Safari/537.36 rotascope/0.1")

#: Query parameters whose values are secrets (masked in URLs shown anywhere).
SECRET_PARAMS = frozenset({"api_key", "apikey", "token", "key"})

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
_MASK = "***"


def safe_url(url: httpx.URL | str, params: Mapping[str, Any] | None = None) -> str:
    """The URL (with ``params`` merged in) with secret query parameters masked.

    >>> safe_url("https://api.stlouisfed.org/fred/series/observations",
    ...          {"series_id": "DGS10", "api_key": "abc123"})
    'https://api.stlouisfed.org/fred/series/observations?series_id=DGS10&api_key=***'
    """
    u = httpx.URL(str(url))
    if params:
        u = u.copy_merge_params(dict(params))
    if not u.query:
        return str(u)
    items = [(k, _MASK if k.lower() in SECRET_PARAMS else v)
             for k, v in u.params.multi_items()]
    query = urlencode(items, safe="^,:*")
    return str(u.copy_with(query=query.encode("ascii")))


_HTTP_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11",
                 "httpcore.http2", "httpcore.proxy", "rotascope.http")


def _register_secrets(secrets: Iterable[str]) -> None:
    """Mask ``secrets`` in the HTTP loggers' records (installed on first use)."""
    install_log_redaction(_HTTP_LOGGERS, secrets)


def _retry_after(response: httpx.Response, now: Callable[[], float] | None = None
                 ) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    return parse_retry_after(response.headers.get("retry-after"), now)


class HttpFetcher:
    """Sends GET requests with timeouts, retries and provider-neutral error messages.

    Parameters
    ----------
    client : httpx.Client, optional. Used as given and never closed here (tests pass one
        built on ``httpx.MockTransport``). When None a client is created per
        :meth:`session` with ``transport`` (if given), ``timeout`` and ``headers``.
    transport : httpx.BaseTransport, optional. Transport for the clients created here.
    timeout : httpx.Timeout, default :data:`DEFAULT_TIMEOUT`.
    retry : RetryPolicy, default ``RetryPolicy()`` (3 attempts, 1 s then 2 s, +0-25 %).
    sleep : callable, default ``time.sleep``. Injected by tests to record the waits.
    rng : random.Random, optional. Source of the jitter.
    headers : mapping, optional. Headers sent with every request, injected client or not
        (the User-Agent a provider expects).
    secrets : iterable of str. Values never to show in messages or logs.
    """

    def __init__(self, client: httpx.Client | None = None, *,
                 transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 headers: Mapping[str, str] | None = None,
                 secrets: Iterable[str] = ()) -> None:
        self._client = client
        self._transport = transport
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy()
        self.sleep = sleep
        self.rng = rng if rng is not None else random.Random()
        self.headers = dict(headers or {"User-Agent": USER_AGENT})
        self._secrets = tuple(s for s in secrets if s)
        _register_secrets(self._secrets)
        self._session_client: httpx.Client | None = None

    def __repr__(self) -> str:  # never show secrets
        return (f"HttpFetcher(retry={self.retry!r}, injected_client={self._client is not None}, "
                f"secrets={len(self._secrets)})")

    def redact(self, text: str) -> str:
        """``text`` with this fetcher's secrets (and secret-looking parameters) masked."""
        return redact_patterns(redact(text, self._secrets))

    @contextmanager
    def session(self) -> Iterator[httpx.Client]:
        """A client for a series of requests (the injected one, or a fresh one closed after)."""
        if self._client is not None:
            yield self._client
            return
        if self._session_client is not None:  # nested use shares the open client
            yield self._session_client
            return
        client = httpx.Client(transport=self._transport, timeout=self.timeout,
                              headers=self.headers, follow_redirects=True)
        self._session_client = client
        try:
            yield client
        finally:
            self._session_client = None
            client.close()

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            what: str = "data", headers: Mapping[str, str] | None = None) -> httpx.Response:
        """GET ``url`` with retries; return the final response (any non-retryable status).

        Parameters
        ----------
        url, params : where to send the request.
        what : what is being fetched, for messages (``"AAPL"``, ``"series DGS10"``).
        headers : extra headers for this request.

        Raises
        ------
        ProviderUnavailableError
            After the last attempt failed with a connection error, a timeout, HTTP 429
            or 5xx, or when the server asks to wait longer than ``retry.max_delay``.
        """
        shown = safe_url(url, params)
        host = httpx.URL(url).host
        with self.session() as client:

            def attempt(n: int) -> httpx.Response | Retry:
                try:
                    response = client.get(url, params=params,
                                          headers={**self.headers, **(headers or {})})
                except (httpx.TimeoutException, httpx.NetworkError,
                        httpx.RemoteProtocolError) as exc:
                    offline = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                    detail = self.redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
                    return Retry(detail, data=offline)
                if response.status_code not in _RETRY_STATUSES:
                    return response
                response.close()
                status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                return Retry(status, retry_after=_retry_after(response), data=None)

            result = self.retry.call(attempt, sleep=self.sleep, rng=self.rng, log=log,
                                     what=f"{what} from {host}", redactor=self.redact)
        if not isinstance(result, Exhausted):
            return result
        # Raised here, outside any ``except`` block: the exception carries no
        # __context__ (the httpx error holds the full URL, key and all).
        failed = result.last
        tries = f"{result.attempts} attempt{'s' if result.attempts > 1 else ''}"
        if failed.data is not None:          # a connection failure or a timeout
            if failed.data:
                raise _unavailable(
                    f"cannot reach {host} (offline?): {failed.reason} after {tries} "
                    f"(fetching {what}). Check the network connection and try again.",
                    host, shown, offline=True)
            raise _unavailable(
                f"{host} did not answer in time: {failed.reason} after {tries} (fetching "
                f"{what} from {shown}). Try again later.", host, shown, offline=False)
        if result.why == "retry_after":
            raise _unavailable(
                f"{host} answered {failed.reason} and asks to retry after "
                f"{failed.retry_after:.0f} s (fetching {what} from {shown}); the provider "
                "is rate-limiting. Try again later.", host, shown, offline=False)
        raise _unavailable(
            f"{host} answered {failed.reason} after {tries} (fetching {what} from "
            f"{shown}); the provider is down or rate-limiting. Try again later.",
            host, shown, offline=False)


def _unavailable(msg: str, host: str, url: str, *, offline: bool) -> ProviderUnavailableError:
    exc = ProviderUnavailableError(msg)
    exc.host = host  # type: ignore[attr-defined]
    exc.url = url  # type: ignore[attr-defined]
    exc.offline = offline  # type: ignore[attr-defined]
    return exc


def http_date(ts: float) -> str:
    """An HTTP date (for tests and Retry-After headers)."""
    return email.utils.format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)


# -- base class of the online price sources ---------------------------------------------


@dataclass(frozen=True)
class SkippedRow:
    """A row the provider sent that is not a price (reported, never silently dropped)."""

    date: pd.Timestamp | None
    reason: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"date": None if self.date is None else self.date.date().isoformat(),
                "line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class ParsedSeries:
    """One payload parsed: the series, the rows skipped and notes (dividends, splits...)."""

    series: SeriesData
    skipped: tuple[SkippedRow, ...] = ()
    notes: tuple[str, ...] = ()


class OnlineSource(Source):
    """Base of the HTTP price sources (one request per ticker).

    Parameters
    ----------
    client : httpx.Client, optional. Injected client (e.g. on ``httpx.MockTransport``);
        never closed by the source.
    transport : httpx.BaseTransport, optional. Transport for clients the source creates.
    retry : RetryPolicy, optional. Default 3 attempts with 1 s, 2 s backoff (+jitter).
    sleep : callable, default ``time.sleep``. Injected by tests.
    timeout : httpx.Timeout, default :data:`DEFAULT_TIMEOUT`.
    """

    online = True
    updates_prices = True
    #: Host named in messages (subclasses set it).
    host: str = ""
    _user_agent: str = USER_AGENT

    def __init__(self, client: httpx.Client | None = None, *,
                 transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 rng: random.Random | None = None) -> None:
        self.http = HttpFetcher(client, transport=transport, retry=retry, sleep=sleep,
                                timeout=timeout, rng=rng, secrets=self._secrets(),
                                headers={"User-Agent": self._user_agent})

    def _secrets(self) -> tuple[str, ...]:
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- step 1 -----------------------------------------------------------------------
    # override: every online source takes tickers and a date range, where the plugin
    # base accepts any keywords (file sources take a path instead)
    def build_query(self, *, tickers: Iterable[str] | str,  # type: ignore[override]
                    start: Any = None, end: Any = None, **extra: Any) -> Query:
        """Validate the request (no I/O).

        Parameters
        ----------
        tickers : ticker or tickers as the store spells them (``BRK-B``, ``^TNX``,
            FRED ids such as ``DGS10``); normalised to upper case.
        start, end : inclusive date bounds; None = the provider's full history / up to
            its latest row.
        """
        func = f"{type(self).__name__}.build_query"
        if isinstance(tickers, str):
            tickers = [tickers]
        if not isinstance(tickers, Iterable):
            raise ParameterTypeError(f"{func}(): 'tickers' must be a list of str, "
                                     f"got {tickers!r}")
        names = []
        for t in tickers:
            if not isinstance(t, str) or not t.strip():
                raise ParameterTypeError(f"{func}(): 'tickers' must be non-empty str, got {t!r}")
            names.append(normalize_ticker(t))
        if not names:
            raise ParameterError(f"{func}(): 'tickers' is empty; name at least one ticker")
        s = None if start is None else check_date(start, "start", func=func)
        e = None if end is None else check_date(end, "end", func=func)
        if s is not None and e is not None and e < s:
            raise ParameterError(f"{func}(): 'end' ({e:%Y-%m-%d}) is before 'start' "
                                 f"({s:%Y-%m-%d})")
        params = {"tickers": list(dict.fromkeys(names)), "start": s, "end": e}
        params.update(self._check_extra(extra, func))
        return Query(source=self.name, params=params)

    def _check_extra(self, extra: dict[str, Any], func: str) -> dict[str, Any]:
        if extra:
            raise ParameterError(f"{func}(): unknown parameter(s): {', '.join(sorted(extra))}")
        return {}

    # -- step 2 -----------------------------------------------------------------------
    def fetch(self, query: Query) -> Iterator[RawPayload | Rejection]:
        """One payload per ticker; failures become rejections (see the module notes)."""
        offline: ProviderUnavailableError | None = None
        with self.http.session():
            for ticker in query.params["tickers"]:
                if offline is not None:
                    yield Rejection(getattr(offline, "url", self.host),
                                    f"not attempted: {offline}", ticker=ticker, check="offline")
                    continue
                try:
                    yield self.fetch_one(query, ticker)
                except ProviderUnavailableError as exc:
                    is_offline = bool(getattr(exc, "offline", False))
                    if is_offline:
                        offline = exc
                    yield Rejection(getattr(exc, "url", self.host), str(exc), ticker=ticker,
                                    check="offline" if is_offline else "unavailable")
                except SourceError as exc:
                    yield Rejection(getattr(exc, "url", self.host), str(exc), ticker=ticker,
                                    check="source")

    def fetch_one(self, query: Query, ticker: str) -> RawPayload:
        """Fetch one ticker's payload; raise SourceError / ProviderUnavailableError."""
        raise NotImplementedError

    # -- step 3 -----------------------------------------------------------------------
    def parse(self, query: Query, raw: RawPayload) -> ParsedSeries:
        """Parse one payload into a series plus what was skipped."""
        raise NotImplementedError

    def to_frame(self, query: Query, raw: RawPayload) -> list[SeriesData]:
        return [self.parse(query, raw).series]

    def load(self, query: Query, progress: Any = None) -> SourceOutput:
        """Fetch and parse every ticker; ``extra`` holds ``skipped`` and ``notes`` per ticker."""
        out = SourceOutput(extra={"skipped": {}, "notes": {}})
        for item in self.fetch(query):
            if isinstance(item, Rejection):
                out.rejected.append(item)
            else:
                try:
                    parsed = self.parse(query, item)
                except SourceError as exc:
                    out.rejected.append(Rejection(item.location, str(exc),
                                                  ticker=item.key or None, check="source"))
                else:
                    out.series.append(parsed.series)
                    if parsed.skipped:
                        out.extra["skipped"][parsed.series.ticker] = list(parsed.skipped)
                    if parsed.notes:
                        out.extra["notes"][parsed.series.ticker] = list(parsed.notes)
            if progress is not None:
                progress(1)
        return out

    # -- helpers for subclasses -------------------------------------------------------
    def error(self, ticker: str, url: str, reason: str) -> SourceError:
        """A SourceError naming the provider, ticker and (redacted) URL."""
        exc = SourceError(self.http.redact(f"{self.name}: {ticker}: {reason} ({url})"))
        exc.url = url  # type: ignore[attr-defined]
        exc.ticker = ticker  # type: ignore[attr-defined]
        return exc


def price_frame(dates: pd.DatetimeIndex, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Canonical frame: DatetimeIndex ``date`` (tz-naive midnight) and float64 columns.

    The caller checks order and duplicates first (to name the offending rows).
    """
    frame = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in columns.items()},
                         index=pd.DatetimeIndex(dates, name="date").as_unit("ns"))
    return frame


def first_duplicate_or_unsorted(dates: pd.DatetimeIndex) -> str | None:
    """A message naming the first duplicated or out-of-order date, or None if fine."""
    if dates.has_duplicates:
        dups = dates[dates.duplicated()].unique()[:3]
        return "duplicated dates " + ", ".join(f"{d:%Y-%m-%d}" for d in dups)
    if not dates.is_monotonic_increasing:
        pos = int(np.flatnonzero(np.diff(dates.asi8) < 0)[0]) + 1
        return (f"dates out of order ({dates[pos - 1]:%Y-%m-%d} is followed by "
                f"{dates[pos]:%Y-%m-%d})")
    return None
