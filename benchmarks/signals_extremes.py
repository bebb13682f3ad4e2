"""Benchmark: rolling max/min kernels against the read+write floor and TA-Lib, interleaved
in one run so that the load of a shared machine hits every figure alike.

Run::

    python benchmarks/signals_extremes.py [--tickers 12000] [--days 6300] [--repeat 5]

Input: a random walk per column (Fortran order, as ``Store.close_matrix``), 11% of the
columns listing late. Each round times, one after the other:

* floors, each in two allocation policies so that every kernel is compared with the
  floor of the same policy: ``floor`` (``np.add(a, 1.0, out=b)``, numpy, one thread,
  preallocated), ``fresh`` (``np.multiply(a, 1.0)``, a new output), and the same read
  and write on the same threads as the extremes
  (numpy on the column ranges ``run_columns`` gives each of the kernels' threads:
  ``floor_threads`` preallocated, ``fresh_threads`` with a new F-order output);
* ``rolling_max`` (the public function, fresh output), ``rolling_max_out`` (the same
  into a reused ``out=`` buffer), ``general`` / ``fast`` (the general and the
  column-major kernels into preallocated outputs), ``max_and_min`` (``rolling_max`` then
  ``rolling_min`` into reused buffers) and ``extremes_fused`` (``rolling_extremes``: both
  in one pass, reused buffers); TA-Lib ``MAX`` looped over the columns (first round only).

Ratios: ``x_floor`` against the floor of the same allocation policy and threads
(``rolling_max`` / ``fresh_threads``, the ``out=`` and kernel rows / ``floor_threads``,
the two-output rows / 2 x ``floor_threads``); the one-thread numpy floors are printed
too. Best of ``--repeat`` rounds. All outputs are checked equal (the kernels bit for
bit; TA-Lib to 1e-9 after the warm-up).
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
from rotascope.signals import rolling_max, rolling_min
from rotascope.signals.rolling import rolling_extremes


def _add_one(a, out, j0, j1, block, tile):  # type: ignore[no-untyped-def]
    np.add(a[:, j0:j1], 1.0, out=out[:, j0:j1])  # numpy releases the GIL


def _copy_plus_one(a, out):  # type: ignore[no-untyped-def]
    # the read+write floor on the same threads and column ranges as the kernels
    K.run_columns(_add_one, a, (out,))


def _fresh_threads(a):  # type: ignore[no-untyped-def]
    out = np.empty(a.shape, order="F")
    _copy_plus_one(a, out)
    return out


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
    hi = np.empty(a.shape, order="F")
    lo = np.empty(a.shape, order="F")
    b2 = np.empty(a.shape, order="F")
    small = frame.iloc[:300, :16]
    rolling_max(small, w)  # compile / load the kernels
    rolling_extremes(small, w)

    def clock(fn):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    names = ("floor", "fresh", "floor_threads", "fresh_threads", "rolling_max",
             "rolling_max_out", "general", "fast", "max_and_min", "extremes_fused")
    times: dict[str, list[float]] = {k: [] for k in names}
    talib_s = float("nan")

    def max_and_min() -> None:
        rolling_max(frame, w, out=hi)
        rolling_min(frame, w, out=lo)

    for r in range(args.repeat):
        times["floor"].append(clock(lambda: np.add(a, 1.0, out=b)))
        times["fresh"].append(clock(lambda: np.multiply(a, 1.0)))
        times["floor_threads"].append(clock(lambda: _copy_plus_one(a, b2)))
        times["fresh_threads"].append(clock(lambda: _fresh_threads(a)))
        times["rolling_max"].append(clock(lambda: rolling_max(frame, w)))
        times["rolling_max_out"].append(clock(lambda: rolling_max(frame, w, out=hi)))
        times["general"].append(clock(lambda: K.run_columns(
            K.extreme_2d, a, (general,), w, w, True, False, True)))
        times["fast"].append(clock(lambda: K.run_columns(
            K.extreme_clean_2d, a, (fast,), w, w, True, False, True)))
        times["max_and_min"].append(clock(max_and_min))
        want_lo = lo.copy() if r == 0 else None
        times["extremes_fused"].append(clock(lambda: rolling_extremes(frame, w,
                                                                       out=(hi, lo))))
        if r == 0:
            assert np.array_equal(hi, fast, equal_nan=True)
            assert np.array_equal(lo, want_lo, equal_nan=True)
            del want_lo
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
    same_policy = {"floor": "floor", "fresh": "fresh", "floor_threads": "floor_threads",
                   "fresh_threads": "fresh_threads", "rolling_max": "fresh_threads",
                   "rolling_max_out": "floor_threads", "general": "floor_threads",
                   "fast": "floor_threads", "max_and_min": "floor_threads",
                   "extremes_fused": "floor_threads"}
    outputs = {"max_and_min": 2, "extremes_fused": 2}
    res = {"tickers": m, "days": n, "window": w, "threads": K._n_threads(),
           "load_avg_1m": os.getloadavg()[0], "seconds": best, "talib_seconds": talib_s,
           "x_numpy_floor": {k: v / floor for k, v in best.items()},
           "x_floor": {k: v / (outputs.get(k, 1) * best[same_policy[k]])
                       for k, v in best.items()},
           "x_faster_than_talib": {k: outputs.get(k, 1) * talib_s / best[k] for k in
                                   ("rolling_max", "rolling_max_out", "general", "fast",
                                    "max_and_min", "extremes_fused")}}
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"rolling max {w}: {m:,} tickers x {n:,} days, F order, {res['threads']} threads, "
          f"load average {res['load_avg_1m']:.1f}, best of {args.repeat}")
    print(f"{'':<16} {'seconds':>8}  {'x floor':>7} (same policy)  x numpy 1-thread floor")
    for k, v in best.items():
        extra = (f"   {res['x_faster_than_talib'][k]:5.1f} x faster than TA-Lib looped"
                 if k in res["x_faster_than_talib"] else "")
        print(f"{k:<16} {v:8.3f} s  {res['x_floor'][k]:5.2f} x {same_policy[k]:<13} "
              f"{v / floor:5.2f} x{extra}")
    print(f"TA-Lib MAX looped {talib_s:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
