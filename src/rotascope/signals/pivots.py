"""Swing highs and lows (pivots), known only once confirmed.

Definition (rows are the ticker's own valid rows; NaN rows are gaps):

* a **swing high** at row p: ``close[p]`` is strictly above each of the ``left`` closes
  before it and at or above each of the ``right`` closes after it (so a flat top yields
  one pivot, its first row);
* a **swing low** mirrors it (strictly below the ``left`` closes before, at or below the
  ``right`` closes after);
* a pivot at row p is **confirmed** at row ``p + right``: that is the first row at
  which it can be known. Every output at row t describes pivots confirmed by t, so
  nothing uses data after t (``f(close.iloc[:k]) == f(close).iloc[:k]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._typing import PriceFrame
from .._validation import check_int
from . import _pattern_kernels as _k
from ._frame import prepare

__all__ = ["SwingPoints", "swing_points"]


@dataclass(frozen=True)
class SwingPoints:
    """Result of :func:`swing_points`; frames have the caller's type, index and columns.

    Attributes
    ----------
    high, low : bool; True on the row a swing high / low is *confirmed* (``right`` rows
        after the pivot itself).
    high_price, low_price : close of the latest swing high / low confirmed by each row;
        NaN before the first one and on NaN rows.
    high_date, low_date : the date of that pivot (datetime64; NaT likewise).
    prev_high_price, prev_low_price, prev_high_date, prev_low_date : the pivot confirmed
        before it (the second latest), for two-pivot comparisons.
    left, right : the parameters used.
    """

    high: PriceFrame
    low: PriceFrame
    high_price: PriceFrame
    low_price: PriceFrame
    high_date: PriceFrame
    low_date: PriceFrame
    prev_high_price: PriceFrame
    prev_low_price: PriceFrame
    prev_high_date: PriceFrame
    prev_low_date: PriceFrame
    left: int
    right: int

    def table(self) -> pd.DataFrame:
        """Every confirmed pivot, one row each, in confirmation order.

        Columns: ``ticker`` (the Series name for a Series), ``kind`` ("high"/"low"),
        ``date`` (the pivot row), ``confirmed`` (the row it became known), ``price``.
        """
        parts = []
        for kind, flag, price, date in (("high", self.high, self.high_price, self.high_date),
                                        ("low", self.low, self.low_price, self.low_date)):
            f = flag.to_frame() if isinstance(flag, pd.Series) else flag
            p = price.to_frame() if isinstance(price, pd.Series) else price
            d = date.to_frame() if isinstance(date, pd.Series) else date
            rows, cols = np.nonzero(f.to_numpy())
            parts.append(pd.DataFrame({
                "ticker": f.columns[cols], "kind": kind,
                "date": d.to_numpy()[rows, cols], "confirmed": f.index[rows],
                "price": p.to_numpy()[rows, cols]}))
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values(["confirmed", "ticker", "kind"], kind="stable",
                               ignore_index=True)


def swing_points(close: PriceFrame, left: int = 5, right: int = 5) -> SwingPoints:
    """Swing highs and lows of every ticker, each known ``right`` rows after it.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices (or any series, e.g. RSI) on a sorted, unique DatetimeIndex.
    left : int, default 5
        Rows before the pivot it must beat strictly (>= 1).
    right : int, default 5
        Rows after the pivot it must match or beat (>= 1); also the confirmation delay.

    Returns
    -------
    SwingPoints
        Same-shaped frames (see its attributes). A NaN row outputs False / NaN / NaT
        and is skipped by the ``left``/``right`` counts.

    Notes
    -----
    One compiled pass per ticker: pivot at p iff ``close[p] > max(close[p-left..p-1])``
    and ``close[p] >= max(close[p+1..p+right])`` (mirror for lows), tested at row
    ``p + right`` with early exit (a few comparisons per row; at most left + right).

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=7)
    >>> s = pd.Series([1.0, 3.0, 2.0, 1.0, 2.0, 4.0, 3.0], index=idx)
    >>> sp = swing_points(s, left=1, right=1)
    >>> sp.high.tolist()
    [False, False, True, False, False, False, True]
    >>> sp.high_price.tolist()
    [nan, nan, 3.0, 3.0, 3.0, 3.0, 4.0]
    >>> sp.low.tolist(), sp.low_date.iloc[-1].date()
    ([False, False, False, False, True, False, False], datetime.date(2024, 1, 4))
    """
    a, wrap = prepare(close, "swing_points")
    left = check_int(left, "left", minimum=1, func="swing_points")
    right = check_int(right, "right", minimum=1, func="swing_points")
    index = close.index
    high, low = (_k.alloc(a.shape, np.bool_) for _ in range(2))
    prices = [_k.alloc(a.shape) for _ in range(4)]
    dates = [_k.alloc(a.shape, np.int64) for _ in range(4)]
    _k.swings_2d(a, _k.date_values(index), left, right, high, low, prices[0], prices[1],
                 dates[0], dates[1], prices[2], prices[3], dates[2], dates[3])
    hp, lp, php, plp = (wrap(x) for x in prices)
    hd, ld, phd, pld = (wrap(_k.as_dates(x, index)) for x in dates)
    return SwingPoints(high=wrap(high), low=wrap(low), high_price=hp, low_price=lp,
                       high_date=hd, low_date=ld, prev_high_price=php, prev_low_price=plp,
                       prev_high_date=phd, prev_low_date=pld, left=left, right=right)
