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

    t(N tickers, W workers) = t_plan(N) + ceil(N / b) * t_block(b) / W

``t_plan`` (as-of date, members, membership mask, legs, the closes read from the store:
linear in N) and ``t_block`` (one block of ``b = --block`` members evaluated: linear
in b) are measured on their own in the same run; the prediction is compared with the
measured engines (what is left is Dask's per-task cost and the cores the workers
share).
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

import numpy as np
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


def run(settings: Settings, repeat: int, block: int,
        condition: str = CONDITION) -> dict[str, Any]:
    res: dict[str, Any] = {"cores": os.cpu_count(), "condition": condition}
    with Store(settings.store_path, read_only=True) as store:
        last = store.last_date()
        members = store.universe_members("all")["ticker"].tolist()

        def market() -> MarketView:
            return MarketView.open(store, settings, as_of=last)

        run_scan(market(), condition, universe="all")  # warm the kernels at full size
        t_local, local, m_local = timed(lambda: run_scan(market(), condition,
                                                         universe="all"), repeat)
        res["local"] = {"seconds": t_local, "peak_mb_over_start": m_local,
                        "matches": len(local.matches), "tickers": len(members)}
        # the model's terms, measured on their own: the plan (members, dates, mask,
        # legs, and the closes read from the store) and one block's evaluation
        from rotascope.scan import compile_scan
        from rotascope.scan.run import prepare, scan_block

        compiled = compile_scan(condition)
        t_plan, prepared, _ = timed(lambda: prepare(market(), compiled, "all"), repeat)
        plan, close, mask = prepared
        cols = slice(0, block)
        first = np.asfortranarray(close.to_numpy()[:, cols])
        first_mask = np.asfortranarray(mask[:, cols])
        prepared = close = mask = None
        t_block, _, _ = timed(lambda: scan_block(plan, plan.tickers[cols], first,
                                                 first_mask), repeat)
        res["terms"] = {"t_plan": t_plan, "t_block": t_block, "block": block}
        for workers in (1, 2):
            with local_client(workers) as client:
                run_scan(market(), condition, universe="all", engine="dask", client=client,
                         block_size=block)  # warm-up
                t, out, mem = timed(lambda c=client: run_scan(
                    market(), condition, universe="all", engine="dask", client=c,
                    block_size=block), repeat)
                n_tasks = -(-len(members) // block)
            assert out == local, "the Dask engine must equal the local engine"
            res[f"dask_{workers}"] = {"seconds": t, "x_local": t / t_local,
                                      "peak_mb_over_start": mem, "tasks": n_tasks}
    n = res["local"]["tickers"]
    terms = res["terms"]
    blocks = -(-n // terms["block"])
    model: dict[str, Any] = {"blocks": blocks}
    for workers in (1, 2):
        # blocks run W at a time; on a 2-core machine two workers share the cores the
        # kernels' threads already use, so W = 2 helps only as far as the kernels are
        # not already parallel: the measured point says how far
        pred = terms["t_plan"] + blocks * terms["t_block"] / workers
        model[f"dask_{workers}_predicted"] = pred
        model[f"dask_{workers}_measured"] = res[f"dask_{workers}"]["seconds"]
    model["local_linear_from_blocks"] = terms["t_plan"] + blocks * terms["t_block"]
    res["model"] = model
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path)
    ap.add_argument("--tickers", type=int, default=12_000)
    ap.add_argument("--days", type=int, default=6_300)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--block", type=int, default=1000, help="members per task")
    ap.add_argument("--condition", default=CONDITION,
                    help="scan condition (default: the five conditions of benchmarks/scan.py)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rotascope-scan-dask-") as tmp:
        folder = args.store or Path(tmp) / "home"
        settings, _ = build_store(folder, args.tickers, args.days, 0)
        res = run(settings, args.repeat, args.block, args.condition)
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
    m, t = res["model"], res["terms"]
    print(f"terms: plan {t['t_plan']:.2f} s, one block of {t['block']:,} {t['t_block']:.2f} s, "
          f"{m['blocks']} blocks")
    print(f"model t = plan + blocks x block / W: local (one pass per block) "
          f"{m['local_linear_from_blocks']:.2f} s vs {loc['seconds']:.2f} s measured")
    for w in (1, 2):
        print(f"model, {w} worker{'s' if w > 1 else ' '}: predicted "
              f"{m[f'dask_{w}_predicted']:.2f} s, measured {m[f'dask_{w}_measured']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
