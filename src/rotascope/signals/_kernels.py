"""Compiled kernels for the indicator core (moving averages, RSI, rolling extremes).

Every kernel reads a 2-D float64 array ``a`` (time on axis 0, one column per ticker)
in place and writes preallocated outputs of the same shape. A kernel handles the
columns ``j0 <= j < j1`` so :func:`run_columns` can split the columns over threads (the
kernels release the GIL).

Inside a kernel the work is cut into *tiles*: ``block`` columns x ``tile`` rows. A tile
function runs one column of one tile with the indicator's state in local scalars
(loaded from, and saved to, a small per-column state array at the tile's edges), so the
inner loop is a plain scalar recurrence. The tile shape adapts to the memory layout:

* Fortran order (each ticker contiguous, what ``Store.close_matrix`` returns): one
  column x all rows, i.e. every ticker is one sequential stream;
* C order (each date contiguous): ``BLOCK_C`` columns x ``TILE_C`` rows, so the rows of a
  tile stay in L1/L2 while its columns are processed one after another (cache blocking;
  each cache line is fetched from memory once).

The fused full set runs every indicator's tile function on the same tile one after the
other: the input leaves main memory once and each output is written as one stream.

Missing values follow ``docs/architecture.md``. ``skip=True``: a NaN row outputs NaN and
is passed over (windows count the column's own valid rows, recursive state carries
over). ``skip=False`` ("propagate"): a NaN row outputs NaN and restarts the computation,
so each NaN-free stretch is computed as if it were a series of its own (TA-Lib behaviour
for a series that starts there).

The arithmetic follows TA-Lib's operation order (running SMA total updated as
``+newest, output, -oldest``; EMA ``(x - prev) * k + prev`` seeded with the SMA; Wilder
RSI ``*= (n - 1)``, ``+= change``, ``/= n``), so results match TA-Lib to the last bits on
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
    "column_major",
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

# Layout of the per-column state arrays (one row per column of a block and per slot).
# Moving average: floats [total, ema, prev], ints [count, trail row, ring pos, rows seen].
_F_TOTAL, _F_EMA, _F_PREV = 0, 1, 2
_I_COUNT, _I_TRAIL, _I_POS, _I_SEEN = 0, 1, 2, 3
# RSI: floats [last close, avg gain, avg loss], ints [changes seen (-1: no close yet),
# ring pos, non-zero gains in ring, non-zero losses in ring].
_R_LAST, _R_GAIN, _R_LOSS = 0, 1, 2
_R_COUNT, _R_POS, _R_NG, _R_NL = 0, 1, 2, 3


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
# tile functions: one column, rows t0..t1, state in scalars
# --------------------------------------------------------------------------------------


@nb.njit(nogil=True, cache=True)
def _ma_tile(a, out, j, t0, t1, kind, window, minp, skip, post, k,  # type: ignore[no-untyped-def]
             fs, ist, ring, r):
    total = fs[r, _F_TOTAL]
    e = fs[r, _F_EMA]
    prev = fs[r, _F_PREV]
    cnt = ist[r, _I_COUNT]
    tr = ist[r, _I_TRAIL]
    pos = ist[r, _I_POS]
    seen = ist[r, _I_SEEN]
    kk = ring.shape[1]
    alpha = 2.0 / (window + 1)
    for t in range(t0, t1):
        v = a[t, j]
        if np.isnan(v):
            out[t, j] = _NAN
            if not skip:
                total = 0.0
                cnt = 0
                pos = 0
                seen = 0
                prev = _NAN
            continue
        # ---- the average
        if kind == MA_SMA:
            if cnt == 0:
                tr = t
            cnt += 1
            total += v
            if cnt >= window:
                m = total / window
                if window > 1:
                    total -= a[tr, j]
                    tr += 1
                    while np.isnan(a[tr, j]):
                        tr += 1
                else:
                    total = 0.0
                cnt = window - 1
            elif cnt >= minp:
                m = total / cnt
            else:
                m = _NAN
        else:
            if cnt < window:
                total += v
                cnt += 1
                if cnt == window:
                    e = total / window
                    m = e
                else:
                    m = _NAN
            else:
                e = ((v - e) * alpha) + e
                m = e
        # ---- what the caller wants from it
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
            # ring holds the averages of the last k + 1 own rows
            ring[r, pos] = m
            pos += 1
            if pos == kk:
                pos = 0
            if seen >= k:
                slope = _ratio_m1(m, ring[r, pos])
            else:
                slope = _NAN
                seen += 1
            if post == POST_SLOPE:
                out[t, j] = slope
            else:
                out[t, j] = _turn(slope, prev)
                prev = slope
    fs[r, _F_TOTAL] = total
    fs[r, _F_EMA] = e
    fs[r, _F_PREV] = prev
    ist[r, _I_COUNT] = cnt
    ist[r, _I_TRAIL] = tr
    ist[r, _I_POS] = pos
    ist[r, _I_SEEN] = seen


@nb.njit(nogil=True, cache=True)
def _cross_tile(a, out, j, t0, t1, kind, fast, slow, skip,  # type: ignore[no-untyped-def]
                fs, ist, r):
    # two averages: slot r (fast) and r + 1 (slow); prev diff kept in the fast slot
    s1 = fs[r, _F_TOTAL]
    e1 = fs[r, _F_EMA]
    c1 = ist[r, _I_COUNT]
    tr1 = ist[r, _I_TRAIL]
    s2 = fs[r + 1, _F_TOTAL]
    e2 = fs[r + 1, _F_EMA]
    c2 = ist[r + 1, _I_COUNT]
    tr2 = ist[r + 1, _I_TRAIL]
    prev = fs[r, _F_PREV]
    a1 = 2.0 / (fast + 1)
    a2 = 2.0 / (slow + 1)
    for t in range(t0, t1):
        v = a[t, j]
        if np.isnan(v):
            out[t, j] = _NAN
            if not skip:
                s1 = 0.0
                c1 = 0
                s2 = 0.0
                c2 = 0
                prev = _NAN
            continue
        if kind == MA_SMA:
            if c1 == 0:
                tr1 = t
            if c2 == 0:
                tr2 = t
            c1 += 1
            c2 += 1
            s1 += v
            s2 += v
            if c1 >= fast:
                m1 = s1 / fast
                if fast > 1:
                    s1 -= a[tr1, j]
                    tr1 += 1
                    while np.isnan(a[tr1, j]):
                        tr1 += 1
                else:
                    s1 = 0.0
                c1 = fast - 1
            else:
                m1 = _NAN
            if c2 >= slow:
                m2 = s2 / slow
                s2 -= a[tr2, j]  # slow > fast >= 1
                tr2 += 1
                while np.isnan(a[tr2, j]):
                    tr2 += 1
                c2 = slow - 1
            else:
                m2 = _NAN
        else:
            if c1 < fast:
                s1 += v
                c1 += 1
                if c1 == fast:
                    e1 = s1 / fast
                    m1 = e1
                else:
                    m1 = _NAN
            else:
                e1 = ((v - e1) * a1) + e1
                m1 = e1
            if c2 < slow:
                s2 += v
                c2 += 1
                if c2 == slow:
                    e2 = s2 / slow
                    m2 = e2
                else:
                    m2 = _NAN
            else:
                e2 = ((v - e2) * a2) + e2
                m2 = e2
        d = m1 - m2
        out[t, j] = _turn(d, prev)
        prev = d
    fs[r, _F_TOTAL] = s1
    fs[r, _F_EMA] = e1
    ist[r, _I_COUNT] = c1
    ist[r, _I_TRAIL] = tr1
    fs[r + 1, _F_TOTAL] = s2
    fs[r + 1, _F_EMA] = e2
    ist[r + 1, _I_COUNT] = c2
    ist[r + 1, _I_TRAIL] = tr2
    fs[r, _F_PREV] = prev


@nb.njit(nogil=True, cache=True)
def _rsi_tile(a, out, j, t0, t1, window, smoothing, skip,  # type: ignore[no-untyped-def]
              fs, ist, ring, r):
    last = fs[r, _R_LAST]
    g = fs[r, _R_GAIN]
    lo = fs[r, _R_LOSS]
    cnt = ist[r, _R_COUNT]
    pos = ist[r, _R_POS]
    ng = ist[r, _R_NG]
    nl = ist[r, _R_NL]
    wm1 = float(window - 1)
    wf = float(window)
    inv = 1.0 / wf
    alpha = 2.0 / (window + 1)
    for t in range(t0, t1):
        v = a[t, j]
        if np.isnan(v):
            out[t, j] = _NAN
            if not skip:
                cnt = -1
                g = 0.0
                lo = 0.0
                pos = 0
                ng = 0
                nl = 0
            continue
        if cnt < 0:
            last = v
            cnt = 0
            out[t, j] = _NAN
            continue
        d = v - last
        last = v
        if cnt < window:
            # seed: plain sums of the first `window` gains and losses
            if smoothing == RSI_SMA:
                ring[r, cnt] = d
                if d > 0.0:
                    ng += 1
                elif d < 0.0:
                    nl += 1
            if d < 0.0:
                lo -= d
            else:
                g += d
            cnt += 1
            if cnt < window:
                out[t, j] = _NAN
            elif smoothing == RSI_SMA:
                out[t, j] = _rsi_value(g if ng > 0 else 0.0, lo if nl > 0 else 0.0)
            else:
                lo /= wf
                g /= wf
                out[t, j] = _rsi_value(g, lo)
            continue
        if smoothing == RSI_WILDER:
            gain = d if d > 0.0 else 0.0
            loss = -d if d < 0.0 else 0.0
            g = (g * wm1 + gain) * inv
            lo = (lo * wm1 + loss) * inv
        elif smoothing == RSI_EMA:
            gain = d if d > 0.0 else 0.0
            loss = -d if d < 0.0 else 0.0
            g = ((gain - g) * alpha) + g
            lo = ((loss - lo) * alpha) + lo
        else:
            # running sums over a ring of the last `window` changes; the counts of
            # non-zero gains/losses make a sum exactly 0 once its last term has left
            old = ring[r, pos]
            ring[r, pos] = d
            pos += 1
            if pos == window:
                pos = 0
            if old > 0.0:
                g -= old
                ng -= 1
            elif old < 0.0:
                lo += old
                nl -= 1
            if d > 0.0:
                g += d
                ng += 1
            elif d < 0.0:
                lo -= d
                nl += 1
            if ng == 0:
                g = 0.0
            if nl == 0:
                lo = 0.0
        out[t, j] = _rsi_value(g, lo)
    fs[r, _R_LAST] = last
    fs[r, _R_GAIN] = g
    fs[r, _R_LOSS] = lo
    ist[r, _R_COUNT] = cnt
    ist[r, _R_POS] = pos
    ist[r, _R_NG] = ng
    ist[r, _R_NL] = nl


@nb.njit(nogil=True, cache=True)
def _extreme_tile(a, out, j, t0, t1, window, minp, is_max, pct, skip,  # type: ignore[no-untyped-def]
                  ist, fs, cur, suf, r):
    # van Herk / Gil-Werman: the column's valid values are cut into blocks of `window`;
    # `pre` is the running extreme of the current block, suf[r, p] the extreme of the
    # previous block from position p to its end (suf[r, window] = -inf), so the window
    # ending at position p is extreme(suf[r, p + 1], pre). Three comparisons per value,
    # no data-dependent branches, whatever the window.
    p = ist[r, 0]  # position in the current block
    cnt = ist[r, 1]  # values seen, capped at window
    pre = fs[r, 0]
    sign = 1.0 if is_max else -1.0
    last = window - 1
    for t in range(t0, t1):
        v = a[t, j]
        if np.isnan(v):
            out[t, j] = _NAN
            if not skip:
                p = 0
                cnt = 0
                pre = -np.inf
                suf[r, 0] = -np.inf  # no previous block
                for i in range(1, window + 1):
                    suf[r, i] = -np.inf
            continue
        x = sign * v
        cur[r, p] = x
        pre = max(pre, x)
        ext = max(suf[r, p + 1], pre)
        if cnt < window:
            cnt += 1
        if p == last:
            # block complete: its suffix extremes serve the next block
            acc = -np.inf
            for i in range(last, -1, -1):
                acc = max(acc, cur[r, i])
                suf[r, i] = acc
            p = 0
            pre = -np.inf
        else:
            p += 1
        if cnt < minp:
            out[t, j] = _NAN
        else:
            e = sign * ext
            if pct:
                out[t, j] = v / e - 1.0 if e > 0.0 else _NAN
            else:
                out[t, j] = e
    ist[r, 0] = p
    ist[r, 1] = cnt
    fs[r, 0] = pre


# --------------------------------------------------------------------------------------
# kernels: columns j0..j1 in blocks x tiles
# --------------------------------------------------------------------------------------


@nb.njit(nogil=True, cache=True)
def _reset_ma(fs, ist, r):  # type: ignore[no-untyped-def]
    fs[r, _F_TOTAL] = 0.0
    fs[r, _F_EMA] = 0.0
    fs[r, _F_PREV] = _NAN
    for q in range(ist.shape[1]):
        ist[r, q] = 0


@nb.njit(nogil=True, cache=True)
def _reset_rsi(fs, ist, r):  # type: ignore[no-untyped-def]
    fs[r, _R_LAST] = 0.0
    fs[r, _R_GAIN] = 0.0
    fs[r, _R_LOSS] = 0.0
    ist[r, _R_COUNT] = -1
    ist[r, _R_POS] = 0
    ist[r, _R_NG] = 0
    ist[r, _R_NL] = 0


@nb.njit(nogil=True, cache=True)
def ma_2d(a, out, j0, j1, block, tile, kind, window, minp, skip, post, k):  # type: ignore[no-untyped-def]
    """SMA/EMA of columns j0..j1 with an optional post-operation (POST_*)."""
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    fs = np.empty((width, 3))
    ist = np.empty((width, 4), np.int64)
    ring = np.empty((width, k + 1 if post >= POST_SLOPE else 1))
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        for jj in range(b1 - b0):
            _reset_ma(fs, ist, jj)
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            for jj in range(b1 - b0):
                _ma_tile(a, out, b0 + jj, t0, t1, kind, window, minp, skip, post, k,
                         fs, ist, ring, jj)


@nb.njit(nogil=True, cache=True)
def cross_2d(a, out, j0, j1, block, tile, kind, fast, slow, skip):  # type: ignore[no-untyped-def]
    """+1 / -1 / 0 where the fast average crosses the slow one (NaN where undefined)."""
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    fs = np.empty((2 * width, 3))
    ist = np.empty((2 * width, 4), np.int64)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        for r in range(2 * (b1 - b0)):
            _reset_ma(fs, ist, r)
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            for jj in range(b1 - b0):
                _cross_tile(a, out, b0 + jj, t0, t1, kind, fast, slow, skip, fs, ist, 2 * jj)


@nb.njit(nogil=True, cache=True)
def rsi_2d(a, out, j0, j1, block, tile, window, smoothing, skip):  # type: ignore[no-untyped-def]
    """RSI with Wilder (TA-Lib), simple (Cutler) or exponential smoothing."""
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    fs = np.empty((width, 3))
    ist = np.empty((width, 4), np.int64)
    ring = np.zeros((width, window if smoothing == RSI_SMA else 1))
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        for jj in range(b1 - b0):
            _reset_rsi(fs, ist, jj)
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            for jj in range(b1 - b0):
                _rsi_tile(a, out, b0 + jj, t0, t1, window, smoothing, skip, fs, ist, ring, jj)


@nb.njit(nogil=True, cache=True)
def extreme_2d(a, out, j0, j1, block, tile, window, minp, is_max, pct, skip):  # type: ignore[no-untyped-def]
    """Rolling max/min over the last ``window`` valid rows (van Herk/Gil-Werman, O(1)/row).

    ``pct=True`` writes ``close / extreme - 1`` instead (NaN where the extreme is <= 0).
    """
    n = a.shape[0]
    width = max(1, min(block, j1 - j0))
    ist = np.zeros((width, 2), np.int64)
    fs = np.empty((width, 1))
    cur = np.empty((width, window))
    suf = np.empty((width, window + 1))
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        for jj in range(b1 - b0):
            ist[jj, 0] = 0
            ist[jj, 1] = 0
            fs[jj, 0] = -np.inf
            for i in range(window + 1):
                suf[jj, i] = -np.inf
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            for jj in range(b1 - b0):
                _extreme_tile(a, out, b0 + jj, t0, t1, window, minp, is_max, pct, skip,
                              ist, fs, cur, suf, jj)


@nb.njit(nogil=True, cache=True)
def full_set_2d(a, sma_out, ema_out, rsi_out, j0, j1, block, tile,  # type: ignore[no-untyped-def]
                sma_w, ema_w, rsi_w, skip):
    """SMA for each window in ``sma_w``, EMA for each in ``ema_w`` and Wilder RSI(rsi_w).

    Each tile of the input is read from memory once; every indicator then runs over it
    from cache and writes its own output as one stream.
    """
    n = a.shape[0]
    ns = sma_w.shape[0]
    ne = ema_w.shape[0]
    width = max(1, min(block, j1 - j0))
    fs = np.empty(((ns + ne) * width, 3))
    ist = np.empty(((ns + ne) * width, 4), np.int64)
    ring = np.empty(((ns + ne) * width, 1))
    rfs = np.empty((width, 3))
    rist = np.empty((width, 4), np.int64)
    rring = np.zeros((width, 1))
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        for r in range((ns + ne) * bw):
            _reset_ma(fs, ist, r)
        for jj in range(bw):
            _reset_rsi(rfs, rist, jj)
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            for jj in range(bw):
                j = b0 + jj
                for q in range(ns):
                    w = sma_w[q]
                    _ma_tile(a, sma_out[q], j, t0, t1, MA_SMA, w, w, skip, POST_VALUE, 0,
                             fs, ist, ring, q * bw + jj)
                for q in range(ne):
                    w = ema_w[q]
                    _ma_tile(a, ema_out[q], j, t0, t1, MA_EMA, w, w, skip, POST_VALUE, 0,
                             fs, ist, ring, (ns + q) * bw + jj)
                _rsi_tile(a, rsi_out, j, t0, t1, rsi_w, RSI_WILDER, skip, rfs, rist, rring, jj)


# --------------------------------------------------------------------------------------
# Python-side dispatch: layout-aware tiles and the thread split over columns
# --------------------------------------------------------------------------------------

#: Tile for C order: columns x rows (32 x 256 doubles = 64 KiB, kept in L2).
BLOCK_C = 32
TILE_C = 256
#: Below this many cells a call runs on the calling thread only.
_MIN_SPLIT_CELLS = 1 << 16

_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def _n_threads() -> int:
    try:
        return max(1, int(nb.config.NUMBA_NUM_THREADS))
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return max(1, len(os.sched_getaffinity(0)))


def _get_pool(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size < workers:
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rotascope-signals")
        _pool_size = workers
    return _pool


def column_major(a: np.ndarray) -> bool:
    """True when consecutive rows of a column are adjacent in memory (Fortran-like)."""
    if a.ndim != 2 or a.shape[0] <= 1 or a.shape[1] <= 1:
        return True
    return abs(a.strides[0]) <= abs(a.strides[1])


def alloc_like(a: np.ndarray) -> np.ndarray:
    """Uninitialised float64 array with ``a``'s shape in ``a``'s memory order."""
    return np.empty(a.shape, dtype=np.float64, order="F" if column_major(a) else "C")


def run_columns(kernel: Callable[..., Any], a: np.ndarray, outs: Sequence[Any],
                *params: Any, threads: int | None = None) -> None:
    """Run ``kernel(a, *outs, j0, j1, block, tile, *params)`` over all columns.

    The columns are split into one contiguous range per thread (numba's thread count,
    ``NUMBA_NUM_THREADS``); ranges start on multiples of 8 columns so two threads never
    write the same cache line of a C-ordered output.
    """
    n, m = a.shape
    if column_major(a):
        block, tile = 1, max(n, 1)
    else:
        block, tile = BLOCK_C, TILE_C
    nthreads = _n_threads() if threads is None else threads
    nthreads = min(nthreads, max(1, m // 8))
    if nthreads <= 1 or n * m < _MIN_SPLIT_CELLS:
        kernel(a, *outs, 0, m, block, tile, *params)
        return
    step = -(-m // nthreads)
    step = -(-step // 8) * 8
    bounds = [(j, min(j + step, m)) for j in range(0, m, step)]
    pool = _get_pool(len(bounds) - 1)
    futures = [pool.submit(kernel, a, *outs, j0, j1, block, tile, *params)
               for j0, j1 in bounds[1:]]
    j0, j1 = bounds[0]
    kernel(a, *outs, j0, j1, block, tile, *params)
    for f in futures:
        f.result()
