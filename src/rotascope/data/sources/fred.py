"""FRED (Federal Reserve Bank of St. Louis) economic series: yields, credit spreads, VIX.

Two ways in, chosen by whether an API key is given:

* **Keyless** (default): the CSV behind FRED's graphs,
  ``https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10[&cosd=YYYY-MM-DD&coed=...]``.
  Header ``observation_date,DGS10`` (the older ``DATE,DGS10`` is read too).
* **API** (``api_key=...``; the CLI reads ``$FRED_API_KEY``):
  ``https://api.stlouisfed.org/fred/series/observations?series_id=DGS10&api_key=...
  &file_type=json[&observation_start=...&observation_end=...]``. Errors come back as
  ``{"error_code": 400, "error_message": "Bad Request.  The series does not exist."}``.
  Pages beyond FRED's 100,000-row limit are fetched and merged into one payload.

The key is a secret: it is masked (``api_key=***``) in every URL shown in messages,
provenance and logs, removed from exception messages, and not shown by ``repr``.

Series
------
The store ticker is the series id (``DGS10``, ``BAMLH0A0HYM2``, ``VIXCLS``). Values are
levels in the series' own units (percent for yields and spreads, index points for VIX),
stored as ``close`` with ``adjusted=None`` and ``kind`` one of ``"rate"``, ``"spread"``,
``"index"`` (:func:`fred_kind`: a table of common series, then prefix rules, else
``"index"``; ``build_query(kinds={...})`` overrides it).

Missing values
--------------
FRED writes ``.`` (or, in newer CSVs, an empty field) for a date without an observation
(market holidays for daily series). Those rows are not prices: they are skipped and
reported as :class:`~rotascope.data.sources._http.SkippedRow` (count and dates), never
filled. Non-numeric values, bad dates, duplicated or unsorted dates raise
:class:`~rotascope.errors.SourceError` naming the series, the line and the URL.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import httpx
import numpy as np
import pandas as pd

from ...errors import ParameterError, SourceError
from ..model import SeriesData
from ._http import (
    OnlineSource,
    ParsedSeries,
    SkippedRow,
    first_duplicate_or_unsorted,
    price_frame,
    redact,
    safe_url,
)
from .base import Query, RawPayload, sha256_bytes

__all__ = ["FredSource", "FRED_GRAPH_URL", "FRED_API_URL", "KNOWN_SERIES", "fred_kind",
           "parse_fredgraph_csv", "parse_fred_json"]

FRED_GRAPH_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
FRED_API_URL = "https://api.stlouisfed.org/fred/series/observations"
_API_LIMIT = 100_000
_KINDS = ("rate", "spread", "index")

_TREASURY = "Market Yield on U.S. Treasury Securities at {} Constant Maturity, Quoted on an " \
            "Investment Basis"
#: series id -> (kind, title) for common series.
KNOWN_SERIES: dict[str, tuple[str, str]] = {
    "DGS1MO": ("rate", _TREASURY.format("1-Month")),
    "DGS3MO": ("rate", _TREASURY.format("3-Month")),
    "DGS1": ("rate", _TREASURY.format("1-Year")),
    "DGS2": ("rate", _TREASURY.format("2-Year")),
    "DGS5": ("rate", _TREASURY.format("5-Year")),
    "DGS10": ("rate", _TREASURY.format("10-Year")),
    "DGS30": ("rate", _TREASURY.format("30-Year")),
    "DFF": ("rate", "Federal Funds Effective Rate"),
    "SOFR": ("rate", "Secured Overnight Financing Rate"),
    "DFII10": ("rate", "Market Yield on U.S. Treasury Securities at 10-Year Constant "
                       "Maturity, Quoted on an Investment Basis, Inflation-Indexed"),
    "T10YIE": ("rate", "10-Year Breakeven Inflation Rate"),
    "T10Y2Y": ("spread", "10-Year Treasury Constant Maturity Minus 2-Year Treasury Constant "
                         "Maturity"),
    "T10Y3M": ("spread", "10-Year Treasury Constant Maturity Minus 3-Month Treasury Constant "
                         "Maturity"),
    "BAMLH0A0HYM2": ("spread", "ICE BofA US High Yield Index Option-Adjusted Spread"),
    "BAMLC0A0CM": ("spread", "ICE BofA US Corporate Index Option-Adjusted Spread"),
    "BAMLC0A4CBBB": ("spread", "ICE BofA BBB US Corporate Index Option-Adjusted Spread"),
    "VIXCLS": ("index", "CBOE Volatility Index: VIX"),
    "VXNCLS": ("index", "CBOE NASDAQ 100 Volatility Index"),
    "DTWEXBGS": ("index", "Nominal Broad U.S. Dollar Index"),
    "SP500": ("index", "S&P 500"),
    "NASDAQCOM": ("index", "NASDAQ Composite Index"),
}


def fred_kind(series_id: str) -> str:
    """``"rate"``, ``"spread"`` or ``"index"`` for a series id.

    >>> fred_kind("DGS10"), fred_kind("BAMLH0A0HYM2"), fred_kind("DTB3"), fred_kind("XYZ")
    ('rate', 'spread', 'rate', 'index')
    """
    sid = series_id.upper()
    if sid in KNOWN_SERIES:
        return KNOWN_SERIES[sid][0]
    if sid.startswith(("DGS", "DTB", "DFII", "DPRIME", "MORTGAGE", "DCP")):
        return "rate"
    if sid.startswith("BAML") or (sid.startswith("T10Y") and sid != "T10YIE"):
        return "spread"
    return "index"


class FredSource(OnlineSource):
    """FRED series through the keyless graph CSV or, with ``api_key``, the JSON API.

    Parameters
    ----------
    client, transport, retry, sleep, timeout, rng : see
        :class:`~rotascope.data.sources._http.OnlineSource`.
    api_key : str, optional. A FRED API key (free, see docs/providers.md). Never shown.
    """

    name = "fred"

    def __init__(self, client: httpx.Client | None = None, *, api_key: str | None = None,
                 **kwargs: Any) -> None:
        if api_key is not None and (not isinstance(api_key, str) or not api_key.strip()):
            raise ParameterError("FredSource(): 'api_key' must be a non-empty str or None")
        self._api_key = api_key.strip() if api_key else None
        super().__init__(client, **kwargs)
        self.host = "api.stlouisfed.org" if self._api_key else "fred.stlouisfed.org"

    def _secrets(self) -> tuple[str, ...]:
        return (self._api_key,) if self._api_key else ()

    @property
    def uses_api(self) -> bool:
        """True when an API key was given (JSON API), False for the keyless CSV."""
        return self._api_key is not None

    def __repr__(self) -> str:
        return f"FredSource(api_key={'***' if self._api_key else None})"

    def _check_extra(self, extra: dict[str, Any], func: str) -> dict[str, Any]:
        kinds = extra.pop("kinds", None) or {}
        super()._check_extra(extra, func)
        if not isinstance(kinds, Mapping):
            raise ParameterError(f"{func}(): 'kinds' must map series ids to one of "
                                 f"{', '.join(_KINDS)}, got {kinds!r}")
        bad = {k: v for k, v in kinds.items() if v not in _KINDS}
        if bad:
            raise ParameterError(f"{func}(): 'kinds' values must be one of "
                                 f"{', '.join(_KINDS)}; got {bad}")
        return {"kinds": {str(k).upper(): v for k, v in kinds.items()}}

    # -- fetch ------------------------------------------------------------------------
    def fetch_one(self, query: Query, ticker: str) -> RawPayload:
        if self._api_key:
            return self._fetch_api(query, ticker)
        params: dict[str, str] = {"id": ticker}
        start, end = query.params.get("start"), query.params.get("end")
        if start is not None:
            params["cosd"] = f"{start:%Y-%m-%d}"
        if end is not None:
            params["coed"] = f"{end:%Y-%m-%d}"
        location = safe_url(FRED_GRAPH_URL, params)
        response = self.http.get(FRED_GRAPH_URL, params=params, what=f"series {ticker}")
        if response.status_code != 200:
            raise self.error(ticker, location, f"FRED answered HTTP {response.status_code} "
                             f"{response.reason_phrase}; is {ticker!r} a FRED series id?")
        return RawPayload(location, response.content, key=ticker, meta={"format": "csv"})

    def _fetch_api(self, query: Query, ticker: str) -> RawPayload:
        params: dict[str, Any] = {"series_id": ticker, "api_key": self._api_key,
                                  "file_type": "json", "limit": _API_LIMIT}
        start, end = query.params.get("start"), query.params.get("end")
        if start is not None:
            params["observation_start"] = f"{start:%Y-%m-%d}"
        if end is not None:
            params["observation_end"] = f"{end:%Y-%m-%d}"
        location = safe_url(FRED_API_URL, params)
        pages: list[dict[str, Any]] = []
        contents: list[bytes] = []
        offset = 0
        while True:
            page_params = dict(params, offset=offset) if offset else params
            response = self.http.get(FRED_API_URL, params=page_params,
                                     what=f"series {ticker}")
            body = self._json(ticker, location, response)
            pages.append(body)
            contents.append(response.content)
            got = len(body.get("observations") or [])
            count = int(body.get("count") or 0)
            offset += got
            if got == 0 or offset >= count:
                break
        if len(pages) == 1:
            content = contents[0]
        else:  # merge the pages into one document (the payload that is checksummed)
            merged = dict(pages[0])
            merged["observations"] = [o for p in pages for o in p.get("observations") or []]
            merged["offset"], merged["pages"] = 0, len(pages)
            content = json.dumps(merged, separators=(",", ":")).encode()
        return RawPayload(location, content, key=ticker,
                          meta={"format": "json", "pages": len(pages)})

    def _json(self, ticker: str, location: str, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and "error_message" in body:
            message = redact(str(body["error_message"]), self._secrets())
            raise self.error(ticker, location, f"FRED API answered HTTP "
                             f"{response.status_code}: {' '.join(message.split())}")
        if response.status_code != 200:
            raise self.error(ticker, location, f"FRED API answered HTTP "
                             f"{response.status_code} {response.reason_phrase}".rstrip())
        if not isinstance(body, dict) or not isinstance(body.get("observations"), list):
            raise self.error(ticker, location, "FRED API payload has no 'observations' list")
        return body

    # -- parse ------------------------------------------------------------------------
    def parse(self, query: Query, raw: RawPayload) -> ParsedSeries:
        kind = (query.params.get("kinds") or {}).get(raw.key) or fred_kind(raw.key)
        if raw.meta.get("format") == "json":
            return parse_fred_json(raw.content, series_id=raw.key, location=raw.location,
                                   kind=kind)
        return parse_fredgraph_csv(raw.content, series_id=raw.key, location=raw.location,
                                   kind=kind)


def _fail(series_id: str, location: str, reason: str, line: int | None = None) -> SourceError:
    where = location + (f" line {line}" if line is not None else "")
    return SourceError(f"fred: {series_id}: {reason} ({where})")


def _build(series_id: str, location: str, content: bytes, dates_text: pd.Series,
           values_text: pd.Series, kind: str | None, line_offset: int | None) -> ParsedSeries:
    """Shared by CSV and JSON: parse dates/values, skip '.'/'' rows, build the series."""
    def line(i: int) -> int | None:
        return None if line_offset is None else i + line_offset

    dates_text = dates_text.astype(str).str.strip()
    dates = pd.to_datetime(dates_text, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise _fail(series_id, location, f"bad date {dates_text.iloc[i]!r} (expected "
                                         "YYYY-MM-DD)" + ("" if line_offset is not None
                                                          else f" in observation {i + 1}"),
                    line(i))
    cells = values_text.astype(str).str.strip()
    missing = cells.isin([".", ""]).to_numpy()
    nums = pd.to_numeric(cells.where(~missing, None), errors="coerce").to_numpy(np.float64)
    bad = (np.isnan(nums) & ~missing) | np.isinf(nums)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(series_id, location, f"non-numeric value {cells.iloc[i]!r} on "
                                         f"{dates_text.iloc[i]}", line(i))
    index = pd.DatetimeIndex(dates)
    skipped = tuple(SkippedRow(index[i], "no observation ('.'): holiday or not published",
                               line=line(int(i))) for i in np.flatnonzero(missing))
    index = index[~missing]
    problem = first_duplicate_or_unsorted(index)
    if problem is not None:
        raise _fail(series_id, location, problem)
    frame = price_frame(index, {"close": nums[~missing]})
    name = KNOWN_SERIES.get(series_id, (None, None))[1]
    series = SeriesData(ticker=series_id, frame=frame, source="fred", location=location,
                        checksum=sha256_bytes(content), adjusted=None,
                        kind=kind or fred_kind(series_id), name=name, mode="replace_range")
    return ParsedSeries(series, skipped, ())


def parse_fredgraph_csv(content: bytes, *, series_id: str, location: str,
                        kind: str | None = None) -> ParsedSeries:
    """Parse ``observation_date,ID`` (or ``DATE,ID``) CSV; ``.``/empty values are skipped."""
    text = content.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("<"):
        raise _fail(series_id, location, "FRED answered an HTML page, not CSV; is "
                                         f"{series_id!r} a FRED series id?")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    header = [c.strip() for c in frame.columns]
    if len(header) != 2 or header[0].lower() not in ("observation_date", "date") \
            or header[1].upper() != series_id.upper():
        raise _fail(series_id, location, f"expected the header 'observation_date,{series_id}' "
                                         f"(or 'DATE,{series_id}'), got {','.join(header)!r}", 1)
    return _build(series_id, location, content, frame.iloc[:, 0], frame.iloc[:, 1], kind,
                  line_offset=2)


def parse_fred_json(content: bytes, *, series_id: str, location: str,
                    kind: str | None = None) -> ParsedSeries:
    """Parse the API's ``observations`` JSON; ``"."`` values are skipped and reported."""
    try:
        body = json.loads(content)
    except ValueError:
        raise _fail(series_id, location, "FRED API payload is not JSON") from None
    if isinstance(body, dict) and "error_message" in body:
        raise _fail(series_id, location, "FRED API error: "
                                         + " ".join(str(body["error_message"]).split()))
    obs = body.get("observations") if isinstance(body, dict) else None
    if not isinstance(obs, list) or not all(isinstance(o, dict) and "date" in o and
                                            "value" in o for o in obs):
        raise _fail(series_id, location, "FRED API payload has no 'observations' list of "
                                         "{date, value}")
    dates = pd.Series([o["date"] for o in obs], dtype=object)
    values = pd.Series([o["value"] for o in obs], dtype=object)
    return _build(series_id, location, content, dates, values, kind, line_offset=None)
