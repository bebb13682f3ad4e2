"""Compiled one-pass breadth counts over a dates x tickers matrix (private).

:func:`breadth_counts` reads every close once and writes only per-date counters: for
each ticker the kernel keeps running sums for the moving averages and block prefix/suffix
extremes (van Herk / Gil-Werman) for the previous-N-closes high and low; a date's
counters add up the members' states. Threads take contiguous column blocks and each
writes its own counter table, summed at the end (no shared writes).
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["breadth_counts", "counter_layout", "TIE"]

#: Relative difference below which a close equals its average (float noise of sums).
TIE = 1e-12


def counter_layout(n_windows: int) -> dict[str, int]:
    """Column of each counter in the array :func:`breadth_counts` returns."""
    pos = {"with_close": 0}
    for i in range(n_windows):
        pos[f"counted_{i}"] = 1 + i
        pos[f"above_{i}"] = 1 + n_windows + i
    base = 1 + 2 * n_windows
    for k, name in enumerate(("counted_high_low", "new_highs", "new_lows",
                              "counted_advance_decline", "advances", "declines", "unchanged")):
        pos[name] = base + k
    return pos


@nb.njit(cache=True, nogil=True, inline="always")
def _block_extremes(x, cnt, hl, pmax, smax, pmin, smin):  # type: ignore[no-untyped-def]
    # Van Herk / Gil-Werman: within blocks of `hl` values, running max/min from the
    # block start (p*) and to the block end (s*). The extreme of x[l..l+hl-1] is then
    # max(smax[l], pmax[l+hl-1]): no data-dependent loops, O(1) per value.
    for b0 in range(0, cnt, hl):
        b1 = min(b0 + hl, cnt)
        hi = x[b0]
        lo = x[b0]
        for c in range(b0, b1):
            hi = max(hi, x[c])
            lo = min(lo, x[c])
            pmax[c] = hi
            pmin[c] = lo
        hi = x[b1 - 1]
        lo = x[b1 - 1]
        for c in range(b1 - 1, b0 - 1, -1):
            hi = max(hi, x[c])
            lo = min(lo, x[c])
            smax[c] = hi
            smin[c] = lo


@nb.njit(cache=True, nogil=True)
def _columns(a, mask, all_members, windows, hl, j0, j1, counts):  # type: ignore[no-untyped-def]
    n = a.shape[0]
    nw = windows.shape[0]
    cap = 1
    for i in range(nw):
        if windows[i] > cap:
            cap = windows[i]
    ring = np.empty(cap)
    sums = np.empty(nw)
    fw = np.empty(nw)
    for i in range(nw):
        fw[i] = windows[i]
    xs = np.empty(n)                   # the column's valid closes, packed
    rows = np.empty(n, np.int64)       # their rows
    pmax = np.empty(n)
    smax = np.empty(n)
    pmin = np.empty(n)
    smin = np.empty(n)
    base = 1 + 2 * nw
    for j in range(j0, j1):
        cnt = 0
        for t in range(n):
            v = a[t, j]
            if not np.isnan(v):
                xs[cnt] = v
                rows[cnt] = t
                cnt += 1
        if cnt == 0:
            continue
        _block_extremes(xs, cnt, hl, pmax, smax, pmin, smin)
        for i in range(nw):
            sums[i] = 0.0
        p = 0              # == c % cap: where the next close goes in the ring
        for c in range(cnt):          # c = number of earlier valid closes
            v = xs[c]
            t = rows[c]
            member = all_members or mask[t, j]
            # --- statistics of row t from the closes before it (branch-free counts) -----
            for i in range(nw):
                w = windows[i]
                s = sums[i] + v
                if c >= w:
                    q = p - w
                    if q < 0:
                        q += cap
                    s -= ring[q]
                sums[i] = s
                if member and c + 1 >= w:
                    counts[t, 1 + i] += 1
                    # strictly above the average s / w; a difference within float
                    # noise of the running sum (1e-12 relative) is a tie, e.g. a run of
                    # identical closes: v * w - s > 1e-12 * |s| (no division)
                    counts[t, 1 + nw + i] += v * fw[i] - s > TIE * abs(s)
            if member:
                counts[t, 0] += 1
                if c >= hl:
                    counts[t, base] += 1
                    counts[t, base + 1] += v > max(smax[c - hl], pmax[c - 1])
                    counts[t, base + 2] += v < min(smin[c - hl], pmin[c - 1])
                if c >= 1:
                    prev = xs[c - 1]
                    counts[t, base + 3] += 1
                    counts[t, base + 4] += v > prev
                    counts[t, base + 5] += v < prev
                    counts[t, base + 6] += v == prev
            ring[p] = v
            p += 1
            if p == cap:
                p = 0
            # keep the running sums accurate: rebuild them every 4096 closes
            if ((c + 1) & 4095) == 0:
                for i in range(nw):
                    w = windows[i]
                    if c + 1 >= w:
                        s = 0.0
                        for k in range(c + 1 - w, c + 1):
                            s += xs[k]
                        sums[i] = s


@nb.njit(cache=True, parallel=True)
def _blocks(a, mask, all_members, windows, hl, bounds, counts):  # type: ignore[no-untyped-def]
    for b in nb.prange(bounds.shape[0] - 1):
        _columns(a, mask, all_members, windows, hl, bounds[b], bounds[b + 1], counts[b])


def breadth_counts(values: np.ndarray, mask: np.ndarray | None, windows: np.ndarray,
                   high_low_window: int) -> np.ndarray:
    """Per-date counters (rows x len(counter_layout)) int64, see :func:`counter_layout`.

    ``values`` (rows x tickers float64, either memory order; Fortran is fastest),
    ``mask`` the same shape bool (None: every ticker is a member on every date).
    """
    n, m = values.shape
    k = 1 + 2 * len(windows) + 7
    threads = max(1, min(nb.get_num_threads(), m // 16 if m >= 32 else 1))
    bounds = np.linspace(0, m, threads + 1).astype(np.int64)
    counts = np.zeros((threads, n, k), dtype=np.int64)
    if m and n:
        all_members = mask is None
        mask_arr = np.ones((1, 1), dtype=np.bool_) if mask is None else mask
        _blocks(values, mask_arr, all_members, windows.astype(np.int64), int(high_low_window),
                bounds, counts)
    return counts.sum(axis=0)
