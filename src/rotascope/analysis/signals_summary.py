"""One ticker (or ratio line) read like a chart, as of a date: the ``rotascope signals`` data.

Everything is computed over the series' own rows up to ``as_of`` (rows after it are
dropped first), with the library's signal definitions and their default parameters:

=============================== =================================================
``close``                       last close (or ratio A/B) on or before ``as_of``
``sma["20"|"50"|"100"|"200"]``  simple moving averages (:func:`~rotascope.signals.sma`)
``pct_vs_sma[...]``             close / sma - 1
``sma_slope_20d[...]``          sma[t] / sma[t - 20] - 1 (:func:`~rotascope.signals.ma_slope`)
``rsi14``                       Wilder RSI(14)
``rsi_divergence``              "bearish" / "bullish" / None on the last two confirmed
                                swings (5/5 rows, within 60 rows), see
                                :mod:`rotascope.signals.divergence`
``rsi_lower_highs_lower_lows``  RSI lower highs and lower lows with the price within 5%
                                of its 60-row high
``range``                       the sideways range (4% band, >= 30 closes) the close is
                                in, or None: start, floor, ceiling, days
``drawdown``                    close / running peak - 1 (the peak over all loaded rows)
``worst_decline_10d``           worst fall within the last 10 daily returns
``rebound``                     share of the latest >= 10% fall retraced (zigzag reading,
                                trough within 252 rows) and rows since its trough; None
                                without one
=============================== =================================================

A ratio ``A/B`` is A's close divided by B's on the dates both have one (nothing is
filled), then treated like any series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._typing import DateLike
from .._validation import as_price_frame, check_date, check_int
from ..errors import NoDataError, ParameterError
from ..signals import ma_slope, pct_vs_ma, rsi, sma
from ..signals.divergence import DIVERGENCE_LABELS, rsi_divergence, rsi_lower_highs_lower_lows
from ..signals.drawdown import drawdown, rebound, rebound_shape, worst_decline
from ..signals.ranges import detect_range
from .perf import MAX_STALE_DAYS
from .ratio import parse_pair, ratio_matrix

__all__ = ["SignalsSummary", "SMA_WINDOWS", "signals_summary", "signal_series",
           "split_ticker"]

#: Moving-average windows reported (rows).
SMA_WINDOWS = (20, 50, 100, 200)
#: Rows over which each average's slope is measured.
SLOPE_ROWS = 20


@dataclass(frozen=True)
class RangeInfo:
    """The sideways range a series is in on the summary date."""

    start: pd.Timestamp
    floor: float
    ceiling: float
    days: int

    def to_dict(self) -> dict:
        return {"start": self.start.strftime("%Y-%m-%d"), "floor": self.floor,
                "ceiling": self.ceiling, "days": self.days}


@dataclass(frozen=True)
class ReboundInfo:
    """How much of the latest qualifying fall is back (``shape`` is for display only)."""

    retraced: float
    days: int
    decline: float
    peak_date: pd.Timestamp
    trough_date: pd.Timestamp
    shape: str | None

    def to_dict(self) -> dict:
        return {"retraced": self.retraced, "days": self.days}


@dataclass(frozen=True)
class SignalsSummary:
    """Chart-reading summary of one series on one date (fractions, not percent).

    ``date`` is the series' own last row used (<= ``as_of``); ``rows`` how many rows the
    history held. :meth:`to_dict` gives exactly the documented JSON keys.
    """

    as_of: pd.Timestamp
    ticker: str
    date: pd.Timestamp
    rows: int
    close: float
    sma: dict[str, float]
    pct_vs_sma: dict[str, float]
    sma_slope_20d: dict[str, float]
    rsi14: float
    rsi_divergence: str | None
    rsi_lower_highs_lower_lows: bool
    range: RangeInfo | None
    drawdown: float
    worst_decline_10d: float
    rebound: ReboundInfo | None
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        def f(x: float) -> float | None:
            return None if x is None or not np.isfinite(x) else float(x)

        def fd(d: dict[str, float]) -> dict[str, float | None]:
            return {k: f(v) for k, v in d.items()}

        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "ticker": self.ticker,
            "close": f(self.close),
            "sma": fd(self.sma),
            "pct_vs_sma": fd(self.pct_vs_sma),
            "sma_slope_20d": fd(self.sma_slope_20d),
            "rsi14": f(self.rsi14),
            "rsi_divergence": self.rsi_divergence,
            "rsi_lower_highs_lower_lows": bool(self.rsi_lower_highs_lower_lows),
            "range": None if self.range is None else self.range.to_dict(),
            "drawdown": f(self.drawdown),
            "worst_decline_10d": f(self.worst_decline_10d),
            "rebound": None if self.rebound is None else self.rebound.to_dict(),
        }


def split_ticker(text: str) -> tuple[str, ...]:
    """``"spy"`` -> ``("SPY",)``; ``"mags/spy"`` -> ``("MAGS", "SPY")`` (a ratio)."""
    text = str(text).strip()
    if "/" in text:
        return parse_pair(text)
    if not text:
        raise ParameterError("signals_summary(): 'ticker' is empty; pass e.g. SPY or MAGS/SPY")
    return (text.upper(),)


def signal_series(close: pd.DataFrame, ticker: str, *, as_of: DateLike | None = None
                  ) -> pd.Series:
    """The series a summary reads: a column, or the ratio ``A/B`` on common dates.

    Rows after ``as_of`` and NaN rows are dropped; the Series is named ``ticker``
    (normalised, e.g. ``"MAGS/SPY"``).
    """
    frame, _ = as_price_frame(close, "close", func="signal_series")
    legs = split_ticker(ticker)
    missing = [t for t in legs if t not in frame.columns]
    if missing:
        raise ParameterError(f"signal_series(): 'close' has no column for {', '.join(missing)}")
    if as_of is not None:
        frame = frame.loc[:check_date(as_of, "as_of", func="signal_series")]
    s = ratio_matrix(frame, [legs]).iloc[:, 0] if len(legs) == 2 else frame[legs[0]]
    return s.dropna().rename("/".join(legs))


def _last(x: pd.Series) -> float:
    return float(x.iloc[-1])


def signals_summary(close: pd.DataFrame | pd.Series, ticker: str | None = None, *,
                    as_of: DateLike | None = None,
                    max_stale_days: int = MAX_STALE_DAYS) -> SignalsSummary:
    """Read one ticker or ratio like a chart, as of a date.

    Parameters
    ----------
    close : DataFrame or Series
        Closes up to (at least) ``as_of``: the ticker's column, or both legs of a
        ratio; a Series is the series itself (``ticker`` defaults to its name).
    ticker : str, optional
        ``"SPY"`` or ``"MAGS/SPY"``.
    as_of : date-like, optional
        Analysis date (default: the last row). Rows after it are ignored.
    max_stale_days : int, default 7
        Calendar days the series' last close may precede ``as_of``.

    Returns
    -------
    SignalsSummary

    Raises
    ------
    NoDataError
        No close on or before ``as_of``, or the last one is more than
        ``max_stale_days`` older.
    ParameterError
        A leg of ``ticker`` is not a column of ``close``.

    Examples
    --------
    >>> idx = pd.bdate_range("2023-01-02", periods=260)
    >>> close = pd.DataFrame({"A": np.linspace(50, 100, 260), "B": 50.0}, index=idx)
    >>> s = signals_summary(close, "A/B")
    >>> s.ticker, round(s.close, 3), s.drawdown, s.range
    ('A/B', 2.0, 0.0, None)
    """
    max_stale_days = check_int(max_stale_days, "max_stale_days", minimum=0,
                               func="signals_summary")
    if isinstance(close, pd.Series):
        as_price_frame(close, "close", func="signals_summary")
        label = ticker if ticker is not None else str(close.name)
        s = close if as_of is None else close.loc[:check_date(as_of, "as_of",
                                                              func="signals_summary")]
        s = s.astype(np.float64).dropna().rename(label)
    else:
        if ticker is None:
            raise ParameterError("signals_summary(): pass 'ticker' (e.g. SPY or MAGS/SPY) "
                                 "with a DataFrame of closes")
        s = signal_series(close, ticker, as_of=as_of)
    name = str(s.name)
    as_of_ts = (check_date(as_of, "as_of", func="signals_summary") if as_of is not None
                else (s.index[-1] if len(s) else None))
    if s.empty:
        raise NoDataError(f"signals_summary(): {name} has no close on or before "
                          f"{'the data end' if as_of_ts is None else f'{as_of_ts:%Y-%m-%d}'}")
    last = s.index[-1]
    if (as_of_ts - last).days > max_stale_days:
        raise NoDataError(f"signals_summary(): {name}'s last close is {last:%Y-%m-%d}, more "
                          f"than {max_stale_days} days before {as_of_ts:%Y-%m-%d}; pass "
                          f"--as-of {last:%Y-%m-%d} to read it then")
    warnings = []
    if last != as_of_ts:
        warnings.append(f"{name}: last close {last:%Y-%m-%d}, before {as_of_ts:%Y-%m-%d}")

    keys = [str(w) for w in SMA_WINDOWS]
    rsi14 = rsi(s, 14)
    rng = detect_range(s)
    reb = rebound(s)
    div = _last(rsi_divergence(s, rsi14))
    in_range = bool(rng.in_range.iloc[-1])
    has_rebound = bool(np.isfinite(reb.retraced.iloc[-1]))
    return SignalsSummary(
        as_of=as_of_ts, ticker=name, date=last, rows=len(s), close=_last(s),
        sma={k: _last(sma(s, w)) for k, w in zip(keys, SMA_WINDOWS, strict=True)},
        pct_vs_sma={k: _last(pct_vs_ma(s, w)) for k, w in zip(keys, SMA_WINDOWS, strict=True)},
        sma_slope_20d={k: _last(ma_slope(s, w, SLOPE_ROWS))
                       for k, w in zip(keys, SMA_WINDOWS, strict=True)},
        rsi14=_last(rsi14),
        rsi_divergence=DIVERGENCE_LABELS.get(div),
        rsi_lower_highs_lower_lows=bool(rsi_lower_highs_lower_lows(s, rsi14).iloc[-1]),
        range=RangeInfo(start=pd.Timestamp(rng.start.iloc[-1]), floor=_last(rng.floor),
                        ceiling=_last(rng.ceiling), days=int(rng.days.iloc[-1]))
        if in_range else None,
        drawdown=_last(drawdown(s)),
        worst_decline_10d=_last(worst_decline(s, 10)),
        rebound=ReboundInfo(retraced=_last(reb.retraced), days=int(reb.days.iloc[-1]),
                            decline=_last(reb.decline),
                            peak_date=pd.Timestamp(reb.peak_date.iloc[-1]),
                            trough_date=pd.Timestamp(reb.trough_date.iloc[-1]),
                            shape=rebound_shape(reb).iloc[-1])
        if has_rebound else None,
        warnings=tuple(warnings))
