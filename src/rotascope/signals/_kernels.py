"""Compiled kernels for the indicator core (moving averages, RSI, rolling extremes).

Every kernel works in place on a 2-D float64 array ``a`` (time on axis 0, one column
per ticker) and writes preallocated outputs of the same shape; it handles the columns
``j0 <= j < j1`` so :func:`run_columns` can split the columns over threads (the kernels
release the GIL). Inside that range columns are processed in blocks of ``block``
columns, time-major: for every row, every column of the block is updated. The same
code therefore serves both memory layouts:

* Fortran order (each ticker contiguous, what ``Store.close_matrix`` returns): small
  blocks (a few columns) give independent dependency chains to overlap while every
  column is still read as one sequential stream;
* C order (each date contiguous): wide blocks read and write whole cache lines of a row
  and keep the rows a window looks back at in L2 (cache blocking).

Missing values follow ``docs/architecture.md``. ``skip=True``: a NaN row outputs NaN and
is passed over (windows count the column's own valid rows, recursive state carries
over). ``skip=False`` ("propagate"): a NaN row outputs NaN and restarts the computation,
so each NaN-free stretch is computed as if it were a series of its own (TA-Lib
behaviour for a series that starts at that row).

The arithmetic follows TA-Lib's operation order (running SMA total updated as
``+new, output, -oldest``; EMA ``(x - prev) * k + prev`` seeded with the SMA; Wilder RSI
with ``*= (n - 1)``, ``/= n``), so results agree with TA-Lib to the last bits on
NaN-free data.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba as nb
import numpy as np

__all__ = [
    "MA_SMA",
    "MA_EMA",
    "POST_VALUE",
    "POST_PCT",
    "POST_ABOVE",
    "POST_SLOPE",
    "POST_TURNS",
    "RSI_WILDER",
    "RSI_SMA",
    "RSI_EMA",
    "ma_2d",
    "cross_2d",
    "rsi_2d",
    "extreme_2d",
    "full_set_2d",
    "alloc_like",
    "run_columns",
]

MA_SMA = 0
MA_EMA = 1

POST_VALUE = 0  # the average itself
POST_PCT = 1  # close / ma - 1
POST_ABOVE = 2  # 1.0 if close > ma else 0.0
POST_SLOPE = 3  # ma[t] / ma[t - k own rows] - 1
POST_TURNS = 4  # +1 / -1 / 0 where the slope crosses zero

RSI_WILDER = 0
RSI_SMA = 1
RSI_EMA = 2

_NAN = np.nan

# --------------------------------------------------------------------------------------
# per-element steps (inlined into every kernel)
# --------------------------------------------------------------------------------------


@nb.njit(inline="always")
def _next_valid(a: np.ndarray, r: int, j: int) -> int:
    # First row >= r holding a value in column j; callers guarantee one exists.
    while np.isnan(a[r, j]):
        r += 1
    return r


@nb.njit(inline="always")
def _sma_step(a, t, j, jj, v, window, minp, s, c, tr):  # type: ignore[no-untyped-def]
    # s[jj]: running total of the values in the window before v; c[jj]: their count;
    # tr[jj]: row of the oldest of them.
    cnt = c[jj] + 1
    if cnt == 1:
        tr[jj] = t
    total = s[jj] + v
    if cnt >= window:
        m = total / window
        if window > 1:
            total -= a[tr[jj], j]
            tr[jj] = _next_valid(a, tr[jj] + 1, j)
        else:
            total = 0.0
        s[jj] = total
        c[jj] = window - 1
        return m
    s[jj] = total
    c[jj] = cnt
    if cnt >= minp:
        return total / cnt
    return _NAN


@nb.njit(inline="always")
def _ema_step(v, jj, window, alpha, s, c, e):  # type: ignore[no-untyped-def]
    cnt = c[jj]
    if cnt < window:
        total = s[jj] + v
        s[jj] = total
        cnt += 1
        c[jj] = cnt
        if cnt == window:
            m = total / window
            e[jj] = m
            return m
        return _NAN
    m = ((v - e[jj]) * alpha) + e[jj]
    e[jj] = m
    return m


@nb.njit(inline="always")
def _ma_step(a, t, j, jj, v, kind, window, minp, alpha, s, c, tr, e):  # type: ignore[no-untyped-def]
    if kind == MA_SMA:
        return _sma_step(a, t, j, jj, v, window, minp, s, c, tr)
    return _ema_step(v, jj, window, alpha, s, c, e)


@nb.njit(inline="always")
def _ratio_m1(x: float, y: float) -> float:
    # x / y - 1, NaN where y is NaN or 0 (undefined ratio).
    if y == 0.0 or np.isnan(y):
        return _NAN
    return x / y - 1.0


@nb.njit(inline="always")
def _turn(cur: float, prev: float) -> float:
    if np.isnan(cur) or np.isnan(prev):
        return _NAN
    if cur > 0.0 and prev <= 0.0:
        return 1.0
    if cur < 0.0 and prev >= 0.0:
        return -1.0
    return 0.0


@nb.njit(inline="always")
def _rsi_value(g: float, loss: float) -> float:
    tot = g + loss
    if tot != 0.0:
        return 100.0 * (g / tot)
    return 0.0  # flat window: TA-Lib convention


# --------------------------------------------------------------------------------------
# moving averages and what is derived from one average
# --------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def ma_2d(a, out, j0, j1, block, kind, window, minp, skip, post, k):  # type: ignore[no-untyped-def]
    """SMA/EMA of columns j0..j1 with an optional post-operation (POST_*)."""
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    s = np.zeros(width)
    e = np.zeros(width)
    c = np.zeros(width, np.int64)
    tr = np.zeros(width, np.int64)
    kk = k + 1 if post >= POST_SLOPE else 1
    ring = np.empty((width, kk))
    pos = np.zeros(width, np.int64)
    nv = np.zeros(width, np.int64)
    prev = np.empty(width)
    alpha = 2.0 / (window + 1)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        for jj in range(bw):
            s[jj] = 0.0
            c[jj] = 0
            pos[jj] = 0
            nv[jj] = 0
            prev[jj] = _NAN
        for t in range(n):
            for jj in range(bw):
                j = b0 + jj
                v = a[t, j]
                if np.isnan(v):
                    out[t, j] = _NAN
                    if not skip:
                        s[jj] = 0.0
                        c[jj] = 0
                        pos[jj] = 0
                        nv[jj] = 0
                        prev[jj] = _NAN
                    continue
                m = _ma_step(a, t, j, jj, v, kind, window, minp, alpha, s, c, tr, e)
                if post == POST_VALUE:
                    out[t, j] = m
                elif post == POST_PCT:
                    out[t, j] = _ratio_m1(v, m)
                elif post == POST_ABOVE:
                    if np.isnan(m):
                        out[t, j] = _NAN
                    else:
                        out[t, j] = 1.0 if v > m else 0.0
                else:
                    # ring[jj, pos] holds the last k + 1 averages of the column's rows
                    p = pos[jj]
                    ring[jj, p] = m
                    p += 1
                    if p == kk:
                        p = 0
                    pos[jj] = p
                    cnt = nv[jj]
                    if cnt >= k:
                        slope = _ratio_m1(m, ring[jj, p])
                    else:
                        slope = _NAN
                        nv[jj] = cnt + 1
                    if post == POST_SLOPE:
                        out[t, j] = slope
                    else:
                        out[t, j] = _turn(slope, prev[jj])
                        prev[jj] = slope


@nb.njit(cache=True, nogil=True)
def cross_2d(a, out, j0, j1, block, kind, fast, slow, skip):  # type: ignore[no-untyped-def]
    """+1 / -1 / 0 where the fast average crosses the slow one (NaN where undefined)."""
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    s1 = np.zeros(width)
    e1 = np.zeros(width)
    c1 = np.zeros(width, np.int64)
    t1 = np.zeros(width, np.int64)
    s2 = np.zeros(width)
    e2 = np.zeros(width)
    c2 = np.zeros(width, np.int64)
    t2 = np.zeros(width, np.int64)
    prev = np.empty(width)
    a1 = 2.0 / (fast + 1)
    a2 = 2.0 / (slow + 1)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        for jj in range(bw):
            s1[jj] = 0.0
            c1[jj] = 0
            s2[jj] = 0.0
            c2[jj] = 0
            prev[jj] = _NAN
        for t in range(n):
            for jj in range(bw):
                j = b0 + jj
                v = a[t, j]
                if np.isnan(v):
                    out[t, j] = _NAN
                    if not skip:
                        s1[jj] = 0.0
                        c1[jj] = 0
                        s2[jj] = 0.0
                        c2[jj] = 0
                        prev[jj] = _NAN
                    continue
                m1 = _ma_step(a, t, j, jj, v, kind, fast, fast, a1, s1, c1, t1, e1)
                m2 = _ma_step(a, t, j, jj, v, kind, slow, slow, a2, s2, c2, t2, e2)
                d = m1 - m2
                out[t, j] = _turn(d, prev[jj])
                prev[jj] = d


# --------------------------------------------------------------------------------------
# RSI
# --------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def rsi_2d(a, out, j0, j1, block, window, smoothing, skip):  # type: ignore[no-untyped-def]
    """RSI with Wilder (TA-Lib), simple (Cutler) or exponential smoothing."""
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    last = np.empty(width)  # previous valid close
    g = np.zeros(width)
    lo = np.zeros(width)
    c = np.zeros(width, np.int64)  # changes seen (capped at window), -1 = no close yet
    # simple smoothing: ring of the last `window` changes + counts of non-zero gains/losses
    rw = window if smoothing == RSI_SMA else 1
    ring = np.zeros((width, rw))
    pos = np.zeros(width, np.int64)
    ng = np.zeros(width, np.int64)
    nl = np.zeros(width, np.int64)
    wm1 = float(window - 1)
    wf = float(window)
    alpha = 2.0 / (window + 1)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        for jj in range(bw):
            c[jj] = -1
            g[jj] = 0.0
            lo[jj] = 0.0
            pos[jj] = 0
            ng[jj] = 0
            nl[jj] = 0
        for t in range(n):
            for jj in range(bw):
                j = b0 + jj
                v = a[t, j]
                if np.isnan(v):
                    out[t, j] = _NAN
                    if not skip:
                        c[jj] = -1
                        g[jj] = 0.0
                        lo[jj] = 0.0
                        pos[jj] = 0
                        ng[jj] = 0
                        nl[jj] = 0
                    continue
                cnt = c[jj]
                if cnt < 0:
                    last[jj] = v
                    c[jj] = 0
                    out[t, j] = _NAN
                    continue
                d = v - last[jj]
                last[jj] = v
                if cnt < window:
                    if smoothing == RSI_SMA:
                        ring[jj, cnt] = d
                        if d > 0.0:
                            ng[jj] += 1
                        elif d < 0.0:
                            nl[jj] += 1
                    if d < 0.0:
                        lo[jj] -= d
                    else:
                        g[jj] += d
                    cnt += 1
                    c[jj] = cnt
                    if cnt < window:
                        out[t, j] = _NAN
                        continue
                    if smoothing == RSI_SMA:
                        out[t, j] = _rsi_value(g[jj] if ng[jj] > 0 else 0.0,
                                               lo[jj] if nl[jj] > 0 else 0.0)
                    else:
                        lo[jj] /= wf
                        g[jj] /= wf
                        out[t, j] = _rsi_value(g[jj], lo[jj])
                    continue
                if smoothing == RSI_WILDER:
                    gg = g[jj] * wm1
                    ll = lo[jj] * wm1
                    if d < 0.0:
                        ll -= d
                    else:
                        gg += d
                    gg /= wf
                    ll /= wf
                    g[jj] = gg
                    lo[jj] = ll
                    out[t, j] = _rsi_value(gg, ll)
                elif smoothing == RSI_EMA:
                    gain = d if d > 0.0 else 0.0
                    loss = -d if d < 0.0 else 0.0
                    gg = (gain - g[jj]) * alpha + g[jj]
                    ll = (loss - lo[jj]) * alpha + lo[jj]
                    g[jj] = gg
                    lo[jj] = ll
                    out[t, j] = _rsi_value(gg, ll)
                else:
                    p = pos[jj]
                    old = ring[jj, p]
                    ring[jj, p] = d
                    p += 1
                    if p == window:
                        p = 0
                    pos[jj] = p
                    gg = g[jj]
                    ll = lo[jj]
                    if old > 0.0:
                        gg -= old
                        ng[jj] -= 1
                    elif old < 0.0:
                        ll += old
                        nl[jj] -= 1
                    if d > 0.0:
                        gg += d
                        ng[jj] += 1
                    elif d < 0.0:
                        ll -= d
                        nl[jj] += 1
                    if ng[jj] == 0:
                        gg = 0.0
                    if nl[jj] == 0:
                        ll = 0.0
                    g[jj] = gg
                    lo[jj] = ll
                    out[t, j] = _rsi_value(gg, ll)


# --------------------------------------------------------------------------------------
# rolling extremes
# --------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def extreme_2d(a, out, j0, j1, block, window, minp, is_max, pct, skip):  # type: ignore[no-untyped-def]
    """Rolling max/min over the last ``window`` valid rows (monotonic deque, O(1) amortised).

    ``pct=True`` writes ``close / extreme - 1`` instead (NaN where the extreme is <= 0).
    """
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    dq = np.empty((width, window), np.int64)  # ring buffer of row numbers
    head = np.zeros(width, np.int64)
    size = np.zeros(width, np.int64)
    c = np.zeros(width, np.int64)
    tr = np.zeros(width, np.int64)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        for jj in range(bw):
            head[jj] = 0
            size[jj] = 0
            c[jj] = 0
        for t in range(n):
            for jj in range(bw):
                j = b0 + jj
                v = a[t, j]
                if np.isnan(v):
                    out[t, j] = _NAN
                    if not skip:
                        head[jj] = 0
                        size[jj] = 0
                        c[jj] = 0
                    continue
                cnt = c[jj] + 1
                if cnt == 1:
                    tr[jj] = t
                elif cnt > window:
                    tr[jj] = _next_valid(a, tr[jj] + 1, j)
                    cnt = window
                c[jj] = cnt
                h = head[jj]
                sz = size[jj]
                # drop rows that left the window
                while sz > 0 and dq[jj, h] < tr[jj]:
                    h += 1
                    if h == window:
                        h = 0
                    sz -= 1
                # drop rows dominated by v
                while sz > 0:
                    b = h + sz - 1
                    if b >= window:
                        b -= window
                    w = a[dq[jj, b], j]
                    if (w <= v) if is_max else (w >= v):
                        sz -= 1
                    else:
                        break
                b = h + sz
                if b >= window:
                    b -= window
                dq[jj, b] = t
                sz += 1
                head[jj] = h
                size[jj] = sz
                if cnt < minp:
                    out[t, j] = _NAN
                    continue
                ext = a[dq[jj, h], j]
                if pct:
                    out[t, j] = v / ext - 1.0 if ext > 0.0 else _NAN
                else:
                    out[t, j] = ext


# --------------------------------------------------------------------------------------
# the fused full set: SMA per window, EMA per window, RSI, one pass over the input
# --------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def full_set_2d(a, sma_out, ema_out, rsi_out, j0, j1, block,  # type: ignore[no-untyped-def]
                sma_w, ema_w, rsi_w, skip):
    """SMA for each window in ``sma_w``, EMA for each in ``ema_w`` and Wilder RSI(rsi_w)."""
    n = a.shape[0]
    ns = sma_w.shape[0]
    ne = ema_w.shape[0]
    width = max(1, min(block, j1 - j0))
    ss = np.zeros((ns, width))
    sc = np.zeros((ns, width), np.int64)
    st = np.zeros((ns, width), np.int64)
    es = np.zeros((ne, width))
    ec = np.zeros((ne, width), np.int64)
    ee = np.zeros((ne, width))
    alphas = np.empty(ne)
    for q in range(ne):
        alphas[q] = 2.0 / (ema_w[q] + 1)
    last = np.empty(width)
    g = np.zeros(width)
    lo = np.zeros(width)
    rc = np.zeros(width, np.int64)
    wm1 = float(rsi_w - 1)
    wf = float(rsi_w)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        for jj in range(bw):
            for q in range(ns):
                ss[q, jj] = 0.0
                sc[q, jj] = 0
            for q in range(ne):
                es[q, jj] = 0.0
                ec[q, jj] = 0
            rc[jj] = -1
            g[jj] = 0.0
            lo[jj] = 0.0
        for t in range(n):
            for jj in range(bw):
                j = b0 + jj
                v = a[t, j]
                if np.isnan(v):
                    for q in range(ns):
                        sma_out[q][t, j] = _NAN
                    for q in range(ne):
                        ema_out[q][t, j] = _NAN
                    rsi_out[t, j] = _NAN
                    if not skip:
                        for q in range(ns):
                            ss[q, jj] = 0.0
                            sc[q, jj] = 0
                        for q in range(ne):
                            es[q, jj] = 0.0
                            ec[q, jj] = 0
                        rc[jj] = -1
                        g[jj] = 0.0
                        lo[jj] = 0.0
                    continue
                for q in range(ns):
                    sma_out[q][t, j] = _sma_step(a, t, j, jj, v, sma_w[q], sma_w[q],
                                                 ss[q], sc[q], st[q])
                for q in range(ne):
                    ema_out[q][t, j] = _ema_step(v, jj, ema_w[q], alphas[q], es[q], ec[q],
                                                 ee[q])
                cnt = rc[jj]
                if cnt < 0:
                    last[jj] = v
                    rc[jj] = 0
                    rsi_out[t, j] = _NAN
                    continue
                d = v - last[jj]
                last[jj] = v
                if cnt < rsi_w:
                    if d < 0.0:
                        lo[jj] -= d
                    else:
                        g[jj] += d
                    cnt += 1
                    rc[jj] = cnt
                    if cnt < rsi_w:
                        rsi_out[t, j] = _NAN
                    else:
                        lo[jj] /= wf
                        g[jj] /= wf
                        rsi_out[t, j] = _rsi_value(g[jj], lo[jj])
                    continue
                gg = g[jj] * wm1
                ll = lo[jj] * wm1
                if d < 0.0:
                    ll -= d
                else:
                    gg += d
                gg /= wf
                ll /= wf
                g[jj] = gg
                lo[jj] = ll
                rsi_out[t, j] = _rsi_value(gg, ll)


# --------------------------------------------------------------------------------------
# Python-side dispatch: layout-aware block width and the thread split over columns
# --------------------------------------------------------------------------------------

#: Columns per block when each column is contiguous (Fortran order).
BLOCK_F = 4
#: Columns per block when each row is contiguous (C order): 2 KiB of a row.
BLOCK_C = 256
#: Below this many cells a call runs on the calling thread only.
_MIN_SPLIT_CELLS = 1 << 16

_pool: ThreadPoolExecutor | None = None


def _n_threads() -> int:
    try:
        return max(1, int(nb.config.NUMBA_NUM_THREADS))
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return max(1, len(os.sched_getaffinity(0)))


def _get_pool(workers: int) -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool._max_workers < workers:
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rotascope-signals")
    return _pool


def column_major(a: np.ndarray) -> bool:
    """True when consecutive rows of a column are adjacent in memory (Fortran-like)."""
    if a.ndim != 2 or a.shape[0] <= 1:
        return True
    if a.shape[1] <= 1:
        return True
    return abs(a.strides[0]) <= abs(a.strides[1])


def alloc_like(a: np.ndarray) -> np.ndarray:
    """Uninitialised float64 array with ``a``'s shape in ``a``'s memory order."""
    return np.empty(a.shape, dtype=np.float64, order="F" if column_major(a) else "C")


def run_columns(kernel: Callable[..., Any], a: np.ndarray, outs: Sequence[Any],
                *params: Any, threads: int | None = None) -> None:
    """Run ``kernel(a, *outs, j0, j1, block, *params)`` over all columns.

    Splits the columns into one contiguous range per thread (numba's thread count,
    ``NUMBA_NUM_THREADS``); ranges start on multiples of 8 columns so two threads never
    write the same cache line of a C-ordered output.
    """
    n, m = a.shape
    block = BLOCK_F if column_major(a) else BLOCK_C
    nthreads = _n_threads() if threads is None else threads
    nthreads = min(nthreads, max(1, m // 8))
    if nthreads <= 1 or n * m < _MIN_SPLIT_CELLS:
        kernel(a, *outs, 0, m, block, *params)
        return
    step = -(-m // nthreads)
    step = -(-step // 8) * 8
    bounds = [(j, min(j + step, m)) for j in range(0, m, step)]
    pool = _get_pool(len(bounds) - 1)
    futures = [pool.submit(kernel, a, *outs, j0, j1, block, *params) for j0, j1 in bounds[1:]]
    j0, j1 = bounds[0]
    kernel(a, *outs, j0, j1, block, *params)
    for f in futures:
        f.result()
