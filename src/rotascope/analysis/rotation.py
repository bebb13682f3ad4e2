"""Relative rotation graph (RRG): where each ticker sits against a benchmark, and where it heads.

Julius de Kempenaer's JdK RS-Ratio and RS-Momentum formulas are proprietary. This
module uses a documented, **causal** approximation in the same spirit (both axes
centred on 100, one unit about one standard deviation):

1. ``RS = 100 * close / benchmark`` on the dates both have a close (nothing filled).
2. Periods: ``period="weekly"`` (default) keeps the last RS point of each calendar week
   (weeks end on Friday), dated with the last date of the input in that week, so the
   current, unfinished week is its latest close; ``"daily"`` keeps every RS point.
3. ``RSs = EMA_s(RS)``: an exponential average over ``smoothing`` periods (``alpha =
   2 / (s + 1)``, seeded with the mean of the first ``s`` values as
   :func:`rotascope.signals.ema`); ``smoothing=1`` skips it.
4. ``RS-Ratio = 100 + (RSs - mean_N(RSs)) / std_N(RSs)``: the trailing z-score over the
   last ``window`` periods, the current one included (sample std, ddof=1).
5. ``ROC = 100 * (RS-Ratio / RS-Ratio momentum_lag periods earlier - 1)``.
6. ``RS-Momentum = 100 + (ROC - mean_M(ROC)) / std_M(ROC)`` over the last
   ``momentum_window`` periods.

Windows count each ticker's own periods (a period without an RS point is skipped, not
filled); a value needs a full window and a non-zero standard deviation, otherwise NaN.
Every point uses only data up to its own date: truncating the data never changes an
earlier point (unlike full-sample z-scores), which a property test checks.

Parameters (the same number of periods for weekly and daily graphs): ``smoothing=5``,
``window=14``, ``momentum_lag=5``, ``momentum_window=14``. Without smoothing and with
a one-period lag the points jump between quadrants every other week; on the eleven
sector ETFs against SPY, weekly 2005-2026, these values give a quadrant change every
five weeks on average with about 70% of the changes clockwise (the direction of a
genuine rotation), against one every two weeks and 56% clockwise unsmoothed. A
ticker's first point needs ``smoothing + window + momentum_lag + momentum_window - 2``
periods of RS (36 weeks with the defaults).

Quadrants (boundary values go to the upper side)
-------------------------------------------------
``leading``    RS-Ratio >= 100 and RS-Momentum >= 100
``weakening``  RS-Ratio >= 100 and RS-Momentum <  100
``lagging``    RS-Ratio <  100 and RS-Momentum <  100
``improving``  RS-Ratio <  100 and RS-Momentum >= 100

The usual rotation is clockwise: improving -> leading -> weakening -> lagging ->
improving. ``since`` is the first period of the current unbroken run in a quadrant
(the date it entered it, or the first defined point if it never left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numba as nb
import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_choice, check_date, check_int
from ..errors import DataError, ParameterError, ParameterTypeError
from ..signals.averages import ema
from ..signals.returns import shift_valid

__all__ = ["rrg", "RRGResult", "RRGPoint", "TailPoint", "QUADRANTS", "quadrant_of",
           "rolling_zscore", "weekly_last", "RRG_SMOOTHING", "RRG_WINDOW", "RRG_MOMENTUM_WINDOW",
           "RRG_MOMENTUM_LAG"]

#: Quadrant names in clockwise order.
QUADRANTS: tuple[str, ...] = ("leading", "weakening", "lagging", "improving")
RRG_SMOOTHING = 5
RRG_WINDOW = 14
RRG_MOMENTUM_WINDOW = 14
RRG_MOMENTUM_LAG = 5


@nb.njit(cache=True, nogil=True, parallel=True)
def _zscore_2d(a, window, out):  # type: ignore[no-untyped-def]
    n, m = a.shape
    for j in nb.prange(m):
        ring = np.empty(window)
        cnt = 0
        pos = 0
        for t in range(n):
            v = a[t, j]
            if np.isnan(v):
                out[t, j] = np.nan
                continue
            ring[pos] = v
            pos += 1
            if pos == window:
                pos = 0
            cnt += 1
            if cnt < window:
                out[t, j] = np.nan
                continue
            mean = 0.0
            for k in range(window):
                mean += ring[k]
            mean /= window
            ss = 0.0
            for k in range(window):
                d = ring[k] - mean
                ss += d * d
            sd = np.sqrt(ss / (window - 1))
            out[t, j] = (v - mean) / sd if sd > 0.0 else np.nan


def rolling_zscore(values: pd.DataFrame | pd.Series, window: int) -> pd.DataFrame | pd.Series:
    """Trailing z-score of each value against its column's last ``window`` valid values.

    ``(x[t] - mean) / std`` over the last ``window`` non-NaN values up to and including
    ``t`` (sample std, ddof=1, computed in two passes for accuracy). NaN at NaN rows,
    during the warm-up and when the std is 0.

    Examples
    --------
    >>> s = pd.Series([1.0, 2.0, np.nan, 4.0, 4.0], index=pd.bdate_range("2024-01-01", periods=5))
    >>> rolling_zscore(s, 3).round(4).tolist()
    [nan, nan, nan, 1.0911, 0.5774]
    """
    frame, wrap = as_price_frame(values, "values", func="rolling_zscore")
    window = check_int(window, "window", minimum=2, func="rolling_zscore")
    a = np.asfortranarray(frame.to_numpy(dtype=np.float64))
    out = np.empty_like(a, order="F")
    _zscore_2d(a, window, out)
    return wrap(out)


def weekly_last(values: pd.DataFrame) -> pd.DataFrame:
    """Last valid value of each column in each calendar week (weeks end on Friday).

    Each week is dated with the last date of ``values``' index inside it, so a week in
    progress is dated with its latest row. A column without a value in a week is NaN.
    """
    if len(values) == 0:
        return values.copy()
    weeks = values.index.to_period("W-FRI")
    grouped = values.groupby(weeks, sort=True)
    out = grouped.last()
    dates = pd.Series(values.index, index=values.index).groupby(weeks, sort=True).max()
    out.index = pd.DatetimeIndex(dates.to_numpy(), name=values.index.name)
    return out


def quadrant_of(rs_ratio: np.ndarray | float, rs_momentum: np.ndarray | float) -> Any:
    """Quadrant name(s) of RS-Ratio/RS-Momentum values (None where either is NaN).

    Examples
    --------
    >>> quadrant_of(101.0, 99.0), quadrant_of(100.0, 100.0), quadrant_of(np.nan, 1.0)
    ('weakening', 'leading', None)
    """
    r = np.asarray(rs_ratio, dtype=np.float64)
    mo = np.asarray(rs_momentum, dtype=np.float64)
    out = np.full(np.broadcast(r, mo).shape, None, dtype=object)
    with np.errstate(invalid="ignore"):
        ok = ~(np.isnan(r) | np.isnan(mo))
        up_r = r >= 100.0
        up_m = mo >= 100.0
    out[ok & up_r & up_m] = "leading"
    out[ok & up_r & ~up_m] = "weakening"
    out[ok & ~up_r & ~up_m] = "lagging"
    out[ok & ~up_r & up_m] = "improving"
    return out if out.ndim else out.item()


@dataclass(frozen=True)
class TailPoint:
    """One point of a tail."""

    date: pd.Timestamp
    rs_ratio: float
    rs_momentum: float

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.strftime("%Y-%m-%d"), "rs_ratio": _f(self.rs_ratio),
                "rs_momentum": _f(self.rs_momentum)}


@dataclass(frozen=True)
class RRGPoint:
    """A ticker's latest RRG point, its tail and the date its quadrant started.

    ``date`` is the period the point belongs to (the ticker's last defined point on or
    before the as-of date); ``tail`` the last ``tail`` defined points ending with it,
    oldest first; ``since`` the first period of the current run in ``quadrant``.
    ``quadrant`` is None (and the numbers NaN) while the ticker has too little history.
    """

    ticker: str
    date: pd.Timestamp | None
    rs_ratio: float
    rs_momentum: float
    quadrant: str | None
    since: pd.Timestamp | None
    tail: tuple[TailPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"ticker": self.ticker, "rs_ratio": _f(self.rs_ratio),
                "rs_momentum": _f(self.rs_momentum), "quadrant": self.quadrant,
                "tail": [p.to_dict() for p in self.tail],
                "since": None if self.since is None else self.since.strftime("%Y-%m-%d"),
                "date": None if self.date is None else self.date.strftime("%Y-%m-%d")}


def _f(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


@dataclass(frozen=True)
class RRGResult:
    """A relative rotation graph and its full history.

    ``points``: one :class:`RRGPoint` per ticker (input column order). ``rs``,
    ``rs_ratio``, ``rs_momentum``: DataFrames (periods x tickers), the whole causal
    history (RS-Ratio starts ``momentum_lag + momentum_window - 1`` periods before
    RS-Momentum; a point needs both); ``quadrant``: object DataFrame of quadrant
    names (None where undefined); ``transitions``: one row per quadrant change
    (ticker, date, from_quadrant, to_quadrant), oldest first.
    """

    as_of: pd.Timestamp
    benchmark: str
    period: str
    tail: int
    smoothing: int
    window: int
    momentum_window: int
    momentum_lag: int
    points: tuple[RRGPoint, ...]
    rs: pd.DataFrame = field(repr=False)
    rs_ratio: pd.DataFrame = field(repr=False)
    rs_momentum: pd.DataFrame = field(repr=False)
    quadrant: pd.DataFrame = field(repr=False)
    transitions: pd.DataFrame = field(repr=False)

    def point(self, ticker: str) -> RRGPoint:
        for p in self.points:
            if p.ticker == ticker:
                return p
        raise KeyError(ticker)

    def to_frame(self) -> pd.DataFrame:
        """The points as a table (index ticker; rs_ratio, rs_momentum, quadrant, since)."""
        return pd.DataFrame(
            {"rs_ratio": [p.rs_ratio for p in self.points],
             "rs_momentum": [p.rs_momentum for p in self.points],
             "quadrant": [p.quadrant for p in self.points],
             "since": [p.since for p in self.points],
             "date": [p.date for p in self.points]},
            index=pd.Index([p.ticker for p in self.points], name="ticker"))

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.strftime("%Y-%m-%d"), "benchmark": self.benchmark,
                "period": self.period, "tail": self.tail,
                "parameters": {"smoothing": self.smoothing, "window": self.window,
                               "momentum_window": self.momentum_window,
                               "momentum_lag": self.momentum_lag},
                "points": [p.to_dict() for p in self.points]}


def _quadrant_codes(rs_ratio: np.ndarray, rs_momentum: np.ndarray) -> np.ndarray:
    """int8 codes: index into QUADRANTS, -1 where either coordinate is NaN."""
    with np.errstate(invalid="ignore"):
        up_r = rs_ratio >= 100.0
        up_m = rs_momentum >= 100.0
    codes = np.where(up_r, np.where(up_m, 0, 1), np.where(up_m, 3, 2)).astype(np.int8)
    codes[np.isnan(rs_ratio) | np.isnan(rs_momentum)] = -1
    return codes


def _quadrant_runs(codes: np.ndarray, index: pd.DatetimeIndex, columns: pd.Index
                   ) -> tuple[pd.DataFrame, list[pd.Timestamp | None]]:
    """Quadrant changes (ticker, date, from, to) and each column's current run start.

    Undefined periods (code -1) are skipped: a change is measured between consecutive
    defined periods of a column.
    """
    cur = np.where(codes >= 0, codes, np.nan)
    prev = pd.DataFrame(cur).ffill().shift(1).to_numpy()
    defined = codes >= 0
    with np.errstate(invalid="ignore"):
        start = defined & (cur != prev)          # includes each column's first point
        change = start & ~np.isnan(prev)
    rows = np.arange(len(index))[:, None]
    last_start = (np.where(start, rows, -1).max(axis=0) if len(index)
                  else np.full(len(columns), -1))
    since = [None if r < 0 else index[r] for r in last_start]
    r_i, c_i = np.nonzero(change)
    names = np.asarray(QUADRANTS, dtype=object)
    order = np.lexsort((c_i, r_i))  # by date, then column
    r_i, c_i = r_i[order], c_i[order]
    trans = pd.DataFrame({
        "ticker": pd.Series(np.asarray(columns, dtype=object)[c_i], dtype=object),
        "date": index[r_i],
        "from_quadrant": pd.Series(names[prev[r_i, c_i].astype(int)], dtype=object),
        "to_quadrant": pd.Series(names[codes[r_i, c_i].astype(int)], dtype=object)})
    return trans, since


def rrg(close: pd.DataFrame, benchmark: str | pd.Series = "SPY", *,
        period: Literal["weekly", "daily"] = "weekly", tail: int = 8,
        smoothing: int = RRG_SMOOTHING, window: int = RRG_WINDOW,
        momentum_window: int = RRG_MOMENTUM_WINDOW,
        momentum_lag: int = RRG_MOMENTUM_LAG, as_of: Any = None,
        tickers: Sequence[str] | None = None) -> RRGResult:
    """Relative rotation graph of every ticker against ``benchmark``.

    Parameters
    ----------
    close : DataFrame (dates x tickers)
        Adjusted closes on a sorted, unique DatetimeIndex.
    benchmark : str or Series, default "SPY"
        A column of ``close`` (excluded from the tickers) or the benchmark's closes.
    period : {"weekly", "daily"}, default "weekly"
        Sampling of the RS line (see the module docstring).
    tail : int, default 8
        Points in each tail (the current one included); >= 1.
    smoothing : int, default 5
        Periods of the EMA applied to RS first; >= 1 (1: none).
    window, momentum_window : int, default 14
        Periods of the RS-Ratio and RS-Momentum z-scores; >= 2.
    momentum_lag : int, default 5
        Periods of the RS-Ratio rate of change; >= 1.
    as_of : date, optional
        Ignore rows after it (default: the last row).
    tickers : sequence of str, optional
        Columns to plot (default: every column but the benchmark).

    Returns
    -------
    RRGResult

    Raises
    ------
    ParameterError
        Unknown columns, bad windows or period.
    DataError
        No date on or before ``as_of``.

    Examples
    --------
    >>> idx = pd.bdate_range("2023-01-02", periods=400)
    >>> t = np.arange(400)
    >>> close = pd.DataFrame({"SPY": 100 + 0.0 * t, "A": 100 + 5 * np.sin(t / 40),
    ...                       "B": 100 + 5 * np.cos(t / 40)}, index=idx)
    >>> res = rrg(close, "SPY", period="daily", tail=3)
    >>> p = res.point("A")
    >>> len(p.tail), p.tail[-1].date == p.date, p.quadrant in QUADRANTS
    (3, True, True)
    """
    f = "rrg"
    frame, _ = as_price_frame(close, "close", func=f)
    if isinstance(close, pd.Series):
        raise ParameterTypeError(f"{f}(): 'close' must be a DataFrame (dates x tickers)")
    period = check_choice(period, "period", ("weekly", "daily"), func=f)  # type: ignore[assignment]
    tail = check_int(tail, "tail", minimum=1, func=f)
    smoothing = check_int(smoothing, "smoothing", minimum=1, func=f)
    window = check_int(window, "window", minimum=2, func=f)
    momentum_window = check_int(momentum_window, "momentum_window", minimum=2, func=f)
    momentum_lag = check_int(momentum_lag, "momentum_lag", minimum=1, func=f)
    if isinstance(benchmark, pd.Series):
        bench_name = str(benchmark.name) if benchmark.name is not None else "benchmark"
        bframe, _ = as_price_frame(benchmark, "benchmark", func=f)
        bench = bframe.iloc[:, 0].reindex(frame.index)
        cols = list(frame.columns) if tickers is None else list(tickers)
    elif isinstance(benchmark, str):
        if benchmark not in frame.columns:
            raise ParameterError(f"{f}(): 'close' has no column for the benchmark "
                                 f"{benchmark!r}; add it or pass its closes as a Series")
        bench_name = benchmark
        bench = frame[benchmark]
        cols = ([c for c in frame.columns if c != benchmark] if tickers is None
                else list(tickers))
    else:
        raise ParameterTypeError(f"{f}(): 'benchmark' must be a column name or a Series, "
                                 f"got {type(benchmark).__name__}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ParameterError(f"{f}(): 'close' has no column for {', '.join(map(str, missing))}")
    if not cols:
        raise ParameterError(f"{f}(): no tickers to plot besides the benchmark")
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    upto = int(frame.index.searchsorted(day, side="right"))
    if upto == 0:
        raise DataError(f"{f}(): no rows on or before {day:%Y-%m-%d}")
    sub = frame.iloc[:upto][cols]
    b = bench.iloc[:upto].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs_vals = 100.0 * sub.to_numpy(dtype=np.float64) / b[:, None]
    rs_vals[~np.isfinite(rs_vals)] = np.nan
    rs = pd.DataFrame(rs_vals, index=sub.index, columns=pd.Index(cols))
    if period == "weekly":
        rs = weekly_last(rs)
    smooth = ema(rs, smoothing) if smoothing > 1 else rs
    ratio = rolling_zscore(smooth, window) + 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        roc = 100.0 * (ratio / shift_valid(ratio, momentum_lag) - 1.0)
    momentum = rolling_zscore(roc, momentum_window) + 100.0
    ratio_at = ratio.where(momentum.notna())  # a point needs both coordinates
    rv = ratio_at.to_numpy()
    mv = momentum.to_numpy()
    codes = _quadrant_codes(rv, mv)
    names = np.asarray([*QUADRANTS, None], dtype=object)  # code -1 -> None
    quad = pd.DataFrame(names[codes], index=rs.index, columns=rs.columns, dtype=object)
    transitions, since = _quadrant_runs(codes, rs.index, rs.columns)
    dates = list(rs.index)
    points = []
    for j, ticker in enumerate(cols):  # one small record per ticker
        ok = np.flatnonzero(~np.isnan(rv[:, j]))
        if len(ok) == 0:
            points.append(RRGPoint(str(ticker), None, np.nan, np.nan, None, None, ()))
            continue
        last = ok[-1]
        tail_rows = ok[-tail:]
        points.append(RRGPoint(
            ticker=str(ticker), date=dates[last], rs_ratio=float(rv[last, j]),
            rs_momentum=float(mv[last, j]), quadrant=QUADRANTS[codes[last, j]],
            since=since[j],
            tail=tuple(TailPoint(dates[r], float(rv[r, j]), float(mv[r, j]))
                       for r in tail_rows)))
    return RRGResult(as_of=day, benchmark=bench_name, period=period, tail=tail,
                     smoothing=smoothing, window=window,
                     momentum_window=momentum_window, momentum_lag=momentum_lag,
                     points=tuple(points), rs=rs, rs_ratio=ratio, rs_momentum=momentum,
                     quadrant=quad, transitions=transitions)
