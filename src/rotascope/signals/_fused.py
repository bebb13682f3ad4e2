"""Fused kernels for the slope and the crosses of moving averages, Fortran order.

``ma_slope`` and ``ma_turns`` need an average *and* a second look at it (``k`` rows
back, the previous row's sign); ``ma_crosses`` needs two averages and the previous
row's difference. The row-by-row kernels of :mod:`._kernels` keep a ring of past
averages or a scratch column and branch on every row, which cost 3-4.3x the
read + write floor. Here each block of four columns is swept once, in chunks of
``CHUNK`` rows:

1. the recurrences (running SMA totals, EMAs) run row by row, four
   columns together (four independent dependency chains), into a small per-column
   buffer that stays in L1;
2. a second loop over that buffer (divisions, ratios, signs: whole-chunk vector
   instructions) writes the chunk's final output once.

The input is read from memory once and the output written once; nothing else the size
of the input is allocated. A chunk takes the fast path (step 1 with no branches per
row) when the column is past its warm-up and has no NaN in the chunk or in the rows it
looks back at; the other chunks (listing, holes, warm-up) run the row-by-row step of
:mod:`._kernels`. Both paths perform the same floating-point operations in the same
order, so the results equal the composition (average, then slope or sign) bit for bit,
``missing="skip"`` equals the ``dropna()`` series, and C order (which keeps the tiled
kernels of :mod:`._kernels`) gives the same bits.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from . import _kernels as K
from ._kernels import _NAN, _ONE, _U, _ZERO, MA_SMA

__all__ = ["CHUNK", "slope_2d", "cross_2d"]

#: Rows per chunk: a chunk of four columns' buffers fits in L1.
CHUNK = 512


@nb.njit(inline="always")
def _keep4(fs, col, ok, v0, v1, v2, v3):  # type: ignore[no-untyped-def]
    # Save the new state of the block's columns that stayed on the fast path.
    if ok[0]:
        fs[0, col] = v0
    if ok[1]:
        fs[1, col] = v1
    if ok[2]:
        fs[2, col] = v2
    if ok[3]:
        fs[3, col] = v3


@nb.njit(inline="always")
def _turn(cur: float, prev: float) -> float:
    # as _kernels._turn, written with selects so the chunk loop vectorises
    up = 1.0 if (cur > 0.0 and prev <= 0.0) else 0.0
    down = 1.0 if (cur < 0.0 and prev >= 0.0) else 0.0
    r = up - down
    return _NAN if (np.isnan(cur) or np.isnan(prev)) else r


# --------------------------------------------------------------------------------------
# moving averages: state per column c of a block in fs[c] = (SMA total, EMA, EMA seed
# total) and ist[c] = (values counted, SMA trail row, rows seen by the look-back)
# --------------------------------------------------------------------------------------


@nb.njit(inline="always")
def _ma_row(a, t, ju, kind, window, alpha, skip, total, e, seed, cnt, tr):  # type: ignore[no-untyped-def]
    # One valid row of the average (the row-by-row step of _kernels). Returns (ma, total,
    # e, seed, cnt, tr).
    v = a[t, ju]
    if kind == MA_SMA:
        if cnt == 0:
            tr = t
        m, total, cnt, adv = K._sma_step(v, a[tr, ju], total, cnt, window, window, skip)
        if adv:
            tr += _ONE
            while np.isnan(a[tr, ju]):
                tr += _ONE
        return m, total, e, seed, cnt, tr
    m, e, seed, cnt = K._ema_step(v, e, seed, cnt, window, alpha, skip)
    return m, total, e, seed, cnt, tr


@nb.njit(inline="always")
def _ma_steady(kind, window, fs, ist, c, t0, seen_min):  # type: ignore[no-untyped-def]
    # True when the chunk starting at t0 can take the fast path, provided it has no NaN:
    # the SMA holds exactly the window - 1 rows before t0 (so they are all valid), the
    # EMA is seeded, and the look-back has seen `seen_min` rows since any restart.
    if ist[c, 2] < seen_min:
        return False
    if kind == MA_SMA:
        return window >= 2 and ist[c, 0] == window - 1 and ist[c, 1] == t0 - window + 1
    return ist[c, 0] >= window


@nb.njit(nogil=True, cache=True)
def _ma_fast4(a, H, off, fs, ist, ok, b0, t0, t1, kind, window):  # type: ignore[no-untyped-def]
    # Columns b0..b0+3, rows t0..t1 (t0 >= window): SMA running totals (before the
    # division) or EMA values into H[c, off + t - t0], no branch per row. On entry ok[c]
    # says column c is steady (_ma_steady); on exit, that it also had no NaN in the chunk
    # (a NaN turns the state NaN for good). Only those columns' state is saved; the
    # others' H rows are garbage for the caller to redo row by row.
    j0 = _U(b0)
    j1, j2, j3 = j0 + _ONE, j0 + _U(2), j0 + _U(3)
    i = _U(off)
    if kind == MA_SMA:
        lag = _U(window - 1)
        s0, s1, s2, s3 = fs[0, 0], fs[1, 0], fs[2, 0], fs[3, 0]
        for t in range(_U(t0), _U(t1)):
            tt = t - lag
            x0 = s0 + a[t, j0]
            x1 = s1 + a[t, j1]
            x2 = s2 + a[t, j2]
            x3 = s3 + a[t, j3]
            H[0, i] = x0
            H[1, i] = x1
            H[2, i] = x2
            H[3, i] = x3
            s0 = x0 - a[tt, j0]
            s1 = x1 - a[tt, j1]
            s2 = x2 - a[tt, j2]
            s3 = x3 - a[tt, j3]
            i += _ONE
        ok[0] = ok[0] and s0 == s0
        ok[1] = ok[1] and s1 == s1
        ok[2] = ok[2] and s2 == s2
        ok[3] = ok[3] and s3 == s3
        _keep4(fs, 0, ok, s0, s1, s2, s3)
        for c in range(4):
            if ok[c]:
                ist[c, 1] = t1 - window + 1  # the trail: window - 1 rows back
        return
    alpha = 2.0 / (window + 1)
    e0, e1, e2, e3 = fs[0, 1], fs[1, 1], fs[2, 1], fs[3, 1]
    for t in range(_U(t0), _U(t1)):
        e0 = ((a[t, j0] - e0) * alpha) + e0
        e1 = ((a[t, j1] - e1) * alpha) + e1
        e2 = ((a[t, j2] - e2) * alpha) + e2
        e3 = ((a[t, j3] - e3) * alpha) + e3
        H[0, i] = e0
        H[1, i] = e1
        H[2, i] = e2
        H[3, i] = e3
        i += _ONE
    ok[0] = ok[0] and e0 == e0
    ok[1] = ok[1] and e1 == e1
    ok[2] = ok[2] and e2 == e2
    ok[3] = ok[3] and e3 == e3
    _keep4(fs, 1, ok, e0, e1, e2, e3)


@nb.njit(nogil=True, cache=True)
def _ma_fast1(a, H, off, fs, ist, c, j, t0, t1, kind, window):  # type: ignore[no-untyped-def]
    # _ma_fast4 for one column; returns False (state unchanged) if the chunk had a NaN
    ju = _U(j)
    cu = _U(c)
    i = _U(off)
    if kind == MA_SMA:
        lag = _U(window - 1)
        s = fs[c, 0]
        for t in range(_U(t0), _U(t1)):
            x = s + a[t, ju]
            H[cu, i] = x
            s = x - a[t - lag, ju]
            i += _ONE
        if s != s:
            return False
        fs[c, 0] = s
        ist[c, 1] = t1 - window + 1
        return True
    alpha = 2.0 / (window + 1)
    e = fs[c, 1]
    for t in range(_U(t0), _U(t1)):
        e = ((a[t, ju] - e) * alpha) + e
        H[cu, i] = e
        i += _ONE
    if e != e:
        return False
    fs[c, 1] = e
    return True


@nb.njit(nogil=True, cache=True)
def _ma_reset(fs, ist, c):  # type: ignore[no-untyped-def]
    fs[c, 0] = 0.0
    fs[c, 1] = 0.0
    fs[c, 2] = 0.0
    ist[c, 0] = 0
    ist[c, 1] = 0
    ist[c, 2] = 0


# --------------------------------------------------------------------------------------
# ma_slope / ma_turns
# --------------------------------------------------------------------------------------
# H[c, :k] holds the averages of the column's k valid rows before the chunk (NaN before
# the k-th), H[c, k + q] the average of the chunk's q-th valid row, so the slope of that
# row is ratio(H[c, k + q], H[c, q]). S[c, 0] is the slope of the column's previous
# valid row (for the turns), S[c, 1 + q] the chunk's slopes.


@nb.njit(nogil=True, cache=True)
def _slope_rows(a, out, H, S, fs, ist, c, j, t0, t1, kind, window, k, skip, turns):  # type: ignore[no-untyped-def]
    # Row by row (chunks with NaN, warm-up): the old composition, fused.
    total, e, seed = fs[c, 0], fs[c, 1], fs[c, 2]
    cnt, tr, seen = ist[c, 0], _U(ist[c, 1]), ist[c, 2]
    prev = S[c, 0]
    alpha = 2.0 / (window + 1)
    ju = _U(j)
    cu = _U(c)
    kk = _U(k)
    nh = _ZERO
    for t in range(_U(t0), _U(t1)):
        if np.isnan(a[t, ju]):
            out[t, ju] = _NAN
            if not skip:  # restart: the average, the look-back and the previous sign
                total = 0.0
                seed = 0.0
                cnt = 0
                seen = 0
                prev = _NAN
            continue
        m, total, e, seed, cnt, tr = _ma_row(a, t, ju, kind, window, alpha, skip, total, e,
                                             seed, cnt, tr)
        H[cu, kk + nh] = m
        if seen >= k:
            s = K._ratio_m1(m, H[cu, nh])
        else:
            s = _NAN
            seen += 1
        nh += _ONE
        if turns:
            out[t, ju] = K._turn(s, prev)
            prev = s
        else:
            out[t, ju] = s
    for i in range(k):
        H[c, i] = H[c, nh + _U(i)]
    fs[c, 0], fs[c, 1], fs[c, 2] = total, e, seed
    ist[c, 0], ist[c, 1], ist[c, 2] = cnt, np.int64(tr), seen
    S[c, 0] = prev


@nb.njit(nogil=True, cache=True)
def _slope_finish(out, H, S, c, j, t0, t1, kind, window, k, turns):  # type: ignore[no-untyped-def]
    # Fast-path chunk: H[c, k:k + rows] holds SMA totals or EMAs of every row.
    rows = _U(t1 - t0)
    cu = _U(c)
    ju = _U(j)
    kk = _U(k)
    t0u = _U(t0)
    if kind == MA_SMA:
        w = float(window)
        for q in range(rows):
            H[cu, kk + q] = H[cu, kk + q] / w
    if turns:
        for q in range(rows):
            S[cu, q + _ONE] = K._ratio_m1(H[cu, kk + q], H[cu, q])
        for q in range(rows):
            out[t0u + q, ju] = _turn(S[cu, q + _ONE], S[cu, q])
        S[cu, 0] = S[cu, rows]
    else:
        for q in range(rows):
            out[t0u + q, ju] = K._ratio_m1(H[cu, kk + q], H[cu, q])
    for i in range(k):
        H[c, i] = H[cu, rows + _U(i)]


@nb.njit(nogil=True, cache=True)
def _slope_finish4(out, H, S, ok, b0, t0, t1, kind, window, k, turns):  # type: ignore[no-untyped-def]
    # _slope_finish for four columns at once: the four output columns are written
    # together, row by row (four streams, as the input is read), which keeps the
    # hardware prefetchers busy; each statement still vectorises along the rows.
    rows = _U(t1 - t0)
    kk = _U(k)
    t0u = _U(t0)
    j0 = _U(b0)
    j1, j2, j3 = j0 + _ONE, j0 + _U(2), j0 + _U(3)
    if kind == MA_SMA:
        w = float(window)
        for q in range(rows):
            i = kk + q
            H[0, i] = H[0, i] / w
            H[1, i] = H[1, i] / w
            H[2, i] = H[2, i] / w
            H[3, i] = H[3, i] / w
    if turns:
        p0, p1, p2, p3 = S[0, 0], S[1, 0], S[2, 0], S[3, 0]
        for q in range(rows):
            t = t0u + q
            i = kk + q
            s0 = K._ratio_m1(H[0, i], H[0, q])
            s1 = K._ratio_m1(H[1, i], H[1, q])
            s2 = K._ratio_m1(H[2, i], H[2, q])
            s3 = K._ratio_m1(H[3, i], H[3, q])
            out[t, j0] = _turn(s0, p0)
            out[t, j1] = _turn(s1, p1)
            out[t, j2] = _turn(s2, p2)
            out[t, j3] = _turn(s3, p3)
            p0, p1, p2, p3 = s0, s1, s2, s3
        S[0, rows], S[1, rows], S[2, rows], S[3, rows] = p0, p1, p2, p3
    else:
        for q in range(rows):
            t = t0u + q
            i = kk + q
            out[t, j0] = K._ratio_m1(H[0, i], H[0, q])
            out[t, j1] = K._ratio_m1(H[1, i], H[1, q])
            out[t, j2] = K._ratio_m1(H[2, i], H[2, q])
            out[t, j3] = K._ratio_m1(H[3, i], H[3, q])
    for c in range(4):
        if ok[c]:  # the others are redone row by row from their saved history
            S[c, 0] = S[c, rows]
            for i in range(k):
                H[c, i] = H[c, rows + _U(i)]


@nb.njit(nogil=True, cache=True)
def _slope_f(a, out, j0, j1, kind, window, k, skip, turns):  # type: ignore[no-untyped-def]
    n = a.shape[0]
    H = np.empty((4, k + CHUNK))
    S = np.empty((4, CHUNK + 1))
    fs = np.zeros((4, 3))
    ist = np.zeros((4, 3), np.int64)
    ok = np.zeros(4, np.bool_)
    warm = min(n, max(window, k))  # no column can be steady before this row
    for b0 in range(j0, j1, 4):
        bw = min(4, j1 - b0)
        for c in range(bw):
            _ma_reset(fs, ist, c)
            H[c, :k] = _NAN
            S[c, 0] = _NAN
            _slope_rows(a, out, H, S, fs, ist, c, b0 + c, 0, warm, kind, window, k, skip,
                        turns)
        for t0 in range(warm, n, CHUNK):
            t1 = min(t0 + CHUNK, n)
            for c in range(bw):
                ok[c] = _ma_steady(kind, window, fs, ist, c, t0, k)
            if bw == 4:
                _ma_fast4(a, H, k, fs, ist, ok, b0, t0, t1, kind, window)
                _slope_finish4(out, H, S, ok, b0, t0, t1, kind, window, k, turns)
            else:
                for c in range(bw):
                    if ok[c]:
                        ok[c] = _ma_fast1(a, H, k, fs, ist, c, b0 + c, t0, t1, kind, window)
                    if ok[c]:
                        _slope_finish(out, H, S, c, b0 + c, t0, t1, kind, window, k, turns)
            for c in range(bw):
                if not ok[c]:
                    _slope_rows(a, out, H, S, fs, ist, c, b0 + c, t0, t1, kind, window, k,
                                skip, turns)


@nb.njit(nogil=True, cache=True)
def slope_2d(a, out, j0, j1, block, tile, kind, window, k, skip, turns):  # type: ignore[no-untyped-def]
    """``ma[t] / ma[t - k] - 1`` (``turns``: its sign changes) of columns j0..j1.

    ``tile == 0`` (Fortran order): the fused chunked pass; otherwise the tiled C-order
    kernel of :mod:`._kernels` (same bits).
    """
    if tile == 0:
        _slope_f(a, out, j0, j1, kind, window, k, skip, turns)
    else:
        K.ma_2d(a, out, j0, j1, block, tile, kind, window, window, skip,
                K.POST_TURNS if turns else K.POST_SLOPE, k)


# --------------------------------------------------------------------------------------
# ma_crosses: two averages per column (fast in fsf/istf, slow in fss/iss), their
# difference's sign changes; P[c] is the difference on the column's previous valid row.
# --------------------------------------------------------------------------------------


@nb.njit(nogil=True, cache=True)
def _cross_rows(a, out, fsf, istf, fss, iss, P, c, j, t0, t1, kind, fast, slow, skip):  # type: ignore[no-untyped-def]
    # Row by row (chunks with NaN, warm-up): the old composition, fused.
    tf, ef, sf = fsf[c, 0], fsf[c, 1], fsf[c, 2]
    cf, rf = istf[c, 0], _U(istf[c, 1])
    ts, es, ss = fss[c, 0], fss[c, 1], fss[c, 2]
    cs, rs = iss[c, 0], _U(iss[c, 1])
    prev = P[c]
    af = 2.0 / (fast + 1)
    als = 2.0 / (slow + 1)
    ju = _U(j)
    for t in range(_U(t0), _U(t1)):
        if np.isnan(a[t, ju]):
            out[t, ju] = _NAN
            if not skip:  # restart both averages and the previous difference
                tf, sf, cf = 0.0, 0.0, 0
                ts, ss, cs = 0.0, 0.0, 0
                prev = _NAN
            continue
        mf, tf, ef, sf, cf, rf = _ma_row(a, t, ju, kind, fast, af, skip, tf, ef, sf, cf, rf)
        ms, ts, es, ss, cs, rs = _ma_row(a, t, ju, kind, slow, als, skip, ts, es, ss, cs, rs)
        d = mf - ms
        out[t, ju] = K._turn(d, prev)
        prev = d
    fsf[c, 0], fsf[c, 1], fsf[c, 2] = tf, ef, sf
    istf[c, 0], istf[c, 1] = cf, np.int64(rf)
    fss[c, 0], fss[c, 1], fss[c, 2] = ts, es, ss
    iss[c, 0], iss[c, 1] = cs, np.int64(rs)
    P[c] = prev


@nb.njit(nogil=True, cache=True)
def _dual_fast4(a, HF, HS, fsf, istf, fss, iss, ok, b0, t0, t1, kind, fast, slow):  # type: ignore[no-untyped-def]
    # _ma_fast4 for both averages in one loop (eight independent chains, each input
    # row read once): raw SMA totals or EMAs into HF (fast) and HS (slow). On exit ok[c]
    # says column c was steady and met no NaN: only then is its state saved.
    j0 = _U(b0)
    j1, j2, j3 = j0 + _ONE, j0 + _U(2), j0 + _U(3)
    i = _U(0)
    if kind == MA_SMA:
        lf = _U(fast - 1)
        ls = _U(slow - 1)
        f0, f1, f2, f3 = fsf[0, 0], fsf[1, 0], fsf[2, 0], fsf[3, 0]
        s0, s1, s2, s3 = fss[0, 0], fss[1, 0], fss[2, 0], fss[3, 0]
        for t in range(_U(t0), _U(t1)):
            v0 = a[t, j0]
            v1 = a[t, j1]
            v2 = a[t, j2]
            v3 = a[t, j3]
            x0 = f0 + v0
            x1 = f1 + v1
            x2 = f2 + v2
            x3 = f3 + v3
            y0 = s0 + v0
            y1 = s1 + v1
            y2 = s2 + v2
            y3 = s3 + v3
            HF[0, i] = x0
            HF[1, i] = x1
            HF[2, i] = x2
            HF[3, i] = x3
            HS[0, i] = y0
            HS[1, i] = y1
            HS[2, i] = y2
            HS[3, i] = y3
            tf = t - lf
            ts = t - ls
            f0 = x0 - a[tf, j0]
            f1 = x1 - a[tf, j1]
            f2 = x2 - a[tf, j2]
            f3 = x3 - a[tf, j3]
            s0 = y0 - a[ts, j0]
            s1 = y1 - a[ts, j1]
            s2 = y2 - a[ts, j2]
            s3 = y3 - a[ts, j3]
            i += _ONE
        ok[0] = ok[0] and f0 == f0 and s0 == s0
        ok[1] = ok[1] and f1 == f1 and s1 == s1
        ok[2] = ok[2] and f2 == f2 and s2 == s2
        ok[3] = ok[3] and f3 == f3 and s3 == s3
        _keep4(fsf, 0, ok, f0, f1, f2, f3)
        _keep4(fss, 0, ok, s0, s1, s2, s3)
        for c in range(4):
            if ok[c]:  # the trails: window - 1 rows back
                istf[c, 1] = t1 - fast + 1
                iss[c, 1] = t1 - slow + 1
    else:
        af = 2.0 / (fast + 1)
        als = 2.0 / (slow + 1)
        f0, f1, f2, f3 = fsf[0, 1], fsf[1, 1], fsf[2, 1], fsf[3, 1]
        s0, s1, s2, s3 = fss[0, 1], fss[1, 1], fss[2, 1], fss[3, 1]
        for t in range(_U(t0), _U(t1)):
            v0 = a[t, j0]
            v1 = a[t, j1]
            v2 = a[t, j2]
            v3 = a[t, j3]
            f0 = ((v0 - f0) * af) + f0
            f1 = ((v1 - f1) * af) + f1
            f2 = ((v2 - f2) * af) + f2
            f3 = ((v3 - f3) * af) + f3
            s0 = ((v0 - s0) * als) + s0
            s1 = ((v1 - s1) * als) + s1
            s2 = ((v2 - s2) * als) + s2
            s3 = ((v3 - s3) * als) + s3
            HF[0, i] = f0
            HF[1, i] = f1
            HF[2, i] = f2
            HF[3, i] = f3
            HS[0, i] = s0
            HS[1, i] = s1
            HS[2, i] = s2
            HS[3, i] = s3
            i += _ONE
        ok[0] = ok[0] and f0 == f0 and s0 == s0
        ok[1] = ok[1] and f1 == f1 and s1 == s1
        ok[2] = ok[2] and f2 == f2 and s2 == s2
        ok[3] = ok[3] and f3 == f3 and s3 == s3
        _keep4(fsf, 1, ok, f0, f1, f2, f3)
        _keep4(fss, 1, ok, s0, s1, s2, s3)

@nb.njit(nogil=True, cache=True)
def _cross_finish4(out, HF, HS, P, ok, b0, t0, t1, kind, fast, slow):  # type: ignore[no-untyped-def]
    # Fast-path chunk, four columns: HF / HS hold SMA totals or EMAs of every row.
    rows = _U(t1 - t0)
    t0u = _U(t0)
    j0 = _U(b0)
    j1, j2, j3 = j0 + _ONE, j0 + _U(2), j0 + _U(3)
    if kind == MA_SMA:
        wf = float(fast)
        ws = float(slow)
        for q in range(rows):
            HF[0, q] = HF[0, q] / wf
            HF[1, q] = HF[1, q] / wf
            HF[2, q] = HF[2, q] / wf
            HF[3, q] = HF[3, q] / wf
            HS[0, q] = HS[0, q] / ws
            HS[1, q] = HS[1, q] / ws
            HS[2, q] = HS[2, q] / ws
            HS[3, q] = HS[3, q] / ws
    p0, p1, p2, p3 = P[0], P[1], P[2], P[3]
    for q in range(rows):
        t = t0u + q
        d0 = HF[0, q] - HS[0, q]
        d1 = HF[1, q] - HS[1, q]
        d2 = HF[2, q] - HS[2, q]
        d3 = HF[3, q] - HS[3, q]
        out[t, j0] = _turn(d0, p0)
        out[t, j1] = _turn(d1, p1)
        out[t, j2] = _turn(d2, p2)
        out[t, j3] = _turn(d3, p3)
        p0, p1, p2, p3 = d0, d1, d2, d3
    P[0] = p0 if ok[0] else P[0]
    P[1] = p1 if ok[1] else P[1]
    P[2] = p2 if ok[2] else P[2]
    P[3] = p3 if ok[3] else P[3]


@nb.njit(nogil=True, cache=True)
def _cross_finish1(out, HF, HS, P, c, j, t0, t1, kind, fast, slow):  # type: ignore[no-untyped-def]
    rows = _U(t1 - t0)
    t0u = _U(t0)
    cu = _U(c)
    ju = _U(j)
    if kind == MA_SMA:
        wf = float(fast)
        ws = float(slow)
        for q in range(rows):
            HF[cu, q] = HF[cu, q] / wf
            HS[cu, q] = HS[cu, q] / ws
    p = P[c]
    for q in range(rows):
        d = HF[cu, q] - HS[cu, q]
        out[t0u + q, ju] = _turn(d, p)
        p = d
    P[c] = p


@nb.njit(nogil=True, cache=True)
def _cross_f(a, out, j0, j1, kind, fast, slow, skip):  # type: ignore[no-untyped-def]
    n = a.shape[0]
    HF = np.empty((4, CHUNK))
    HS = np.empty((4, CHUNK))
    P = np.empty(4)
    fsf = np.zeros((4, 3))
    istf = np.zeros((4, 3), np.int64)
    fss = np.zeros((4, 3))
    iss = np.zeros((4, 3), np.int64)
    okf = np.zeros(4, np.bool_)
    # snapshots: a column the fast path gives up on is redone from its state on entry
    fsf0, istf0, fss0, iss0 = fsf.copy(), istf.copy(), fss.copy(), iss.copy()
    warm = min(n, slow)  # no column can be steady before this row
    for b0 in range(j0, j1, 4):
        bw = min(4, j1 - b0)
        for c in range(bw):
            _ma_reset(fsf, istf, c)
            _ma_reset(fss, iss, c)
            P[c] = _NAN
            _cross_rows(a, out, fsf, istf, fss, iss, P, c, b0 + c, 0, warm, kind, fast,
                        slow, skip)
        for t0 in range(warm, n, CHUNK):
            t1 = min(t0 + CHUNK, n)
            for c in range(bw):
                okf[c] = (_ma_steady(kind, fast, fsf, istf, c, t0, 0)
                          and _ma_steady(kind, slow, fss, iss, c, t0, 0))
            fsf0[:] = fsf
            istf0[:] = istf
            fss0[:] = fss
            iss0[:] = iss
            if bw == 4:
                _dual_fast4(a, HF, HS, fsf, istf, fss, iss, okf, b0, t0, t1, kind, fast,
                            slow)
                _cross_finish4(out, HF, HS, P, okf, b0, t0, t1, kind, fast, slow)
            else:
                for c in range(bw):
                    if okf[c]:
                        okf[c] = (_ma_fast1(a, HF, 0, fsf, istf, c, b0 + c, t0, t1, kind, fast)
                                  and _ma_fast1(a, HS, 0, fss, iss, c, b0 + c, t0, t1, kind,
                                                slow))
                    if okf[c]:
                        _cross_finish1(out, HF, HS, P, c, b0 + c, t0, t1, kind, fast, slow)
            for c in range(bw):
                if not okf[c]:
                    fsf[c] = fsf0[c]
                    istf[c] = istf0[c]
                    fss[c] = fss0[c]
                    iss[c] = iss0[c]
                    _cross_rows(a, out, fsf, istf, fss, iss, P, c, b0 + c, t0, t1, kind,
                                fast, slow, skip)


@nb.njit(nogil=True, cache=True)
def cross_2d(a, out, j0, j1, block, tile, kind, fast, slow, skip):  # type: ignore[no-untyped-def]
    """+1 / -1 / 0 where the fast average crosses the slow one, columns j0..j1.

    ``tile == 0`` (Fortran order): the fused chunked pass; otherwise the tiled C-order
    kernel of :mod:`._kernels` (same bits).
    """
    if tile == 0:
        _cross_f(a, out, j0, j1, kind, fast, slow, skip)
    else:
        K.cross_2d(a, out, j0, j1, block, tile, kind, fast, slow, skip)
