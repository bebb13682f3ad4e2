"""Compiled kernels for the indicator core (moving averages, RSI, rolling extremes).

Every kernel reads a 2-D float64 array ``a`` (time on axis 0, one column per ticker)
in place and writes preallocated outputs of the same shape. A kernel handles the
columns ``j0 <= j < j1`` so :func:`run_columns` can split the columns over threads (the
kernels release the GIL).

Inside a kernel the work is cut into *tiles*: ``block`` columns x ``tile`` rows. A tile
function runs the columns of one tile with the indicator's state in local scalars
(loaded from, and saved to, a small per-column state array at the tile's edges), so the
inner loop is a plain scalar recurrence. The tile shape adapts to the memory layout:

* Fortran order (each ticker contiguous, what ``Store.close_matrix`` returns): four
  columns x all rows; the four columns advance together, row by row, so four independent
  dependency chains overlap while each column is still read as one sequential stream;
* C order (each date contiguous): ``BLOCK_C`` columns x ``TILE_C`` rows (cache blocking:
  each cache line is fetched from memory once). Columns that have no NaN in the tile or
  in the rows it looks back at are updated a whole row of the block at a time (vector
  instructions over adjacent columns); the others run column by column.

The fused full set runs every indicator's tile function on the same tile one after the
other: the input leaves main memory once and each output is written as one stream.

Missing values follow ``docs/architecture.md``. ``skip=True``: a NaN row outputs NaN and
is passed over (windows count the column's own valid rows, recursive state carries
over). ``skip=False`` ("propagate"): a NaN row outputs NaN and restarts the computation,
so each NaN-free stretch is computed as if it were a series of its own (TA-Lib behaviour
for a series that starts there).

The arithmetic follows TA-Lib's operation order where it matters: the running SMA total
is updated as ``+newest, output, -oldest`` and the EMA, seeded with the SMA of the first
``window`` values, as ``e += (x - e) * alpha``. The SMA is bit-identical to TA-Lib on
NaN-free data; the EMA too, but for the odd last-place difference where the compiler
fuses the multiply-add. Wilder's RSI uses ``avg * ((n - 1) / n) + x * (1 / n)`` (TA-Lib
divides), a few units in the last place apart. Every path (one column, four columns, a
C-order row of a block) runs the same per-row step, so a result depends only on the
column's own values: ``"skip"`` equals the ``dropna()`` series bit for bit, and both
memory layouts give the same bits.
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
    "extreme_clean_2d",
    "extremes_clean_2d",
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

# Per-column state lives in small arrays between tiles (one row per column of a block)
# and in local scalars inside a tile, so each tile's inner loop is a scalar recurrence.
# Row and column indices inside the tiles are unsigned: numba then skips the
# negative-index wraparound test on every array access (worth ~30% on these loops).
_U = np.uint64
_ONE = np.uint64(1)
_TWO = np.uint64(2)
_ZERO = np.uint64(0)


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
# tile functions: column j of rows t0..t1 (output column jo), state in scalars
# --------------------------------------------------------------------------------------


@nb.njit(inline="always")
def _sma_step(v, old, total, cnt, window, minp, skip):  # type: ignore[no-untyped-def]
    # One row of the SMA. total: running sum of the `cnt` values kept before this row;
    # old: the oldest of them (the caller reads it at its trail row). Returns (output,
    # total, cnt, advance): advance tells the caller to move its trail to the next
    # valid row. TA-Lib's order: +newest, output, -oldest.
    if np.isnan(v):
        if skip:
            return _NAN, total, cnt, False
        return _NAN, 0.0, 0, False
    cnt += 1
    total += v
    if cnt >= window:
        m = total / window
        if window > 1:
            return m, total - old, window - 1, True
        return m, 0.0, 0, False
    if cnt >= minp:
        return total / cnt, total, cnt, False
    return _NAN, total, cnt, False


@nb.njit(inline="always")
def _ema_step(v, e, total, cnt, window, alpha, skip):  # type: ignore[no-untyped-def]
    # One row of the EMA: seeded with the mean of the first `window` values, then
    # TA-Lib's e += (x - e) * alpha. Returns (output, e, seed total, cnt).
    if np.isnan(v):
        if skip:
            return _NAN, e, total, cnt
        return _NAN, e, 0.0, 0
    if cnt < window:
        total += v
        cnt += 1
        if cnt == window:
            e = total / window
            return e, e, total, cnt
        return _NAN, e, total, cnt
    e = ((v - e) * alpha) + e
    return e, e, total, cnt


@nb.njit(inline="always")
def _rsi_step(v, last, g, lo, cnt, window, c, inv, skip):  # type: ignore[no-untyped-def]
    # One row of Wilder's RSI: cnt counts the changes seen (capped at window; -1 before
    # the first close); the averages are seeded with the mean of the first `window`
    # gains and losses, then avg = avg * (n - 1) / n + x / n. Returns (output, last, g,
    # lo, cnt).
    if np.isnan(v):
        if skip:
            return _NAN, last, g, lo, cnt
        return _NAN, last, 0.0, 0.0, -1
    if cnt < 0:
        return _NAN, v, g, lo, 0
    d = v - last
    gain = max(d, 0.0)
    loss = max(-d, 0.0)
    if cnt < window:
        g += gain
        lo += loss
        cnt += 1
        if cnt < window:
            return _NAN, v, g, lo, cnt
        g = g / window
        lo = lo / window
        return _rsi_value(g, lo), v, g, lo, cnt
    g = g * c + gain * inv
    lo = lo * c + loss * inv
    return _rsi_value(g, lo), v, g, lo, cnt


@nb.njit(nogil=True, cache=True)
def _sma_tile(a, out, j, jo, t0, t1, window, minp, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    # state: fs[r, 0] running total, ist[r, 0] values kept, ist[r, 1] trail row
    total = fs[r, 0]
    cnt = ist[r, 0]
    tr = _U(ist[r, 1])
    j = _U(j)
    jo = _U(jo)
    for t in range(_U(t0), _U(t1)):
        if cnt == 0:
            tr = t
        m, total, cnt, adv = _sma_step(a[t, j], a[tr, j], total, cnt, window, minp, skip)
        out[t, jo] = m
        if adv:
            tr += _ONE
            while np.isnan(a[tr, j]):
                tr += _ONE
    fs[r, 0] = total
    ist[r, 0] = cnt
    ist[r, 1] = np.int64(tr)


@nb.njit(nogil=True, cache=True)
def _sma_tile4(a, out, j, jo, t0, t1, window, minp, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    # four adjacent columns at once: four independent dependency chains per row
    s0, s1, s2, s3 = fs[r, 0], fs[r + 1, 0], fs[r + 2, 0], fs[r + 3, 0]
    c0, c1, c2, c3 = ist[r, 0], ist[r + 1, 0], ist[r + 2, 0], ist[r + 3, 0]
    q0, q1 = _U(ist[r, 1]), _U(ist[r + 1, 1])
    q2, q3 = _U(ist[r + 2, 1]), _U(ist[r + 3, 1])
    j0 = _U(j)
    j1, j2, j3 = j0 + _ONE, j0 + _TWO, j0 + _U(3)
    o0 = _U(jo)
    o1, o2, o3 = o0 + _ONE, o0 + _TWO, o0 + _U(3)
    for t in range(_U(t0), _U(t1)):
        if c0 == 0:
            q0 = t
        if c1 == 0:
            q1 = t
        if c2 == 0:
            q2 = t
        if c3 == 0:
            q3 = t
        m0, s0, c0, d0 = _sma_step(a[t, j0], a[q0, j0], s0, c0, window, minp, skip)
        m1, s1, c1, d1 = _sma_step(a[t, j1], a[q1, j1], s1, c1, window, minp, skip)
        m2, s2, c2, d2 = _sma_step(a[t, j2], a[q2, j2], s2, c2, window, minp, skip)
        m3, s3, c3, d3 = _sma_step(a[t, j3], a[q3, j3], s3, c3, window, minp, skip)
        out[t, o0] = m0
        out[t, o1] = m1
        out[t, o2] = m2
        out[t, o3] = m3
        if d0:
            q0 += _ONE
            while np.isnan(a[q0, j0]):
                q0 += _ONE
        if d1:
            q1 += _ONE
            while np.isnan(a[q1, j1]):
                q1 += _ONE
        if d2:
            q2 += _ONE
            while np.isnan(a[q2, j2]):
                q2 += _ONE
        if d3:
            q3 += _ONE
            while np.isnan(a[q3, j3]):
                q3 += _ONE
    fs[r, 0], fs[r + 1, 0], fs[r + 2, 0], fs[r + 3, 0] = s0, s1, s2, s3
    ist[r, 0], ist[r + 1, 0], ist[r + 2, 0], ist[r + 3, 0] = c0, c1, c2, c3
    ist[r, 1], ist[r + 1, 1] = np.int64(q0), np.int64(q1)
    ist[r + 2, 1], ist[r + 3, 1] = np.int64(q2), np.int64(q3)


@nb.njit(nogil=True, cache=True)
def _ema_tile(a, out, j, jo, t0, t1, window, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    # state: fs[r, 0] seed total, fs[r, 1] the average, ist[r, 0] values seen (capped)
    total = fs[r, 0]
    e = fs[r, 1]
    cnt = ist[r, 0]
    alpha = 2.0 / (window + 1)
    j = _U(j)
    jo = _U(jo)
    for t in range(_U(t0), _U(t1)):
        m, e, total, cnt = _ema_step(a[t, j], e, total, cnt, window, alpha, skip)
        out[t, jo] = m
    fs[r, 0] = total
    fs[r, 1] = e
    ist[r, 0] = cnt


@nb.njit(nogil=True, cache=True)
def _ema_tile4(a, out, j, jo, t0, t1, window, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    s0, s1, s2, s3 = fs[r, 0], fs[r + 1, 0], fs[r + 2, 0], fs[r + 3, 0]
    e0, e1, e2, e3 = fs[r, 1], fs[r + 1, 1], fs[r + 2, 1], fs[r + 3, 1]
    c0, c1, c2, c3 = ist[r, 0], ist[r + 1, 0], ist[r + 2, 0], ist[r + 3, 0]
    alpha = 2.0 / (window + 1)
    j0 = _U(j)
    j1, j2, j3 = j0 + _ONE, j0 + _TWO, j0 + _U(3)
    o0 = _U(jo)
    o1, o2, o3 = o0 + _ONE, o0 + _TWO, o0 + _U(3)
    for t in range(_U(t0), _U(t1)):
        m0, e0, s0, c0 = _ema_step(a[t, j0], e0, s0, c0, window, alpha, skip)
        m1, e1, s1, c1 = _ema_step(a[t, j1], e1, s1, c1, window, alpha, skip)
        m2, e2, s2, c2 = _ema_step(a[t, j2], e2, s2, c2, window, alpha, skip)
        m3, e3, s3, c3 = _ema_step(a[t, j3], e3, s3, c3, window, alpha, skip)
        out[t, o0] = m0
        out[t, o1] = m1
        out[t, o2] = m2
        out[t, o3] = m3
    fs[r, 0], fs[r + 1, 0], fs[r + 2, 0], fs[r + 3, 0] = s0, s1, s2, s3
    fs[r, 1], fs[r + 1, 1], fs[r + 2, 1], fs[r + 3, 1] = e0, e1, e2, e3
    ist[r, 0], ist[r + 1, 0], ist[r + 2, 0], ist[r + 3, 0] = c0, c1, c2, c3


@nb.njit(nogil=True, cache=True)
def _ma_tile(a, out, j, jo, t0, t1, kind, window, minp, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    if kind == MA_SMA:
        _sma_tile(a, out, j, jo, t0, t1, window, minp, skip, fs, ist, r)
    else:
        _ema_tile(a, out, j, jo, t0, t1, window, skip, fs, ist, r)


@nb.njit(nogil=True, cache=True)
def _pct_tile(a, out, j, t0, t1, positive):  # type: ignore[no-untyped-def]
    # out = close / out - 1 in place; NaN where out is 0 (or <= 0 when `positive`)
    j = _U(j)
    for t in range(_U(t0), _U(t1)):
        y = out[t, j]
        if positive:
            out[t, j] = a[t, j] / y - 1.0 if y > 0.0 else _NAN
        else:
            out[t, j] = a[t, j] / y - 1.0 if y != 0.0 else _NAN


@nb.njit(nogil=True, cache=True)
def _above_tile(a, out, j, t0, t1):  # type: ignore[no-untyped-def]
    j = _U(j)
    for t in range(_U(t0), _U(t1)):
        m = out[t, j]
        if not np.isnan(m):
            out[t, j] = 1.0 if a[t, j] > m else 0.0


@nb.njit(nogil=True, cache=True)
def _slope_tile(a, out, j, t0, t1, k, turns, skip, fs, ist, ring, r):  # type: ignore[no-untyped-def]
    # out holds the average; ring[r] its last k + 1 values on the column's valid rows.
    pos = _U(ist[r, 2])
    seen = ist[r, 3]
    prev = fs[r, 2]
    kk = _U(k + 1)
    j = _U(j)
    ru = _U(r)
    for t in range(_U(t0), _U(t1)):
        if np.isnan(a[t, j]):
            if not skip:
                pos = _ZERO
                seen = 0
                prev = _NAN
            continue
        m = out[t, j]
        ring[ru, pos] = m
        pos += _ONE
        if pos == kk:
            pos = _ZERO
        if seen >= k:
            slope = _ratio_m1(m, ring[ru, pos])
        else:
            slope = _NAN
            seen += 1
        if turns:
            out[t, j] = _turn(slope, prev)
            prev = slope
        else:
            out[t, j] = slope
    ist[r, 2] = np.int64(pos)
    ist[r, 3] = seen
    fs[r, 2] = prev


@nb.njit(nogil=True, cache=True)
def _cross_tile(a, out, slow, j, jj, t0, t1, skip, fs, r):  # type: ignore[no-untyped-def]
    # out holds the fast average, slow[:, jj] the slow one; fs[r, 2]: previous difference
    prev = fs[r, 2]
    j = _U(j)
    jj = _U(jj)
    for t in range(_U(t0), _U(t1)):
        if np.isnan(a[t, j]):
            if not skip:
                prev = _NAN
            continue
        d = out[t, j] - slow[t, jj]
        out[t, j] = _turn(d, prev)
        prev = d
    fs[r, 2] = prev


@nb.njit(nogil=True, cache=True)
def _rsi_wilder_tile(a, out, j, t0, t1, window, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    # state: fs[r] = last close, average gain, average loss; ist[r, 0] = changes seen
    last, g, lo = fs[r, 0], fs[r, 1], fs[r, 2]
    cnt = ist[r, 0]
    inv = 1.0 / window
    c = (window - 1) * inv
    j = _U(j)
    for t in range(_U(t0), _U(t1)):
        m, last, g, lo, cnt = _rsi_step(a[t, j], last, g, lo, cnt, window, c, inv, skip)
        out[t, j] = m
    fs[r, 0], fs[r, 1], fs[r, 2] = last, g, lo
    ist[r, 0] = cnt


@nb.njit(nogil=True, cache=True)
def _rsi_wilder_tile4(a, out, j, t0, t1, window, skip, fs, ist, r):  # type: ignore[no-untyped-def]
    p0, p1, p2, p3 = fs[r, 0], fs[r + 1, 0], fs[r + 2, 0], fs[r + 3, 0]
    g0, g1, g2, g3 = fs[r, 1], fs[r + 1, 1], fs[r + 2, 1], fs[r + 3, 1]
    l0, l1, l2, l3 = fs[r, 2], fs[r + 1, 2], fs[r + 2, 2], fs[r + 3, 2]
    c0, c1, c2, c3 = ist[r, 0], ist[r + 1, 0], ist[r + 2, 0], ist[r + 3, 0]
    inv = 1.0 / window
    c = (window - 1) * inv
    j0 = _U(j)
    j1, j2, j3 = j0 + _ONE, j0 + _TWO, j0 + _U(3)
    for t in range(_U(t0), _U(t1)):
        m0, p0, g0, l0, c0 = _rsi_step(a[t, j0], p0, g0, l0, c0, window, c, inv, skip)
        m1, p1, g1, l1, c1 = _rsi_step(a[t, j1], p1, g1, l1, c1, window, c, inv, skip)
        m2, p2, g2, l2, c2 = _rsi_step(a[t, j2], p2, g2, l2, c2, window, c, inv, skip)
        m3, p3, g3, l3, c3 = _rsi_step(a[t, j3], p3, g3, l3, c3, window, c, inv, skip)
        out[t, j0] = m0
        out[t, j1] = m1
        out[t, j2] = m2
        out[t, j3] = m3
    fs[r, 0], fs[r + 1, 0], fs[r + 2, 0], fs[r + 3, 0] = p0, p1, p2, p3
    fs[r, 1], fs[r + 1, 1], fs[r + 2, 1], fs[r + 3, 1] = g0, g1, g2, g3
    fs[r, 2], fs[r + 1, 2], fs[r + 2, 2], fs[r + 3, 2] = l0, l1, l2, l3
    ist[r, 0], ist[r + 1, 0], ist[r + 2, 0], ist[r + 3, 0] = c0, c1, c2, c3


@nb.njit(nogil=True, cache=True)
def _rsi_other_tile(a, out, j, t0, t1, window, smoothing, skip,  # type: ignore[no-untyped-def]
                    fs, ist, ring, r):
    # RSI_SMA: running sums over a ring of the last `window` changes, with counts of the
    # non-zero gains/losses so a sum is exactly 0 once its last term has left.
    # RSI_EMA: exponential smoothing with alpha = 2 / (window + 1). Both seeded like Wilder.
    last = fs[r, 0]
    g = fs[r, 1]
    lo = fs[r, 2]
    cnt = ist[r, 0]
    pos = ist[r, 1]
    ng = ist[r, 2]
    nl = ist[r, 3]
    alpha = 2.0 / (window + 1)
    j = _U(j)
    for t in range(_U(t0), _U(t1)):
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
        gain = d if d > 0.0 else 0.0
        loss = -d if d < 0.0 else 0.0
        if cnt < window:
            if smoothing == RSI_SMA:
                ring[r, cnt] = d
                ng += d > 0.0
                nl += d < 0.0
            g += gain
            lo += loss
            cnt += 1
            if cnt < window:
                out[t, j] = _NAN
                continue
            if smoothing == RSI_SMA:
                out[t, j] = _rsi_value(g if ng > 0 else 0.0, lo if nl > 0 else 0.0)
                continue
            g /= window
            lo /= window
        elif smoothing == RSI_EMA:
            g = ((gain - g) * alpha) + g
            lo = ((loss - lo) * alpha) + lo
        else:
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
            g += gain
            lo += loss
            ng += d > 0.0
            nl += d < 0.0
            if ng == 0:
                g = 0.0
            if nl == 0:
                lo = 0.0
        out[t, j] = _rsi_value(g, lo)
    fs[r, 0] = last
    fs[r, 1] = g
    fs[r, 2] = lo
    ist[r, 0] = cnt
    ist[r, 1] = pos
    ist[r, 2] = ng
    ist[r, 3] = nl


@nb.njit(nogil=True, cache=True)
def _extreme_tile(a, out, j, t0, t1, window, minp, sign, skip,  # type: ignore[no-untyped-def]
                  fs, ist, cur, suf, r):
    # van Herk / Gil-Werman on sign * value (sign -1 turns min into max): the column's
    # valid values are cut into blocks of `window`; `pre` is the running max of the
    # current block and suf[r, p] the max of the previous block from position p to its
    # end (suf[r, window] = -inf), so the window ending at position p has the max
    # max(suf[r, p + 1], pre). Three comparisons per value, whatever the window. The
    # warm-up (fewer than `window` values) and the steady state are separate loops.
    p = _U(ist[r, 0])  # position in the current block
    cnt = ist[r, 1]  # values seen, capped at window
    pre = fs[r, 0]
    last = _U(window - 1)
    j = _U(j)
    ru = _U(r)
    t = _U(t0)
    end = _U(t1)
    while t < end:
        while t < end and cnt < window:
            v = a[t, j]
            if np.isnan(v):
                out[t, j] = _NAN
                t += _ONE
                if not skip:
                    p = _ZERO
                    cnt = 0
                    pre = -np.inf
                    for i in range(window + 1):
                        suf[r, i] = -np.inf
                continue
            x = sign * v
            cur[ru, p] = x
            pre = max(pre, x)
            cnt += 1
            out[t, j] = sign * max(suf[ru, p + _ONE], pre) if cnt >= minp else _NAN
            if p == last:
                acc = -np.inf
                for i in range(window - 1, -1, -1):
                    acc = max(acc, cur[r, i])
                    suf[r, i] = acc
                p = _ZERO
                pre = -np.inf
            else:
                p += _ONE
            t += _ONE
        while t < end:
            v = a[t, j]
            if np.isnan(v):
                out[t, j] = _NAN
                t += _ONE
                if not skip:
                    p = _ZERO
                    cnt = 0
                    pre = -np.inf
                    for i in range(window + 1):
                        suf[r, i] = -np.inf
                    break
                continue
            x = sign * v
            cur[ru, p] = x
            pre = max(pre, x)
            out[t, j] = sign * max(suf[ru, p + _ONE], pre)
            if p == last:
                # block complete: its suffix maxima serve the next block
                acc = -np.inf
                for i in range(window - 1, -1, -1):
                    acc = max(acc, cur[r, i])
                    suf[r, i] = acc
                p = _ZERO
                pre = -np.inf
            else:
                p += _ONE
            t += _ONE
    ist[r, 0] = np.int64(p)
    ist[r, 1] = cnt
    fs[r, 0] = pre


# --------------------------------------------------------------------------------------
# C order: whole rows of a column block at once (SIMD over the columns)
# --------------------------------------------------------------------------------------
# In C order the columns of a block are adjacent, so once a column is past its warm-up
# and has no NaN in the rows an indicator looks back at, a row of the block can be
# updated with one vector operation per field. Per tile, `lastnan[jj]` (the last row
# with a NaN in column jj, from _scan_nan) decides which columns are "clean"; those go
# through the vector loop, the others through the scalar tile function. The vector loop
# runs over all columns of the block and its results for unclean columns are simply
# overwritten by the scalar pass (its state is not saved for them).


@nb.njit(nogil=True, cache=True)
def _scan_nan(a, b0, bw, t0, t1, lastnan):  # type: ignore[no-untyped-def]
    b0u = _U(b0)
    for t in range(_U(t0), _U(t1)):
        ti = np.int64(t)
        for jj in range(bw):
            if np.isnan(a[t, b0u + _U(jj)]):
                lastnan[jj] = ti


@nb.njit(nogil=True, cache=True)
def _mark_clean(lastnan, bw, t0, look, clean):  # type: ignore[no-untyped-def]
    # clean: no NaN in rows t0 - look .. t1 - 1 (the tile and what it looks back at)
    count = 0
    for jj in range(bw):
        ok = t0 >= look and lastnan[jj] < t0 - look
        clean[jj] = ok
        count += ok
    return count


@nb.njit(nogil=True, cache=True)
def _sma_rows(a, out, b0, bw, t0, t1, window, tot):  # type: ignore[no-untyped-def]
    b0u = _U(b0)
    lag = _U(window - 1)
    w = float(window)
    for t in range(_U(t0), _U(t1)):
        tt = t - lag
        for jj in range(_U(bw)):
            j = b0u + jj
            x = tot[jj] + a[t, j]
            out[t, j] = x / w
            tot[jj] = x - a[tt, j]


@nb.njit(nogil=True, cache=True)
def _ema_rows(a, out, b0, bw, t0, t1, window, e):  # type: ignore[no-untyped-def]
    b0u = _U(b0)
    alpha = 2.0 / (window + 1)
    for t in range(_U(t0), _U(t1)):
        for jj in range(_U(bw)):
            j = b0u + jj
            x = ((a[t, j] - e[jj]) * alpha) + e[jj]
            e[jj] = x
            out[t, j] = x


@nb.njit(nogil=True, cache=True)
def _rsi_rows(a, out, b0, bw, t0, t1, window, last, g, lo):  # type: ignore[no-untyped-def]
    b0u = _U(b0)
    inv = 1.0 / window
    c = (window - 1) * inv
    for t in range(_U(t0), _U(t1)):
        for jj in range(_U(bw)):
            j = b0u + jj
            x = a[t, j]
            d = x - last[jj]
            last[jj] = x
            gg = g[jj] * c + max(d, 0.0) * inv
            ll = lo[jj] * c + max(-d, 0.0) * inv
            g[jj] = gg
            lo[jj] = ll
            tot = gg + ll
            out[t, j] = 100.0 * (gg / tot) if tot != 0.0 else 0.0


@nb.njit(nogil=True, cache=True)
def _sma_block(a, out, b0, bw, t0, t1, window, minp, skip,  # type: ignore[no-untyped-def]
               fs, ist, r0, lastnan, clean, v1):
    if _mark_clean(lastnan, bw, t0, window - 1, clean):
        for jj in range(bw):
            v1[jj] = fs[r0 + jj, 0]
        _sma_rows(a, out, b0, bw, t0, t1, window, v1)
        for jj in range(bw):
            if clean[jj]:
                fs[r0 + jj, 0] = v1[jj]
                ist[r0 + jj, 1] = t1 - window + 1  # oldest of the window - 1 kept
    for jj in range(bw):
        if not clean[jj]:
            _sma_tile(a, out, b0 + jj, b0 + jj, t0, t1, window, minp, skip, fs, ist, r0 + jj)


@nb.njit(nogil=True, cache=True)
def _ema_block(a, out, b0, bw, t0, t1, window, skip,  # type: ignore[no-untyped-def]
               fs, ist, r0, lastnan, clean, v1):
    if _mark_clean(lastnan, bw, t0, window, clean):
        for jj in range(bw):
            v1[jj] = fs[r0 + jj, 1]
        _ema_rows(a, out, b0, bw, t0, t1, window, v1)
        for jj in range(bw):
            if clean[jj]:
                fs[r0 + jj, 1] = v1[jj]
    for jj in range(bw):
        if not clean[jj]:
            _ema_tile(a, out, b0 + jj, b0 + jj, t0, t1, window, skip, fs, ist, r0 + jj)


@nb.njit(nogil=True, cache=True)
def _rsi_block(a, out, b0, bw, t0, t1, window, skip,  # type: ignore[no-untyped-def]
               fs, ist, r0, lastnan, clean, v1, v2, v3):
    if _mark_clean(lastnan, bw, t0, window + 1, clean):
        for jj in range(bw):
            v1[jj] = fs[r0 + jj, 0]
            v2[jj] = fs[r0 + jj, 1]
            v3[jj] = fs[r0 + jj, 2]
        _rsi_rows(a, out, b0, bw, t0, t1, window, v1, v2, v3)
        for jj in range(bw):
            if clean[jj]:
                fs[r0 + jj, 0] = v1[jj]
                fs[r0 + jj, 1] = v2[jj]
                fs[r0 + jj, 2] = v3[jj]
    for jj in range(bw):
        if not clean[jj]:
            _rsi_wilder_tile(a, out, b0 + jj, t0, t1, window, skip, fs, ist, r0 + jj)


# --------------------------------------------------------------------------------------
# kernels: columns j0..j1 in blocks x tiles
# --------------------------------------------------------------------------------------


@nb.njit(nogil=True, cache=True)
def _reset(fs, ist, r0, r1):  # type: ignore[no-untyped-def]
    for r in range(r0, r1):
        for q in range(fs.shape[1]):
            fs[r, q] = 0.0
        for q in range(ist.shape[1]):
            ist[r, q] = 0


@nb.njit(nogil=True, cache=True)
def _ma_cols(a, out, b0, bw, jo0, t0, t1, kind, window, minp, skip,  # type: ignore[no-untyped-def]
             fs, ist, r0):
    # Fortran order: columns b0..b0+bw (output columns jo0..), four at a time
    if bw == 4:
        if kind == MA_SMA:
            _sma_tile4(a, out, b0, jo0, t0, t1, window, minp, skip, fs, ist, r0)
        else:
            _ema_tile4(a, out, b0, jo0, t0, t1, window, skip, fs, ist, r0)
        return
    for jj in range(bw):
        if kind == MA_SMA:
            _sma_tile(a, out, b0 + jj, jo0 + jj, t0, t1, window, minp, skip, fs, ist, r0 + jj)
        else:
            _ema_tile(a, out, b0 + jj, jo0 + jj, t0, t1, window, skip, fs, ist, r0 + jj)


@nb.njit(nogil=True, cache=True)
def _rsi_cols(a, out, b0, bw, t0, t1, window, skip, fs, ist, r0):  # type: ignore[no-untyped-def]
    if bw == 4:
        _rsi_wilder_tile4(a, out, b0, t0, t1, window, skip, fs, ist, r0)
        return
    for jj in range(bw):
        _rsi_wilder_tile(a, out, b0 + jj, t0, t1, window, skip, fs, ist, r0 + jj)


@nb.njit(nogil=True, cache=True)
def ma_2d(a, out, j0, j1, block, tile, kind, window, minp, skip, post, k):  # type: ignore[no-untyped-def]
    """SMA/EMA of columns j0..j1, then an optional post-operation (POST_*) on the tile.

    ``tile == 0`` means Fortran order (whole columns, four at a time); otherwise C order
    in ``block`` x ``tile`` tiles.
    """
    n = a.shape[0]
    fmode = tile == 0
    if fmode:
        tile = max(n, 1)
    width = max(1, min(block, j1 - j0))
    fs = np.zeros((width, 3))
    ist = np.zeros((width, 4), np.int64)
    ring = np.empty((width, k + 1 if post >= POST_SLOPE else 1))
    lastnan = np.empty(width, np.int64)
    clean = np.zeros(width, np.bool_)
    v1 = np.empty(width)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        _reset(fs, ist, 0, bw)
        for jj in range(bw):
            fs[jj, 2] = _NAN
        lastnan[:] = -1
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            if fmode:
                _ma_cols(a, out, b0, bw, b0, t0, t1, kind, window, minp, skip, fs, ist, 0)
            else:
                _scan_nan(a, b0, bw, t0, t1, lastnan)
                if kind == MA_SMA:
                    _sma_block(a, out, b0, bw, t0, t1, window, minp, skip, fs, ist, 0,
                               lastnan, clean, v1)
                else:
                    _ema_block(a, out, b0, bw, t0, t1, window, skip, fs, ist, 0,
                               lastnan, clean, v1)
            if post == POST_VALUE:
                continue
            for jj in range(bw):
                j = b0 + jj
                if post == POST_PCT:
                    _pct_tile(a, out, j, t0, t1, False)
                elif post == POST_ABOVE:
                    _above_tile(a, out, j, t0, t1)
                else:
                    _slope_tile(a, out, j, t0, t1, k, post == POST_TURNS, skip, fs, ist,
                                ring, jj)


@nb.njit(nogil=True, cache=True)
def cross_2d(a, out, j0, j1, block, tile, kind, fast, slow, skip):  # type: ignore[no-untyped-def]
    """+1 / -1 / 0 where the fast average crosses the slow one (NaN where undefined)."""
    n = a.shape[0]
    fmode = tile == 0
    if fmode:
        tile = max(n, 1)
    width = max(1, min(block, j1 - j0))
    fs = np.zeros((2 * width, 3))
    ist = np.zeros((2 * width, 4), np.int64)
    scratch = np.empty((n, width))  # the slow average of the block's columns
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        _reset(fs, ist, 0, 2 * width)
        for jj in range(bw):
            fs[jj, 2] = _NAN
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            if fmode:
                _ma_cols(a, out, b0, bw, b0, t0, t1, kind, fast, fast, skip, fs, ist, 0)
                _ma_cols(a, scratch, b0, bw, 0, t0, t1, kind, slow, slow, skip, fs, ist,
                         width)
            else:
                for jj in range(bw):
                    j = b0 + jj
                    _ma_tile(a, out, j, j, t0, t1, kind, fast, fast, skip, fs, ist, jj)
                    _ma_tile(a, scratch, j, jj, t0, t1, kind, slow, slow, skip, fs, ist,
                             width + jj)
            for jj in range(bw):
                _cross_tile(a, out, scratch, b0 + jj, jj, t0, t1, skip, fs, jj)


@nb.njit(nogil=True, cache=True)
def rsi_2d(a, out, j0, j1, block, tile, window, smoothing, skip):  # type: ignore[no-untyped-def]
    """RSI with Wilder (TA-Lib), simple (Cutler) or exponential smoothing."""
    n = a.shape[0]
    fmode = tile == 0
    if fmode:
        tile = max(n, 1)
    width = max(1, min(block, j1 - j0))
    fs = np.zeros((width, 3))
    ist = np.zeros((width, 4), np.int64)
    ring = np.zeros((width, window if smoothing == RSI_SMA else 1))
    lastnan = np.empty(width, np.int64)
    clean = np.zeros(width, np.bool_)
    v1 = np.empty(width)
    v2 = np.empty(width)
    v3 = np.empty(width)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        _reset(fs, ist, 0, bw)
        for jj in range(bw):
            ist[jj, 0] = -1
        lastnan[:] = -1
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            if smoothing != RSI_WILDER:
                for jj in range(bw):
                    _rsi_other_tile(a, out, b0 + jj, t0, t1, window, smoothing, skip,
                                    fs, ist, ring, jj)
            elif fmode:
                _rsi_cols(a, out, b0, bw, t0, t1, window, skip, fs, ist, 0)
            else:
                _scan_nan(a, b0, bw, t0, t1, lastnan)
                _rsi_block(a, out, b0, bw, t0, t1, window, skip, fs, ist, 0, lastnan,
                           clean, v1, v2, v3)


@nb.njit(nogil=True, cache=True)
def _clean_start(a, j):  # type: ignore[no-untyped-def]
    # first valid row of column j if every later row is valid, else -1 (gaps inside)
    n = a.shape[0]
    s = 0
    while s < n and np.isnan(a[s, j]):
        s += 1
    for t in range(s, n):
        if np.isnan(a[t, j]):
            return -1
    return s


@nb.njit(nogil=True, cache=True)
def _extreme_clean_1d(a, out, j, s, window, minp, sign, suf):  # type: ignore[no-untyped-def]
    # van Herk / Gil-Werman on a column without gaps after its first valid row `s`:
    # blocks of `window` rows from s; the window ending at row t of block k is the
    # suffix max of block k-1 after t - window and the prefix max of block k up to t.
    # One loop per block runs the prefix (forward) and the block's own suffix
    # (backward, kept for the next block) together: two independent max chains the CPU
    # overlaps. The two suffix rows of `suf` swap roles each block (no copy), the
    # values are read in place, and no row is tested for NaN.
    n = a.shape[0]
    ju = _U(j)
    for t in range(s):
        out[t, ju] = _NAN
    w = window
    suf[0, w] = -np.inf
    suf[1, w] = -np.inf
    cur = 0  # row of suf holding the previous block's suffix
    first = True
    b0 = s
    while b0 < n:
        b1 = min(b0 + w, n)
        m = b1 - b0
        nx = 1 - cur
        pre = -np.inf
        acc = -np.inf
        for i in range(m, w + 1):
            suf[nx, i] = -np.inf
        if first:
            for i in range(m):
                x = sign * a[_U(b0 + i), ju]
                pre = max(pre, x)
                k = m - 1 - i
                acc = max(acc, sign * a[_U(b0 + k), ju])
                suf[nx, k] = acc
                out[_U(b0 + i), ju] = sign * pre if i + 1 >= minp else _NAN
        else:
            for i in range(m):
                x = sign * a[_U(b0 + i), ju]
                pre = max(pre, x)
                k = m - 1 - i
                acc = max(acc, sign * a[_U(b0 + k), ju])
                suf[nx, k] = acc
                out[_U(b0 + i), ju] = sign * max(suf[cur, i + 1], pre)
        cur = nx
        first = False
        b0 = b1


@nb.njit(nogil=True, cache=True)
def extreme_clean_2d(a, out, j0, j1, block, tile, window, minp, is_max, pct, skip):  # type: ignore[no-untyped-def]
    """Rolling max/min for column-major input: columns without gaps (after listing)
    take the two-chain van Herk/Gil-Werman path, the others the general kernel."""
    sign = 1.0 if is_max else -1.0
    suf = np.empty((2, window + 1))
    for j in range(j0, j1):
        s = _clean_start(a, j)
        if s < 0:
            extreme_2d(a, out, j, j + 1, 1, 0, window, minp, is_max, pct, skip)
            continue
        _extreme_clean_1d(a, out, j, s, window, minp, sign, suf)
        if pct:
            _pct_tile(a, out, j, 0, a.shape[0], True)


@nb.njit(nogil=True, cache=True)
def _extremes_clean_1d(a, hi, lo, j, s, window, minp, sh, sl):  # type: ignore[no-untyped-def]
    # _extreme_clean_1d for the max and the min at once: each value is read once and
    # feeds four independent chains (prefix/suffix of the max and of the min).
    n = a.shape[0]
    ju = _U(j)
    for t in range(s):
        hi[t, ju] = _NAN
        lo[t, ju] = _NAN
    w = window
    for r in range(2):
        sh[r, w] = -np.inf
        sl[r, w] = np.inf
    cur = 0
    first = True
    b0 = s
    while b0 < n:
        b1 = min(b0 + w, n)
        m = b1 - b0
        nx = 1 - cur
        pmax = -np.inf
        pmin = np.inf
        amax = -np.inf
        amin = np.inf
        for i in range(m, w + 1):
            sh[nx, i] = -np.inf
            sl[nx, i] = np.inf
        if first:
            for i in range(m):
                x = a[_U(b0 + i), ju]
                pmax = max(pmax, x)
                pmin = min(pmin, x)
                k = m - 1 - i
                y = a[_U(b0 + k), ju]
                amax = max(amax, y)
                amin = min(amin, y)
                sh[nx, k] = amax
                sl[nx, k] = amin
                ok = i + 1 >= minp
                hi[_U(b0 + i), ju] = pmax if ok else _NAN
                lo[_U(b0 + i), ju] = pmin if ok else _NAN
        else:
            for i in range(m):
                x = a[_U(b0 + i), ju]
                pmax = max(pmax, x)
                pmin = min(pmin, x)
                k = m - 1 - i
                y = a[_U(b0 + k), ju]
                amax = max(amax, y)
                amin = min(amin, y)
                sh[nx, k] = amax
                sl[nx, k] = amin
                hi[_U(b0 + i), ju] = max(sh[cur, i + 1], pmax)
                lo[_U(b0 + i), ju] = min(sl[cur, i + 1], pmin)
        cur = nx
        first = False
        b0 = b1


@nb.njit(nogil=True, cache=True)
def extremes_clean_2d(a, hi, lo, j0, j1, block, tile, window, minp, skip):  # type: ignore[no-untyped-def]
    """Rolling max into ``hi`` and min into ``lo`` in one pass over column-major input
    (gap-free columns); columns with gaps take the general kernel for each side."""
    sh = np.empty((2, window + 1))
    sl = np.empty((2, window + 1))
    for j in range(j0, j1):
        s = _clean_start(a, j)
        if s < 0:
            extreme_2d(a, hi, j, j + 1, 1, 0, window, minp, True, False, skip)
            extreme_2d(a, lo, j, j + 1, 1, 0, window, minp, False, False, skip)
            continue
        _extremes_clean_1d(a, hi, lo, j, s, window, minp, sh, sl)


@nb.njit(nogil=True, cache=True)
def extreme_2d(a, out, j0, j1, block, tile, window, minp, is_max, pct, skip):  # type: ignore[no-untyped-def]
    """Rolling max/min over the last ``window`` valid rows (van Herk/Gil-Werman, O(1)/row).

    ``pct=True`` writes ``close / max - 1`` instead (NaN where the max is <= 0).
    """
    n = a.shape[0]
    if tile == 0:
        tile = max(n, 1)
    width = max(1, min(block, j1 - j0))
    fs = np.zeros((width, 1))
    ist = np.zeros((width, 2), np.int64)
    cur = np.empty((width, window))
    suf = np.empty((width, window + 1))
    sign = 1.0 if is_max else -1.0
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        _reset(fs, ist, 0, b1 - b0)
        for jj in range(b1 - b0):
            fs[jj, 0] = -np.inf
            for i in range(window + 1):
                suf[jj, i] = -np.inf
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            for jj in range(b1 - b0):
                j = b0 + jj
                _extreme_tile(a, out, j, t0, t1, window, minp, sign, skip, fs, ist, cur,
                              suf, jj)
                if pct:
                    _pct_tile(a, out, j, t0, t1, True)


@nb.njit(nogil=True, cache=True)
def full_set_2d(a, sma_out, ema_out, rsi_out, j0, j1, block, tile,  # type: ignore[no-untyped-def]
                sma_w, ema_w, rsi_w, skip):
    """SMA for each window in ``sma_w``, EMA for each in ``ema_w`` and Wilder RSI(rsi_w).

    Each tile of the input is read from memory once; every indicator then runs over it
    from cache and writes its own output as one stream.
    """
    n = a.shape[0]
    fmode = tile == 0
    if fmode:
        tile = max(n, 1)
    ns = sma_w.shape[0]
    ne = ema_w.shape[0]
    width = max(1, min(block, j1 - j0))
    fs = np.zeros(((ns + ne + 1) * width, 3))
    ist = np.zeros(((ns + ne + 1) * width, 2), np.int64)
    lastnan = np.empty(width, np.int64)
    clean = np.zeros(width, np.bool_)
    v1 = np.empty(width)
    v2 = np.empty(width)
    v3 = np.empty(width)
    for b0 in range(j0, j1, block):
        b1 = min(b0 + block, j1)
        bw = b1 - b0
        _reset(fs, ist, 0, (ns + ne + 1) * bw)
        for jj in range(bw):
            ist[(ns + ne) * bw + jj, 0] = -1
        lastnan[:] = -1
        for t0 in range(0, n, tile):
            t1 = min(t0 + tile, n)
            if fmode:
                for q in range(ns):
                    w = sma_w[q]
                    _ma_cols(a, sma_out[q], b0, bw, b0, t0, t1, MA_SMA, w, w, skip, fs, ist,
                             q * bw)
                for q in range(ne):
                    w = ema_w[q]
                    _ma_cols(a, ema_out[q], b0, bw, b0, t0, t1, MA_EMA, w, w, skip, fs, ist,
                             (ns + q) * bw)
                _rsi_cols(a, rsi_out, b0, bw, t0, t1, rsi_w, skip, fs, ist, (ns + ne) * bw)
                continue
            _scan_nan(a, b0, bw, t0, t1, lastnan)
            for q in range(ns):
                w = sma_w[q]
                _sma_block(a, sma_out[q], b0, bw, t0, t1, w, w, skip, fs, ist, q * bw,
                           lastnan, clean, v1)
            for q in range(ne):
                _ema_block(a, ema_out[q], b0, bw, t0, t1, ema_w[q], skip, fs, ist,
                           (ns + q) * bw, lastnan, clean, v1)
            _rsi_block(a, rsi_out, b0, bw, t0, t1, rsi_w, skip, fs, ist, (ns + ne) * bw,
                       lastnan, clean, v1, v2, v3)


# --------------------------------------------------------------------------------------
# Python-side dispatch: layout-aware tiles and the thread split over columns
# --------------------------------------------------------------------------------------

#: Fortran order: columns run together (four independent dependency chains per row).
BLOCK_F = 4
#: Tile for C order: columns x rows (32 x 256 doubles = 64 KiB, kept in L2).
BLOCK_C = 32
TILE_C = 256
#: Below this many cells a call runs on the calling thread only.
_MIN_SPLIT_CELLS = 1 << 16

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_pid = 0


def _n_threads() -> int:
    try:
        # numba.config sets its NUMBA_* attributes at import time (no stubs declare them)
        return max(1, int(nb.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return max(1, len(os.sched_getaffinity(0)))


def _get_pool(workers: int) -> ThreadPoolExecutor:
    # created on first use (nothing runs at import); a forked child gets its own pool,
    # since the parent's worker threads do not exist there
    global _pool, _pool_size, _pool_pid
    if _pool is None or _pool_size < workers or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rotascope-signals")
        _pool_size = workers
        _pool_pid = os.getpid()
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
        block, tile = BLOCK_F, 0
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
