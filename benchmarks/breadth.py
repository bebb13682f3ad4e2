"""Benchmark of breadth and the RRG against the machine's read+write floor, in one run.

Run::

    python benchmarks/breadth.py [--members 500] [--days 5040] [--repeat 5] [--json]

Inputs (seeded synthetic market, :func:`rotascope.data.synthetic.generate_market`,
Fortran order like ``Store.close_matrix``): ``--members`` stocks x ``--days`` rows (500
x 5,040 = 20 years) for breadth, with a point-in-time membership mask (each stock a
member over a random interval); the 11 sector ETFs and SPY over the same rows for the
RRG.

Reported, each as a multiple of the **read+write floor** measured in the same run on a
matrix of the same shape (numpy, one thread: ``np.add(a, 1.0, out=b)`` into an already
touched ``b``):

* ``breadth_history`` with the mask (every breadth series for every date: members above
  20/50/200-day averages, 52-week highs/lows, advances/declines, A/D line, McClellan);
  its compiled one-pass kernel alone; without a mask;
* a plain-pandas reference doing the same counts on the whole frame (rolling windows by
  rows, so it is not exactly the own-rows definition; only its time matters here);
* ``rrg`` of the 11 sectors vs SPY, weekly (default) and daily, and the floor of that
  12-column matrix; plus a 500-stock daily RRG (the leaders table of a whole index).

Timings are the best of ``--repeat`` runs after one warm-up call (numba compile or cache
load excluded). Other processes on the machine affect the figures: compare ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rotascope.analysis._breadth_kernel import breadth_counts
from rotascope.analysis.breadth import breadth_history
from rotascope.analysis.rotation import rrg

SECTORS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: compile or load the kernels, touch the memory
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        del result
    return best


def floor_seconds(shape: tuple[int, int], repeat: int) -> float:
    """Read+write floor: one numpy pass reading a matrix and writing another, one thread."""
    a = np.asfortranarray(np.random.default_rng(0).random(shape))
    b = np.empty_like(a, order="F")
    np.add(a, 1.0, out=b)
    return best_of(lambda: np.add(a, 1.0, out=b), max(repeat, 20))


def pandas_reference(close: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """The same per-date counts with whole-frame pandas operations (row windows)."""
    m = mask.to_numpy()
    out = {}
    for w in (20, 50, 200):
        sma = close.rolling(w).mean()
        ok = sma.notna().to_numpy() & m
        out[f"counted_{w}"] = ok.sum(axis=1)
        out[f"above_{w}"] = (ok & (close > sma).to_numpy()).sum(axis=1)
    prev = close.shift(1)
    hi = prev.rolling(252).max()
    lo = prev.rolling(252).min()
    ok = hi.notna().to_numpy() & m
    out["new_highs"] = (ok & (close > hi).to_numpy()).sum(axis=1)
    out["new_lows"] = (ok & (close < lo).to_numpy()).sum(axis=1)
    ok = prev.notna().to_numpy() & m
    adv = (ok & (close > prev).to_numpy()).sum(axis=1)
    dec = (ok & (close < prev).to_numpy()).sum(axis=1)
    out["ad_line"] = np.cumsum(adv - dec)
    return pd.DataFrame(out, index=close.index)


def make_inputs(members: int, days: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                             pd.DataFrame]:
    from rotascope.data.synthetic import generate_market

    mkt = generate_market(tickers=max(40, members), days=days, seed=seed).close
    stocks = mkt.iloc[:, :members]
    values = np.asfortranarray(stocks.to_numpy(dtype=np.float64))
    close = pd.DataFrame(values, index=stocks.index, columns=stocks.columns, copy=False)
    rng = np.random.default_rng(seed)
    start = rng.integers(-days, days, members)
    end = start + rng.integers(days // 4, 2 * days, members)
    rows = np.arange(days)[:, None]
    mask = pd.DataFrame(np.asfortranarray((rows >= start) & (rows < end)), index=close.index,
                        columns=close.columns)
    sect = mkt[[*SECTORS, "SPY"]]
    sect = pd.DataFrame(np.asfortranarray(sect.to_numpy()), index=sect.index,
                        columns=sect.columns)
    return close, mask, sect


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--days", type=int, default=5040)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    close, mask, sect = make_inputs(args.members, args.days, args.seed)
    windows = np.asarray((20, 50, 200), dtype=np.int64)
    r = args.repeat
    res: dict[str, Any] = {"members": args.members, "days": args.days,
                           "sectors": len(SECTORS)}
    floor = floor_seconds(close.shape, r)
    res["floor_breadth_s"] = floor
    timings = {
        "breadth_history (mask)": best_of(lambda: breadth_history(close, members=mask), r),
        "breadth kernel only (mask)": best_of(
            lambda: breadth_counts(close.to_numpy(), mask.to_numpy(), windows, 252), r),
        "breadth_history (no mask)": best_of(lambda: breadth_history(close), r),
        "pandas reference": best_of(lambda: pandas_reference(close, mask), 1),
    }
    floor_rrg = floor_seconds(sect.shape, r)
    res["floor_rrg_s"] = floor_rrg
    rrg_timings = {
        "rrg weekly (11 sectors)": best_of(lambda: rrg(sect, "SPY"), r),
        "rrg daily (11 sectors)": best_of(lambda: rrg(sect, "SPY", period="daily"), r),
    }
    wide = close.join(sect["SPY"])
    floor_wide = floor_seconds(wide.shape, r)
    wide_t = best_of(lambda: rrg(wide, "SPY", period="daily"), r)
    res["results"] = (
        [{"name": k, "seconds": v, "x_floor": v / floor} for k, v in timings.items()]
        + [{"name": k, "seconds": v, "x_floor": v / floor_rrg} for k, v in rrg_timings.items()]
        + [{"name": f"rrg daily ({args.members} stocks)", "seconds": wide_t,
            "x_floor": wide_t / floor_wide}])
    if args.json:
        print(json.dumps(res, indent=2))
        return res
    print(f"breadth: {args.members} members x {args.days} days; read+write floor "
          f"{floor * 1e3:.3f} ms (numpy, 1 thread)")
    print(f"rrg: {len(SECTORS)} sectors + SPY x {args.days} days; floor "
          f"{floor_rrg * 1e6:.1f} us; {args.members} stocks: floor {floor_wide * 1e3:.3f} ms")
    print(f"{'measure':36s} {'ms':>10s} {'x floor':>10s}")
    for row in res["results"]:
        print(f"{row['name']:36s} {row['seconds'] * 1e3:10.2f} {row['x_floor']:10.1f}")
    return res


if __name__ == "__main__":
    main()
