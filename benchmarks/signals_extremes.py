"""Benchmark: rolling max/min kernels against the read+write floor and TA-Lib, interleaved
in one run so that the load of a shared machine hits every figure alike.

Run::

    python benchmarks/signals_extremes.py [--tickers 12000] [--days 6300] [--repeat 5]

Input: a random walk per column (Fortran order, as ``Store.close_matrix``), 11% of the
columns listing late. Each round times, one after the other: the read+write floor
(``np.add(a, 1.0, out=b)``, numpy, one thread, preallocated), a fresh output
(``np.multiply(a, 1.0)``), ``rolling_max(frame, 252)`` (the column-major fast path,
all numba threads, fresh output), the general kernel into a preallocated output (the
previous code path), the fast path into a preallocated output, and TA-Lib ``MAX``
looped over the columns (first round only). Best of ``--repeat`` rounds. All outputs
are checked equal (the general and fast kernels bit for bit; TA-Lib to 1e-9 after the
warm-up).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import talib

from rotascope.signals import _kernels as K
from rotascope.signals import rolling_max


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickers", type=int, default=12_000)
    ap.add_argument("--days", type=int, default=6_300)
    ap.add_argument("--window", type=int, default=252)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    n, m, w = args.days, args.tickers, args.window
    rng = np.random.default_rng(0)
    a = np.asfortranarray(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0)))
    late = rng.choice(m, m // 9, replace=False)
    for j in late:
        a[: rng.integers(1, n // 2), j] = np.nan
    frame = pd.DataFrame(a, index=pd.bdate_range("2000-01-03", periods=n), copy=False)
    b = np.empty_like(a)
    b.fill(0.0)
    general = K.alloc_like(a)
    general.fill(0.0)
    fast = K.alloc_like(a)
    fast.fill(0.0)
    rolling_max(frame.iloc[:300, :16], w)  # compile / load the kernels

    def clock(fn):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    times: dict[str, list[float]] = {k: [] for k in
                                     ("floor", "fresh", "rolling_max", "general", "fast")}
    talib_s = float("nan")
    for r in range(args.repeat):
        times["floor"].append(clock(lambda: np.add(a, 1.0, out=b)))
        times["fresh"].append(clock(lambda: np.multiply(a, 1.0)))
        times["rolling_max"].append(clock(lambda: rolling_max(frame, w)))
        times["general"].append(clock(lambda: K.run_columns(
            K.extreme_2d, a, (general,), w, w, True, False, True)))
        times["fast"].append(clock(lambda: K.run_columns(
            K.extreme_clean_2d, a, (fast,), w, w, True, False, True)))
        if r == 0:
            t = time.perf_counter()
            ref = [talib.MAX(a[:, j], w) for j in range(m)]
            talib_s = time.perf_counter() - t
            assert np.array_equal(general, fast, equal_nan=True)
            clean = np.setdiff1d(np.arange(m), late)[:200]
            want = np.column_stack([ref[j] for j in clean])
            np.testing.assert_allclose(fast[w - 1:, clean], want[w - 1:], rtol=1e-9)
            del ref, want
    best = {k: min(v) for k, v in times.items()}
    floor = best["floor"]
    res = {"tickers": m, "days": n, "window": w, "threads": K._n_threads(),
           "load_avg_1m": os.getloadavg()[0], "seconds": best, "talib_seconds": talib_s,
           "x_floor": {k: v / floor for k, v in best.items()},
           "x_faster_than_talib": {k: talib_s / best[k] for k in
                                   ("rolling_max", "general", "fast")}}
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"rolling max {w}: {m:,} tickers x {n:,} days, F order, {res['threads']} threads, "
          f"load average {res['load_avg_1m']:.1f}, best of {args.repeat}")
    for k, v in best.items():
        extra = (f"   {talib_s / v:5.1f} x faster than TA-Lib looped"
                 if k in res["x_faster_than_talib"] else "")
        print(f"{k:<12} {v:8.3f} s  {v / floor:5.2f} x read+write floor{extra}")
    print(f"TA-Lib MAX looped {talib_s:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
