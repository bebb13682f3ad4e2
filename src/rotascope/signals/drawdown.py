"""Declines and recoveries: drawdown, the worst fall within k days, rebound quality.

Definitions (rows are the ticker's own trading rows; a NaN close is a gap that outputs
NaN and never enters a window):

``drawdown``       close / running peak - 1, the peak being the highest close so far
                   (<= 0; 0 on a new high). No warm-up.
``worst_decline``  at row t, the worst close-to-later-close fall inside the trailing
                   window of ``window`` daily *returns*, i.e. the last ``window + 1``
                   closes: min over i <= j of close[j] / close[i] - 1 (<= 0). "Down 25%
                   in two weeks" is ``worst_decline(close, 10) <= -0.25``. The first
                   ``window`` rows are NaN (warm-up).
``rebound``        the latest decline of at least ``min_decline`` and how much of it is
                   back, read like a zigzag with that threshold (see :func:`rebound`):
                   ``retraced`` = (close - trough) / (peak - trough) in [0, 1) and
                   ``days`` = rows since the trough, while the trough is within the last
                   ``window`` rows; NaN when no decline is pending.
``rebound_shape``  a label per row: "V-shaped" (retraced >= 0.75 within 63 rows of the
                   trough), "slow recovery" (retraced >= 0.75, later), "weak bounce"
                   (retraced < 0.382 at least 21 rows after the trough), "in progress"
                   (anything else with a pending decline), None (no pending decline).

Percentage falls are undefined for non-positive levels (a negative yield): rows whose
close is <= 0 are treated like missing rows (NaN output, skipped by windows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._typing import PriceFrame
from .._validation import check_float, check_int
from ..errors import ParameterError, ParameterTypeError
from . import _pattern_kernels as _k
from ._frame import prepare

__all__ = ["drawdown", "worst_decline", "rebound", "rebound_shape", "Rebound",
           "REBOUND_SHAPES"]

#: Labels returned by :func:`rebound_shape`, best to worst.
REBOUND_SHAPES = ("V-shaped", "slow recovery", "in progress", "weak bounce")


def drawdown(close: PriceFrame) -> PriceFrame:
    """Fall from the running peak: close / highest close so far - 1.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.

    Returns
    -------
    Same type, index and columns as ``close``: values in [-1, 0], 0 on a new high. NaN
    where the close is NaN or <= 0; no warm-up (the first close is its own peak).

    Notes
    -----
    ``drawdown[t] = close[t] / max(close[0..t]) - 1`` over the ticker's valid rows.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=5)
    >>> drawdown(pd.Series([100.0, 120.0, 90.0, 108.0, 130.0], index=idx)).round(3).tolist()
    [0.0, 0.0, -0.25, -0.1, 0.0]
    """
    a, wrap = prepare(close, "drawdown")
    out = _k.alloc(a.shape)
    _k.drawdown_2d(a, out)
    return wrap(out)


def worst_decline(close: PriceFrame, window: int = 10) -> PriceFrame:
    """Worst peak-to-trough fall inside a trailing window of ``window`` daily returns.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 10
        Number of daily returns the window spans (>= 1); it holds ``window + 1``
        closes. 10 is two trading weeks.

    Returns
    -------
    Same type, index and columns as ``close``: the most negative ``close[j] / close[i]
    - 1`` over ``i <= j`` among the last ``window + 1`` closes (0 if the window only
    rose). The first ``window`` valid rows of each ticker are NaN (warm-up); NaN where
    the close is NaN or <= 0.

    Notes
    -----
    Computed in O(rows) per ticker by a compiled kernel (block prefix/suffix of the
    aggregate (max, min, worst ratio)); equals the O(window^2) brute force.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=6)
    >>> s = pd.Series([100.0, 110.0, 99.0, 88.0, 95.0, 96.0], index=idx)
    >>> worst_decline(s, 2).round(4).tolist()
    [nan, nan, -0.1, -0.2, -0.1111, 0.0]
    """
    a, wrap = prepare(close, "worst_decline")
    window = check_int(window, "window", minimum=1, func="worst_decline")
    out = _k.alloc(a.shape)
    _k.worst_decline_2d(a, window, out)
    return wrap(out)


@dataclass(frozen=True)
class Rebound:
    """Result of :func:`rebound`; every field has the caller's type, index and columns.

    Attributes
    ----------
    retraced : share of the fall from ``peak`` to ``trough`` recovered by the close, in
        [0, 1); NaN when no decline of at least ``min_decline`` is pending (or its
        trough is more than ``window`` rows old).
    days : rows since the trough (0 on the trough itself); NaN likewise.
    decline : trough / peak - 1 (<= -min_decline); NaN likewise.
    peak, trough : the two closes; NaN likewise.
    peak_date, trough_date : their dates (datetime64); NaT likewise.
    window, min_decline : the parameters used.
    """

    retraced: PriceFrame
    days: PriceFrame
    decline: PriceFrame
    peak: PriceFrame
    trough: PriceFrame
    peak_date: PriceFrame
    trough_date: PriceFrame
    window: int
    min_decline: float

    def shape(self, **thresholds: Any) -> PriceFrame:
        """:func:`rebound_shape` of this result (keywords are its thresholds)."""
        return rebound_shape(self, **thresholds)

    def to_frame(self) -> pd.DataFrame:
        """The fields side by side (Series input) or stacked by ticker (DataFrame input)."""
        fields = ("retraced", "days", "decline", "peak", "trough", "peak_date", "trough_date")
        if isinstance(self.retraced, pd.Series):
            return pd.DataFrame({f: getattr(self, f) for f in fields})
        return pd.concat({f: getattr(self, f).stack(future_stack=True) for f in fields},
                         axis=1)


def rebound(close: PriceFrame, *, window: int = 252, min_decline: float = 0.10) -> Rebound:
    """How much of the latest decline is back, and how fast.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 252
        Rows (>= 2) a rebound is followed after its trough; older troughs give NaN.
    min_decline : float, default 0.10
        Smallest fall (fraction, in (0, 1)) from peak to trough that counts as a decline.

    Returns
    -------
    Rebound
        Frozen dataclass of same-shaped frames (see its attributes).

    Notes
    -----
    One pass per ticker over its usable closes, with ``d = min_decline``:

    * the **peak** follows every close at or above it while no decline is pending (so
      it is the latest highest close);
    * a **decline** becomes pending at the first close <= (1 - d) x peak; its
      **trough** is the lowest close since (first row on ties);
    * a close back at or above the peak ends the decline (fully recovered: NaN);
    * a **new decline** replaces it when, after a bounce that rose at least d above
      the trough (highest close since the trough >= (1 + d) x trough), the close falls
      to (1 - d) x that bounce high or lower: the bounce high becomes the peak and the
      close the trough. A smaller bounce followed by a new low extends the old decline.

    While a decline is pending and its trough is within the last ``window`` rows:
    ``retraced = (close - trough) / (peak - trough)``, ``days`` = rows since the
    trough, ``decline = trough / peak - 1``. Thresholds are compared multiplicatively,
    so an exact 10% fall counts despite rounding. Row t uses rows <= t only.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=6)
    >>> s = pd.Series([100.0, 80.0, 70.0, 85.0, 91.0, 101.0], index=idx)
    >>> r = rebound(s, window=5)
    >>> r.retraced.round(2).tolist(), r.days.tolist()
    ([nan, 0.0, 0.0, 0.5, 0.7, nan], [nan, 0.0, 0.0, 1.0, 2.0, nan])
    """
    a, wrap = prepare(close, "rebound")
    window = check_int(window, "window", minimum=2, func="rebound")
    min_decline = check_float(min_decline, "min_decline", minimum=0.0, maximum=1.0,
                              func="rebound")
    if not 0.0 < min_decline < 1.0:
        raise ParameterError(f"rebound(): 'min_decline' must be a fraction in (0, 1), "
                             f"e.g. 0.10 for a 10% fall; got {min_decline}")
    index = close.index
    retraced, days, decline, peak, trough = (_k.alloc(a.shape) for _ in range(5))
    peak_date, trough_date = (_k.alloc(a.shape, np.int64) for _ in range(2))
    _k.rebound_2d(a, _k.date_values(index), window, min_decline, retraced, days, decline,
                  peak, trough, peak_date, trough_date)
    return Rebound(
        retraced=wrap(retraced), days=wrap(days), decline=wrap(decline),
        peak=wrap(peak), trough=wrap(trough),
        peak_date=wrap(_k.as_dates(peak_date, index)),
        trough_date=wrap(_k.as_dates(trough_date, index)),
        window=window, min_decline=min_decline)


def rebound_shape(result: Rebound, *, v_retraced: float = 0.75, v_days: int = 63,
                  weak_retraced: float = 0.382, weak_days: int = 21) -> PriceFrame:
    """Label each row's rebound: V-shaped, slow recovery, in progress or weak bounce.

    Parameters
    ----------
    result : Rebound
        Output of :func:`rebound`.
    v_retraced : float, default 0.75
        Share of the fall that must be back for a recovery ("V-shaped" or "slow").
    v_days : int, default 63
        Most rows since the trough for a recovery to count as "V-shaped" (3 months).
    weak_retraced : float, default 0.382
        A bounce that has retraced less than this (the 38.2% Fibonacci level) ...
    weak_days : int, default 21
        ... at least this many rows (1 month) after the trough is a "weak bounce".

    Returns
    -------
    Same type, index and columns as the result's fields, object dtype: one of
    :data:`REBOUND_SHAPES`, or None where there is no pending decline.

    Notes
    -----
    ``V-shaped``: retraced >= v_retraced and days <= v_days. ``slow recovery``:
    retraced >= v_retraced and days > v_days. ``weak bounce``: retraced <
    weak_retraced and days >= weak_days. ``in progress``: any other pending decline
    (too early to tell, or between the thresholds).

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=6)
    >>> s = pd.Series([100.0, 80.0, 70.0, 85.0, 95.0, 101.0], index=idx)
    >>> rebound_shape(rebound(s, window=5), v_days=5).tolist()
    [None, 'in progress', 'in progress', 'in progress', 'V-shaped', None]
    """
    if not isinstance(result, Rebound):
        raise ParameterTypeError("rebound_shape(): 'result' must be the Rebound returned by "
                                 f"rebound(), got {type(result).__name__}")
    v_retraced = check_float(v_retraced, "v_retraced", minimum=0.0, maximum=1.0,
                             func="rebound_shape")
    weak_retraced = check_float(weak_retraced, "weak_retraced", minimum=0.0, maximum=1.0,
                                func="rebound_shape")
    v_days = check_int(v_days, "v_days", minimum=0, func="rebound_shape")
    weak_days = check_int(weak_days, "weak_days", minimum=0, func="rebound_shape")
    r = np.asarray(result.retraced.to_numpy(), dtype=np.float64)
    d = np.asarray(result.days.to_numpy(), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        conds = [np.isnan(r),
                 (r >= v_retraced) & (d <= v_days),
                 r >= v_retraced,
                 (r < weak_retraced) & (d >= weak_days)]
    labels = np.full(r.shape, REBOUND_SHAPES[2], dtype=object)
    # Later assignments win: weakest first, then recoveries, then "no decline".
    labels[conds[3]] = REBOUND_SHAPES[3]
    labels[conds[2]] = REBOUND_SHAPES[1]
    labels[conds[1]] = REBOUND_SHAPES[0]
    labels[conds[0]] = None
    like = result.retraced
    if isinstance(like, pd.Series):
        return pd.Series(labels, index=like.index, name=like.name, dtype=object)
    return pd.DataFrame(labels, index=like.index, columns=like.columns, dtype=object)
