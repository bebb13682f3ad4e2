"""RSI divergences and fading momentum, read from confirmed swing points.

Definitions (rows are the ticker's own valid rows; pivots as in
:mod:`rotascope.signals.pivots`, confirmed ``right`` rows after they occur):

``rsi_divergence``
    At row t take the two latest swing highs *of the price* confirmed by t, p1 < p2.
    **Bearish** (-1): close[p2] > close[p1] (a higher high) while rsi[p2] < rsi[p1]
    (a lower RSI high), and p1 is at most ``window`` rows before t. **Bullish** (+1)
    mirrors it on the two latest swing lows: a lower low in price with a higher RSI
    low. RSI is read on the price's pivot rows. When both hold, the one whose latest
    pivot is more recent wins. 0 otherwise; NaN on NaN closes.
``rsi_lower_highs_lower_lows``
    On the rows where both the close and the RSI are known: at row t the RSI's own two
    latest confirmed swing highs are falling (lower high) AND its two latest confirmed
    swing lows are falling (lower low), the older pivot of each pair at most ``window``
    rows before t, while the price **holds up**: the close is within ``near_high``
    (default 5%) of its highest close of the last ``window`` rows. Fading momentum
    under a firm price.

Both are causal: the value at row t reads only rows <= t (pivots are used once
confirmed, never at the pivot row itself).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._typing import DateLike, Join, PriceFrame
from .._validation import align_frames, as_price_frame, check_date, check_float, check_int
from ..errors import MisalignedIndexError
from . import _pattern_kernels as _k

__all__ = ["rsi_divergence", "rsi_lower_highs_lower_lows", "rsi_divergence_at",
           "DIVERGENCE_LABELS"]

#: Values of :func:`rsi_divergence` and the labels :func:`rsi_divergence_at` gives them.
DIVERGENCE_LABELS = {1.0: "bullish", -1.0: "bearish"}


def _pair(close: PriceFrame, rsi: PriceFrame, join: Join, func: str
          ) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """Validate and align ``close`` and ``rsi``: same dates (per ``join``) and columns."""
    c, _ = as_price_frame(close, "close", func=func)
    r, _ = as_price_frame(rsi, "rsi", func=func)
    if isinstance(close, pd.Series) != isinstance(rsi, pd.Series):
        raise MisalignedIndexError(
            f"{func}(): 'close' and 'rsi' must both be Series or both be DataFrames, got "
            f"{type(close).__name__} and {type(rsi).__name__}")
    if isinstance(close, pd.Series):
        r.columns = c.columns
    elif not c.columns.equals(r.columns):
        lacking = [str(x) for x in c.columns if x not in r.columns]
        extra = [str(x) for x in r.columns if x not in c.columns]
        if lacking or extra:
            raise MisalignedIndexError(
                f"{func}(): 'rsi' and 'close' have different tickers (rsi lacks: "
                f"{', '.join(lacking[:5]) or '-'}; rsi has extra: {', '.join(extra[:5]) or '-'}"
                "). Compute rsi from the same close frame.")
        r = r[c.columns]
    aligned = align_frames({"close": c, "rsi": r}, join=join, func=func)
    c, r = aligned["close"], aligned["rsi"]
    index, columns = c.index, c.columns
    name = close.name if isinstance(close, pd.Series) else None
    is_series = isinstance(close, pd.Series)

    def wrap(values: np.ndarray) -> PriceFrame:
        if is_series:
            return pd.Series(values[:, 0], index=index, name=name, copy=False)
        return pd.DataFrame(values, index=index, columns=columns, copy=False)

    return c, r, wrap


def rsi_divergence(close: PriceFrame, rsi: PriceFrame, *, left: int = 5, right: int = 5,
                   window: int = 60, join: Join = "exact") -> PriceFrame:
    """Bearish (-1) / bullish (+1) RSI divergence on the latest two confirmed swings.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    rsi : same type as ``close``
        RSI of ``close`` (e.g. ``rsi(close, 14)``), same dates and tickers.
    left, right : int, default 5
        Swing-point sizes (see :func:`~rotascope.signals.pivots.swing_points`); a pivot
        is known ``right`` rows after it.
    window : int, default 60
        The older of the two pivots must lie at most ``window`` rows before the row;
        older pairs no longer count (the signal expires).
    join : {"exact", "inner", "outer", "left"}, default "exact"
        How to reconcile differing dates of ``close`` and ``rsi``; "exact" raises
        :class:`~rotascope.errors.MisalignedIndexError` listing them.

    Returns
    -------
    Same type and labels as ``close`` (float): -1.0 bearish, +1.0 bullish, 0.0 none,
    NaN where the close is NaN. A pivot whose RSI is NaN (RSI warm-up) never diverges.

    Notes
    -----
    Bearish at t: ``close[h2] > close[h1]`` and ``rsi[h2] < rsi[h1]`` for the latest (h2)
    and previous (h1) swing highs confirmed by t, with ``t - h1 <= window`` (own rows).
    Bullish mirrors it on swing lows. If both hold, the later latest-pivot wins.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=9)
    >>> px = pd.Series([1.0, 5.0, 2.0, 1.0, 2.0, 6.0, 3.0, 2.0, 2.5], index=idx)
    >>> rs = pd.Series([40.0, 70.0, 50.0, 45.0, 50.0, 65.0, 50.0, 45.0, 48.0], index=idx)
    >>> rsi_divergence(px, rs, left=1, right=1).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, -1.0, -1.0]
    """
    f = "rsi_divergence"
    left = check_int(left, "left", minimum=1, func=f)
    right = check_int(right, "right", minimum=1, func=f)
    window = check_int(window, "window", minimum=1, func=f)
    c, r, wrap = _pair(close, rsi, join, f)
    out = _k.alloc(c.shape)
    _k.divergence_2d(c.to_numpy(dtype=np.float64, copy=False),
                     r.to_numpy(dtype=np.float64, copy=False), left, right,
                     window, out)
    return wrap(out)


def rsi_lower_highs_lower_lows(close: PriceFrame, rsi: PriceFrame, *, left: int = 5,
                               right: int = 5, window: int = 60, near_high: float = 0.05,
                               join: Join = "exact") -> PriceFrame:
    """RSI making lower highs and lower lows while the price holds near its high.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    rsi : same type as ``close``
        RSI of ``close``, same dates and tickers.
    left, right : int, default 5
        Swing-point sizes for the RSI's own highs and lows.
    window : int, default 60
        Rows back that the older pivot of each pair, and the price high, may lie.
    near_high : float, default 0.05
        The price "holds up" while ``close >= (1 - near_high) * highest close of the last
        window rows``; in [0, 1).
    join : {"exact", "inner", "outer", "left"}, default "exact"
        How to reconcile differing dates of ``close`` and ``rsi``.

    Returns
    -------
    Same type and labels as ``close``, bool: True where all three hold. False on NaN
    closes or RSI, and before two RSI highs and two RSI lows are confirmed.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=9)
    >>> px = pd.Series([100.0, 101, 100, 102, 101, 103, 102, 104, 103], index=idx)
    >>> rs = pd.Series([50.0, 70, 45, 65, 40, 60, 35, 55, 30], index=idx)
    >>> rsi_lower_highs_lower_lows(px, rs, left=1, right=1).tolist()
    [False, False, False, False, False, True, True, True, True]
    """
    f = "rsi_lower_highs_lower_lows"
    left = check_int(left, "left", minimum=1, func=f)
    right = check_int(right, "right", minimum=1, func=f)
    window = check_int(window, "window", minimum=1, func=f)
    near_high = check_float(near_high, "near_high", minimum=0.0, maximum=1.0, func=f)
    c, r, wrap = _pair(close, rsi, join, f)
    out = _k.alloc(c.shape, np.bool_)
    _k.fading_2d(c.to_numpy(dtype=np.float64, copy=False),
                 r.to_numpy(dtype=np.float64, copy=False), left, right,
                 window, near_high, out)
    return wrap(out)


def rsi_divergence_at(close: PriceFrame, rsi: PriceFrame, as_of: DateLike | None = None,
                      **params: Any) -> str | None | pd.Series:
    """The divergence state as of a date: "bearish", "bullish" or None.

    Only rows on or before ``as_of`` (default: the last row) are read; each ticker is
    read at its last close on or before it.

    Parameters
    ----------
    close, rsi : as for :func:`rsi_divergence`.
    as_of : date-like, optional
    **params : ``left``, ``right``, ``window``, ``join`` of :func:`rsi_divergence`.

    Returns
    -------
    str or None for a Series; for a DataFrame a Series (index: tickers, object dtype).

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=9)
    >>> px = pd.Series([1.0, 5.0, 2.0, 1.0, 2.0, 6.0, 3.0, 2.0, 2.5], index=idx)
    >>> rs = pd.Series([40.0, 70.0, 50.0, 45.0, 50.0, 65.0, 50.0, 45.0, 48.0], index=idx)
    >>> rsi_divergence_at(px, rs, left=1, right=1), rsi_divergence_at(px, rs, "2024-01-05")
    ('bearish', None)
    """
    f = "rsi_divergence_at"
    as_price_frame(close, "close", func=f)
    as_price_frame(rsi, "rsi", func=f)
    if as_of is not None:
        ts = check_date(as_of, "as_of", func=f)
        close = close.loc[:ts]
        rsi = rsi.loc[:ts]
    values = rsi_divergence(close, rsi, **params)
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    rows = _k.last_valid_rows(frame.notna().to_numpy(), frame.index, None)
    got = _k.values_at_rows(frame, rows)
    labels = np.full(got.shape, None, dtype=object)
    for value, label in DIVERGENCE_LABELS.items():
        labels[got == value] = label
    if isinstance(values, pd.Series):
        return labels[0]
    return pd.Series(labels, index=frame.columns, dtype=object, name="rsi_divergence")
