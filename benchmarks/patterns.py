"""Benchmark of the chart-reading signals (drawdown, pivots, ranges, divergences).

Run::

    python benchmarks/patterns.py --tickers 2000 --days 6300 [--layout F|C] [--json]

Measured in one run on the synthetic market (:func:`rotascope.data.synthetic.
generate_market`, Fortran order like ``Store.close_matrix``; ``--layout C`` copies it to
C order first):

* the read+write floor (numpy, one thread): ``np.add(a, 1.0, out=b)`` into a
  preallocated, touched ``b`` of the same shape;
* each signal (compiled kernels, all threads numba may use), its multiple of that
  floor and its peak memory (input + what the call allocates, tracemalloc) as a
  multiple of the input;
* references where a vectorised pandas/numpy formulation exists: ``drawdown`` as
  ``df / df.cummax() - 1``, ``worst_decline(10)`` as the 55 whole-matrix ratios of
  shifted closes (no NaN skipping: a timing reference only).

Timings are the best of ``--repeat`` runs. Compare ratios, not seconds: other
processes on the machine move the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rotascope.signals import (
    detect_range,
    drawdown,
    range_breaks,
    rebound,
    rsi,
    rsi_divergence,
    rsi_lower_highs_lower_lows,
    swing_points,
    worst_decline,
)


def make_market(tickers: int, days: int, seed: int) -> pd.DataFrame:
    from rotascope.data.synthetic import generate_market

    mkt = generate_market(tickers=max(40, tickers - 53), days=days, seed=seed)
    close = mkt.close.iloc[:, :tickers]
    values = np.asfortranarray(close.to_numpy(dtype=np.float64))
    return pd.DataFrame(values, index=close.index, columns=close.columns, copy=False)


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        del result
    gc.collect()
    return best


def peak_bytes(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


def np_worst_decline(a: np.ndarray, window: int) -> np.ndarray:
    """Reference: the O(window^2) pairs of shifted whole-matrix numpy ratios."""
    n = a.shape[0]
    res = np.full_like(a, np.nan)
    if n <= window:
        return res
    best = np.zeros((n - window, a.shape[1]))
    for i in range(window + 1):
        for j in range(i + 1, window + 1):
            np.fmin(best, a[j:n - window + j] / a[i:n - window + i] - 1.0, out=best)
    res[window:] = best
    return res


def run(tickers: int, days: int, layout: str, repeat: int, seed: int) -> dict[str, Any]:
    df = make_market(tickers, days, seed)
    if layout == "C":
        df = pd.DataFrame(np.ascontiguousarray(df.to_numpy()), index=df.index,
                          columns=df.columns, copy=False)
    a = df.to_numpy()
    r14 = rsi(df, 14)
    small, small_r = df.iloc[:300, :4], r14.iloc[:300, :4]
    calls: dict[str, Callable[[pd.DataFrame], Any]] = {
        "drawdown": lambda x: drawdown(x),
        "worst_decline10": lambda x: worst_decline(x, 10),
        "worst_decline252": lambda x: worst_decline(x, 252),
        "rebound": lambda x: rebound(x),
        "swing_points": lambda x: swing_points(x, 5, 5),
        "detect_range": lambda x: detect_range(x),
        "range_breaks": lambda x: range_breaks(x),
    }
    pair_calls: dict[str, Callable[[pd.DataFrame, pd.DataFrame], Any]] = {
        "rsi_divergence": lambda x, r: rsi_divergence(x, r),
        "rsi_lower_highs_lower_lows": lambda x, r: rsi_lower_highs_lower_lows(x, r),
    }
    for f in calls.values():  # compile / load the kernels for this layout
        f(small)
    for g in pair_calls.values():
        g(small, small_r)

    buf = np.empty_like(a)
    np.add(a, 1.0, out=buf)
    floor = best_of(lambda: np.add(a, 1.0, out=buf), repeat)
    out: dict[str, Any] = {"tickers": a.shape[1], "days": a.shape[0], "layout": layout,
                           "input_mb": a.nbytes / 1e6, "floors": {"read_write": floor},
                           "signals": {}}
    for name, f in calls.items():
        secs = best_of(lambda f=f: f(df), repeat)
        out["signals"][name] = {"seconds": secs, "x_rw_floor": secs / floor,
                                "peak_x_input": 1 + peak_bytes(lambda f=f: f(df)) / a.nbytes}
    for name, g in pair_calls.items():
        secs = best_of(lambda g=g: g(df, r14), repeat)
        out["signals"][name] = {"seconds": secs, "x_rw_floor": secs / floor,
                                "peak_x_input": 1 + peak_bytes(lambda g=g: g(df, r14))
                                / a.nbytes}
    ref = {"drawdown": lambda: df / df.cummax() - 1,
           "worst_decline10": lambda: np_worst_decline(a, 10)}
    for name, fn in ref.items():
        out["signals"][name]["reference_seconds"] = best_of(fn, 1)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickers", type=int, default=2000)
    p.add_argument("--days", type=int, default=6300)
    p.add_argument("--layout", choices=("F", "C"), default="F")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    res = run(args.tickers, args.days, args.layout, args.repeat, args.seed)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"{res['tickers']} tickers x {res['days']} days, layout {res['layout']}, "
          f"input {res['input_mb']:.0f} MB; read+write floor "
          f"{res['floors']['read_write']:.3f} s")
    print(f"{'signal':28} {'seconds':>8} {'x floor':>8} {'peak/in':>8} {'reference':>10}")
    for name, r in res["signals"].items():
        ref = r.get("reference_seconds")
        print(f"{name:28} {r['seconds']:8.3f} {r['x_rw_floor']:8.1f} {r['peak_x_input']:8.1f} "
              + (f"{ref:10.3f}" if ref is not None else f"{'':>10}"))


if __name__ == "__main__":
    main()
