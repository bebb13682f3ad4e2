"""Compiled kernels behind the chart-reading signals (drawdown, pivots, ranges, rebounds).

Every ``*_2d`` kernel takes a 2-D float64 array (dates on axis 0, tickers on axis 1, C or
Fortran layout) and writes its *final* outputs into preallocated Fortran-ordered arrays
(one contiguous stream per ticker), in one pass, so the Python wrappers only wrap them.
Dates are written as int64 values of the caller's index (``NAT`` = not a time) and
viewed as ``datetime64`` by the wrapper.

Columns are processed in parallel in blocks of ``BLOCK`` tickers. A block is first
gathered row by row into a small contiguous scratch (for a C-ordered input each cache
line of the input is then read once; for Fortran order it is a sequential copy), keeping
only each ticker's *usable* rows (not NaN; > 0 where a ratio needs it). Windows
therefore count the ticker's own rows and a NaN row is a gap whose outputs are NaN /
False / NaT (``missing="skip"`` in ``docs/architecture.md``).

Per-ticker algorithms are linear in the rows:

* sliding extrema use monotonic deques (arrays with a moving head); the rebound is a
  small zigzag state machine;
* the worst decline over a sliding window uses the van Herk / Gil-Werman block split of
  the associative aggregate ``(max, min, worst ratio)``: each window is one block's
  suffix combined with the next block's prefix;
* a swing point at p is tested directly against its ``left`` and ``right`` neighbours
  with early exit (a few comparisons per row on real prices; at most left + right).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

__all__: list[str] = []  # private module

#: int64 value of NaT in datetime64 arrays.
NAT = np.iinfo(np.int64).min
#: Tickers gathered together (8 doubles = one cache line of a C-ordered row).
BLOCK = 8


# --------------------------------------------------------------------------- helpers
@nb.njit(cache=True, nogil=True)
def _gather(a: np.ndarray, j0: int, j1: int, positive: bool, vals: np.ndarray,
            rows: np.ndarray, counts: np.ndarray) -> None:
    """Usable values of columns j0..j1-1 of ``a`` and their rows into scratch rows
    ``vals[jj, :counts[jj]]`` / ``rows[jj, :counts[jj]]`` (each ticker contiguous)."""
    n = a.shape[0]
    for jj in range(j1 - j0):
        counts[jj] = 0
    for i in range(n):
        for jj in range(j1 - j0):
            v = a[i, j0 + jj]
            if np.isnan(v) or (positive and v <= 0.0):
                continue
            k = counts[jj]
            vals[jj, k] = v
            rows[jj, k] = i
            counts[jj] = k + 1


@nb.njit(cache=True, nogil=True, inline="always")
def _is_high(x: np.ndarray, p: int, left: int, right: int) -> bool:
    v = x[p]
    for i in range(p - 1, p - left - 1, -1):
        if x[i] >= v:
            return False
    for i in range(p + 1, p + right + 1):  # noqa: SIM110 (compiled: explicit loop)
        if x[i] > v:
            return False
    return True


@nb.njit(cache=True, nogil=True, inline="always")
def _is_low(x: np.ndarray, p: int, left: int, right: int) -> bool:
    v = x[p]
    for i in range(p - 1, p - left - 1, -1):
        if x[i] <= v:
            return False
    for i in range(p + 1, p + right + 1):  # noqa: SIM110 (compiled: explicit loop)
        if x[i] < v:
            return False
    return True


# -------------------------------------------------------------------------- drawdown
@nb.njit(cache=True, nogil=True, parallel=True)
def drawdown_2d(a: np.ndarray, out: np.ndarray) -> None:
    """close / running max of the usable closes - 1; NaN at unusable rows."""
    n, m = a.shape
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        peak = np.full(BLOCK, -np.inf)
        for i in range(n):
            for jj in range(j1 - j0):
                v = a[i, j0 + jj]
                if np.isnan(v) or v <= 0.0:
                    out[i, j0 + jj] = np.nan
                    continue
                if v > peak[jj]:
                    peak[jj] = v
                out[i, j0 + jj] = v / peak[jj] - 1.0


# --------------------------------------------------------------------- worst decline
@nb.njit(cache=True, nogil=True)
def _worst_decline_1d(x: np.ndarray, k: int, span: int, out: np.ndarray,
                      pmax: np.ndarray, pmin: np.ndarray, pdrop: np.ndarray,
                      smax: np.ndarray, sdrop: np.ndarray) -> None:
    # out[t] for t >= span - 1: min over t-span+1 <= i <= j <= t of x[j] / x[i] - 1.
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
        sdrop[e] = 0.0
        lo = x[e]
        for i in range(e - 1, b0 - 1, -1):
            v = x[i]
            smax[i] = smax[i + 1] if smax[i + 1] > v else v
            d = lo / v - 1.0
            sdrop[i] = sdrop[i + 1] if sdrop[i + 1] < d else d
            if v < lo:
                lo = v
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
    """Worst close-to-later-close fall within the last ``window + 1`` usable closes."""
    n, m = a.shape
    span = window + 1
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        vals = np.empty((BLOCK, n))
        rows = np.empty((BLOCK, n), dtype=np.int64)
        counts = np.empty(BLOCK, dtype=np.int64)
        _gather(a, j0, j1, True, vals, rows, counts)
        res = np.empty(n)
        pmax = np.empty(n)
        pmin = np.empty(n)
        pdrop = np.empty(n)
        smax = np.empty(n)
        sdrop = np.empty(n)
        for jj in range(j1 - j0):
            k = counts[jj]
            x = vals[jj]
            rw = rows[jj]
            _worst_decline_1d(x, k, span, res, pmax, pmin, pdrop, smax, sdrop)
            j = j0 + jj
            t = 0
            for i in range(n):
                if t < k and rw[t] == i:
                    out[i, j] = res[t] if t >= span - 1 else np.nan
                    t += 1
                else:
                    out[i, j] = np.nan


# --------------------------------------------------------------------------- rebound
@nb.njit(cache=True, nogil=True, parallel=True)
def rebound_2d(a: np.ndarray, dates: np.ndarray, window: int, min_decline: float,
               retraced: np.ndarray, days: np.ndarray, decline: np.ndarray,
               peak: np.ndarray, trough: np.ndarray, peak_date: np.ndarray,
               trough_date: np.ndarray) -> None:
    """The latest decline of at least ``min_decline`` (a zigzag with that threshold) and
    how much of it is back; see :func:`rotascope.signals.drawdown.rebound`.

    State per ticker: peak P; pending trough T (or none); highest close H since T. A
    close >= P ends any decline and raises P; a close <= (1 - d) P starts one (T = it);
    a new low lowers T (H reset); after a bounce with H >= (1 + d) T, a close <= (1 - d) H
    starts a new decline from H. Reported while T is within the last ``window`` rows.
    """
    n, m = a.shape
    keep = 1.0 - min_decline
    rise = 1.0 + min_decline
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        vals = np.empty((BLOCK, n))
        rows = np.empty((BLOCK, n), dtype=np.int64)
        counts = np.empty(BLOCK, dtype=np.int64)
        _gather(a, j0, j1, True, vals, rows, counts)
        for jj in range(j1 - j0):
            j = j0 + jj
            k = counts[jj]
            x = vals[jj]
            rw = rows[jj]
            p = -1      # peak (own row)
            q = -1      # pending trough (own row), -1 when none
            h = -1      # highest close since the trough (own row), -1 when none
            t = 0
            for i in range(n):
                usable = t < k and rw[t] == i
                if usable:
                    v = x[t]
                    if p < 0 or v >= x[p]:
                        p = t
                        q = -1
                        h = -1
                    elif q < 0:
                        if v <= keep * x[p]:
                            q = t
                    elif h >= 0 and x[h] >= rise * x[q] and v <= keep * x[h]:
                        p = h
                        q = t
                        h = -1
                    elif v < x[q]:
                        q = t
                        h = -1
                    elif h < 0 or v >= x[h]:
                        h = t
                if usable and q >= 0 and t - q < window:
                    hi = x[p]
                    lo = x[q]
                    retraced[i, j] = (x[t] - lo) / (hi - lo)
                    days[i, j] = t - q
                    decline[i, j] = lo / hi - 1.0
                    peak[i, j] = hi
                    trough[i, j] = lo
                    peak_date[i, j] = dates[rw[p]]
                    trough_date[i, j] = dates[rw[q]]
                else:
                    retraced[i, j] = np.nan
                    days[i, j] = np.nan
                    decline[i, j] = np.nan
                    peak[i, j] = np.nan
                    trough[i, j] = np.nan
                    peak_date[i, j] = NAT
                    trough_date[i, j] = NAT
                if usable:
                    t += 1


# ---------------------------------------------------------------------------- pivots
@nb.njit(cache=True, nogil=True, parallel=True)
def swings_2d(a: np.ndarray, dates: np.ndarray, left: int, right: int,
              high: np.ndarray, low: np.ndarray, high_price: np.ndarray,
              low_price: np.ndarray, high_date: np.ndarray, low_date: np.ndarray,
              prev_high_price: np.ndarray, prev_low_price: np.ndarray,
              prev_high_date: np.ndarray, prev_low_date: np.ndarray) -> None:
    """Swing highs/lows confirmed by each row (flags on the confirmation row) and the
    latest / previous confirmed pivot's value and date.

    A swing high at own row p: x[p] > each of the ``left`` values before it and
    x[p] >= each of the ``right`` values after; it is confirmed at own row p + right.
    Lows mirror it (< before, <= after).
    """
    n, m = a.shape
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        vals = np.empty((BLOCK, n))
        rows = np.empty((BLOCK, n), dtype=np.int64)
        counts = np.empty(BLOCK, dtype=np.int64)
        _gather(a, j0, j1, False, vals, rows, counts)
        for jj in range(j1 - j0):
            j = j0 + jj
            k = counts[jj]
            x = vals[jj]
            rw = rows[jj]
            h1 = -1
            h2 = -1
            l1 = -1
            l2 = -1
            t = 0
            for i in range(n):
                if not (t < k and rw[t] == i):
                    high[i, j] = False
                    low[i, j] = False
                    high_price[i, j] = np.nan
                    low_price[i, j] = np.nan
                    prev_high_price[i, j] = np.nan
                    prev_low_price[i, j] = np.nan
                    high_date[i, j] = NAT
                    low_date[i, j] = NAT
                    prev_high_date[i, j] = NAT
                    prev_low_date[i, j] = NAT
                    continue
                p = t - right
                new_high = False
                new_low = False
                if p >= left:
                    if _is_high(x, p, left, right):
                        h2 = h1
                        h1 = p
                        new_high = True
                    elif _is_low(x, p, left, right):
                        l2 = l1
                        l1 = p
                        new_low = True
                high[i, j] = new_high
                low[i, j] = new_low
                if h1 >= 0:
                    high_price[i, j] = x[h1]
                    high_date[i, j] = dates[rw[h1]]
                else:
                    high_price[i, j] = np.nan
                    high_date[i, j] = NAT
                if h2 >= 0:
                    prev_high_price[i, j] = x[h2]
                    prev_high_date[i, j] = dates[rw[h2]]
                else:
                    prev_high_price[i, j] = np.nan
                    prev_high_date[i, j] = NAT
                if l1 >= 0:
                    low_price[i, j] = x[l1]
                    low_date[i, j] = dates[rw[l1]]
                else:
                    low_price[i, j] = np.nan
                    low_date[i, j] = NAT
                if l2 >= 0:
                    prev_low_price[i, j] = x[l2]
                    prev_low_date[i, j] = dates[rw[l2]]
                else:
                    prev_low_price[i, j] = np.nan
                    prev_low_date[i, j] = NAT
                t += 1


# ------------------------------------------------------------------------ divergence
@nb.njit(cache=True, nogil=True, parallel=True)
def divergence_2d(c: np.ndarray, r: np.ndarray, left: int, right: int, window: int,
                  out: np.ndarray) -> None:
    """-1 bearish / +1 bullish / 0 on the two latest confirmed price swings (see
    :func:`rotascope.signals.divergence.rsi_divergence`); NaN at NaN closes."""
    n, m = c.shape
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        vals = np.empty((BLOCK, n))
        rows = np.empty((BLOCK, n), dtype=np.int64)
        counts = np.empty(BLOCK, dtype=np.int64)
        _gather(c, j0, j1, False, vals, rows, counts)
        for jj in range(j1 - j0):
            j = j0 + jj
            k = counts[jj]
            x = vals[jj]
            rw = rows[jj]
            h1 = -1
            h2 = -1
            l1 = -1
            l2 = -1
            t = 0
            for i in range(n):
                if not (t < k and rw[t] == i):
                    out[i, j] = np.nan
                    continue
                p = t - right
                if p >= left:
                    if _is_high(x, p, left, right):
                        h2 = h1
                        h1 = p
                    elif _is_low(x, p, left, right):
                        l2 = l1
                        l1 = p
                bear = (h2 >= 0 and t - h2 <= window and x[h1] > x[h2]
                        and r[rw[h1], j] < r[rw[h2], j])
                bull = (l2 >= 0 and t - l2 <= window and x[l1] < x[l2]
                        and r[rw[l1], j] > r[rw[l2], j])
                if bear and bull:
                    out[i, j] = 1.0 if l1 > h1 else -1.0
                elif bull:
                    out[i, j] = 1.0
                elif bear:
                    out[i, j] = -1.0
                else:
                    out[i, j] = 0.0
                t += 1


@nb.njit(cache=True, nogil=True, parallel=True)
def fading_2d(c: np.ndarray, r: np.ndarray, left: int, right: int, window: int,
              near_high: float, out: np.ndarray) -> None:
    """RSI lower highs and lower lows while the close holds near its high (see
    :func:`rotascope.signals.divergence.rsi_lower_highs_lower_lows`).

    Rows are those where both the close and the RSI are known; the others are False.
    """
    n, m = c.shape
    floor = 1.0 - near_high
    for j in nb.prange(m):
        xs = np.empty(n)   # RSI on usable rows
        cs = np.empty(n)   # close on usable rows
        q = np.empty(n, dtype=np.int64)
        qh = 0
        qt = 0
        h1 = -1
        h2 = -1
        l1 = -1
        l2 = -1
        t = 0
        for i in range(n):
            cv = c[i, j]
            rv = r[i, j]
            if np.isnan(cv) or np.isnan(rv):
                out[i, j] = False
                continue
            xs[t] = rv
            cs[t] = cv
            while qt > qh and cs[q[qt - 1]] <= cv:
                qt -= 1
            q[qt] = t
            qt += 1
            while q[qh] < t - window + 1:
                qh += 1
            p = t - right
            if p >= left:
                if _is_high(xs, p, left, right):
                    h2 = h1
                    h1 = p
                elif _is_low(xs, p, left, right):
                    l2 = l1
                    l1 = p
            out[i, j] = (h2 >= 0 and t - h2 <= window and xs[h1] < xs[h2]
                         and l2 >= 0 and t - l2 <= window and xs[l1] < xs[l2]
                         and cv >= floor * cs[q[qh]])
            t += 1


# ---------------------------------------------------------------------------- ranges
@nb.njit(cache=True, nogil=True, parallel=True)
def range_2d(a: np.ndarray, dates: np.ndarray, width: float, min_days: int,
             in_range: np.ndarray, start: np.ndarray, floor: np.ndarray,
             ceiling: np.ndarray, days: np.ndarray, band_days: np.ndarray) -> None:
    """Longest trailing run of usable closes with max <= (1 + width) * min, per row.

    ``band_days`` is its length; when it is >= ``min_days`` the row is in a range with
    that start date, floor (min), ceiling (max) and days; otherwise NaN / NaT / False.
    """
    n, m = a.shape
    limit = 1.0 + width
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        vals = np.empty((BLOCK, n))
        rows = np.empty((BLOCK, n), dtype=np.int64)
        counts = np.empty(BLOCK, dtype=np.int64)
        _gather(a, j0, j1, True, vals, rows, counts)
        maxq = np.empty(n, dtype=np.int64)
        minq = np.empty(n, dtype=np.int64)
        maxv = np.empty(n)
        minv = np.empty(n)
        for jj in range(j1 - j0):
            j = j0 + jj
            k = counts[jj]
            x = vals[jj]
            rw = rows[jj]
            mh = 0
            mt = 0
            nh = 0
            nt = 0
            s = 0
            t = 0
            for i in range(n):
                if not (t < k and rw[t] == i):
                    in_range[i, j] = False
                    start[i, j] = NAT
                    floor[i, j] = np.nan
                    ceiling[i, j] = np.nan
                    days[i, j] = np.nan
                    band_days[i, j] = np.nan
                    continue
                v = x[t]
                while mt > mh and maxv[mt - 1] <= v:
                    mt -= 1
                maxq[mt] = t
                maxv[mt] = v
                mt += 1
                while nt > nh and minv[nt - 1] >= v:
                    nt -= 1
                minq[nt] = t
                minv[nt] = v
                nt += 1
                # Too wide: every band holding both extremes fails, so start just after
                # the older of the two (the newer one is at or before t), and repeat.
                while maxv[mh] > limit * minv[nh]:
                    s = maxq[mh] + 1 if maxq[mh] < minq[nh] else minq[nh] + 1
                    while maxq[mh] < s:
                        mh += 1
                    while minq[nh] < s:
                        nh += 1
                length = t - s + 1
                band_days[i, j] = length
                if length >= min_days:
                    in_range[i, j] = True
                    start[i, j] = dates[rw[s]]
                    floor[i, j] = minv[nh]
                    ceiling[i, j] = maxv[mh]
                    days[i, j] = length
                else:
                    in_range[i, j] = False
                    start[i, j] = NAT
                    floor[i, j] = np.nan
                    ceiling[i, j] = np.nan
                    days[i, j] = np.nan
                t += 1


@nb.njit(cache=True, nogil=True, parallel=True)
def range_breaks_2d(a: np.ndarray, width: float, min_days: int, margin: float,
                    out: np.ndarray) -> None:
    """+1 / -1 where a close clears the ceiling / floor of the previous row's range."""
    n, m = a.shape
    limit = 1.0 + width
    up = 1.0 + margin
    down = 1.0 - margin
    for b in nb.prange((m + BLOCK - 1) // BLOCK):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, m)
        vals = np.empty((BLOCK, n))
        rows = np.empty((BLOCK, n), dtype=np.int64)
        counts = np.empty(BLOCK, dtype=np.int64)
        _gather(a, j0, j1, True, vals, rows, counts)
        maxq = np.empty(n, dtype=np.int64)
        minq = np.empty(n, dtype=np.int64)
        maxv = np.empty(n)
        minv = np.empty(n)
        for jj in range(j1 - j0):
            j = j0 + jj
            k = counts[jj]
            x = vals[jj]
            rw = rows[jj]
            mh = 0
            mt = 0
            nh = 0
            nt = 0
            s = 0
            t = 0
            was = False
            lo = np.nan
            hi = np.nan
            for i in range(n):
                if not (t < k and rw[t] == i):
                    out[i, j] = np.nan
                    continue
                v = x[t]
                if was and v > hi * up:
                    out[i, j] = 1.0
                elif was and v < lo * down:
                    out[i, j] = -1.0
                else:
                    out[i, j] = 0.0
                while mt > mh and maxv[mt - 1] <= v:
                    mt -= 1
                maxq[mt] = t
                maxv[mt] = v
                mt += 1
                while nt > nh and minv[nt - 1] >= v:
                    nt -= 1
                minq[nt] = t
                minv[nt] = v
                nt += 1
                while maxv[mh] > limit * minv[nh]:
                    s = maxq[mh] + 1 if maxq[mh] < minq[nh] else minq[nh] + 1
                    while maxq[mh] < s:
                        mh += 1
                    while minq[nh] < s:
                        nh += 1
                was = t - s + 1 >= min_days
                lo = minv[nh]
                hi = maxv[mh]
                t += 1


# ------------------------------------------------------------------- numpy helpers
def alloc(shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
    """An uninitialised Fortran-ordered output (each ticker's column contiguous)."""
    return np.empty(shape, dtype=dtype, order="F")


def date_values(index: pd.DatetimeIndex) -> np.ndarray:
    """The index as int64 in its own datetime unit (what the kernels write)."""
    return np.ascontiguousarray(index.values.view(np.int64))


def as_dates(values: np.ndarray, index: pd.DatetimeIndex) -> np.ndarray:
    """int64 kernel output -> datetime64 of the index's unit (no copy)."""
    return values.view(index.values.dtype)


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
    """``obj`` (Series or DataFrame) read at one row per column; NaN where row < 0."""
    arr = obj.to_numpy()
    if arr.ndim == 1:
        arr = arr[:, None]
    cols = np.arange(arr.shape[1])
    got = arr[np.maximum(rows, 0), cols] if arr.shape[0] else np.full(len(cols), np.nan)
    if got.dtype.kind == "M":
        got = got.copy()
        got[rows < 0] = np.datetime64("NaT")
        return got
    got = got.astype(np.float64)
    got[rows < 0] = np.nan
    return got
