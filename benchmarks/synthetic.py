"""Benchmark of the synthetic market generator: time and peak memory for one size.

Run (one generation per process, so peak memory is that size's alone)::

    python benchmarks/synthetic.py --tickers 2000 --days 6300 [--seed 0] [--json]
    python benchmarks/synthetic.py --tickers 12000 --days 6300

``--tickers`` is the number of stocks; ``close`` holds 53 more columns (derived ETFs,
international, macro and crypto series). Reported:

* ``seconds``: wall time of :func:`rotascope.data.synthetic.generate_market` (best of
  ``--repeat``, default 1);
* ``output_mb``: the ``close`` matrix (rows x columns x 8 bytes);
* ``peak_traced_mb``: the largest memory held at once by Python and numpy allocations
  during the call (tracemalloc sees numpy buffers), and its multiple of ``output_mb``;
* ``peak_rss_mb``: growth of the process's resident-set high-water mark over the call
  (includes allocator slack; the first run only).

Other processes on the machine affect the seconds; the memory figures are stable.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
import tracemalloc

from rotascope.data.synthetic import generate_market


def _rss_mb() -> float:
    """Current resident set size (MB), from /proc (Linux)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3   # KB on Linux


def run(tickers: int, days: int, seed: int, repeat: int) -> dict:
    gc.collect()
    base_rss = _rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    mkt = generate_market(tickers=tickers, days=days, seed=seed)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = _max_rss_mb() - base_rss
    rows, cols = mkt.close.shape
    output_mb = mkt.close.to_numpy().nbytes / 1e6
    n_episodes = len(mkt.episodes)
    del mkt
    for _ in range(repeat - 1):
        gc.collect()
        t0 = time.perf_counter()
        mkt = generate_market(tickers=tickers, days=days, seed=seed)
        seconds = min(seconds, time.perf_counter() - t0)
        del mkt
    return {
        "tickers": tickers, "days": days, "rows": rows, "columns": cols, "seed": seed,
        "episodes": n_episodes, "seconds": round(seconds, 3),
        "output_mb": round(output_mb, 1), "peak_traced_mb": round(peak / 1e6, 1),
        "peak_traced_x_output": round(peak / 1e6 / output_mb, 2),
        "peak_rss_mb": round(peak_rss, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickers", type=int, default=2000)
    ap.add_argument("--days", type=int, default=6300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    res = run(a.tickers, a.days, a.seed, max(1, a.repeat))
    if a.json:
        print(json.dumps(res))
        return
    print(f"generate_market(tickers={res['tickers']}, days={res['days']}): "
          f"{res['rows']} x {res['columns']} close matrix ({res['output_mb']} MB), "
          f"{res['episodes']} episodes")
    print(f"  time               {res['seconds']:.2f} s")
    print(f"  peak traced memory {res['peak_traced_mb']:.0f} MB "
          f"({res['peak_traced_x_output']:.2f} x the output)")
    print(f"  peak RSS growth    {res['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
