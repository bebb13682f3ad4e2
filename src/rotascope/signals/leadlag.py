"""Lead-lag between two series: cross-correlation of daily returns, and peak timing.

Sign convention, everywhere in this module: **a positive lag means ``a`` leads ``b``**.

``cross_correlation``
    Pearson correlation of ``a``'s daily return at t with ``b``'s daily return at
    t + lag, for lag in -max_lag..+max_lag. Returns are taken on the dates *both*
    series have a close (an inner join, so both returns span the same interval;
    nothing is filled), and lags count those joint rows. A lag with fewer than
    ``min_periods`` pairs is NaN.
``best_lag``
    The lag with the highest correlation (or highest absolute correlation); ties go to
    the smallest |lag|, then to the positive one.
``peak_lag``
    Within the last ``window`` rows of the union of both calendars, the date of each
    series' highest close (its first row on ties) and the gap between them: positive
    when ``a`` topped out first ("does bitcoin top out before the S&P 500?").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .._typing import PriceFrame
from .._validation import as_price_frame, check_choice, check_int
from ..errors import DataError, ParameterTypeError
from . import _pattern_kernels as _k

__all__ = ["cross_correlation", "best_lag", "peak_lag", "BestLag", "PeakLag"]

Changes = Literal["pct", "diff"]


def _joint_returns(a: pd.Series, b: PriceFrame, changes: str, func: str
                   ) -> tuple[np.ndarray, np.ndarray, pd.Index, bool]:
    """Per column of ``b``: a's and b's returns on their joint dates, packed to the top.

    Returns two (rows x columns) arrays, NaN-padded at the bottom, row i of a column
    being the i-th joint return of that pair.
    """
    if not isinstance(a, pd.Series):
        raise ParameterTypeError(f"{func}(): 'a' must be a Series (one ticker), got "
                                 f"{type(a).__name__}; pass the many-ticker side as 'b'")
    fa, _ = as_price_frame(a, "a", func=func)
    fb, _ = as_price_frame(b, "b", func=func)
    index = fa.index.union(fb.index)
    av = fa.reindex(index).to_numpy(dtype=np.float64)
    bv = fb.reindex(index).to_numpy(dtype=np.float64)
    av = np.broadcast_to(av, bv.shape)
    if changes == "pct":
        with np.errstate(invalid="ignore"):
            usable = (av > 0) & (bv > 0)
    else:
        usable = ~np.isnan(av) & ~np.isnan(bv)
    # pack each column's joint rows to the top (stable: keeps date order)
    order = np.argsort(~usable, axis=0, kind="stable")
    count = usable.sum(axis=0)
    rows = np.arange(usable.shape[0])[:, None]
    keep = rows < count[None, :]
    pa = np.where(keep, np.take_along_axis(av, order, axis=0), np.nan)
    pb = np.where(keep, np.take_along_axis(bv, order, axis=0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if changes == "pct":
            ra, rb = pa[1:] / pa[:-1] - 1.0, pb[1:] / pb[:-1] - 1.0
        else:
            ra, rb = pa[1:] - pa[:-1], pb[1:] - pb[:-1]
    return ra, rb, fb.columns, isinstance(b, pd.Series)


def _lagged_corr(ra: np.ndarray, rb: np.ndarray, lag: int, min_periods: int) -> np.ndarray:
    n = ra.shape[0]
    if abs(lag) >= n:
        return np.full(ra.shape[1], np.nan)
    if lag >= 0:
        x, y = ra[: n - lag], rb[lag:]
    else:
        x, y = ra[-lag:], rb[: n + lag]
    ok = ~np.isnan(x) & ~np.isnan(y)
    cnt = ok.sum(axis=0)
    x = np.where(ok, x, 0.0)
    y = np.where(ok, y, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = x.sum(axis=0) / cnt
        my = y.sum(axis=0) / cnt
        dx = np.where(ok, x - mx, 0.0)
        dy = np.where(ok, y - my, 0.0)
        corr = (dx * dy).sum(axis=0) / np.sqrt((dx * dx).sum(axis=0) * (dy * dy).sum(axis=0))
    corr[cnt < min_periods] = np.nan
    return corr


def cross_correlation(a: pd.Series, b: PriceFrame, max_lag: int = 60, *,
                      min_periods: int = 20, changes: Changes = "pct") -> PriceFrame:
    """Correlation of a's daily return with b's return ``lag`` rows later.

    Parameters
    ----------
    a : Series
        Closes of the (possible) leader, sorted unique DatetimeIndex.
    b : Series or DataFrame
        Closes of the other series, or of many tickers (one column each).
    max_lag : int, default 60
        Lags -max_lag..+max_lag (joint trading rows); >= 0.
    min_periods : int, default 20
        Fewest return pairs a lag needs, else NaN; >= 3.
    changes : {"pct", "diff"}, default "pct"
        Daily simple returns (prices; closes <= 0 are not usable) or differences
        (yields such as ^TNX, quoted in percent).

    Returns
    -------
    Series (``b`` a Series) or DataFrame (columns of ``b``) indexed by ``lag`` (int,
    -max_lag..max_lag). Positive lag = a leads b: ``corr(ra[t], rb[t + lag])``.

    Raises
    ------
    ParameterTypeError
        ``a`` is not a Series.

    Examples
    --------
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> r = np.random.default_rng(0).normal(0, 0.01, 300)
    >>> a = pd.Series(100 * np.cumprod(1 + r), index=idx)
    >>> b = pd.Series(100 * np.cumprod(1 + np.roll(r, 3)), index=idx)  # b follows a by 3 days
    >>> cc = cross_correlation(a, b, 5)
    >>> int(cc.idxmax()), round(float(cc.loc[3]), 2)
    (3, 1.0)
    """
    f = "cross_correlation"
    max_lag = check_int(max_lag, "max_lag", minimum=0, func=f)
    min_periods = check_int(min_periods, "min_periods", minimum=3, func=f)
    changes = check_choice(changes, "changes", ("pct", "diff"), func=f)
    ra, rb, columns, is_series = _joint_returns(a, b, changes, f)
    lags = np.arange(-max_lag, max_lag + 1)
    # one vectorised correlation (over all columns) per lag
    values = np.vstack([_lagged_corr(ra, rb, int(k), min_periods) for k in lags]) \
        if len(lags) else np.empty((0, len(columns)))
    index = pd.Index(lags, name="lag")
    if is_series:
        return pd.Series(values[:, 0], index=index, name=b.name)
    return pd.DataFrame(values, index=index, columns=columns)


@dataclass(frozen=True)
class BestLag:
    """The lag with the highest correlation (positive lag = a leads b)."""

    lag: int | None
    correlation: float
    zero_lag_correlation: float
    max_lag: int

    def to_dict(self) -> dict:
        return {"lag": self.lag, "correlation": self.correlation,
                "zero_lag_correlation": self.zero_lag_correlation, "max_lag": self.max_lag}


def best_lag(a: pd.Series, b: PriceFrame, max_lag: int = 60, *, min_periods: int = 20,
             absolute: bool = False, changes: Changes = "pct") -> BestLag | pd.DataFrame:
    """The lag (-max_lag..max_lag) at which a's returns best match b's later returns.

    Parameters
    ----------
    a, b, max_lag, min_periods, changes : as for :func:`cross_correlation`.
    absolute : bool, default False
        Rank lags by |correlation| (an inverse lead also counts) instead of correlation.

    Returns
    -------
    BestLag for a Series ``b`` (``lag`` None and NaN correlations when no lag has
    ``min_periods`` pairs); for a DataFrame ``b`` a DataFrame indexed by its columns
    with columns ``lag`` (float, NaN when undefined), ``correlation``,
    ``zero_lag_correlation``.

    Examples
    --------
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> r = np.random.default_rng(1).normal(0, 0.01, 300)
    >>> a = pd.Series(100 * np.cumprod(1 + r), index=idx)
    >>> b = pd.Series(100 * np.cumprod(1 + np.roll(r, -2)), index=idx)  # b moves 2 days early
    >>> best_lag(a, b, 10).lag
    -2
    """
    cc = cross_correlation(a, b, max_lag, min_periods=min_periods, changes=changes)
    frame = cc.to_frame() if isinstance(cc, pd.Series) else cc
    lags = frame.index.to_numpy()
    # preference order for ties: |lag| ascending, positive before negative
    pref = np.lexsort((-np.sign(lags), np.abs(lags)))
    vals = frame.to_numpy()[pref]
    score = np.abs(vals) if absolute else vals
    filled = np.where(np.isnan(score), -np.inf, score)
    pick = np.argmax(filled, axis=0)
    cols = np.arange(vals.shape[1])
    has = ~np.isnan(score).all(axis=0)
    lag = np.where(has, lags[pref][pick], np.nan) if len(lags) else np.full(len(cols), np.nan)
    corr = np.where(has, vals[pick, cols], np.nan) if len(lags) else lag
    zero = frame.loc[0].to_numpy() if 0 in frame.index else np.full(len(cols), np.nan)
    if isinstance(cc, pd.Series):
        return BestLag(lag=int(lag[0]) if has[0] else None, correlation=float(corr[0]),
                       zero_lag_correlation=float(zero[0]), max_lag=int(lags.max()))
    return pd.DataFrame({"lag": lag, "correlation": corr, "zero_lag_correlation": zero},
                        index=frame.columns)


@dataclass(frozen=True)
class PeakLag:
    """Peak timing of two series within a window (positive lag = a topped out first).

    ``lag_days`` are calendar days from a's peak to b's, ``lag_rows`` rows of the union
    of both calendars; ``a_drawdown``/``b_drawdown`` the last close in the window
    relative to the peak (0 while still at the high).
    """

    a_peak_date: pd.Timestamp | None
    b_peak_date: pd.Timestamp | None
    a_peak: float
    b_peak: float
    lag_days: int | None
    lag_rows: int | None
    a_drawdown: float
    b_drawdown: float
    start: pd.Timestamp | None
    end: pd.Timestamp | None

    def to_dict(self) -> dict:
        def d(x: pd.Timestamp | None) -> str | None:
            return None if x is None else x.strftime("%Y-%m-%d")

        return {"a_peak_date": d(self.a_peak_date), "b_peak_date": d(self.b_peak_date),
                "a_peak": self.a_peak, "b_peak": self.b_peak, "lag_days": self.lag_days,
                "lag_rows": self.lag_rows, "a_drawdown": self.a_drawdown,
                "b_drawdown": self.b_drawdown, "start": d(self.start), "end": d(self.end)}


def peak_lag(a: pd.Series, b: pd.Series, window: int = 252) -> PeakLag:
    """When did each series top out within the last ``window`` rows, and how far apart?

    Parameters
    ----------
    a, b : Series
        Closes on sorted, unique DatetimeIndexes (calendars may differ).
    window : int, default 252
        Rows of the union of both calendars, ending at its last date; >= 2.

    Returns
    -------
    PeakLag
        Positive ``lag_days`` / ``lag_rows``: a peaked before b.

    Raises
    ------
    DataError
        One of the series has no close inside the window.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=10)
    >>> a = pd.Series([1.0, 2, 5, 4, 3, 3, 2, 2, 1, 1], index=idx)
    >>> b = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 5, 4, 3], index=idx)
    >>> p = peak_lag(a, b, window=10)
    >>> p.lag_rows, p.lag_days, p.a_peak_date.date()
    (4, 6, datetime.date(2024, 1, 3))
    """
    f = "peak_lag"
    for name, s in (("a", a), ("b", b)):
        if not isinstance(s, pd.Series):
            raise ParameterTypeError(f"{f}(): {name!r} must be a Series, got {type(s).__name__}")
    fa, _ = as_price_frame(a, "a", func=f)
    fb, _ = as_price_frame(b, "b", func=f)
    window = check_int(window, "window", minimum=2, func=f)
    index = fa.index.union(fb.index)[-window:]
    both = pd.concat([fa.reindex(index).iloc[:, 0], fb.reindex(index).iloc[:, 0]], axis=1)
    v = both.to_numpy(dtype=np.float64)
    empty = np.isnan(v).all(axis=0)
    if len(index) == 0:
        raise DataError(f"{f}(): 'a' and 'b' are empty; pass closes up to the analysis date")
    if empty.any():
        who = " and ".join(repr(n) for n, e in zip(("a", "b"), empty, strict=True) if e)
        raise DataError(f"{f}(): {who} has no close in the last {window} rows "
                        f"({index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d}); widen 'window'")
    pos = np.nanargmax(v, axis=0)  # first row of the maximum
    peaks = v[pos, [0, 1]]
    last = _k.values_at_rows(both, _k.last_valid_rows(~np.isnan(v), index, None))
    dates = index[pos]
    return PeakLag(a_peak_date=dates[0], b_peak_date=dates[1], a_peak=float(peaks[0]),
                   b_peak=float(peaks[1]), lag_days=int((dates[1] - dates[0]).days),
                   lag_rows=int(pos[1] - pos[0]),
                   a_drawdown=float(last[0] / peaks[0] - 1.0),
                   b_drawdown=float(last[1] / peaks[1] - 1.0),
                   start=index[0], end=index[-1])
