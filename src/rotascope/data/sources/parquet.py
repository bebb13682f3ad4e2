"""Parquet price files: long format ``ticker, date, close[, open, high, low, volume,
unadjusted_close]``, one or many tickers per file.

This reads price tables such as ``prices.parquet`` of a ``rotascope data export``
folder or any long-format table written by pandas/pyarrow. (A whole export folder, with
instruments, universes and provenance, is restored by
:meth:`rotascope.data.store.Store.restore_parquet`; :func:`read_export` reads it.)

A ticker whose rows have a missing/NaN close, a duplicate date, or a null date is
rejected (the other tickers of the file still load); rows are sorted by date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...errors import FileFormatError, ParameterError
from ..model import PRICE_FIELDS, Rejection, SeriesData, normalize_ticker
from .base import Query, RawPayload, Source, sha256_bytes

__all__ = ["ParquetSource", "parse_price_parquet", "read_export", "EXPORT_TABLES",
           "EXPORT_FORMAT_VERSION"]

#: Tables written by ``rotascope data export`` (one ``<name>.parquet`` each).
EXPORT_TABLES = ("prices", "instruments", "universes", "universe_members", "provenance",
                 "import_runs", "quality_flags")
EXPORT_FORMAT_VERSION = 1


def parse_price_parquet(content: bytes, location: str, *, source: str = "parquet",
                        ) -> tuple[list[SeriesData], list[Rejection]]:
    """Split a long-format Parquet price table into one series per ticker.

    Returns the series and the tickers rejected (with the reason and check token).

    Raises
    ------
    FileFormatError
        The bytes are not Parquet, or the table lacks ``ticker``/``date``/``close`` or
        has a non-numeric price column.
    """
    try:
        table = pq.read_table(pa.BufferReader(content))
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError(location, f"not a readable Parquet file: {exc}") from None
    cols = set(table.column_names)
    missing = [c for c in ("ticker", "date", "close") if c not in cols]
    if missing:
        raise FileFormatError(location, "Parquet price table needs columns ticker, date, "
                              f"close; missing {', '.join(missing)} (has "
                              f"{', '.join(table.column_names)})")
    fields = [f for f in PRICE_FIELDS if f in cols]
    for f in fields:
        if not pa.types.is_floating(table.schema.field(f).type) and not pa.types.is_integer(
                table.schema.field(f).type):
            raise FileFormatError(location, f"column {f!r} must be numeric, got "
                                  f"{table.schema.field(f).type}")
    date_type = table.schema.field("date").type
    if not (pa.types.is_date(date_type) or pa.types.is_timestamp(date_type)):
        raise FileFormatError(location, f"column 'date' must be a date or timestamp, got "
                              f"{date_type}")
    checksum = sha256_bytes(content)
    tickers = np.asarray(table.column("ticker").to_numpy(zero_copy_only=False), dtype=object)
    dates_arr = table.column("date")
    date_null = np.asarray(dates_arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_timestamp(date_type) and date_type.tz is not None:
        dates_arr = pc.local_timestamp(dates_arr)
    days = np.asarray(dates_arr.cast(pa.date32()).fill_null(0).to_numpy(
        zero_copy_only=False)).astype("datetime64[D]")
    values = {f: np.asarray(table.column(f).cast(pa.float64()).to_numpy(zero_copy_only=False),
                            dtype=np.float64) for f in fields}
    codes, names = pd.factorize(tickers)
    order = np.lexsort((days.astype(np.int64), codes))
    codes, days, date_null = codes[order], days[order], date_null[order]
    values = {f: v[order] for f, v in values.items()}
    starts = np.flatnonzero(np.diff(codes, prepend=-1) != 0)
    stops = np.append(starts[1:], len(codes))
    dup = np.zeros(len(codes), dtype=bool)
    dup[1:] = (codes[1:] == codes[:-1]) & (days[1:] == days[:-1])
    bad_close = ~np.isfinite(values["close"])
    series: list[SeriesData] = []
    rejected: list[Rejection] = []
    for a, b in zip(starts, stops, strict=True):
        raw = names[codes[a]]
        if raw is None or not str(raw).strip():
            rejected.append(Rejection(location, f"{b - a} rows have no ticker",
                                      check="bad_value"))
            continue
        t = normalize_ticker(str(raw))
        for check, mask, what in (("bad_date", date_null, "a null date"),
                                  ("dup_dates", dup, "a duplicate date"),
                                  ("bad_close", bad_close, "a missing or NaN close")):
            hits = np.flatnonzero(mask[a:b])
            if len(hits):
                first = "" if check == "bad_date" else f" (first {days[a + hits[0]]})"
                rejected.append(Rejection(location, f"{t}: {len(hits)} rows with {what}"
                                          f"{first}", ticker=t, check=check))
                break
        else:
            index = pd.DatetimeIndex(days[a:b].astype("datetime64[ns]"), name="date")
            frame = pd.DataFrame({f: values[f][a:b] for f in fields}, index=index)
            series.append(SeriesData(ticker=t, frame=frame, source=source, location=location,
                                     checksum=checksum))
    return series, rejected


def read_export(folder: str | Path) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    """Read a ``rotascope data export`` folder: (manifest dict, table name -> Arrow table).

    Raises
    ------
    FileFormatError
        Missing/unknown manifest or a listed table file that cannot be read.
    """
    folder = Path(folder)
    manifest_path = folder / "rotascope-export.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileFormatError(manifest_path, f"cannot read the export manifest: {exc}"
                              ) from None
    version = manifest.get("format_version")
    if version != EXPORT_FORMAT_VERSION:
        raise FileFormatError(manifest_path, f"export format_version {version!r} is not "
                              f"supported (this rotascope reads {EXPORT_FORMAT_VERSION})")
    tables: dict[str, pa.Table] = {}
    for name in manifest.get("tables", {}):
        if name not in EXPORT_TABLES:
            raise FileFormatError(manifest_path, f"unknown table {name!r} in the manifest")
        path = folder / f"{name}.parquet"
        try:
            tables[name] = pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise FileFormatError(path, f"cannot read: {exc}") from None
        expected = manifest["tables"][name]
        if tables[name].num_rows != expected:
            raise FileFormatError(path, f"has {tables[name].num_rows} rows, the manifest "
                                  f"says {expected} (truncated copy?)")
    if "prices" not in tables:
        raise FileFormatError(manifest_path, "the export has no prices table")
    return manifest, tables


class ParquetSource(Source):
    """Long-format Parquet price files (one file, or every ``*.parquet`` in a folder).

    ``build_query(path=...)``. Each file is split by ticker; tickers with bad rows are
    rejected individually.
    """

    name = "parquet"
    updates_prices = False
    online = False

    def build_query(self, **params: Any) -> Query:
        path = params.pop("path", None)
        if params:
            raise ParameterError(f"ParquetSource.build_query(): unknown parameter(s) "
                                 f"{', '.join(sorted(params))}; expected path")
        if path is None:
            raise ParameterError("ParquetSource.build_query(): 'path' is required")
        p = Path(path).expanduser()
        if not p.exists():
            raise ParameterError(f"ParquetSource.build_query(): {p} does not exist")
        files = (sorted(x for x in p.iterdir() if x.is_file()
                        and x.suffix.lower() in (".parquet", ".pq")) if p.is_dir() else [p])
        if not files:
            raise ParameterError(f"ParquetSource.build_query(): no *.parquet files in {p}")
        return Query(self.name, {"path": str(p), "files": [str(f) for f in files]})

    def fetch(self, query: Query) -> Iterator[RawPayload | Rejection]:
        for f in query.params["files"]:
            try:
                yield RawPayload(location=f, content=Path(f).read_bytes())
            except OSError as exc:
                yield Rejection(f, f"cannot read: {exc.strerror or exc}", check="bad_layout")

    def to_frame(self, query: Query, raw: RawPayload) -> list[SeriesData]:
        series, rejected = parse_price_parquet(raw.content, raw.location, source=self.name)
        self._rejected = getattr(self, "_rejected", []) + rejected
        return series

    def take_rejected(self) -> list[Rejection]:
        """Per-ticker rejections collected by :meth:`to_frame` since the last call."""
        out, self._rejected = getattr(self, "_rejected", []), []
        return out
