"""Benchmark: the same scan on the local engine and on a Dask LocalCluster with 1 and 2
workers, with the peak memory of each worker, in the same run.

Run::

    python benchmarks/scan_dask.py --store DIR [--tickers 12000] [--repeat 2] [--json]

``--store`` is a store folder built by ``benchmarks/scan.py --store DIR`` (the synthetic
market with its universe ``all``); without it one is built in a temporary folder.
Every engine runs on the same cores: the local engine uses numba's threads (all
cores), each Dask worker runs one task at a time whose kernels use numba's threads, so
"1 worker" and "2 workers" differ in how many blocks are in flight, not in the cores
available. The workers are threads of this process (``processes=False``): the blocks
are handed over without pickling, and the memory figure is the process's peak RSS
while the engine runs (psutil sampling), which for in-process workers covers all of
them. Other processes on the machine change the seconds: compare the ratios.

The model checked against the points (``model`` in the output)::

    t(engine, N tickers, W workers) = t_plan + N * c_col / min(W * threads, cores) + B * c_task

``t_plan`` (as-of date, members, mask, legs) and ``c_col`` (the per-ticker kernel time)
come from local runs at two sizes (``--tickers`` and a quarter of it); ``c_task`` (Dask's
per-task cost: scheduling, scatter, gather) from the Dask runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rotascope.config import Settings
from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.scan import run_scan
from rotascope.scan.dask_engine import local_client
from scan import CONDITION, build_store


class PeakRSS:
    """Peak resident memory of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self) -> PeakRSS:
        self.proc = psutil.Process(os.getpid())
        self.start = self.proc.memory_info().rss
        self.peak = self.start
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def timed(fn: Any, repeat: int) -> tuple[float, Any, float]:
    best, out, peak = float("inf"), None, 0.0
    for _ in range(repeat):
        with PeakRSS() as mem:
            t = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t)
        peak = max(peak, (mem.peak - mem.start) / 2**20)
    return best, out, peak


def run(settings: Settings, repeat: int, block: int) -> dict[str, Any]:
    res: dict[str, Any] = {"cores": os.cpu_count()}
    with Store(settings.store_path, read_only=True) as store:
        last = store.last_date()
        members = store.universe_members("all")["ticker"].tolist()

        def market() -> MarketView:
            return MarketView.open(store, settings, as_of=last)

        run_scan(market(), CONDITION, universe="all")  # warm the kernels at full size
        t_local, local, m_local = timed(lambda: run_scan(market(), CONDITION,
                                                         universe="all"), repeat)
        res["local"] = {"seconds": t_local, "peak_mb_over_start": m_local,
                        "matches": len(local.matches), "tickers": len(members)}
        # a quarter of the universe for the model's per-ticker slope
        quarter = members[: len(members) // 4]
        view = market()
        uni = {"quarter": quarter}
        small = MarketView.from_frame(view.close(quarter + ["SPY"]), universes=uni, as_of=last)
        t_small, _, _ = timed(lambda: run_scan(small, CONDITION, universe="quarter"), repeat)
        res["local_quarter"] = {"seconds": t_small, "tickers": len(quarter)}
        for workers in (1, 2):
            with local_client(workers) as client:
                run_scan(market(), CONDITION, universe="all", engine="dask", client=client,
                         block_size=block)  # warm-up
                t, out, mem = timed(lambda c=client: run_scan(
                    market(), CONDITION, universe="all", engine="dask", client=c,
                    block_size=block), repeat)
                n_tasks = -(-len(members) // block)
            assert out == local, "the Dask engine must equal the local engine"
            res[f"dask_{workers}"] = {"seconds": t, "x_local": t / t_local,
                                      "peak_mb_over_start": mem, "tasks": n_tasks}
    n = res["local"]["tickers"]
    nq = res["local_quarter"]["tickers"]
    c_col = (res["local"]["seconds"] - res["local_quarter"]["seconds"]) / (n - nq)
    t_plan = res["local"]["seconds"] - n * c_col
    model: dict[str, Any] = {"t_plan": t_plan, "c_col": c_col}
    for workers in (1, 2):
        d = res[f"dask_{workers}"]
        model[f"c_task_{workers}"] = (d["seconds"] - res["local"]["seconds"]) / d["tasks"]
    res["model"] = model
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path)
    ap.add_argument("--tickers", type=int, default=12_000)
    ap.add_argument("--days", type=int, default=6_300)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--block", type=int, default=1000, help="members per task")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rotascope-scan-dask-") as tmp:
        folder = args.store or Path(tmp) / "home"
        settings, _ = build_store(folder, args.tickers, args.days, 0)
        res = run(settings, args.repeat, args.block)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    loc = res["local"]
    print(f"{loc['tickers']:,} members, {res['cores']} cores; {loc['matches']:,} matches")
    print(f"local                {loc['seconds']:8.2f} s   peak "
          f"+{loc['peak_mb_over_start']:,.0f} MB")
    for w in (1, 2):
        d = res[f"dask_{w}"]
        print(f"dask, {w} worker{'s' if w > 1 else ' '}      {d['seconds']:8.2f} s = "
              f"{d['x_local']:.2f} x local ({d['tasks']} tasks)   peak "
              f"+{d['peak_mb_over_start']:,.0f} MB")
    m = res["model"]
    print(f"model: t_plan {m['t_plan']:.2f} s, c_col {m['c_col'] * 1e6:.1f} us/ticker, "
          f"c_task {m['c_task_1'] * 1e3:.0f} / {m['c_task_2'] * 1e3:.0f} ms (1 / 2 workers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
