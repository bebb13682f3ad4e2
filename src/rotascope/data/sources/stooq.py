"""Stooq daily bars through its CSV download.

Request (one per ticker)::

    GET https://stooq.com/q/d/l/?s=aapl.us&i=d[&d1=YYYYMMDD&d2=YYYYMMDD]

Answer: ``Date,Open,High,Low,Close,Volume`` (ISO dates, ascending; indices have no
``Volume``), or the plain text ``No data`` for an unknown symbol or an empty range, or
``Exceeded the daily hits limit`` when Stooq's daily quota is used up.

Symbols
-------
US listings get Stooq's market suffix: ``AAPL`` -> ``aapl.us``, ``BRK-B`` -> ``brk-b.us``,
``SPY`` -> ``spy.us``. Cboe yields and other ``^`` series (``^TNX``) have no Stooq
equivalent: they are rejected with a :class:`~rotascope.errors.SourceError` that points
to Yahoo or FRED (``DGS10``). ``symbol_map`` overrides or extends the mapping.

Parsing
-------
``close`` is Stooq's close, plus ``open``/``high``/``low``/``volume`` when present.
Stooq does not document whether its US closes include dividends, so series are stored
with ``adjusted=None`` (unknown): do not splice Stooq history onto Yahoo adjusted closes
of the same ticker. A line whose price fields are all empty is skipped and reported; an
empty or non-numeric close among other values, a bad date, duplicated or unsorted dates
reject the payload with a :class:`~rotascope.errors.SourceError` naming the ticker, the
line and the URL. "No data" is a SourceError; the hits limit is a
:class:`~rotascope.errors.ProviderUnavailableError` (exit code 5, try again tomorrow).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import httpx
import numpy as np
import pandas as pd

from ...errors import ProviderUnavailableError, SourceError
from ..model import SeriesData
from ._http import (
    OnlineSource,
    ParsedSeries,
    SkippedRow,
    first_duplicate_or_unsorted,
    price_frame,
    safe_url,
)
from .base import Query, RawPayload

__all__ = ["StooqSource", "STOOQ_HOST", "STOOQ_URL", "stooq_symbol", "parse_stooq_csv"]

STOOQ_HOST = "stooq.com"
STOOQ_URL = "https://stooq.com/q/d/l/"
_NO_DATA = ("no data", "brak danych")
_LIMIT = "exceeded the daily hits limit"
_SYMBOL_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]*$")


def stooq_symbol(ticker: str, symbol_map: Mapping[str, str] | None = None) -> str:
    """Stooq's symbol for a store ticker.

    >>> stooq_symbol("AAPL"), stooq_symbol("BRK-B")
    ('aapl.us', 'brk-b.us')

    Raises
    ------
    SourceError
        For tickers Stooq has no equivalent of (``^TNX`` and other ``^`` series).
    """
    if symbol_map and ticker in symbol_map:
        return symbol_map[ticker]
    if not _SYMBOL_RE.match(ticker):
        hint = (" Use --source yahoo for ^TNX/^IRX, or --source fred with DGS10/DGS3MO."
                if ticker.startswith("^") else "")
        raise SourceError(f"stooq: {ticker}: no Stooq symbol for this ticker (only US "
                          f"listings such as AAPL -> aapl.us are mapped).{hint}")
    return f"{ticker.lower()}.us"


class StooqSource(OnlineSource):
    """Daily bars from Stooq (see the module notes).

    Parameters
    ----------
    client, transport, retry, sleep, timeout, rng : see
        :class:`~rotascope.data.sources._http.OnlineSource`.
    symbol_map : mapping, optional. Store ticker -> Stooq symbol overrides.
    """

    name = "stooq"
    host = STOOQ_HOST

    def __init__(self, client: httpx.Client | None = None, *,
                 symbol_map: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.symbol_map = dict(symbol_map or {})

    def fetch_one(self, query: Query, ticker: str) -> RawPayload:
        symbol = stooq_symbol(ticker, self.symbol_map)
        params: dict[str, str] = {"s": symbol, "i": "d"}
        start, end = query.params.get("start"), query.params.get("end")
        if start is not None:
            params["d1"] = f"{start:%Y%m%d}"
        if end is not None:
            params["d2"] = f"{end:%Y%m%d}"
            params.setdefault("d1", "19000101")
        location = safe_url(STOOQ_URL, params)
        response = self.http.get(STOOQ_URL, params=params, what=ticker)
        if response.status_code != 200:
            raise self.error(ticker, location, f"Stooq answered HTTP {response.status_code} "
                                               f"{response.reason_phrase}".rstrip())
        head = response.content[:200].decode("utf-8", "replace").strip().lower()
        if head.startswith(_LIMIT):
            exc = ProviderUnavailableError(
                f"stooq: {ticker}: Stooq's daily download limit is exhausted ({location}); "
                "try again tomorrow or use --source yahoo")
            exc.url, exc.offline, exc.host = location, False, STOOQ_HOST  # type: ignore
            raise exc
        return RawPayload(location, response.content, key=ticker, meta={"symbol": symbol})

    def parse(self, query: Query, raw: RawPayload) -> ParsedSeries:
        return parse_stooq_csv(raw.content, ticker=raw.key, location=raw.location,
                               checksum=raw.checksum)


def parse_stooq_csv(content: bytes, *, ticker: str, location: str,
                    checksum: str | None = None) -> ParsedSeries:
    """Parse Stooq's ``Date,Open,High,Low,Close[,Volume]`` download (see the module notes).

    Raises
    ------
    SourceError
        "No data", HTML or other non-CSV answers, a missing Date/Close column, bad dates
        or numbers (naming the line), duplicated or unsorted dates.
    """
    from .base import sha256_bytes

    def fail(reason: str, line: int | None = None) -> SourceError:
        where = f"{location}" + (f" line {line}" if line is not None else "")
        return SourceError(f"stooq: {ticker}: {reason} ({where})")

    text = content.decode("utf-8-sig", errors="replace")
    stripped = text.strip()
    if stripped.lower() in _NO_DATA:
        raise fail("Stooq has no data for this symbol (unknown or delisted ticker, or no "
                   "trading days in the requested range)")
    if stripped.startswith("<"):
        raise fail("Stooq answered an HTML page, not CSV (the download URL may have changed "
                   "or need a captcha)")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    cols = {c.strip().lower(): c for c in frame.columns}
    if "date" not in cols or "close" not in cols:
        raise fail(f"expected a header like 'Date,Open,High,Low,Close,Volume', got "
                   f"{','.join(frame.columns)!r}", 1)
    raw_dates = frame[cols["date"]].str.strip()
    dates = pd.to_datetime(raw_dates, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise fail(f"bad date {raw_dates.iloc[i]!r} (expected YYYY-MM-DD)", i + 2)
    fields = [f for f in ("open", "high", "low", "close", "volume") if f in cols]
    values: dict[str, np.ndarray] = {}
    for f in fields:
        cells = frame[cols[f]].str.strip()
        nums = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64)
        bad = np.isnan(nums) & (cells != "").to_numpy() | np.isinf(nums)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise fail(f"non-numeric {f} {cells.iloc[i]!r}", i + 2)
        values[f] = nums
    stack = np.vstack([values[f] for f in fields])
    all_null = np.isnan(stack).all(axis=0)
    partial = np.isnan(values["close"]) & ~all_null
    if partial.any():
        i = int(np.flatnonzero(partial)[0])
        raise fail(f"empty close on {raw_dates.iloc[i]} while other fields are set "
                   f"({int(partial.sum())} such line(s)); nothing imported for this ticker",
                   i + 2)
    index = pd.DatetimeIndex(dates)
    skipped = tuple(SkippedRow(index[i], "no prices (every field empty)", line=int(i) + 2)
                    for i in np.flatnonzero(all_null))
    keep = ~all_null
    index = index[keep]
    problem = first_duplicate_or_unsorted(index)
    if problem is not None:
        raise fail(problem)
    out = price_frame(index, {f: values[f][keep] for f in
                              ["close", *[f for f in fields if f != "close"]]})
    notes = tuple(f"{f} missing on {int(np.isnan(out[f]).sum())} row(s) (stored as NULL)"
                  for f in out.columns if f != "close" and np.isnan(out[f]).any())
    series = SeriesData(ticker=ticker, frame=out, source="stooq", location=location,
                        checksum=checksum or sha256_bytes(content), adjusted=None,
                        mode="replace_range")
    return ParsedSeries(series, skipped, notes)
