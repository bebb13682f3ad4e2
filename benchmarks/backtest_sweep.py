"""Benchmark of the backtest parameter sweep against vectorbt, on the same grid, in one run.

Run::

    python benchmarks/backtest_sweep.py [--lookbacks 500] [--tops 10] [--years 25] [--json]

Inputs: the 11 sector ETFs of the seeded synthetic market
(:func:`rotascope.data.synthetic.generate_market`, 25 years = 6,300 sessions). Strategy:
sector momentum, equal weight among the top k by ``perf($, L)``, decided on the last
session of the week or month, traded at the next close, weights drifting in between,
no costs (vectorbt charges fees in cash after sizing an order to its target, which is
another cost model; the equality check needs the same model). Default grid: L = 1..500
rows x k = 1..10 x rebalance weekly/monthly = 10,000 combinations.

* rotascope: :func:`rotascope.backtest.sweep.run_sweep`-style call of the
  compiled kernel :func:`~rotascope.backtest.kernels.sweep_topk` (all
  combinations at once, numba parallel over combinations), scores included, equity
  curves of every combination kept;
* vectorbt: ``Portfolio.from_orders(size_type="targetpercent", cash_sharing=True,
  group_by=..., call_seq="auto")`` over the same target weights (built with numpy,
  timed separately), in chunks of combinations to bound memory; ``value()`` per group.

Checked: every equity curve of both equal to 1e-9 (max absolute difference printed).
Timings are one run each after a warm-up on a small grid (numba compile excluded);
other processes on the machine affect them: compare the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

import numba
import numpy as np
import pandas as pd


def _inputs(years: float, seed: int):
    from rotascope.data.synthetic import generate_market

    syn = generate_market(tickers=40, years=years, seed=seed)
    sectors = syn.universes["sectors"]
    close = syn.close[sectors].astype(np.float64)
    return close


def _rotascope(close, lookbacks, tops, rebs, keep=True):
    from rotascope.backtest.engine import asset_returns, rebalance_flags
    from rotascope.signals.returns import total_return

    t0 = time.perf_counter()
    scores = np.stack([np.asarray(total_return(close, int(lb)), dtype=np.float64)
                       for lb in lookbacks])
    n, m = close.shape
    valid = np.zeros((n, m), dtype=bool)
    valid[:-1] = close.notna().to_numpy()[1:]
    rets = asset_returns(close)
    flags = np.stack([rebalance_flags(close.index, r) for r in rebs])
    li, ti, ri = np.meshgrid(np.arange(len(lookbacks)), np.asarray(tops), np.arange(len(rebs)),
                             indexing="ij")
    from rotascope.backtest.kernels import sweep_topk

    stats, equity = sweep_topk(scores, valid, rets, np.zeros(n), flags,
                               li.ravel().astype(np.int64), ti.ravel().astype(np.int64),
                               ri.ravel().astype(np.int64), np.zeros(li.size), 0, keep)
    return time.perf_counter() - t0, equity, (li.ravel(), ti.ravel(), ri.ravel()), scores, flags


def _targets(scores, valid, k, flag):
    """Target weights on the trade rows (decision row + 1), NaN elsewhere (numpy)."""
    n, m = valid.shape
    ok = valid & ~np.isnan(scores)
    key = np.where(ok, -np.nan_to_num(scores), np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(m), (n, m)).copy(), axis=1)
    kk = np.minimum(ok.sum(1), k)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where((rank < kk[:, None]) & ok, 1.0 / kk[:, None], 0.0)
    out = np.full((n, m), np.nan)
    rows = np.flatnonzero(flag[:-1]) + 1
    out[rows] = w[rows - 1]
    return out


#: vectorbt ignores orders of less than 1e-12 shares (its abs_tol); starting with 1e9
#: (values divided by it) keeps the small drift-rebalancing legs above that threshold.
_CASH = 1e9


def _vectorbt(close, combos, scores, flags, chunk):
    import vectorbt as vbt

    li, ti, ri = combos
    n, m = close.shape
    valid = np.zeros((n, m), dtype=bool)
    valid[:-1] = close.notna().to_numpy()[1:]
    t_prep = 0.0
    t_sim = 0.0
    values = np.empty((len(li), n))
    price = close.to_numpy()
    for s in range(0, len(li), chunk):
        idx = range(s, min(s + chunk, len(li)))
        t0 = time.perf_counter()
        size = np.concatenate([_targets(scores[li[c]], valid, int(ti[c]), flags[ri[c]])
                               for c in idx], axis=1)
        cols = pd.MultiIndex.from_product([list(idx), list(close.columns)],
                                          names=["combo", "ticker"])
        big_close = pd.DataFrame(np.tile(price, (1, len(idx))), index=close.index,
                                 columns=cols)
        size_df = pd.DataFrame(size, index=close.index, columns=cols)
        t1 = time.perf_counter()
        pf = vbt.Portfolio.from_orders(big_close, size_df, size_type="targetpercent",
                                       group_by="combo", cash_sharing=True, call_seq="auto",
                                       init_cash=_CASH, fees=0.0, freq="1D")
        val = pf.value().to_numpy() / _CASH
        t2 = time.perf_counter()
        values[s: s + len(idx)] = val.T
        t_prep += t1 - t0
        t_sim += t2 - t1
        del pf, big_close, size_df, size, val
        gc.collect()
    return t_prep, t_sim, values


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lookbacks", type=int, default=500)
    ap.add_argument("--tops", type=int, default=10)
    ap.add_argument("--years", type=float, default=25.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    close = _inputs(args.years, args.seed)
    lookbacks = list(range(1, args.lookbacks + 1))
    tops = list(range(1, args.tops + 1))
    rebs = ["weekly", "monthly"]
    # warm-up (compile or load the numba caches of both)
    _, _, wc, ws, wf = _rotascope(close.iloc[:300], [5, 10], [1, 2], rebs)
    _vectorbt(close.iloc[:300], wc, ws, wf, 10)

    _rotascope(close, lookbacks[:2], tops[:2], rebs)  # warm-up on the full shape
    t_ours, eq_ours, combos, scores, flags = _rotascope(close, lookbacks, tops, rebs)
    t_prep, t_sim, eq_vbt = _vectorbt(close, combos, scores, flags, args.chunk)
    diff = float(np.max(np.abs(eq_ours - eq_vbt)))
    out = {
        "sessions": int(close.shape[0]), "assets": int(close.shape[1]),
        "combinations": int(len(combos[0])), "numba_threads": int(numba.get_num_threads()),
        "rotascope_s": round(t_ours, 3), "vectorbt_sim_s": round(t_sim, 3),
        "vectorbt_prep_s": round(t_prep, 3),
        "speedup_vs_vectorbt_sim": round(t_sim / t_ours, 2),
        "speedup_vs_vectorbt_total": round((t_sim + t_prep) / t_ours, 2),
        "max_abs_equity_diff": diff, "equal_to_1e-9": diff <= 1e-9,
    }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:28s} {v}")
    if diff > 1e-9:
        raise SystemExit("equity curves differ by more than 1e-9")


if __name__ == "__main__":
    main()
