"""N-month highs and lows, and "the lowest since <date>", for any series or ratio.

Definitions (the same for ``rotascope ratio``, the signals engine, alerts and the
claim checker):

* ``lowest_in_months`` at row t: the largest whole N in 1..``max_months`` such that the
  value at t is strictly below every value of the preceding ``N x 21`` rows (the
  series' own rows); 0 if none. ``highest_in_months`` mirrors it (strictly above).
* ``lowest_since`` at row t: the date of the last earlier row whose value was at or
  below the value at t (NaT if there is none); ``highest_since`` mirrors it.

Both come from one pass per column that finds, for each row, the nearest earlier row
at or beyond its value (a monotonic stack: O(rows) per ticker, compiled).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

from .._typing import PriceFrame
from .._validation import as_price_frame, check_choice, check_int
from ..errors import ParameterError

__all__ = ["MONTH_ROWS", "months_extreme", "ratio_months_extreme_at", "extreme_since",
           "previous_at_or_beyond"]

#: Trading rows per month in every "N-month" definition.
MONTH_ROWS = 21


@nb.njit(cache=True, nogil=True)
def _prev_beyond_1d(x: np.ndarray, low: bool, prev: np.ndarray, run: np.ndarray) -> None:
    # prev[t]: row of the nearest earlier valid value at or beyond x[t] (<= for lows,
    # >= for highs), -1 if none; run[t]: valid rows strictly between it and t (when
    # prev is -1, all earlier valid rows). NaN rows: prev = -2, run = -1.
    n = x.shape[0]
    stack_rows = np.empty(n, dtype=np.int64)
    stack_ord = np.empty(n, dtype=np.int64)
    top = 0
    ordinal = 0
    for t in range(n):
        v = x[t]
        if np.isnan(v):
            prev[t] = -2
            run[t] = -1
            continue
        # Pop values strictly "worse" than v: they cannot be the answer for v or later.
        if low:
            while top > 0 and x[stack_rows[top - 1]] > v:
                top -= 1
        else:
            while top > 0 and x[stack_rows[top - 1]] < v:
                top -= 1
        if top > 0:
            prev[t] = stack_rows[top - 1]
            run[t] = ordinal - stack_ord[top - 1] - 1
        else:
            prev[t] = -1
            run[t] = ordinal
        stack_rows[top] = t
        stack_ord[top] = ordinal
        top += 1
        ordinal += 1


@nb.njit(cache=True, nogil=True, parallel=True)
def _prev_beyond_2d_par(a: np.ndarray, low: bool) -> tuple[np.ndarray, np.ndarray]:
    n, m = a.shape
    prev = np.empty((n, m), dtype=np.int64)
    run = np.empty((n, m), dtype=np.int64)
    for j in nb.prange(m):
        _prev_beyond_1d(a[:, j], low, prev[:, j], run[:, j])
    return prev, run


@nb.njit(cache=True, nogil=True)
def _prev_beyond_2d_serial(a: np.ndarray, low: bool) -> tuple[np.ndarray, np.ndarray]:
    n, m = a.shape
    prev = np.empty((n, m), dtype=np.int64)
    run = np.empty((n, m), dtype=np.int64)
    for j in range(m):
        _prev_beyond_1d(a[:, j], low, prev[:, j], run[:, j])
    return prev, run


def _prev_beyond_2d(a: np.ndarray, low: bool) -> tuple[np.ndarray, np.ndarray]:
    # Starting the thread pool costs more than it saves on a few columns.
    if a.shape[1] >= 16:
        return _prev_beyond_2d_par(a, low)
    return _prev_beyond_2d_serial(a, low)


@nb.njit(cache=True, nogil=True)
def _months_1d(x: np.ndarray, low: bool, month_rows: int, max_months: int,
               out: np.ndarray) -> None:
    # The stack pass of _prev_beyond_1d writing min(run // month_rows, max_months)
    # straight into the float output (NaN rows NaN): no row/run matrices in between.
    n = x.shape[0]
    stack_rows = np.empty(n, dtype=np.int64)
    stack_ord = np.empty(n, dtype=np.int64)
    top = 0
    ordinal = 0
    for t in range(n):
        v = x[t]
        if np.isnan(v):
            out[t] = np.nan
            continue
        if low:
            while top > 0 and x[stack_rows[top - 1]] > v:
                top -= 1
        else:
            while top > 0 and x[stack_rows[top - 1]] < v:
                top -= 1
        run = ordinal - stack_ord[top - 1] - 1 if top > 0 else ordinal
        out[t] = float(min(run // month_rows, max_months))
        stack_rows[top] = t
        stack_ord[top] = ordinal
        top += 1
        ordinal += 1


@nb.njit(cache=True, nogil=True, parallel=True)
def _months_2d_par(a: np.ndarray, low: bool, month_rows: int, max_months: int,
                   out: np.ndarray) -> None:
    for j in nb.prange(a.shape[1]):
        _months_1d(a[:, j], low, month_rows, max_months, out[:, j])


@nb.njit(cache=True, nogil=True)
def _months_2d_serial(a: np.ndarray, low: bool, month_rows: int, max_months: int,
                      out: np.ndarray) -> None:
    for j in range(a.shape[1]):
        _months_1d(a[:, j], low, month_rows, max_months, out[:, j])


def previous_at_or_beyond(values: PriceFrame, side: str = "low") -> tuple[np.ndarray, np.ndarray]:
    """Row of the nearest earlier value at or below (``side="low"``) / above each value.

    Returns two int64 arrays shaped like ``values`` (2-D): the row position (-1 when
    there is none, -2 at NaN rows) and the count of the series' own rows strictly in
    between (all earlier rows when there is none; -1 at NaN rows).
    """
    frame, _ = as_price_frame(values, "values", func="previous_at_or_beyond")
    side = check_choice(side, "side", ("low", "high"), func="previous_at_or_beyond")
    return _prev_beyond_2d(np.asarray(frame.to_numpy(dtype=np.float64)), side == "low")


def months_extreme(values: PriceFrame, *, side: str = "low", max_months: int = 24,
                   month_rows: int = MONTH_ROWS) -> PriceFrame:
    """N of an N-month low (``side="low"``) or high at every row.

    Parameters
    ----------
    values : Series or DataFrame (dates x tickers), e.g. a ratio line.
    side : {"low", "high"}.
    max_months : int, default 24. Largest N reported.
    month_rows : int, default 21. Rows per month.

    Returns
    -------
    Same type and labels, float64: N in 0..max_months, NaN at NaN rows.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=50)
    >>> s = pd.Series(np.r_[np.linspace(2, 1.5, 49), 1.0], index=idx)
    >>> int(months_extreme(s, side="low").iloc[-1])  # below all 49 earlier rows -> 2 months
    2
    """
    frame, wrap = as_price_frame(values, "values", func="months_extreme")
    side = check_choice(side, "side", ("low", "high"), func="months_extreme")
    max_months = check_int(max_months, "max_months", minimum=1, func="months_extreme")
    month_rows = check_int(month_rows, "month_rows", minimum=1, func="months_extreme")
    a = np.asarray(frame.to_numpy(dtype=np.float64))
    months = np.empty(a.shape, dtype=np.float64, order="F")  # one column per ticker
    kernel = _months_2d_par if a.shape[1] >= 16 else _months_2d_serial
    kernel(a, side == "low", month_rows, max_months, months)
    return wrap(months)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _ratio_at(a: np.ndarray, leg: np.ndarray, t: int, j: int, members_first: bool) -> float:
    # as the ratio line: num / den, a non-finite quotient is not a point (NaN)
    q = a[t, j] / leg[t] if members_first else leg[t] / a[t, j]
    return q if np.isfinite(q) else np.nan


@nb.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def _ratio_months_row(a: np.ndarray, leg: np.ndarray, row: int, members_first: bool,
                      low: bool, month_rows: int, max_months: int, out: np.ndarray) -> None:
    # Walk back from `row` over the column's valid ratio points until one at or beyond
    # the value (the stack pass's answer for this row) or until max_months whole months
    # of points are behind: at most max_months * month_rows valid rows per column.
    cap = max_months * month_rows
    for j in nb.prange(a.shape[1]):
        v = _ratio_at(a, leg, row, j, members_first)
        if np.isnan(v):
            out[j] = np.nan
            continue
        run = 0
        t = row - 1
        while t >= 0 and run < cap:
            x = _ratio_at(a, leg, t, j, members_first)
            if not np.isnan(x):
                if (x <= v) if low else (x >= v):
                    break
                run += 1
            t -= 1
        out[j] = float(min(run // month_rows, max_months))


def ratio_months_extreme_at(members: np.ndarray, leg: np.ndarray, row: int, *,
                            members_first: bool = True, side: str = "low",
                            max_months: int = 24, month_rows: int = MONTH_ROWS
                            ) -> np.ndarray:
    """:func:`months_extreme` of the ratio lines ``members / leg`` (or ``leg /
    members``) at one row only, without computing the ratio or the extremes elsewhere.

    ``members`` is a dates x tickers float array, ``leg`` the 1-D closes of the other
    ticker on the same dates. Returns one float per column, equal to
    ``months_extreme(ratio, side=side)[row]`` where ``ratio`` is the quotient with
    non-finite values as NaN (the scan's ``ratio($, SPY).lowest_in_months`` on its
    as-of date). Costs at most ``max_months * month_rows`` valid rows per column.
    """
    side = check_choice(side, "side", ("low", "high"), func="ratio_months_extreme_at")
    max_months = check_int(max_months, "max_months", minimum=1, func="ratio_months_extreme_at")
    month_rows = check_int(month_rows, "month_rows", minimum=1, func="ratio_months_extreme_at")
    a = np.asarray(members, dtype=np.float64)
    b = np.asarray(leg, dtype=np.float64).reshape(-1)
    if a.ndim != 2 or b.shape[0] != a.shape[0] or not 0 <= row < a.shape[0]:
        raise ParameterError(f"ratio_months_extreme_at(): members {a.shape}, leg {b.shape} "
                             f"and row {row} do not fit")
    out = np.empty(a.shape[1], dtype=np.float64)
    _ratio_months_row(a, b, int(row), bool(members_first), side == "low", month_rows,
                      max_months, out)
    return out


def extreme_since(values: PriceFrame, *, side: str = "low") -> PriceFrame:
    """Date of the last earlier row at or below (``"low"``) / above the value at each row.

    Returns
    -------
    Same type and labels, ``datetime64[ns]`` values (whatever the index unit); NaT
    where there is no such earlier row (an all-time extreme of the data) and at NaN rows.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=4)
    >>> extreme_since(pd.Series([1.0, 3.0, 2.0, 1.5], index=idx), side="low").iloc[-1]
    Timestamp('2024-01-01 00:00:00')
    """
    frame, _ = as_price_frame(values, "values", func="extreme_since")
    side = check_choice(side, "side", ("low", "high"), func="extreme_since")
    prev, _ = _prev_beyond_2d(np.asarray(frame.to_numpy(dtype=np.float64)), side == "low")
    idx = frame.index.values.astype("datetime64[ns]")
    out = np.where(prev >= 0, idx[np.clip(prev, 0, None)], np.datetime64("NaT"))
    if isinstance(values, pd.Series):
        return pd.Series(out[:, 0], index=frame.index, name=values.name)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)
