"""Benchmark: portfolio analysis of 500 holdings over 20 years, against loading the
holdings' closes from the store, in the same run.

Run::

    python benchmarks/portfolio.py [--holdings 500] [--years 20] [--repeat 5] [--json]

A seeded synthetic market (:func:`rotascope.data.synthetic.generate_market`, stocks
plus its derived ETFs, 21 years) is written to a temporary store. The portfolio holds
the first ``--holdings`` stocks that have a close on every one of the last
``years * 252 + 1`` rows, with random weights summing to 0.98 (2% cash). Timed (best of
``--repeat`` after one warm-up each):

* ``load``: ``Store.close_matrix(holdings + SPY)``, the closes of the portfolio and its
  benchmark (the reference of the goal);
* ``analysis``: :func:`rotascope.analysis.portfolio.analyze_portfolio` with
  ``window="20y"`` on a **fresh** ``MarketView`` (so it loads those closes, the factor
  and style funds' closes and the instruments itself): metrics, look-through, sectors,
  style analysis, factor betas, Euler risk, concentration, the 500 x 500 correlation
  matrix, scenarios and factor shocks;
* ``analysis_warm``: the same on a view whose closes are already cached (the
  computation alone).

Goal: ``analysis / load <= 3``. Other processes on the machine affect the seconds:
compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def _best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--holdings", type=int, default=500)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from rotascope.analysis.portfolio import Holdings, analyze_portfolio
    from rotascope.data.store import Store
    from rotascope.data.synthetic import generate_market
    from rotascope.market_view import MarketView

    rows = args.years * 252 + 1
    mkt = generate_market(tickers=int(args.holdings * 1.6), days=rows + 200, seed=args.seed)
    stocks = mkt.stock_tickers
    tail = mkt.close[stocks].iloc[-rows:]
    full = [t for t in stocks if tail[t].notna().all()]
    if len(full) < args.holdings:
        raise SystemExit(f"only {len(full)} stocks with {rows} rows; raise --holdings * 1.6")
    held = full[:args.holdings]
    rng = np.random.default_rng(args.seed)
    w = rng.random(len(held))
    weights = dict(zip(held, 0.98 * w / w.sum(), strict=True))
    holdings = Holdings.from_weights(weights)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.duckdb"
        with Store(path) as store:
            store.import_series(mkt.to_series_data())
            store.set_instrument_info(mkt.instrument_info())
        with Store(path, read_only=True) as store:
            as_of = mkt.close.index[-1]
            cols = [*held, "SPY"]
            load = _best(lambda: store.close_matrix(cols, end=as_of), args.repeat)

            def fresh():
                return analyze_portfolio(MarketView.open(store, as_of=as_of), holdings,
                                         window=f"{args.years}y")

            analysis = _best(fresh, args.repeat)
            warm_view = MarketView.open(store, as_of=as_of)
            result = analyze_portfolio(warm_view, holdings, window=f"{args.years}y")
            warm = _best(lambda: analyze_portfolio(warm_view, holdings,
                                                   window=f"{args.years}y"), args.repeat)
    out = {"holdings": len(held), "years": args.years, "observations": result.observations,
           "load_s": load, "analysis_s": analysis, "analysis_warm_s": warm,
           "ratio": analysis / load, "ratio_warm": warm / load, "goal": 3.0,
           "loadavg_1m": os.getloadavg()[0]}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{len(held)} holdings x {result.observations} daily returns "
          f"({args.years} years), best of {args.repeat}; load average {out['loadavg_1m']:.2f}")
    print(f"  load closes from the store : {load * 1e3:8.1f} ms")
    print(f"  analysis (fresh view)      : {analysis * 1e3:8.1f} ms   "
          f"ratio {out['ratio']:.2f}x (goal <= 3x)")
    print(f"  analysis (closes cached)   : {warm * 1e3:8.1f} ms   ratio {out['ratio_warm']:.2f}x")


if __name__ == "__main__":
    main()
