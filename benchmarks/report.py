"""Benchmark: the full weekly note on the real data, from a warm store.

Run::

    python benchmarks/report.py [--market-data ../shared/market-data] [--home DIR]
                                [--as-of 2026-07-14] [--repeat 3] [--json]

Without ``--home`` it imports ../shared/market-data and the ``sp500`` universe (with its
point-in-time changes) into a temporary store first (not timed). It then measures,
after one warm-up run (page cache, numba's compiled-kernel cache, lazy imports), the
best of ``--repeat`` runs of:

* ``build``: open the store read-only and :func:`build_report` (loads every series up
  to the date, S&P 500 breadth over all history, the regime history, the RRG, every
  section and figure);
* ``charts``: draw the four PNG charts (matplotlib);
* ``render+write``: note.md, note.html (charts embedded) and note.json to a folder;
* ``total``: the three together, in one process;
* ``cli``: ``rotascope report --as-of D --out DIR --no-history`` in a fresh Python
  process (what a user waits for, interpreter start and imports included).

The goal (issue 5) is a full note in under 10 s from a warm store. Other processes on
the machine affect the seconds; the figures printed are what this machine measured in
this run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 10.0


def _load_store(market_data: Path, home: Path) -> None:
    from rotascope.data.importer import import_path
    from rotascope.data.store import Store
    from rotascope.data.universes import add_universe

    with Store(home / "store.duckdb") as store:
        import_path(store, market_data)
        c = market_data / "constituents"
        add_universe(store, "sp500", c / "sp500.csv", c / "sp500_changes.csv")


def _time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--market-data", type=Path, default=REPO.parent / "shared" / "market-data")
    p.add_argument("--home", type=Path, help="an existing ROTASCOPE_HOME with the data")
    p.add_argument("--as-of", default=None, help="note date (default: the store's last)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    from rotascope.config import Settings
    from rotascope.data.store import Store
    from rotascope.market_view import MarketView
    from rotascope.outputs.report import build_report, render_charts
    from rotascope.outputs.report.render_html import render_html
    from rotascope.outputs.report.render_md import render_markdown

    tmp = tempfile.TemporaryDirectory(prefix="rotascope-bench-")
    home = args.home
    if home is None:
        home = Path(tmp.name) / "home"
        t0 = time.perf_counter()
        _load_store(args.market_data, home)
        print(f"(setup, not timed: imported {args.market_data} in "
              f"{time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    settings = Settings(home=home)
    out = Path(tmp.name) / "note"
    out.mkdir(parents=True, exist_ok=True)
    state: dict = {}

    def build() -> None:
        with Store(settings.store_path, read_only=True) as store:
            market = MarketView.open(store, settings, as_of=args.as_of)
            state["model"] = build_report(market, previous=None)

    def charts() -> None:
        state["charts"] = render_charts(state["model"])

    def write() -> None:
        model = state["model"]
        (out / "note.json").write_text(json.dumps(model.to_dict(), indent=2), "utf-8")
        (out / "note.md").write_text(render_markdown(model), "utf-8")
        (out / "note.html").write_text(render_html(model, state["charts"]), "utf-8")
        for cid, png in state["charts"].items():
            (out / f"{cid}.png").write_bytes(png)

    def total() -> None:
        build()
        charts()
        write()

    total()  # warm-up
    model = state["model"]
    result: dict = {"as_of": f"{model.as_of:%Y-%m-%d}", "figures": len(model.figures)}
    with Store(settings.store_path, read_only=True) as store:
        result["members"] = store.universe_members("sp500")["ticker"].nunique()
    result["build_s"] = _time(build, args.repeat)
    result["charts_s"] = _time(charts, args.repeat)
    result["render_write_s"] = _time(write, args.repeat)
    result["total_s"] = _time(total, args.repeat)
    cmd = [sys.executable, "-m", "rotascope", "report", "--out", str(out / "cli"),
           "--no-history"] + (["--as-of", args.as_of] if args.as_of else [])
    env = {**os.environ, "ROTASCOPE_HOME": str(home)}

    def cli() -> None:
        subprocess.run(cmd, env=env, check=True, capture_output=True)

    cli()
    result["cli_s"] = _time(cli, args.repeat)
    result["goal_s"] = GOAL_SECONDS
    result["within_goal"] = result["cli_s"] < GOAL_SECONDS
    result["cpus"] = os.cpu_count()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"note as of {result['as_of']}: {result['figures']} figures, "
              f"breadth over {result['members']} S&P 500 members (ever), best of {args.repeat}")
        for k in ("build_s", "charts_s", "render_write_s", "total_s", "cli_s"):
            print(f"  {k[:-2]:<13} {result[k]:6.2f} s")
        print(f"  goal          {GOAL_SECONDS:6.2f} s  ->  "
              f"{'met' if result['within_goal'] else 'NOT met'} (cli)")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
