"""Yahoo Finance daily bars through the public v8 chart JSON API.

Request (one per ticker)::

    GET https://query2.finance.yahoo.com/v8/finance/chart/{symbol}
        ?period1={start, epoch s}&period2={end + 1 day, epoch s}&interval=1d
        &events=div,split&includeAdjustedClose=true

Symbols are the store's spelling: ``BRK-B`` and ``^TNX`` are Yahoo's own spellings
(``^`` is percent-encoded in the path). ``start=None`` asks for the full history
(``period1`` = 1900-01-01, as yfinance does for ``period="max"``).

Parsing
-------
* Dates: each bar's timestamp (seconds, UTC; Yahoo stamps a daily bar with the session's
  opening time) is converted to the exchange's local calendar date, using the IANA zone
  ``meta.exchangeTimezoneName`` when it is a known zone (correct across daylight-saving
  changes) and otherwise the fixed offset ``meta.gmtoffset``.
* Fields: ``close`` is the adjusted close (``indicators.adjclose``), ``unadjusted_close``
  the raw close, plus ``open``/``high``/``low`` (raw, as Yahoo sends them) and ``volume``;
  the series is stored with ``adjusted=True``. Without an ``adjclose`` array ``close`` is
  the raw close and ``adjusted=False``.
* Null rows: a row whose every field is null (Yahoo sends them for holidays and halts)
  is skipped and reported as a :class:`~rotascope.data.sources._http.SkippedRow`. A row
  with a null close or adjusted close while another field has a value is a partial bar:
  the whole payload is rejected with a :class:`~rotascope.errors.SourceError` naming the
  ticker, the dates and the URL (nothing is guessed). A row with a close but a null
  open/high/low/volume keeps its close; the missing fields stay NULL and are counted in
  the notes.
* The session in progress: when the last bar is today's regular session and
  ``meta.regularMarketTime`` is before the session's end, the bar is a live quote, not a
  close; it is skipped and reported (``incomplete session``) and fetched on a later run.
* Yahoo sometimes sends the latest day twice (the daily bar plus a separate live row):
  the later row is kept and the other reported. Any other duplicated date rejects the
  payload.
* ``chart.error`` (e.g. ``Not Found: No data found, symbol may be delisted``), a payload
  that is not the chart JSON, a symbol mismatch or duplicated dates raise
  :class:`~rotascope.errors.SourceError` naming the ticker and URL.
* Dividends and splits in the range are listed in the notes (the adjusted history before
  them changes; :mod:`rotascope.data.updater` detects that and re-fetches).

Backends
--------
``backend="http"`` (default) is the implementation above. ``backend="yfinance"`` uses the
``yfinance`` package when it is installed (``pip install yfinance``): the frame it returns
is serialised to CSV (the payload) and parsed with the same rules.

Yahoo's data is for personal use under Yahoo's terms of service; see docs/providers.md.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import numpy as np
import pandas as pd

from ...errors import ParameterError, SourceError
from ..model import SeriesData
from ._http import (
    BROWSER_USER_AGENT,
    OnlineSource,
    ParsedSeries,
    SkippedRow,
    first_duplicate_or_unsorted,
    price_frame,
    safe_url,
)
from .base import Query, RawPayload, sha256_bytes

__all__ = ["YahooSource", "YAHOO_HOST", "FULL_HISTORY_START", "chart_url", "parse_chart"]

YAHOO_HOST = "query2.finance.yahoo.com"
#: ``start=None`` means the full history: period1 = this date (yfinance's "max").
FULL_HISTORY_START = pd.Timestamp("1900-01-01")

_KINDS = {"EQUITY": "stock", "ETF": "etf", "INDEX": "index", "MUTUALFUND": "fund",
          "CRYPTOCURRENCY": "crypto", "CURRENCY": "currency", "FUTURE": "future"}
_OPTIONAL = ("open", "high", "low", "volume")


def chart_url(symbol: str, host: str = YAHOO_HOST) -> str:
    """The chart endpoint for ``symbol`` (``^TNX`` -> ``.../chart/%5ETNX``)."""
    return f"https://{host}/v8/finance/chart/{quote(symbol, safe='-.=')}"


def _epoch(ts: pd.Timestamp) -> int:
    return int((ts - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1))


class YahooSource(OnlineSource):
    """Daily bars from Yahoo Finance (see the module notes for the parsing rules).

    Parameters
    ----------
    client, transport, retry, sleep, timeout, rng : see
        :class:`~rotascope.data.sources._http.OnlineSource`.
    backend : {"http", "yfinance"}, default "http".
    host : str, default ``query2.finance.yahoo.com``.
    clock : callable, default ``time.time``. "Now" in epoch seconds (``period2`` when
        ``end`` is None).

    Examples
    --------
    >>> src = YahooSource()
    >>> q = src.build_query(tickers=["brk.b", "^tnx"], start="2026-07-01")
    >>> q.params["tickers"], src.period(q)[0]
    (['BRK-B', '^TNX'], 1782864000)
    """

    name = "yahoo"
    host = YAHOO_HOST
    _user_agent = BROWSER_USER_AGENT

    def __init__(self, client: httpx.Client | None = None, *, backend: str = "http",
                 host: str = YAHOO_HOST, clock: Callable[[], float] = time.time,
                 **kwargs: Any) -> None:
        if backend not in ("http", "yfinance"):
            raise ParameterError(f"YahooSource(): 'backend' must be 'http' or 'yfinance', "
                                 f"got {backend!r}")
        super().__init__(client, **kwargs)
        self.backend = backend
        self.host = host
        self.clock = clock

    def symbol(self, ticker: str) -> str:
        """Yahoo's symbol for a store ticker (the same spelling)."""
        return ticker

    def period(self, query: Query) -> tuple[int, int]:
        """``(period1, period2)`` in epoch seconds for the query's date range."""
        start = query.params.get("start")
        end = query.params.get("end")
        p1 = _epoch(FULL_HISTORY_START if start is None else start)
        p2 = int(self.clock()) if end is None else _epoch(end + pd.Timedelta(days=1))
        return p1, max(p2, p1 + 1)

    # -- fetch ------------------------------------------------------------------------
    def fetch_one(self, query: Query, ticker: str) -> RawPayload:
        symbol = self.symbol(ticker)
        if self.backend == "yfinance":
            return self._fetch_yfinance(query, ticker, symbol)
        url = chart_url(symbol, self.host)
        p1, p2 = self.period(query)
        params = {"period1": p1, "period2": p2, "interval": "1d", "events": "div,split",
                  "includeAdjustedClose": "true"}
        location = safe_url(url, params)
        response = self.http.get(url, params=params, what=ticker)
        if response.status_code != 200:
            reason = _chart_error(response.content) or (
                f"HTTP {response.status_code} {response.reason_phrase}".strip())
            raise self.error(ticker, location, f"Yahoo answered {reason}")
        return RawPayload(location, response.content, key=ticker,
                          meta={"symbol": symbol, "format": "chart-json", "period1": p1,
                                "period2": p2})

    def _fetch_yfinance(self, query: Query, ticker: str, symbol: str) -> RawPayload:
        try:
            import yfinance
        except ImportError as exc:
            raise ParameterError("YahooSource(backend='yfinance') needs the yfinance package; "
                                 "install it with `pip install yfinance` or use the default "
                                 "backend='http'") from exc
        start = query.params.get("start") or FULL_HISTORY_START
        end = query.params.get("end")
        location = f"yfinance:{symbol}?start={start:%Y-%m-%d}" + (
            "" if end is None else f"&end={end:%Y-%m-%d}")
        try:
            frame = yfinance.Ticker(symbol).history(
                start=start.strftime("%Y-%m-%d"),
                end=None if end is None else (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                interval="1d", auto_adjust=False, actions=False)
        except Exception as exc:  # yfinance raises many types; report them per ticker
            raise self.error(ticker, location,
                             f"yfinance failed: {type(exc).__name__}: {exc}") from None
        if frame is None or len(frame) == 0:
            raise self.error(ticker, location, "yfinance returned no rows (symbol may be "
                                               "delisted, or no trading days in the range)")
        return RawPayload(location, frame.to_csv().encode(), key=ticker,
                          meta={"symbol": symbol, "format": "yfinance-csv"})

    # -- parse ------------------------------------------------------------------------
    def parse(self, query: Query, raw: RawPayload) -> ParsedSeries:
        ticker = raw.key
        try:
            if raw.meta.get("format") == "yfinance-csv":
                return _parse_yfinance_csv(ticker, raw)
            return parse_chart(raw.content, ticker=ticker, location=raw.location,
                               symbol=raw.meta.get("symbol", ticker), now=self.clock())
        except _ChartError as exc:
            raise self.error(ticker, raw.location, str(exc)) from None


class _ChartError(Exception):
    """Internal: a reason the payload is unusable (wrapped into SourceError by the source)."""


def _chart_error(content: bytes) -> str | None:
    """``"Not Found: No data found, ..."`` from a chart error body, or None."""
    try:
        data = json.loads(content)
        err = data["chart"]["error"]
    except (ValueError, KeyError, TypeError):
        return None
    if not err:
        return None
    if isinstance(err, dict):
        code, desc = err.get("code"), err.get("description")
        return ": ".join(str(x) for x in (code, desc) if x) or str(err)
    return str(err)


def _floats(values: Any, n: int, name: str) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    if not isinstance(values, list) or len(values) != n:
        got = len(values) if isinstance(values, list) else type(values).__name__
        raise _ChartError(f"bad payload: indicators '{name}' has {got} values for "
                          f"{n} timestamps")
    try:
        return pd.Series(values, dtype="float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise _ChartError(f"bad payload: non-numeric values in '{name}'") from exc


def _local_dates(timestamps: np.ndarray, meta: Mapping[str, Any]) -> pd.DatetimeIndex:
    utc = pd.to_datetime(timestamps, unit="s", utc=True)
    zone = meta.get("exchangeTimezoneName")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        else:
            return pd.DatetimeIndex(utc.tz_convert(zone).tz_localize(None).normalize())
    offset = meta.get("gmtoffset")
    if not isinstance(offset, (int, float)):
        raise _ChartError("bad payload: meta has neither a known exchangeTimezoneName nor "
                          "a numeric gmtoffset, so bar dates cannot be localised")
    local = utc.tz_localize(None) + pd.Timedelta(seconds=float(offset))
    return pd.DatetimeIndex(local.normalize())


def _fmt_dates(dates: pd.DatetimeIndex, limit: int = 5) -> str:
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in dates[:limit])
    return shown + (f", ... ({len(dates) - limit} more)" if len(dates) > limit else "")


def assemble(dates: pd.DatetimeIndex, fields: Mapping[str, np.ndarray],
             adjclose: np.ndarray | None) -> tuple[pd.DataFrame, list[SkippedRow], list[str]]:
    """Apply the null-row policy and build the canonical frame (shared by both backends).

    ``fields`` holds raw ``open``, ``high``, ``low``, ``close``, ``volume``.
    """
    arrays = dict(fields)
    if adjclose is not None:
        arrays["adjclose"] = adjclose
    stack = np.vstack(list(arrays.values())) if arrays else np.empty((0, len(dates)))
    all_null = np.isnan(stack).all(axis=0)
    close_null = np.isnan(arrays["close"])
    if adjclose is not None:
        close_null |= np.isnan(adjclose)
    partial = close_null & ~all_null
    if partial.any():
        bad = dates[partial]
        raise _ChartError(f"{len(bad)} partial bar(s) with a null close but other fields "
                          f"set ({_fmt_dates(bad)}); nothing imported for this ticker")
    skipped = [SkippedRow(d, "no prices (every field null): holiday or trading halt")
               for d in dates[all_null]]
    keep = ~all_null
    dates = dates[keep]
    problem = first_duplicate_or_unsorted(dates)
    if problem is not None:
        raise _ChartError(f"bad payload: {problem}")
    columns: dict[str, np.ndarray] = {}
    if adjclose is not None:
        columns["close"] = adjclose[keep]
    else:
        columns["close"] = arrays["close"][keep]
    notes: list[str] = []
    for name in _OPTIONAL:
        values = arrays[name][keep]
        columns[name] = values
        n_missing = int(np.isnan(values).sum())
        if n_missing:
            notes.append(f"{name} missing on {n_missing} row(s) (stored as NULL): "
                         f"{_fmt_dates(dates[np.isnan(values)])}")
    if adjclose is not None:
        columns["unadjusted_close"] = arrays["close"][keep]
    return price_frame(dates, columns), skipped, notes


def parse_chart(content: bytes, *, ticker: str, location: str, symbol: str | None = None,
                now: float | None = None) -> ParsedSeries:
    """Parse a v8 chart JSON payload into a :class:`ParsedSeries` (see the module notes).

    Raises
    ------
    SourceError
        ``chart.error``, not the chart JSON, wrong symbol, partial bars, duplicate dates.
    """
    try:
        return _parse_chart(content, ticker, location, symbol or ticker, now)
    except _ChartError as exc:
        raise SourceError(f"yahoo: {ticker}: {exc} ({location})") from None


def _parse_chart(content: bytes, ticker: str, location: str, symbol: str,
                 now: float | None) -> ParsedSeries:
    try:
        data = json.loads(content)
    except ValueError:
        head = content[:60].decode("utf-8", "replace").replace("\n", " ")
        raise _ChartError(f"payload is not JSON (starts with {head!r})") from None
    chart = data.get("chart") if isinstance(data, dict) else None
    if not isinstance(chart, dict):
        raise _ChartError("payload is not Yahoo chart JSON (no 'chart' object)")
    reason = _chart_error(content)
    if reason:
        raise _ChartError(f"Yahoo answered {reason}")
    result = chart.get("result")
    if not isinstance(result, list) or len(result) != 1 or not isinstance(result[0], dict):
        raise _ChartError("bad payload: 'chart.result' is not a list of one result")
    res = result[0]
    meta = res.get("meta") or {}
    got = str(meta.get("symbol", ""))
    if got and got.upper() != symbol.upper():
        raise _ChartError(f"payload is for symbol {got!r}, not {symbol!r}")
    timestamps = res.get("timestamp") or []
    n = len(timestamps)
    indicators = res.get("indicators") or {}
    quotes = indicators.get("quote") or [{}]
    quote_ = quotes[0] if isinstance(quotes, list) and quotes else {}
    if n and not quote_:
        raise _ChartError("bad payload: timestamps but no 'indicators.quote'")
    fields = {f: _floats(quote_.get(f), n, f) for f in ("open", "high", "low", "close",
                                                          "volume")}
    if n and quote_.get("close") is None:
        raise _ChartError("bad payload: 'indicators.quote' has no 'close'")
    adj_list = indicators.get("adjclose")
    adjclose = None
    if isinstance(adj_list, list) and adj_list and isinstance(adj_list[0], dict) \
            and "adjclose" in adj_list[0]:
        adjclose = _floats(adj_list[0]["adjclose"], n, "adjclose")
    dates = _local_dates(np.asarray(timestamps, dtype=np.int64), meta) if n else \
        pd.DatetimeIndex([], dtype="datetime64[ns]")
    skipped: list[SkippedRow] = []
    # Yahoo sometimes sends the latest day twice (the daily bar and a separate live row
    # stamped later that day): keep the later row and report the other one.
    if n >= 2 and dates[-1] == dates[-2] and not dates[:-1].has_duplicates:
        skipped.append(SkippedRow(dates[-2], "duplicate row for the latest day (Yahoo sent "
                                             "a separate live row); the later one was kept"))
        keep = np.r_[np.arange(n - 2), n - 1]
        dates = dates[keep]
        fields = {k: v[keep] for k, v in fields.items()}
        adjclose = None if adjclose is None else adjclose[keep]
    # A live bar of the session in progress is a quote, not a close.
    period = (meta.get("currentTradingPeriod") or {}).get("regular") or {}
    market_time = meta.get("regularMarketTime")
    if n and isinstance(period.get("start"), (int, float)) and isinstance(
            period.get("end"), (int, float)) and isinstance(market_time, (int, float)):
        session_day = _local_dates(np.asarray([period["start"]], dtype=np.int64), meta)[0]
        still_open = market_time < period["end"] and (now is None or now < period["end"])
        if dates[-1] == session_day and still_open:
            skipped.append(SkippedRow(dates[-1], "incomplete session: the market was still "
                                                 "open (live quote, not a close)"))
            dates = dates[:-1]
            fields = {k: v[:-1] for k, v in fields.items()}
            adjclose = None if adjclose is None else adjclose[:-1]
    frame, null_rows, notes = assemble(dates, fields, adjclose)
    skipped = null_rows + skipped
    notes = _events(res.get("events"), meta) + notes
    kind = _KINDS.get(str(meta.get("instrumentType", "")).upper())
    name = meta.get("longName") or meta.get("shortName") or None
    series = SeriesData(ticker=ticker, frame=frame, source="yahoo", location=location,
                        checksum=sha256_bytes(content), adjusted=adjclose is not None, kind=kind,
                        name=name, mode="replace_range")
    return ParsedSeries(series, tuple(skipped), tuple(notes))


def _events(events: Any, meta: Mapping[str, Any]) -> list[str]:
    if not isinstance(events, dict):
        return []
    out: list[tuple[int, str]] = []
    for item in (events.get("dividends") or {}).values():
        if isinstance(item, dict) and "date" in item:
            out.append((int(item["date"]), f"dividend {item.get('amount')}"))
    for item in (events.get("splits") or {}).values():
        if isinstance(item, dict) and "date" in item:
            ratio = item.get("splitRatio") or f"{item.get('numerator')}:{item.get('denominator')}"
            out.append((int(item["date"]), f"split {ratio}"))
    if not out:
        return []
    out.sort()
    dates = _local_dates(np.asarray([t for t, _ in out], dtype=np.int64), meta)
    return [f"{text} on {d:%Y-%m-%d}" for d, (_, text) in zip(dates, out, strict=True)]


def _parse_yfinance_csv(ticker: str, raw: RawPayload) -> ParsedSeries:
    frame = pd.read_csv(io.BytesIO(raw.content))
    cols = {c.lower().replace(" ", ""): c for c in frame.columns}
    if "date" not in cols or "close" not in cols:
        raise _ChartError(f"yfinance frame without Date/Close columns: {list(frame.columns)}")
    text = frame[cols["date"]].astype(str).str.slice(0, 10)
    dates = pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m-%d"))
    n = len(frame)

    def col(name: str) -> np.ndarray:
        return (pd.to_numeric(frame[cols[name]], errors="coerce").to_numpy(np.float64)
                if name in cols else np.full(n, np.nan))

    fields = {f: col(f) for f in ("open", "high", "low", "close", "volume")}
    adj = col("adjclose") if "adjclose" in cols else None
    out, skipped, notes = assemble(dates, fields, adj)
    series = SeriesData(ticker=ticker, frame=out, source="yahoo", location=raw.location,
                        checksum=raw.checksum, adjusted=adj is not None, mode="replace_range")
    return ParsedSeries(series, tuple(skipped), tuple(notes))
