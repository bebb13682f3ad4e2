"""Sideways markets: trading ranges, their floor and ceiling, and breaks through them.

Definitions (rows are the ticker's own valid rows; NaN rows are gaps):

* At row t the **band** is the *longest* trailing run of closes ``close[s..t]`` whose
  ``max / min - 1 <= width``, tested as ``max <= (1 + width) * min`` so that an exact
  4% band counts despite rounding. Its length ``t - s + 1`` counts closes (trading days).
* The ticker is **in a range** at t when that band holds at least ``min_days`` closes.
  The range's ``start`` is the date of row s, its ``floor`` the band's lowest close and
  its ``ceiling`` the highest ("the line in the sand"), ``days`` its length.
* A **breakout** (+1) at row t: the ticker was in a range at its previous valid row and
  the close at t is above that range's ceiling by more than ``margin`` (fraction); a
  **breakdown** (-1): below its floor by more than ``margin``. A close that pierces the
  line but stays within ``width`` of the rest of the band may extend the range; it is
  still reported as a break of the previous row's line.

Everything at row t reads rows <= t. Levels <= 0 have no percentage band and are
treated like missing rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._typing import PriceFrame
from .._validation import check_float, check_int
from . import _pattern_kernels as _k
from ._frame import prepare

__all__ = ["RangeState", "detect_range", "range_breaks"]


@dataclass(frozen=True)
class RangeState:
    """Result of :func:`detect_range`; frames have the caller's type, index and columns.

    Attributes
    ----------
    in_range : bool; True where the band has at least ``min_days`` closes.
    start : date of the band's first close (datetime64); NaT when not in a range.
    floor, ceiling : the band's lowest and highest close; NaN when not in a range.
    days : closes in the band (float); NaN when not in a range.
    band_days : closes in the band whether or not it is long enough (NaN on NaN rows).
    width, min_days : the parameters used.
    """

    in_range: PriceFrame
    start: PriceFrame
    floor: PriceFrame
    ceiling: PriceFrame
    days: PriceFrame
    band_days: PriceFrame
    width: float
    min_days: int

    def to_frame(self) -> pd.DataFrame:
        """The fields side by side (Series input) or stacked by ticker (DataFrame input)."""
        fields = ("in_range", "start", "floor", "ceiling", "days", "band_days")
        if isinstance(self.in_range, pd.Series):
            return pd.DataFrame({f: getattr(self, f) for f in fields})
        return pd.concat({f: getattr(self, f).stack(future_stack=True) for f in fields},
                         axis=1)


def detect_range(close: PriceFrame, width: float = 0.04, min_days: int = 30) -> RangeState:
    """Sideways ranges: closes inside a band of ``width`` for at least ``min_days``.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    width : float, default 0.04
        Largest ``max / min - 1`` of the closes in the band (0.04 = 4%); >= 0.
    min_days : int, default 30
        Fewest closes (trading days) the band must span to be a range; >= 2.

    Returns
    -------
    RangeState
        Same-shaped frames (see its attributes).

    Notes
    -----
    The band at t is ``close[s..t]`` with the smallest s such that ``max <= (1 + width)
    * min``; s never moves back as t advances, so a compiled two-pointer pass with
    monotonic max/min deques finds every band in O(rows) per ticker.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=7)
    >>> s = pd.Series([90.0, 100.0, 102.0, 101.0, 103.0, 99.0, 110.0], index=idx)
    >>> r = detect_range(s, width=0.04, min_days=4)
    >>> r.in_range.tolist()
    [False, False, False, False, True, False, False]
    >>> print(r.to_frame().iloc[4].to_string())
    in_range                    True
    start        2024-01-02 00:00:00
    floor                      100.0
    ceiling                    103.0
    days                         4.0
    band_days                    4.0
    """
    f = "detect_range"
    a, wrap = prepare(close, f)
    width = check_float(width, "width", minimum=0.0, func=f)
    min_days = check_int(min_days, "min_days", minimum=2, func=f)
    index = close.index
    in_range = _k.alloc(a.shape, np.bool_)
    start = _k.alloc(a.shape, np.int64)
    floor, ceiling, days, band_days = (_k.alloc(a.shape) for _ in range(4))
    _k.range_2d(a, _k.date_values(index), width, min_days, in_range, start, floor, ceiling,
                days, band_days)
    return RangeState(in_range=wrap(in_range), start=wrap(_k.as_dates(start, index)),
                      floor=wrap(floor), ceiling=wrap(ceiling), days=wrap(days),
                      band_days=wrap(band_days), width=width, min_days=min_days)


def range_breaks(close: PriceFrame, width: float = 0.04, min_days: int = 30, *,
                 margin: float = 0.0) -> PriceFrame:
    """Breakouts (+1) above and breakdowns (-1) below the range of the previous row.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    width, min_days : as for :func:`detect_range`.
    margin : float, default 0.0
        Extra fraction the close must clear: above ``ceiling * (1 + margin)`` or below
        ``floor * (1 - margin)``; in [0, 1).

    Returns
    -------
    Same type and labels as ``close`` (float): +1.0 breakout, -1.0 breakdown, 0.0
    otherwise, NaN where the close is NaN or <= 0.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=6)
    >>> up = pd.Series([100.0, 102.0, 101.0, 103.0, 108.0, 109.0], index=idx)
    >>> range_breaks(up, width=0.04, min_days=4).tolist()
    [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    >>> down = pd.Series([100.0, 102.0, 101.0, 103.0, 99.0, 98.0], index=idx)
    >>> range_breaks(down, width=0.04, min_days=4).tolist()
    [0.0, 0.0, 0.0, 0.0, -1.0, 0.0]
    """
    f = "range_breaks"
    a, wrap = prepare(close, f)
    width = check_float(width, "width", minimum=0.0, func=f)
    min_days = check_int(min_days, "min_days", minimum=2, func=f)
    margin = check_float(margin, "margin", minimum=0.0, maximum=1.0, func=f)
    out = _k.alloc(a.shape)
    _k.range_breaks_2d(a, width, min_days, margin, out)
    return wrap(out)
