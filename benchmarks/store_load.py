"""Benchmark: load the wide close matrix (dates x ~600 tickers, 20 years) from the store,
against reading the same data from Parquet with pyarrow, in the same run.

Run::

    python benchmarks/store_load.py [--market-data ../shared/market-data] [--years 20]
                                    [--repeat 7] [--json]

It imports ../shared/market-data into a temporary store, then times (best of
``--repeat``, after one warm-up each):

* ``store``: ``Store.close_matrix(all tickers, start=last - years)`` -> float64 DataFrame;
* ``wide parquet``: ``pyarrow.parquet.read_table`` of that same frame written as a wide
  Parquet file, ``.to_pandas()`` -> DataFrame (the reference of the goal);
* ``long parquet + same pivot``: ``read_table`` of the same rows written long
  (ticker, date, close), column positions and day numbers computed with pyarrow, then the
  store's own scatter into the wide frame.

Every result is checked equal to the store's before timing. The goal is
``store / wide parquet <= 1.5``. Other processes on the machine affect the seconds:
compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rotascope.data.importer import import_path
from rotascope.data.store import Store, _pivot

REPO = Path(__file__).resolve().parents[1]


def _best(fn, repeat: int) -> float:
    fn()  # warm-up (page cache, lazy imports)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _long_parquet_pivot(path: Path, tickers: list[str]) -> pd.DataFrame:
    table = pq.read_table(path)
    cols = pc.index_in(table.column("ticker"), value_set=pa.array(tickers))
    days = table.column("date").cast(pa.int32())
    long = pa.table({"col": cols, "day": days, "v": table.column("close")})
    return _pivot(long, tickers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--market-data", type=Path, default=REPO.parent / "shared" /
                        "market-data")
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        store_path = tmp_path / "store.duckdb"
        t0 = time.perf_counter()
        with Store(store_path) as store:
            result = import_path(store, args.market_data)
        import_seconds = time.perf_counter() - t0
        with Store(store_path, read_only=True) as store:
            tickers = store.tickers()
            start = store.last_date() - pd.DateOffset(years=args.years)
            frame = store.close_matrix(tickers, start=start)
            long = store.con.sql(
                "SELECT ticker, date, close FROM prices WHERE date >= ? ORDER BY ticker, date",
                params=[start.date()]).to_arrow_table()
            wide_path, long_path = tmp_path / "wide.parquet", tmp_path / "long.parquet"
            pq.write_table(pa.Table.from_pandas(frame), wide_path)
            pq.write_table(long, long_path)

            wide = pq.read_table(wide_path).to_pandas()
            pd.testing.assert_frame_equal(wide, frame, check_freq=False)
            pd.testing.assert_frame_equal(_long_parquet_pivot(long_path, tickers), frame)

            t_store = _best(lambda: store.close_matrix(tickers, start=start), args.repeat)
            t_wide = _best(lambda: pq.read_table(wide_path).to_pandas(), args.repeat)
            t_long = _best(lambda: _long_parquet_pivot(long_path, tickers), args.repeat)

    figures = {
        "tickers": len(tickers), "dates": len(frame), "rows": int(long.num_rows),
        "start": f"{start:%Y-%m-%d}", "import_seconds": round(import_seconds, 3),
        "files_imported": len(result.results),
        "store_seconds": round(t_store, 4), "wide_parquet_seconds": round(t_wide, 4),
        "long_parquet_pivot_seconds": round(t_long, 4),
        "ratio_store_vs_wide_parquet": round(t_store / t_wide, 2),
        "ratio_store_vs_long_parquet_pivot": round(t_store / t_long, 2),
        "goal_ratio": 1.5,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"wide matrix: {figures['dates']:,} dates x {figures['tickers']} tickers "
              f"({figures['rows']:,} prices since {figures['start']}); "
              f"import of {figures['files_imported']} files took {import_seconds:.2f} s")
        print(f"  store.close_matrix           {t_store * 1e3:8.1f} ms")
        print(f"  pyarrow wide parquet         {t_wide * 1e3:8.1f} ms   "
              f"ratio store/wide = {t_store / t_wide:.2f}  (goal <= 1.5)")
        print(f"  pyarrow long parquet + pivot {t_long * 1e3:8.1f} ms   "
              f"ratio store/long = {t_store / t_long:.2f}")
    return 0 if t_store / t_wide <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
