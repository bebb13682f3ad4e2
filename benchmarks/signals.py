"""Benchmark of the signals indicator core against the machine's floors, TA-Lib and pandas.

Run::

    python benchmarks/signals.py --tickers 12000 --days 6300 [--layout F|C] [--json]

Everything is measured in the same run on the same input, so the ratios compare like
with like on whatever machine runs it:

* floors (numpy, one thread): read ``a.sum()``; read+write ``np.add(a, 1.0, out=b)``
  into a preallocated, already touched ``b``; the full set's write floor: read the input
  once per output and fill that many freshly allocated matrices
  (``np.multiply(a, 1.0)`` per output, all kept alive like the set's outputs); also
  ``write_one_output`` (one fresh output): what the page faults of a new result cost,
  which every indicator pays and the read+write floor does not;
* each indicator (rotascope, compiled, all threads numba may use), its multiple of the
  read+write floor, TA-Lib looped over the columns and pandas on the whole frame;
* peak memory of each rotascope call (input + what the call allocates; tracemalloc,
  which sees numpy allocations; the kernels' own scratch is a few KB per thread);
* the fused full set (:func:`rotascope.signals.signal_set`) against its write floor.

The input is the synthetic market (:func:`rotascope.data.synthetic.generate_market`,
Fortran order like ``Store.close_matrix``); ``--layout C`` copies it to C order first
(a frame built from a C-ordered array). Timings are the best of ``--repeat`` runs;
TA-Lib runs twice and pandas once (``--no-reference`` skips them). Other processes on the
machine affect the figures: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rotascope.signals import (
    above_ma,
    ema,
    ma_crosses,
    ma_slope,
    ma_turns,
    pct_from_high,
    pct_vs_ma,
    rolling_max,
    rolling_min,
    rsi,
    signal_set,
    sma,
)


def make_market(tickers: int, days: int, seed: int) -> pd.DataFrame:
    """``tickers`` columns of the synthetic market (stocks + its ETFs), Fortran order."""
    from rotascope.data.synthetic import generate_market

    mkt = generate_market(tickers=max(40, tickers - 53), days=days, seed=seed)
    close = mkt.close
    if close.shape[1] > tickers:
        close = close.iloc[:, :tickers]
    values = np.asfortranarray(close.to_numpy(dtype=np.float64))
    return pd.DataFrame(values, index=close.index, columns=close.columns, copy=False)


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        t1 = time.perf_counter()
        del result
        best = min(best, t1 - t0)
    gc.collect()
    return best


def peak_mb(fn: Callable[[], Any], input_bytes: int) -> float:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    gc.collect()
    return (input_bytes + peak) / 1e6


# ------------------------------------------------------------------ references


def _talib_cols(a: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
    return [fn(a[:, j]) for j in range(a.shape[1])]


def _pd_rsi(df: pd.DataFrame, n: int) -> pd.DataFrame:
    d = df.diff()
    g = d.clip(lower=0).ewm(alpha=1 / n, adjust=False).mean()
    lo = (-d).clip(lower=0).ewm(alpha=1 / n, adjust=False).mean()
    return 100 * g / (g + lo)


def _pd_turns(s: pd.DataFrame) -> pd.DataFrame:
    p = s.shift()
    up = ((s > 0) & (p <= 0)).astype(float)
    down = ((s < 0) & (p >= 0)).astype(float)
    return (up - down).where(s.notna() & p.notna())


def _np_turns(s: np.ndarray) -> np.ndarray:
    p = np.r_[np.nan, s[:-1]]
    out = np.where((s > 0) & (p <= 0), 1.0, np.where((s < 0) & (p >= 0), -1.0, 0.0))
    out[np.isnan(s) | np.isnan(p)] = np.nan
    return out


def _np_slope(ma: np.ndarray, k: int) -> np.ndarray:
    out = np.full_like(ma, np.nan)
    out[k:] = ma[k:] / ma[:-k] - 1
    return out


def indicator_table() -> dict[str, tuple[Callable[[pd.DataFrame], Any],
                                         Callable[[np.ndarray], Any],
                                         Callable[[pd.DataFrame], Any]]]:
    """name -> (rotascope call, TA-Lib per column, pandas on the frame)."""
    import talib

    return {
        "sma50": (lambda df: sma(df, 50),
                  lambda x: talib.SMA(x, 50),
                  lambda df: df.rolling(50).mean()),
        "ema20": (lambda df: ema(df, 20),
                  lambda x: talib.EMA(x, 20),
                  lambda df: df.ewm(span=20, adjust=False).mean()),
        "rsi14": (lambda df: rsi(df, 14),
                  lambda x: talib.RSI(x, 14),
                  lambda df: _pd_rsi(df, 14)),
        "rolling_max252": (lambda df: rolling_max(df, 252),
                           lambda x: talib.MAX(x, 252),
                           lambda df: df.rolling(252).max()),
        "rolling_min252": (lambda df: rolling_min(df, 252),
                           lambda x: talib.MIN(x, 252),
                           lambda df: df.rolling(252).min()),
        "pct_from_high252": (lambda df: pct_from_high(df, 252),
                             lambda x: x / talib.MAX(x, 252) - 1,
                             lambda df: df / df.rolling(252).max() - 1),
        "pct_vs_sma50": (lambda df: pct_vs_ma(df, 50),
                         lambda x: x / talib.SMA(x, 50) - 1,
                         lambda df: df / df.rolling(50).mean() - 1),
        "above_sma50": (lambda df: above_ma(df, 50),
                        lambda x: np.where(np.isnan(m := talib.SMA(x, 50)), np.nan,
                                           (x > m).astype(float)),
                        lambda df: (df > (m := df.rolling(50).mean())).astype(float)
                        .where(m.notna())),
        "sma50_slope20": (lambda df: ma_slope(df, 50, 20),
                          lambda x: _np_slope(talib.SMA(x, 50), 20),
                          lambda df: (m := df.rolling(50).mean()) / m.shift(20) - 1),
        "sma50_turns20": (lambda df: ma_turns(df, 50, 20),
                          lambda x: _np_turns(_np_slope(talib.SMA(x, 50), 20)),
                          lambda df: _pd_turns((m := df.rolling(50).mean()) / m.shift(20) - 1)),
        "sma50x200_crosses": (lambda df: ma_crosses(df, 50, 200),
                              lambda x: _np_turns(talib.SMA(x, 50) - talib.SMA(x, 200)),
                              lambda df: _pd_turns(df.rolling(50).mean()
                                                   - df.rolling(200).mean())),
    }


def first_call_seconds() -> float:
    """Compile-or-cache-load time of every kernel, in a fresh interpreter."""
    code = ("import time, numpy as np, pandas as pd\n"
            "t = time.perf_counter()\n"
            "import rotascope.signals as s\n"
            "idx = pd.bdate_range('2020-01-01', periods=300)\n"
            "for arr in (np.ones((300, 3), order='F'), np.ones((300, 3), order='C')):\n"
            "    df = pd.DataFrame(arr, index=idx, copy=False)\n"
            "    s.sma(df, 5); s.ema(df, 5); s.rsi(df, 5); s.rolling_max(df, 5)\n"
            "    s.ma_crosses(df, 2, 5); s.signal_set(df)\n"
            "print(time.perf_counter() - t)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def measure_floors(a: np.ndarray, n_out: int, repeat: int) -> dict[str, float]:
    """numpy single-thread floors: read, read+write (preallocated), full-set write."""
    b = np.empty_like(a)
    b.fill(0.0)  # touch every page first: this floor has no page faults
    floors = {
        "read": best_of(lambda: a.sum(), repeat),
        "read_write": best_of(lambda: np.add(a, 1.0, out=b), repeat),
        "write_one_output": best_of(lambda: np.multiply(a, 1.0), repeat),
        "write_full_set": best_of(lambda: [np.multiply(a, 1.0) for _ in range(n_out)], repeat),
    }
    return floors


def run(tickers: int, days: int, layout: str, repeat: int, reference: bool, seed: int,
        only: list[str] | None) -> dict[str, Any]:
    df = make_market(tickers, days, seed)
    if layout == "C":
        df = pd.DataFrame(np.ascontiguousarray(df.to_numpy()), index=df.index,
                          columns=df.columns, copy=False)
    a = df.to_numpy()
    assert a.flags.f_contiguous if layout == "F" else a.flags.c_contiguous
    nbytes = a.nbytes
    # warm-up: compile or load every kernel for this layout (and the thread pool)
    rows, cols = min(days, 400), min(tickers, 400)
    small = pd.DataFrame(np.asarray(a[:rows, :cols], order=layout), index=df.index[:rows],
                         columns=df.columns[:cols], copy=False)
    for ours, _, _ in indicator_table().values():
        ours(small)
    signal_set(small)

    floors = measure_floors(a, 9, repeat)
    rw = floors["read_write"]
    # rotascope first, references last: pandas leaves the heap fragmented, which slows
    # the page faults of every later fresh allocation (huge pages get scarce)
    secs = best_of(lambda: signal_set(df), repeat)
    full = {
        "seconds": secs,
        "x_write_floor": secs / floors["write_full_set"],
        "peak_mb": peak_mb(lambda: signal_set(df), nbytes),
    }
    table = {k: v for k, v in indicator_table().items() if not only or k in only}
    indicators: dict[str, dict[str, float | None]] = {}
    for name, (ours, _, _) in table.items():
        secs = best_of(lambda ours=ours: ours(df), repeat)
        indicators[name] = {
            "seconds": secs,
            "x_rw_floor": secs / rw,
            "talib_seconds": None,
            "pandas_seconds": None,
            "peak_mb": peak_mb(lambda ours=ours: ours(df), nbytes),
        }
    if reference:
        for name, (_, tl, pdf) in table.items():
            indicators[name]["talib_seconds"] = best_of(lambda tl=tl: _talib_cols(a, tl), 2)
            indicators[name]["pandas_seconds"] = best_of(lambda pdf=pdf: pdf(df), 1)
    return {"floors": floors, "indicators": indicators, "full_set": full}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickers", type=int, default=2000)
    p.add_argument("--days", type=int, default=6300)
    p.add_argument("--layout", choices=("F", "C"), default="F",
                   help="memory order of the input matrix (F: each ticker contiguous)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per rotascope figure")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-reference", action="store_true", help="skip TA-Lib and pandas")
    p.add_argument("--only", nargs="*", help="indicator names to run (default all)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    args = p.parse_args(argv)
    import numba

    load_before = os.getloadavg()[0]
    res = run(args.tickers, args.days, args.layout, args.repeat, not args.no_reference,
              args.seed, args.only)
    load_after = os.getloadavg()[0]
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    mb = args.tickers * args.days * 8 / 1e6
    f = res["floors"]
    print(f"rotascope signals benchmark: {args.tickers} tickers x {args.days} days "
          f"({mb:,.0f} MB, {args.layout} order), {numba.config.NUMBA_NUM_THREADS} threads, "
          f"best of {args.repeat}")
    print(f"floors (numpy, 1 thread): read {f['read']:.3f} s, read+write "
          f"{f['read_write']:.3f} s (preallocated output), read+write into a fresh output "
          f"{f['write_one_output']:.3f} s ({f['write_one_output'] / f['read_write']:.2f} x; "
          f"page faults), write of the 9-output set {f['write_full_set']:.3f} s")
    print(f"{'indicator':<20}{'seconds':>9}{'x rw':>7}{'talib s':>9}{'x faster':>9}"
          f"{'pandas s':>10}{'x faster':>9}{'peak MB':>9}{'x input':>8}")
    for name, r in res["indicators"].items():
        tl, pdx = r["talib_seconds"], r["pandas_seconds"]
        print(f"{name:<20}{r['seconds']:>9.3f}{r['x_rw_floor']:>7.2f}"
              + (f"{tl:>9.3f}{tl / r['seconds']:>9.1f}" if tl else f"{'-':>9}{'-':>9}")
              + (f"{pdx:>10.3f}{pdx / r['seconds']:>9.1f}" if pdx else f"{'-':>10}{'-':>9}")
              + f"{r['peak_mb']:>9.0f}{r['peak_mb'] / mb:>8.2f}")
    fs = res["full_set"]
    print(f"full set (9 outputs): {fs['seconds']:.3f} s = {fs['x_write_floor']:.2f} x its "
          f"write floor; peak {fs['peak_mb']:,.0f} MB = {fs['peak_mb'] / mb:.2f} x input "
          f"(limit {9 + 2} x)")
    print(f"first call in a fresh process (compile, or load from numba's cache): "
          f"{first_call_seconds():.2f} s")
    print(f"load average (1 min) before/after: {load_before:.1f} / {load_after:.1f} "
          f"(other processes share the cores and the memory bus)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
