"""Benchmark: a five-condition scan end to end from the store, against loading the same
matrix from the store and computing the fused signal set, in the same run.

Run::

    python benchmarks/scan.py --tickers 12000 --days 6300 [--store DIR] [--repeat 2] [--json]

The synthetic market (:func:`rotascope.data.synthetic.generate_market`) is written once
into a store (``--store DIR`` keeps it for the next run; the time to build it is
printed), with a universe ``all`` of every stock. Then ``--repeat`` interleaved rounds
(one scan, one reference), best of each and the ratio of each round:

* ``scan``: open a :class:`MarketView` on the store and :func:`rotascope.scan.run_scan`
  the condition below over ``all`` (members' closes loaded from the store, the five
  comparisons evaluated on the whole matrix, matches and values on the as-of date);
* ``reference``: ``Store.close_matrix`` of the same tickers + ``signal_set`` (SMA
  20/50/100/200, EMA 20/50/100/200, RSI 14: nine outputs).

The goal is ``scan / reference <= 1.5``. Other processes on the machine change the
seconds: compare the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rotascope.config import Settings
from rotascope.data.model import SeriesData
from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.scan import run_scan
from rotascope.signals import signal_set

CONDITION = ("close($) > sma($, 50) and sma($, 50) > sma($, 200) and rsi($, 14) > 50 "
             "and ema($, 20) > ema($, 50) and ratio($, SPY).lowest_in_months < 1")


def build_store(folder: Path, tickers: int, days: int, seed: int) -> tuple[Settings, float]:
    """The synthetic market in a store under ``folder`` (reused when already there)."""
    settings = Settings(home=folder)
    if settings.store_path.exists():
        return settings, 0.0
    from rotascope.data.synthetic import generate_market

    t0 = time.perf_counter()
    mkt = generate_market(tickers=max(40, tickers - 53), days=days, seed=seed)
    close = mkt.close
    folder.mkdir(parents=True, exist_ok=True)
    with Store(settings.store_path) as store:
        cols = list(close.columns)
        for i in range(0, len(cols), 500):
            series = []
            for t in cols[i:i + 500]:
                s = close[t].dropna()
                frame = pd.DataFrame({"close": s.to_numpy(dtype=np.float64)},
                                     index=pd.DatetimeIndex(s.index, name="date"))
                series.append(SeriesData(t, frame, "synthetic", f"synthetic:{t}",
                                         f"{t}:{len(frame)}"))
            store.import_series(series)
        stocks = [t for t in mkt.stock_tickers if t in set(cols)]
        store.save_universe("all", pd.DataFrame({"ticker": stocks}), description="bench")
    return settings, time.perf_counter() - t0


def best_of(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
        if _ + 1 < repeat:
            out = None
    return best, out


def run(settings: Settings, repeat: int) -> dict[str, Any]:
    with Store(settings.store_path, read_only=True) as store:
        members = store.universe_members("all")["ticker"].tolist()
        # warm the compiled kernels on a small frame (JIT/caches are not what we measure)
        small = MarketView.open(store, settings).close(members[:20] + ["SPY"])
        signal_set(small)

        def scan() -> Any:
            market = MarketView.open(store, settings, as_of=store.last_date())
            return run_scan(market, CONDITION, universe="all")

        def reference() -> Any:
            close = store.close_matrix(members)
            return signal_set(close)

        run_scan(MarketView.open(store, settings).at(store.last_date()), CONDITION,
                 universe="all")  # warm-up at full size once
        # interleaved rounds (scan, reference, scan, ...): the load of a shared machine
        # then hits both alike; each round's ratio is kept besides the best-of ratio
        t_scan, t_ref, rounds = float("inf"), float("inf"), []
        result = None
        for _ in range(repeat):
            a, result = best_of(scan, 1)
            b, _ = best_of(reference, 1)
            t_scan, t_ref = min(t_scan, a), min(t_ref, b)
            rounds.append(a / b)
    assert result is not None
    return {"tickers": len(members), "scan_seconds": t_scan, "reference_seconds": t_ref,
            "ratio": t_scan / t_ref, "round_ratios": rounds, "matches": len(result.matches),
            "evaluated": result.evaluated, "condition": CONDITION,
            "load_avg_1m": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickers", type=int, default=12_000)
    ap.add_argument("--days", type=int, default=6_300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--store", type=Path, help="keep the generated store in this folder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rotascope-scan-bench-") as tmp:
        folder = args.store or Path(tmp) / "home"
        settings, built = build_store(folder, args.tickers, args.days, args.seed)
        res = run(settings, args.repeat)
    res["store_build_seconds"] = built
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    if built:
        print(f"store built in {built:.1f} s (generate + import)")
    print(f"{res['tickers']:,} members x {args.days:,} sessions: {res['matches']:,} of "
          f"{res['evaluated']:,} match")
    print(f"scan end to end      {res['scan_seconds']:8.2f} s")
    print(f"load + signal_set    {res['reference_seconds']:8.2f} s")
    print(f"ratio                {res['ratio']:8.2f} x (goal <= 1.5), best of each")
    print("ratio per round      " + ", ".join(f"{r:.2f}" for r in res["round_ratios"])
          + f"   (load average {res['load_avg_1m']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
