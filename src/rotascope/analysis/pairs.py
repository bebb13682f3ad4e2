"""Style, size, geography and risk pairs: one status per ratio line, with a trend label.

Each pair A/B is a ratio line (:mod:`rotascope.analysis.ratio`: value, 1m/3m/6m change,
position against its 50- and 200-day averages, N-month lows and highs). This module
adds a **trend** label, the **best and worst k-day stretches** of a ratio with their
"best since <date>" ranking, and bitcoin (IBIT) against the S&P 500: drawdowns and
lead-lag.

Trend rule
----------
From the ratio value ``v`` and its 50- and 200-row simple averages (``s50``, ``s200``)
on the date:

=====================  =====================  ===============
``v`` vs ``s50``       ``s50`` vs ``s200``    trend
=====================  =====================  ===============
above                  above                  ``"rising"``
above                  at or below            ``"turning up"``
below                  below                  ``"falling"``
below                  at or above            ``"turning down"``
equal                  any                    ``"flat"``
=====================  =====================  ===============

None while either average is undefined (fewer than 200 ratio points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_date, check_int
from ..errors import DataError, NoDataError, ParameterError, ParameterTypeError
from ..signals.extremes import extreme_since
from ..signals.returns import shift_valid
from .perf import MAX_STALE_DAYS
from .ratio import RatioStatus, ratio_table

__all__ = ["PAIRS", "TRENDS", "PairStatus", "pairs_table", "trend_label", "trend_history",
           "Stretch", "ratio_stretches", "BitcoinCheck", "bitcoin_check"]

#: The default pairs (numerator, denominator): leadership, style, size, geography, risk.
PAIRS: tuple[tuple[str, str], ...] = (
    ("MAGS", "SPY"), ("XMAG", "MAGS"), ("RSP", "SPY"), ("QQQ", "IWM"), ("IWF", "IWD"),
    ("SPYG", "SPYV"), ("SPY", "ACWX"), ("SPY", "VGK"), ("SPY", "EWJ"), ("SPY", "EEM"),
    ("XLY", "XLP"), ("SPHB", "SPLV"), ("HYG", "IEF"),
)
#: Every trend label, strongest first.
TRENDS = ("rising", "turning up", "flat", "turning down", "falling")


def trend_label(value: float, sma50: float, sma200: float) -> str | None:
    """The trend of a ratio from its value and averages (see the module table).

    Examples
    --------
    >>> trend_label(1.1, 1.0, 0.9), trend_label(1.1, 1.0, 1.2), trend_label(0.9, 1.0, 1.2)
    ('rising', 'turning up', 'falling')
    """
    if any(x is None or np.isnan(x) for x in (value, sma50, sma200)):
        return None
    if value > sma50:
        return "rising" if sma50 > sma200 else "turning up"
    if value < sma50:
        return "falling" if sma50 < sma200 else "turning down"
    return "flat"


def trend_history(value: pd.DataFrame, sma50: pd.DataFrame, sma200: pd.DataFrame
                  ) -> pd.DataFrame:
    """:func:`trend_label` for every cell at once (object DataFrame, None where undefined)."""
    v, a, b = (np.asarray(x.to_numpy(dtype=np.float64)) for x in (value, sma50, sma200))
    out = np.full(v.shape, None, dtype=object)
    with np.errstate(invalid="ignore"):
        ok = ~(np.isnan(v) | np.isnan(a) | np.isnan(b))
        out[ok & (v == a)] = "flat"
        out[ok & (v > a) & (a > b)] = "rising"
        out[ok & (v > a) & (a <= b)] = "turning up"
        out[ok & (v < a) & (a < b)] = "falling"
        out[ok & (v < a) & (a >= b)] = "turning down"
    return pd.DataFrame(out, index=value.index, columns=value.columns, dtype=object)


@dataclass(frozen=True)
class PairStatus:
    """A pair's :class:`~rotascope.analysis.ratio.RatioStatus` plus its trend.

    ``available`` is False when a leg is missing from the data or has no close near
    the date (the ratio fields are then NaN and ``note`` says why).
    """

    ratio: RatioStatus
    trend: str | None
    sma50: float
    sma200: float
    available: bool = True
    note: str | None = None

    @property
    def pair(self) -> str:
        return self.ratio.pair

    def __getattr__(self, name: str) -> Any:  # value, change_1m, ... from the ratio
        if name.startswith("__") or name == "ratio":
            raise AttributeError(name)
        return getattr(self.ratio, name)

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        return {"pair": self.pair, **self.ratio.to_dict(), "trend": self.trend,
                "sma50": f(self.sma50), "sma200": f(self.sma200),
                "available": self.available, "note": self.note}


def pairs_table(close: pd.DataFrame, pairs: Sequence[tuple[str, str]] = PAIRS, *,
                as_of: Any = None, max_stale_days: int = MAX_STALE_DAYS) -> list[PairStatus]:
    """Status and trend of every pair as of a date.

    Parameters
    ----------
    close : DataFrame of adjusted closes (dates x tickers) holding the pairs' legs.
        A missing leg is not an error: the pair comes back with ``available=False``
        (MAGS exists from 2023-04, XMAG from 2024-10).
    pairs : (numerator, denominator) tuples; default :data:`PAIRS`.
    as_of : date (default the last row); rows after it are ignored.
    max_stale_days : a pair whose last ratio point is older than this many calendar
        days before ``as_of`` is reported unavailable.

    Returns
    -------
    list of PairStatus, in the order of ``pairs``.

    Examples
    --------
    >>> idx = pd.bdate_range("2023-01-02", periods=260)
    >>> close = pd.DataFrame({"A": np.linspace(100, 130, 260), "B": 100.0}, index=idx)
    >>> row = pairs_table(close, [("A", "B"), ("A", "C")])
    >>> row[0].trend, round(row[0].change_1m, 4), row[1].available
    ('rising', 0.0191, False)
    """
    f = "pairs_table"
    frame, _ = as_price_frame(close, "close", func=f)
    if isinstance(close, pd.Series):
        raise ParameterTypeError(f"{f}(): 'close' must be a DataFrame with a column per leg")
    pairs = [(str(a), str(b)) for a, b in pairs]
    if not pairs:
        raise ParameterError(f"{f}(): 'pairs' is empty")
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    usable = [p for p in pairs if p[0] in frame.columns and p[1] in frame.columns]
    statuses = (dict(zip(usable, ratio_table(frame, usable, as_of=day, strict=False,
                                             max_stale_days=max_stale_days), strict=True))
                if usable else {})
    out = []
    for a, b in pairs:
        if (a, b) not in statuses:
            absent = [t for t in (a, b) if t not in frame.columns]
            nan = float("nan")
            nan_status = RatioStatus(
                as_of=day, numerator=a, denominator=b, date=pd.NaT, value=nan,
                change_1m=nan, change_3m=nan, change_6m=nan, pct_vs_sma50=nan,
                pct_vs_sma200=nan, lowest_in_months=0, highest_in_months=0,
                lowest_since=None, highest_since=None)
            out.append(PairStatus(nan_status, None, np.nan, np.nan, False,
                                  f"no prices for {', '.join(absent)}"))
            continue
        s = statuses[(a, b)]
        if pd.isna(s.value):
            out.append(PairStatus(s, None, np.nan, np.nan, False,
                                  f"no ratio point within {max_stale_days} days of "
                                  f"{day:%Y-%m-%d}"))
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            s50 = s.value / (1.0 + s.pct_vs_sma50)
            s200 = s.value / (1.0 + s.pct_vs_sma200)
        out.append(PairStatus(s, trend_label(s.value, s50, s200), float(s50), float(s200)))
    return out


# -- stretches ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Stretch:
    """Best and worst k-day changes of a ratio line, ranked against its history.

    ``current``: change over the last ``days`` ratio rows to the date; ``current_best_since``
    / ``current_worst_since``: the last earlier date whose k-day change was at least /
    at most as large (None: the largest / smallest on record). ``best`` / ``worst``: the
    largest / smallest k-day change among the windows *ending* in the last
    ``lookback`` rows, ``best_end`` / ``worst_end`` the row it ends on, and
    ``best_since`` / ``worst_since`` the last date before that end with a k-day change
    at least / at most as large ("the best 5-day stretch since 2020-11-09"; None: on
    record). Changes are fractions.
    """

    days: int
    lookback: int
    date: pd.Timestamp
    current: float
    current_best_since: pd.Timestamp | None
    current_worst_since: pd.Timestamp | None
    best: float
    best_end: pd.Timestamp | None
    best_since: pd.Timestamp | None
    worst: float
    worst_end: pd.Timestamp | None
    worst_since: pd.Timestamp | None
    first_date: pd.Timestamp | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        def d(x: pd.Timestamp | None) -> str | None:
            return None if x is None or pd.isna(x) else x.strftime("%Y-%m-%d")

        return {"days": self.days, "lookback": self.lookback, "date": d(self.date),
                "current": f(self.current),
                "current_best_since": d(self.current_best_since),
                "current_worst_since": d(self.current_worst_since),
                "best": f(self.best), "best_end": d(self.best_end),
                "best_since": d(self.best_since), "worst": f(self.worst),
                "worst_end": d(self.worst_end), "worst_since": d(self.worst_since),
                "history_start": d(self.first_date), "text": self.text()}

    def text(self) -> str:
        def since(x: pd.Timestamp | None, first: pd.Timestamp | None) -> str:
            if x is None:
                return "on record" + (f" (since {first:%Y-%m-%d})" if first is not None else "")
            return f"since {x:%Y-%m-%d}"

        parts = []
        if not np.isnan(self.best):
            parts.append(f"best {self.days}-day stretch of the last {self.lookback} days "
                         f"{self.best * 100:+.1f}% to {self.best_end:%Y-%m-%d}, the best "
                         f"{since(self.best_since, self.first_date)}")
        if not np.isnan(self.worst):
            parts.append(f"worst {self.worst * 100:+.1f}% to {self.worst_end:%Y-%m-%d}, the "
                         f"worst {since(self.worst_since, self.first_date)}")
        return "; ".join(parts)


def ratio_stretches(ratio: pd.Series, days: Sequence[int] = (5, 10, 21), *,
                    lookback: int = 63, as_of: Any = None) -> tuple[Stretch, ...]:
    """Best and worst ``k``-day stretches of a ratio line, for each ``k`` in ``days``.

    Parameters
    ----------
    ratio : Series of a ratio line (NaN rows are not ratio points and are dropped).
    days : k values (ratio rows), each >= 1.
    lookback : rows searched for the best and worst stretch ending recently (63 = 3
        months); >= 1.
    as_of : date (default the last ratio point); rows after it are ignored.

    Returns
    -------
    tuple of Stretch, one per k (fields NaN/None when the line is shorter than k + 1).

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=8)
    >>> r = pd.Series([1.0, 1.1, 1.0, 0.9, 1.2, 1.1, 1.15, 1.1], index=idx)
    >>> s = ratio_stretches(r, [1], lookback=3)[0]
    >>> round(s.best, 4), s.best_end.date(), s.best_since
    (0.0455, datetime.date(2024, 1, 9), Timestamp('2024-01-05 00:00:00'))
    """
    f = "ratio_stretches"
    if not isinstance(ratio, pd.Series):
        raise ParameterTypeError(f"{f}(): 'ratio' must be a Series, got {type(ratio).__name__}")
    frame, _ = as_price_frame(ratio, "ratio", func=f)
    lookback = check_int(lookback, "lookback", minimum=1, func=f)
    ks = [check_int(k, "days", minimum=1, func=f) for k in days]
    s = frame.iloc[:, 0].dropna()
    if as_of is not None:
        s = s.loc[:check_date(as_of, "as_of", func=f)]
    if s.empty:
        raise NoDataError(f"{f}(): the ratio has no point"
                          + ("" if as_of is None else f" on or before {as_of}"))
    date = s.index[-1]
    out = []
    for k in ks:  # a few k, each vectorised over the whole line
        chg = s / shift_valid(s, k) - 1.0
        valid = chg.dropna()
        if valid.empty:
            out.append(Stretch(k, lookback, date, np.nan, None, None, np.nan, None, None,
                               np.nan, None, None, None))
            continue
        hi_since = extreme_since(valid, side="high")
        lo_since = extreme_since(valid, side="low")
        recent = valid.iloc[-lookback:]
        best_end = recent.idxmax()
        worst_end = recent.idxmin()

        def ts(x: Any) -> pd.Timestamp | None:
            return None if pd.isna(x) else pd.Timestamp(x)

        cur = float(chg.iloc[-1])
        out.append(Stretch(
            days=k, lookback=lookback, date=date, current=cur,
            current_best_since=ts(hi_since.iloc[-1]) if not np.isnan(cur) else None,
            current_worst_since=ts(lo_since.iloc[-1]) if not np.isnan(cur) else None,
            best=float(recent.loc[best_end]), best_end=best_end,
            best_since=ts(hi_since.loc[best_end]),
            worst=float(recent.loc[worst_end]), worst_end=worst_end,
            worst_since=ts(lo_since.loc[worst_end]), first_date=valid.index[0]))
    return tuple(out)


# -- bitcoin ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BitcoinCheck:
    """Bitcoin (an ETF such as IBIT) against the S&P 500 (SPY) as of a date.

    Drawdowns are measured over the common history (dates both have a close, from
    ``start``): ``*_drawdown`` the last close against the highest close so far,
    ``*_max_drawdown`` the deepest fall from a running peak (and its trough date).
    ``worst_10d`` the worst 10-day fall ending on the date
    (:func:`rotascope.signals.drawdown.worst_decline`). ``lead_lag`` is
    :func:`rotascope.signals.leadlag.best_lag` of daily returns (positive lag: bitcoin
    leads); ``peaks`` :func:`rotascope.signals.leadlag.peak_lag` over the last
    ``window`` rows (positive: bitcoin topped out first).
    """

    as_of: pd.Timestamp
    bitcoin: str
    benchmark: str
    start: pd.Timestamp
    bitcoin_drawdown: float
    benchmark_drawdown: float
    bitcoin_max_drawdown: float
    bitcoin_max_drawdown_date: pd.Timestamp | None
    benchmark_max_drawdown: float
    benchmark_max_drawdown_date: pd.Timestamp | None
    bitcoin_worst_10d: float
    benchmark_worst_10d: float
    lead_lag: Any
    peaks: Any

    def text(self) -> str:
        ll = self.lead_lag
        lead = "no lead-lag"
        if ll.lag is not None:
            who = (f"{self.bitcoin} leads by {ll.lag} days" if ll.lag > 0 else
                   f"{self.benchmark} leads by {-ll.lag} days" if ll.lag < 0 else
                   "they move together (lag 0)")
            lead = f"{who} (correlation {ll.correlation:.2f})"
        p = self.peaks
        peak = ""
        if p.lag_days is not None:
            peak = (f"; {self.bitcoin} peaked {p.a_peak_date:%Y-%m-%d}, {self.benchmark} "
                    f"{p.b_peak_date:%Y-%m-%d}")
        return (f"{self.bitcoin} is {-self.bitcoin_drawdown * 100:.1f}% below its high, "
                f"{self.benchmark} {-self.benchmark_drawdown * 100:.1f}% (highs since "
                f"{self.start:%Y-%m-%d}); {lead}{peak}.")

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        def d(x: pd.Timestamp | None) -> str | None:
            return None if x is None or pd.isna(x) else x.strftime("%Y-%m-%d")

        return {"as_of": d(self.as_of), "bitcoin": self.bitcoin, "benchmark": self.benchmark,
                "start": d(self.start), "bitcoin_drawdown": f(self.bitcoin_drawdown),
                "benchmark_drawdown": f(self.benchmark_drawdown),
                "bitcoin_max_drawdown": f(self.bitcoin_max_drawdown),
                "bitcoin_max_drawdown_date": d(self.bitcoin_max_drawdown_date),
                "benchmark_max_drawdown": f(self.benchmark_max_drawdown),
                "benchmark_max_drawdown_date": d(self.benchmark_max_drawdown_date),
                "bitcoin_worst_10d": f(self.bitcoin_worst_10d),
                "benchmark_worst_10d": f(self.benchmark_worst_10d),
                "lead_lag": self.lead_lag.to_dict(), "peaks": self.peaks.to_dict(),
                "text": self.text()}


def bitcoin_check(close: pd.DataFrame, bitcoin: str = "IBIT", benchmark: str = "SPY", *,
                  as_of: Any = None, max_lag: int = 10, window: int = 252) -> BitcoinCheck:
    """Drawdowns and lead-lag of ``bitcoin`` against ``benchmark`` as of a date.

    Parameters
    ----------
    close : DataFrame with both columns.
    bitcoin, benchmark : column names (default IBIT, SPY).
    as_of : date (default the last row); rows after it are ignored.
    max_lag : lags (trading days) tried by the lead-lag.
    window : rows of the peak-timing comparison (252 = one year).

    Returns
    -------
    BitcoinCheck

    Raises
    ------
    ParameterError
        A column is missing.
    DataError
        Fewer than 30 common closes up to ``as_of``.
    """
    from ..signals.drawdown import drawdown, worst_decline
    from ..signals.leadlag import best_lag, peak_lag

    f = "bitcoin_check"
    frame, _ = as_price_frame(close, "close", func=f)
    for t in (bitcoin, benchmark):
        if t not in frame.columns:
            raise ParameterError(f"{f}(): 'close' has no column {t!r}")
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    both = frame.loc[:day, [bitcoin, benchmark]].dropna()
    if len(both) < 30:
        raise DataError(f"{f}(): {bitcoin} and {benchmark} have {len(both)} common closes up "
                        f"to {day:%Y-%m-%d}; at least 30 are needed")
    dd = drawdown(both)
    wd = worst_decline(both, 10)
    lows = dd.idxmin()
    return BitcoinCheck(
        as_of=both.index[-1], bitcoin=bitcoin, benchmark=benchmark, start=both.index[0],
        bitcoin_drawdown=float(dd[bitcoin].iloc[-1]),
        benchmark_drawdown=float(dd[benchmark].iloc[-1]),
        bitcoin_max_drawdown=float(dd[bitcoin].min()), bitcoin_max_drawdown_date=lows[bitcoin],
        benchmark_max_drawdown=float(dd[benchmark].min()),
        benchmark_max_drawdown_date=lows[benchmark],
        bitcoin_worst_10d=float(wd[bitcoin].iloc[-1]),
        benchmark_worst_10d=float(wd[benchmark].iloc[-1]),
        lead_lag=best_lag(both[bitcoin], both[benchmark], max_lag),
        peaks=peak_lag(both[bitcoin], both[benchmark], window))
