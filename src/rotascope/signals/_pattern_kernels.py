"""Compiled kernels behind the chart-reading signals (drawdown, pivots, ranges, rebounds).

Every ``*_2d`` kernel takes a 2-D float64 array (dates on axis 0, tickers on axis 1, C or
Fortran layout), runs over the columns in parallel and writes into preallocated output
arrays (the Python wrappers allocate them in Fortran order so each column is written
contiguously). Inside a column the kernel first gathers the ticker's *own* valid rows
(``_compress_1d``), so windows count the ticker's trading rows and a NaN row is a gap:
its outputs are NaN / -2 and it never enters a window (``missing="skip"`` in
``docs/architecture.md``). Row positions in outputs are positions in the caller's index
(``-1`` = none yet, ``-2`` = a NaN input row).

The per-column algorithms are linear in the number of rows:

* sliding extrema use monotonic deques (arrays with a moving head; indices enter in
  order and leave from the front at most once);
* the worst decline over a sliding window uses the van Herk / Gil-Werman block split of
  an associative aggregate ``(max, min, worst ratio)``: each window is one block suffix
  combined with the next block's prefix.

The module also holds small pure-numpy helpers shared by the pattern modules (gather
values at row positions, turn positions into dates).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

__all__: list[str] = []  # private module

NONE = -1     # no pivot / range / trough yet
GAP = -2      # the input row is NaN (or not a usable price)


# --------------------------------------------------------------------------- helpers
@nb.njit(cache=True, nogil=True)
def _compress_1d(col: np.ndarray, positive: bool, vals: np.ndarray, rows: np.ndarray) -> int:
    """Copy the usable values of ``col`` (not NaN; > 0 when ``positive``) and their rows."""
    k = 0
    for i in range(col.shape[0]):
        v = col[i]
        if np.isnan(v) or (positive and v <= 0.0):
            continue
        vals[k] = v
        rows[k] = i
        k += 1
    return k


# --------------------------------------------------------------------- worst decline
@nb.njit(cache=True, nogil=True)
def _worst_decline_1d(x: np.ndarray, k: int, span: int, out: np.ndarray) -> None:
    # out[t] for t >= span - 1: min over t-span+1 <= i <= j <= t of x[j] / x[i] - 1.
    pmax = np.empty(k)
    pmin = np.empty(k)
    pdrop = np.empty(k)
    smax = np.empty(k)
    smin = np.empty(k)
    sdrop = np.empty(k)
    for b0 in range(0, k, span):
        b1 = min(b0 + span, k)
        pmax[b0] = x[b0]
        pmin[b0] = x[b0]
        pdrop[b0] = 0.0
        for i in range(b0 + 1, b1):
            v = x[i]
            hi = pmax[i - 1] if pmax[i - 1] > v else v
            pmax[i] = hi
            pmin[i] = pmin[i - 1] if pmin[i - 1] < v else v
            d = v / hi - 1.0
            pdrop[i] = pdrop[i - 1] if pdrop[i - 1] < d else d
        e = b1 - 1
        smax[e] = x[e]
        smin[e] = x[e]
        sdrop[e] = 0.0
        for i in range(e - 1, b0 - 1, -1):
            v = x[i]
            smax[i] = smax[i + 1] if smax[i + 1] > v else v
            lo = smin[i + 1] if smin[i + 1] < v else v
            smin[i] = lo
            d = smin[i + 1] / v - 1.0
            sdrop[i] = sdrop[i + 1] if sdrop[i + 1] < d else d
    for t in range(span - 1, k):
        s = t - span + 1
        if s % span == 0:
            out[t] = pdrop[t]
        else:
            d = pmin[t] / smax[s] - 1.0
            if sdrop[s] < d:
                d = sdrop[s]
            if pdrop[t] < d:
                d = pdrop[t]
            out[t] = d


@nb.njit(cache=True, nogil=True, parallel=True)
def worst_decline_2d(a: np.ndarray, window: int, out: np.ndarray) -> None:
    """Worst close-to-later-close fall within the last ``window + 1`` valid positive closes."""
    n, m = a.shape
    span = window + 1
    for j in nb.prange(m):
        vals = np.empty(n)
        rows = np.empty(n, dtype=np.int64)
        k = _compress_1d(a[:, j], True, vals, rows)
        res = np.full(k, np.nan)
        _worst_decline_1d(vals, k, span, res)
        for i in range(n):
            out[i, j] = np.nan
        for t in range(k):
            out[rows[t], j] = res[t]


# --------------------------------------------------------------------------- rebound
@nb.njit(cache=True, nogil=True, parallel=True)
def rebound_2d(a: np.ndarray, window: int, min_decline: float, peak: np.ndarray,
               trough: np.ndarray, retraced: np.ndarray, days: np.ndarray) -> None:
    """Peak = latest highest close of the trailing window; trough = first lowest after it.

    Outputs (caller's rows): ``peak``/``trough`` row positions (NONE unless trough <=
    (1 - min_decline) * peak, GAP at unusable rows),
    ``retraced`` = (x - trough) / (peak - trough) and ``days`` = own rows since the
    trough (NaN when there is no qualifying decline).
    """
    n, m = a.shape
    keep = 1.0 - min_decline
    for j in nb.prange(m):
        vals = np.empty(n)
        rows = np.empty(n, dtype=np.int64)
        k = _compress_1d(a[:, j], True, vals, rows)
        for i in range(n):
            peak[i, j] = GAP
            trough[i, j] = GAP
            retraced[i, j] = np.nan
            days[i, j] = np.nan
        maxq = np.empty(k, dtype=np.int64)
        minq = np.empty(k, dtype=np.int64)
        mh = 0
        mt = 0
        nh = 0
        nt = 0
        for t in range(k):
            v = vals[t]
            while mt > mh and vals[maxq[mt - 1]] <= v:
                mt -= 1
            maxq[mt] = t
            mt += 1
            while maxq[mh] < t - window + 1:
                mh += 1
            p = maxq[mh]
            while nt > nh and vals[minq[nt - 1]] > v:
                nt -= 1
            minq[nt] = t
            nt += 1
            while nt > nh and minq[nh] <= p:
                nh += 1
            r = rows[t]
            if nt == nh:
                peak[r, j] = NONE
                trough[r, j] = NONE
                continue
            q = minq[nh]
            hi = vals[p]
            lo = vals[q]
            if lo <= keep * hi:
                peak[r, j] = rows[p]
                trough[r, j] = rows[q]
                retraced[r, j] = (v - lo) / (hi - lo)
                days[r, j] = t - q
            else:
                peak[r, j] = NONE
                trough[r, j] = NONE


# ---------------------------------------------------------------------------- pivots
@nb.njit(cache=True, nogil=True)
def _trailing_extreme_1d(x: np.ndarray, k: int, window: int, high: bool,
                         out: np.ndarray, q: np.ndarray) -> None:
    # out[t] = max (high) / min of x[t-window+1 .. t] (truncated at 0).
    h = 0
    tl = 0
    for t in range(k):
        v = x[t]
        if high:
            while tl > h and x[q[tl - 1]] <= v:
                tl -= 1
        else:
            while tl > h and x[q[tl - 1]] >= v:
                tl -= 1
        q[tl] = t
        tl += 1
        while q[h] < t - window + 1:
            h += 1
        out[t] = x[q[h]]


@nb.njit(cache=True, nogil=True, parallel=True)
def swings_2d(a: np.ndarray, left: int, right: int, hi1: np.ndarray, hi2: np.ndarray,
              lo1: np.ndarray, lo2: np.ndarray) -> None:
    """Latest and previous swing high/low *confirmed by* each row (caller's row positions).

    A swing high at own row p: x[p] > each of the ``left`` values before it and
    x[p] >= each of the ``right`` values after it; it is confirmed at own row
    p + right. Lows mirror it (< before, <= after).
    """
    n, m = a.shape
    for j in nb.prange(m):
        vals = np.empty(n)
        rows = np.empty(n, dtype=np.int64)
        k = _compress_1d(a[:, j], False, vals, rows)
        for i in range(n):
            hi1[i, j] = GAP
            hi2[i, j] = GAP
            lo1[i, j] = GAP
            lo2[i, j] = GAP
        q = np.empty(k, dtype=np.int64)
        lmax = np.empty(k)
        lmin = np.empty(k)
        rmax = np.empty(k)
        rmin = np.empty(k)
        _trailing_extreme_1d(vals, k, left, True, lmax, q)
        _trailing_extreme_1d(vals, k, left, False, lmin, q)
        _trailing_extreme_1d(vals, k, right, True, rmax, q)
        _trailing_extreme_1d(vals, k, right, False, rmin, q)
        h1 = NONE
        h2 = NONE
        l1 = NONE
        l2 = NONE
        for t in range(k):
            p = t - right
            if p - left >= 0:
                v = vals[p]
                if v > lmax[p - 1] and v >= rmax[t]:
                    h2 = h1
                    h1 = rows[p]
                if v < lmin[p - 1] and v <= rmin[t]:
                    l2 = l1
                    l1 = rows[p]
            r = rows[t]
            hi1[r, j] = h1
            hi2[r, j] = h2
            lo1[r, j] = l1
            lo2[r, j] = l2


# ---------------------------------------------------------------------------- ranges
@nb.njit(cache=True, nogil=True, parallel=True)
def range_2d(a: np.ndarray, width: float, length: np.ndarray, start: np.ndarray,
             floor: np.ndarray, ceiling: np.ndarray) -> None:
    """Longest trailing run of valid positive closes with max <= (1 + width) * min.

    ``length`` (own rows, NaN at unusable rows), ``start`` (caller's row of its first
    close, GAP at unusable rows), ``floor``/``ceiling`` (its min and max).
    """
    n, m = a.shape
    limit = 1.0 + width
    for j in nb.prange(m):
        vals = np.empty(n)
        rows = np.empty(n, dtype=np.int64)
        k = _compress_1d(a[:, j], True, vals, rows)
        for i in range(n):
            length[i, j] = np.nan
            start[i, j] = GAP
            floor[i, j] = np.nan
            ceiling[i, j] = np.nan
        maxq = np.empty(k, dtype=np.int64)
        minq = np.empty(k, dtype=np.int64)
        mh = 0
        mt = 0
        nh = 0
        nt = 0
        s = 0
        for t in range(k):
            v = vals[t]
            while mt > mh and vals[maxq[mt - 1]] <= v:
                mt -= 1
            maxq[mt] = t
            mt += 1
            while nt > nh and vals[minq[nt - 1]] >= v:
                nt -= 1
            minq[nt] = t
            nt += 1
            # Shrink from the left until the band test holds (a single close always does).
            while vals[maxq[mh]] > limit * vals[minq[nh]]:
                s += 1
                while maxq[mh] < s:
                    mh += 1
                while minq[nh] < s:
                    nh += 1
            r = rows[t]
            length[r, j] = t - s + 1
            start[r, j] = rows[s]
            floor[r, j] = vals[minq[nh]]
            ceiling[r, j] = vals[maxq[mh]]


# ------------------------------------------------------------------- numpy helpers
def alloc(shape: tuple[int, int], dtype: type = np.float64) -> np.ndarray:
    """An uninitialised Fortran-ordered output (each ticker's column contiguous)."""
    return np.empty(shape, dtype=dtype, order="F")


def take_rows(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``values[pos[i, j], j]`` for every cell; NaN where ``pos < 0``."""
    if values.shape[0] == 0:
        return np.full(pos.shape, np.nan)
    got = np.take_along_axis(values, np.maximum(pos, 0), axis=0)
    return np.where(pos >= 0, got, np.nan)


def own_ordinal(valid: np.ndarray) -> np.ndarray:
    """Per column, the ordinal of each row among the column's valid rows (0-based)."""
    return np.cumsum(valid, axis=0, dtype=np.int64) - 1


def rows_to_dates(index: pd.DatetimeIndex, pos: np.ndarray) -> np.ndarray:
    """Row positions -> datetime64 array of the index's unit; NaT where ``pos < 0``."""
    vals = index.values
    if len(vals) == 0:
        return np.full(pos.shape, np.datetime64("NaT"), dtype=vals.dtype)
    out = vals[np.maximum(pos, 0)]
    out[pos < 0] = np.datetime64("NaT")
    return out


def last_valid_rows(valid: np.ndarray, index: pd.DatetimeIndex, as_of: pd.Timestamp | None
                    ) -> np.ndarray:
    """Per column, the last row on or before ``as_of`` where ``valid`` holds (-1 if none)."""
    stop = len(index) if as_of is None else int(index.searchsorted(as_of, side="right"))
    if stop == 0 or valid.shape[0] == 0:
        return np.full(valid.shape[1], -1, dtype=np.int64)
    head = valid[:stop]
    flipped = np.argmax(head[::-1], axis=0)
    rows = stop - 1 - flipped
    return np.where(head.any(axis=0), rows, -1).astype(np.int64)


def values_at_rows(obj: pd.DataFrame | pd.Series, rows: np.ndarray) -> np.ndarray:
    """``obj`` (Series or DataFrame) read at one row per column; NaN/None where row < 0."""
    arr = obj.to_numpy()
    if arr.ndim == 1:
        arr = arr[:, None]
    cols = np.arange(arr.shape[1])
    got = arr[np.maximum(rows, 0), cols] if arr.shape[0] else np.full(len(cols), np.nan)
    if got.dtype.kind == "M":
        got = got.copy()
        got[rows < 0] = np.datetime64("NaT")
        return got
    got = got.astype(object) if got.dtype.kind in "OUT" else got.astype(np.float64)
    got[rows < 0] = None if got.dtype == object else np.nan
    return got


def prev_valid_rows(valid: np.ndarray) -> np.ndarray:
    """Per cell, the row of the column's previous valid row strictly before it (-1 none)."""
    n = valid.shape[0]
    if n == 0:
        return np.empty(valid.shape, dtype=np.int64)
    idx = np.where(valid, np.arange(n, dtype=np.int64)[:, None], -1)
    np.maximum.accumulate(idx, axis=0, out=idx)
    return np.vstack([np.full((1, valid.shape[1]), -1, dtype=np.int64), idx[:-1]])
