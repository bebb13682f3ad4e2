"""Compiled P&L kernels: one strategy path, and many parameter combinations at once.

Timing (the same in both): ``w`` are the weights held after the close of day ``d-1``;
on day ``d`` the book earns ``sum(w * r[d]) + (1 - sum(w)) * cash[d]``, the weights
drift with the prices, and if a decision was taken at the close of ``d-1`` the book
trades at the close of ``d`` to the target (cost ``bps / 1e4 * sum |target - drifted|``
taken from that day's equity). So a decision on the close of ``t`` trades on ``t+1``
and the new weights earn from ``t+1`` to ``t+2``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["simulate", "sweep_topk"]


@nb.njit(cache=True)
def simulate(decide: np.ndarray, target: np.ndarray, returns: np.ndarray, cash: np.ndarray,
             cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run one strategy.

    Parameters
    ----------
    decide : bool (n,) a decision was taken at the close of row ``d``.
    target : float (n, m) the target weights decided at row ``d`` (read where ``decide``).
    returns : float (n, m) asset returns from row ``d-1`` to ``d`` (0 where unknown).
    cash : float (n,) return of the cash left over on row ``d``.
    cost : cost per unit of turnover (``costs_bps / 1e4``).

    Returns
    -------
    (held, net, turnover): held (n, m) weights after the close of row ``d``; net (n,)
    the book's return on row ``d`` after costs; turnover (n,) traded on row ``d``.
    """
    n, m = returns.shape
    held = np.zeros((n, m))
    net = np.zeros(n)
    turn = np.zeros(n)
    w = np.zeros(m)
    for d in range(n):
        gross = 0.0
        invested = 0.0
        for j in range(m):
            gross += w[j] * returns[d, j]
            invested += w[j]
        gross += (1.0 - invested) * cash[d]
        growth = 1.0 + gross
        if growth != 0.0:
            for j in range(m):
                w[j] = w[j] * (1.0 + returns[d, j]) / growth
        traded = 0.0
        if d >= 1 and decide[d - 1]:
            for j in range(m):
                traded += abs(target[d - 1, j] - w[j])
                w[j] = target[d - 1, j]
        turn[d] = traded
        net[d] = growth * (1.0 - cost * traded) - 1.0
        for j in range(m):
            held[d, j] = w[j]
    return held, net, turn


@nb.njit(cache=True, parallel=True)
def sweep_topk(scores: np.ndarray, valid: np.ndarray, returns: np.ndarray, cash: np.ndarray,
               flags: np.ndarray, score_idx: np.ndarray, tops: np.ndarray,
               flag_idx: np.ndarray, costs: np.ndarray, start: int,
               keep_equity: bool) -> tuple[np.ndarray, np.ndarray]:
    """Equal-weight top-k strategies for many parameter combinations, in parallel.

    Parameters
    ----------
    scores : float (L, n, m) the ranking score per lookback (NaN = not rankable).
    valid : bool (n, m) may be bought at the decision row (member with a close, and a
        close on the next row).
    returns, cash : as :func:`simulate`.
    flags : bool (F, n) decision rows per rebalance frequency.
    score_idx, tops, flag_idx, costs : one entry per combination (index into ``scores``,
        k, index into ``flags``, cost per unit of turnover).
    start : first row of the P&L window (equity 1.0 at its close).
    keep_equity : also return the equity curves (C, n - start).

    Returns
    -------
    (stats, equity): stats (C, 5) = total return, mean daily return, daily standard
    deviation (ddof 1), summed turnover over the window, maximum drawdown (the start
    1.0 included); equity (C, n-start) or (C, 0).
    """
    C = score_idx.shape[0]
    L, n, m = scores.shape
    stats = np.zeros((C, 5))
    width = n - start if keep_equity else 0
    equity = np.zeros((C, width))
    for c in nb.prange(C):
        s = scores[score_idx[c]]
        fl = flags[flag_idx[c]]
        k = tops[c]
        cost = costs[c]
        w = np.zeros(m)
        tw = np.zeros(m)
        eq = 1.0
        peak = 1.0
        mdd = 0.0
        acc = 0.0
        acc2 = 0.0
        turn_sum = 0.0
        cnt = 0
        for d in range(n):
            gross = 0.0
            invested = 0.0
            for j in range(m):
                gross += w[j] * returns[d, j]
                invested += w[j]
            gross += (1.0 - invested) * cash[d]
            growth = 1.0 + gross
            if growth != 0.0:
                for j in range(m):
                    w[j] = w[j] * (1.0 + returns[d, j]) / growth
            traded = 0.0
            if d >= 1 and fl[d - 1]:
                # top k of row d-1 (ties: the earlier column), equal weight
                for j in range(m):
                    tw[j] = 0.0
                nvalid = 0
                for j in range(m):
                    if valid[d - 1, j] and not np.isnan(s[d - 1, j]):
                        nvalid += 1
                kk = k if k < nvalid else nvalid
                for _ in range(kk):
                    best = -1
                    bv = 0.0
                    for j in range(m):
                        if (tw[j] == 0.0 and valid[d - 1, j] and not np.isnan(s[d - 1, j])
                                and (best < 0 or s[d - 1, j] > bv)):
                            best = j
                            bv = s[d - 1, j]
                    tw[best] = 1.0 / kk
                for j in range(m):
                    traded += abs(tw[j] - w[j])
                    w[j] = tw[j]
            r = growth * (1.0 - cost * traded) - 1.0
            if d > start:
                eq *= 1.0 + r
                if eq > peak:
                    peak = eq
                elif eq / peak - 1.0 < mdd:
                    mdd = eq / peak - 1.0
                acc += r
                acc2 += r * r
                turn_sum += traded
                cnt += 1
            if keep_equity and d >= start:
                equity[c, d - start] = eq
        mean = acc / cnt if cnt > 0 else np.nan
        var = (acc2 - cnt * mean * mean) / (cnt - 1) if cnt > 1 else np.nan
        stats[c, 0] = eq - 1.0
        stats[c, 1] = mean
        stats[c, 2] = np.sqrt(var) if var > 0 else 0.0
        stats[c, 3] = turn_sum
        stats[c, 4] = mdd
    return stats, equity
