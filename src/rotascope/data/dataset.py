"""The price store as a hive-partitioned Parquet dataset, written and read in blocks.

Layout (readable by DuckDB ``read_parquet('DIR/**/*.parquet', hive_partitioning=1)``,
Dask ``dd.read_parquet(DIR)``, Polars ``pl.scan_parquet('DIR/**/*.parquet')`` and
``pyarrow.dataset``)::

    DIR/rotascope-dataset.json          {"format": 1, "buckets": N, "rows": ..., ...}
    DIR/bucket=7/year=2024/part-0.parquet   columns ticker, date, close

``bucket = crc32(ticker) % N`` (stable across runs and machines), so the rows of one
ticker sit in one bucket folder and a block of tickers reads only its buckets.
:func:`write_dataset` streams the store ticker block by ticker block (never the whole
store in memory); :func:`read_block` returns the closes of some tickers as a dates x
tickers frame, as :meth:`Store.close_matrix` does.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, FileFormatError, ParameterError

__all__ = ["write_dataset", "read_block", "dataset_dates", "dataset_info", "bucket_of",
           "DEFAULT_BUCKETS", "META_FILE"]

DEFAULT_BUCKETS = 32
META_FILE = "rotascope-dataset.json"
_FORMAT = 1
#: Tickers read from the store per write step (bounds the writer's memory).
_WRITE_BLOCK = 500


def bucket_of(tickers: Sequence[str], buckets: int) -> np.ndarray:
    """The bucket of each ticker: ``crc32(ticker) % buckets``."""
    return np.array([zlib.crc32(t.encode("utf-8")) % buckets for t in tickers],
                    dtype=np.int64)


def write_dataset(store: Any, folder: str | Path, *, buckets: int = DEFAULT_BUCKETS,
                  tickers: Sequence[str] | None = None) -> dict[str, Any]:
    """Write the store's closes to ``folder`` (must be empty or absent).

    Returns the metadata written to ``rotascope-dataset.json`` (buckets, rows, tickers,
    first and last date).
    """
    import pyarrow as pa
    import pyarrow.dataset as pds

    if not isinstance(buckets, int) or not 1 <= buckets <= 4096:
        raise ParameterError(f"write_dataset(): 'buckets' must be 1..4096, got {buckets!r}")
    out = Path(folder)
    if out.exists() and any(out.iterdir()):
        raise ParameterError(f"{out}: the folder is not empty; give a new folder for the "
                             "dataset")
    out.mkdir(parents=True, exist_ok=True)
    names = list(tickers) if tickers is not None else store.tickers()
    rows = 0
    first: int | None = None
    last: int | None = None
    part = pds.partitioning(pa.schema([("bucket", pa.int32()), ("year", pa.int32())]),
                            flavor="hive")
    for i in range(0, len(names), _WRITE_BLOCK):
        block = names[i:i + _WRITE_BLOCK]
        codes, got, days, values = store.long_prices(block, field="close")
        if not len(codes):
            continue
        ticker = np.asarray(got, dtype=object)[codes]
        dates = days.astype("datetime64[D]")
        years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        table = pa.table({
            "ticker": pa.array(ticker, pa.string()),
            "date": pa.array(dates, pa.date32()),
            "close": pa.array(values, pa.float64()),
            "bucket": pa.array(bucket_of(list(got), buckets)[codes].astype(np.int32)),
            "year": pa.array(years.astype(np.int32)),
        })
        pds.write_dataset(table, out, format="parquet", partitioning=part,
                          basename_template=f"part-{i // _WRITE_BLOCK}-{{i}}.parquet",
                          existing_data_behavior="overwrite_or_ignore")
        rows += len(codes)
        first = int(days.min()) if first is None else min(first, int(days.min()))
        last = int(days.max()) if last is None else max(last, int(days.max()))
    meta = {"format": _FORMAT, "buckets": buckets, "rows": rows, "tickers": len(names),
            "first_date": None if first is None else str(np.datetime64(first, "D")),
            "last_date": None if last is None else str(np.datetime64(last, "D")),
            "columns": ["ticker", "date", "close"], "partitioning": ["bucket", "year"]}
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def dataset_info(folder: str | Path) -> dict[str, Any]:
    """The metadata of a dataset folder (raises a clear error when it is not one)."""
    path = Path(folder) / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{folder}: not a rotascope Parquet dataset (no {META_FILE}); "
                        "write one with `rotascope data export --format parquet-dataset`"
                        ) from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(path, f"not valid JSON ({exc.msg})", exc.lineno) from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT \
            or not isinstance(meta.get("buckets"), int):
        raise FileFormatError(path, f"unknown dataset format {meta!r}")
    return meta


def _scanner(folder: str | Path, tickers: Sequence[str], columns: list[str],
             end: Any = None) -> Any:
    import pyarrow.dataset as pds

    meta = dataset_info(folder)
    buckets = sorted({int(b) for b in bucket_of(list(tickers), meta["buckets"])})
    data = pds.dataset(str(folder), format="parquet", partitioning="hive",
                       exclude_invalid_files=True)
    expr = pds.field("bucket").isin(buckets) & pds.field("ticker").isin(list(tickers))
    if end is not None:
        day = pd.Timestamp(end)
        expr = expr & (pds.field("year") <= day.year) & (pds.field("date") <= day.date())
    return data.scanner(columns=columns, filter=expr)


def read_block(folder: str | Path, tickers: Sequence[str], *, end: Any = None
               ) -> pd.DataFrame:
    """Closes of ``tickers`` (dates x tickers, NaN where a ticker has no row) up to
    ``end``, reading only their buckets; columns in the order given."""
    long = _scanner(folder, tickers, ["ticker", "date", "close"], end).to_table().to_pandas()
    if long.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"), columns=list(tickers),
                            dtype=np.float64)
    long["date"] = pd.to_datetime(long["date"]).astype("datetime64[ns]")
    wide = long.pivot(index="date", columns="ticker", values="close").sort_index()
    wide = wide.reindex(columns=list(tickers)).astype(np.float64)
    wide.index.name = "date"
    wide.columns.name = None
    return wide


def dataset_dates(folder: str | Path, tickers: Sequence[str], *, end: Any = None
                  ) -> pd.DatetimeIndex:
    """The union of the dates ``tickers`` have in the dataset, up to ``end``."""
    import pyarrow.compute as pc

    parts = [pc.unique(batch.column(0)).to_numpy(zero_copy_only=False)
             for batch in _scanner(folder, tickers, ["date"], end).to_batches()]  # streamed
    seen = np.unique(np.concatenate(parts).astype("datetime64[D]")) if parts else \
        np.empty(0, dtype="datetime64[D]")
    return pd.DatetimeIndex(seen.astype("datetime64[ns]"), name="date")
