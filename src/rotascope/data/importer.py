"""Import a folder or file of prices into the store: parse, check, write once.

The pipeline for ``import_path(store, path)``:

1. pick the source: a rotascope Parquet export folder (``rotascope-export.json``) is
   restored with :meth:`Store.restore_parquet`; ``*.parquet`` files are read by
   :class:`~rotascope.data.sources.parquet.ParquetSource`; anything else by
   :class:`~rotascope.data.sources.csv_folder.CsvFolderSource`;
2. parse every file; a file with a structural problem is **rejected** (file:line,
   reason, check token) and the run goes on;
3. run the flag checks of :mod:`rotascope.data.quality` on every parsed series at once;
4. write all series, flags and rejections in **one** store transaction
   (:meth:`Store.import_series`): a process killed before the commit leaves the store
   exactly as it was; series whose file checksum equals the last imported one are
   skipped, so importing the same files again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ..errors import FileFormatError, ParameterError, SourceError
from .model import FileReport, ImportResult, Rejection, SeriesData
from .quality import check_many, reference_calendar
from .sources.base import Source

if TYPE_CHECKING:
    from .store import Store

__all__ = ["import_path", "Progress", "EXPORT_MANIFEST"]

#: ``progress(stage, done, total)``: stage ``"read"`` after each file (done/total files),
#: ``"check"`` once the quality checks ran, ``"write"`` when every row is written inside
#: the transaction but not yet committed, ``"done"`` after the commit.
Progress = Callable[[str, int, int], Any]

#: File that marks a folder written by ``rotascope data export``.
EXPORT_MANIFEST = "rotascope-export.json"


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _manifest_kinds(folder: Path, follow_links: bool = False
                    ) -> tuple[dict[str, str], list[Rejection]]:
    """Instrument kinds from a market-data style ``manifest.csv`` (ticker,kind,...).

    Read like a price file (regular file, bounded, links kept inside ``folder``); a
    manifest that cannot be read is reported and the import goes on without kinds.
    """
    from .model import normalize_ticker, ticker_problem
    from .sources.csv_folder import read_price_file

    manifest = folder / "manifest.csv"
    if not manifest.exists() and not manifest.is_symlink():
        return {}, []
    try:
        content, _ = read_price_file(manifest, root=folder, follow_links=follow_links)
        text = content.decode("utf-8-sig")
    except FileFormatError as exc:
        return {}, [Rejection(str(manifest), f"instrument kinds not read: {exc.reason}",
                              check=getattr(exc, "check", None))]
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        return {}, [Rejection(str(manifest), "instrument kinds not read: not UTF-8 text",
                              line, check="bad_encoding")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    kinds: dict[str, str] = {}
    try:
        if not reader.fieldnames or not {"ticker", "kind"} <= set(reader.fieldnames):
            return {}, []
        for r in reader:
            t, k = r.get("ticker"), r.get("kind")
            if isinstance(t, str) and isinstance(k, str) and t and k.strip() \
                    and ticker_problem(t) is None:
                kinds[normalize_ticker(t)] = k.strip()
    except csv.Error as exc:
        return {}, [Rejection(str(manifest), f"instrument kinds not read: {exc}",
                              reader.line_num, check="bad_layout")]
    return kinds, []


def _choose_source(path: Path, adjusted: bool | None, follow_links: bool = False
                   ) -> tuple[Source, Any, list[Rejection]]:
    from .sources.csv_folder import CsvFolderSource
    from .sources.parquet import ParquetSource

    if path.is_dir():
        parquet = sorted(p for p in path.iterdir() if p.is_file() and _is_parquet(p))
        text = [p for p in path.iterdir() if p.is_file()
                and p.name.lower().endswith((".csv", ".txt")) and p.name != "manifest.csv"]
        if parquet and not text and not (path / "prices").is_dir():
            src: Source = ParquetSource()
            return src, src.build_query(path=path), []
        kinds, notes = (_manifest_kinds(path, follow_links) if (path / "prices").is_dir()
                        else ({}, []))
        src = CsvFolderSource()
        return src, src.build_query(path=path, adjusted=adjusted, kinds=kinds,
                                    follow_links=follow_links), notes
    if _is_parquet(path):
        src = ParquetSource()
        return src, src.build_query(path=path), []
    src = CsvFolderSource()
    return src, src.build_query(path=path, adjusted=adjusted, follow_links=follow_links), []


def import_path(store: Store, path: str | Path, *, progress: Progress | None = None,
                calendar: str = "SPY", adjusted: bool | None = None,
                follow_links: bool = False) -> ImportResult:
    """Import a folder of price files, one file, or a Parquet export into ``store``.

    Parameters
    ----------
    store : a writable :class:`~rotascope.data.store.Store`.
    path : a folder (``*.csv``/``*.txt`` price files; a folder with a ``prices/``
        subfolder, like ../shared/market-data, reads ``prices/`` and takes instrument
        kinds from its ``manifest.csv``), a single file, a ``*.parquet`` file, or a
        folder written by ``rotascope data export``.
    progress : optional ``progress(stage, done, total)`` callback (see :data:`Progress`).
    calendar : ticker whose trading days the ``missing_vs_{calendar}_calendar`` check
        compares against (taken from this import when it holds the ticker, else from
        the store; the check is skipped when neither has it).
    adjusted : declare whether ``Date,Close``/OHLCV files hold adjusted closes
        (files with an Adj Close column are always adjusted).
    follow_links : read files reached through symbolic links that leave the imported
        folder (default: such links are reported as ``link_outside`` and not read).
        Only regular files are ever read, each at most
        :data:`~rotascope.data.sources.csv_folder.MAX_FILE_BYTES`.

    Returns
    -------
    ImportResult
        Per ticker new/updated/unchanged with row counts, the rejected files with
        file:line and reason, the flags raised, and one
        :class:`~rotascope.data.model.FileReport` per file read.

    Raises
    ------
    ParameterError
        ``path`` does not exist or holds no price files.
    StoreBusyError
        Another process holds the store (raised when the store is opened).

    Examples
    --------
    >>> with Store(settings.store_path) as store:                   # doctest: +SKIP
    ...     result = import_path(store, "../shared/market-data")
    >>> [str(r) for r in result.rejected]                            # doctest: +SKIP
    []
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ParameterError(f"import_path(): {path} does not exist")
    if path.is_dir() and (path / EXPORT_MANIFEST).is_file():
        return store.restore_parquet(path, progress=_store_hook(progress))

    source, query, rejected = _choose_source(path, adjusted, follow_links)
    files = query.params.get("files", [])
    total = len(files)
    series: list[SeriesData] = []
    order: list[str] = []                 # every file read, in order
    for done, item in enumerate(source.fetch(query), start=1):
        if isinstance(item, Rejection):
            rejected.append(item)
            order.append(item.location)
        else:
            order.append(item.location)
            try:
                series.extend(source.to_frame(query, item))
            except FileFormatError as exc:
                rejected.append(Rejection(exc.path, exc.reason, exc.line,
                                          ticker=item.key or None,
                                          check=getattr(exc, "check", None)))
            except SourceError as exc:
                rejected.append(Rejection(item.location, str(exc), ticker=item.key or None))
        if progress is not None:
            progress("read", done, total)

    take = getattr(source, "take_rejected", None)
    if take is not None:
        rejected.extend(take())
    series, dups = _drop_duplicate_tickers(series)
    rejected.extend(dups)
    flags = _flags(store, series, calendar)
    if progress is not None:
        progress("check", len(series), len(series))
    result = store.import_series(series, flags=flags, rejected=rejected,
                                 source=source.name, location=str(path),
                                 progress=_store_hook(progress))
    result.files = _file_reports(order, series, result.rejected)
    if progress is not None:
        progress("done", len(series), len(series))
    return result


def _file_reports(order: list[str], series: list[SeriesData], rejected: list[Rejection]
                  ) -> list[FileReport]:
    """One line per file: loaded (tickers, rows) or rejected (line, check, reason)."""
    loaded: dict[str, list[SeriesData]] = {}
    for s in series:
        loaded.setdefault(s.location, []).append(s)
    bad: dict[str, list[Rejection]] = {}
    for r in rejected:
        bad.setdefault(r.location, []).append(r)
    out = []
    for loc in dict.fromkeys([*order, *bad]):
        ok, no = loaded.get(loc, []), bad.get(loc, [])
        first = no[0] if no else None
        status: Literal["loaded", "rejected", "partial"] = (
            "rejected" if no and not ok else "partial" if no else "loaded")
        out.append(FileReport(loc, status, tuple(s.ticker for s in ok),
                              sum(len(s.frame) for s in ok),
                              None if first is None else first.line,
                              None if first is None else first.check,
                              None if first is None else first.reason))
    return out


def _store_hook(progress: Progress | None) -> Callable[[int], None] | None:
    if progress is None:
        return None

    def hook(n: int) -> None:
        if n == 0:
            progress("write", 1, 1)

    return hook


def _drop_duplicate_tickers(series: list[SeriesData]) -> tuple[list[SeriesData],
                                                                 list[Rejection]]:
    """Two files naming the same ticker: keep the first, reject the others."""
    seen: dict[str, str] = {}
    keep, rejected = [], []
    for s in series:
        if s.ticker in seen:
            rejected.append(Rejection(s.location, f"ticker {s.ticker} is also in "
                                      f"{seen[s.ticker]}; each ticker must come from one file",
                                      ticker=s.ticker, check="dup_ticker"))
        else:
            seen[s.ticker] = s.location
            keep.append(s)
    return keep, rejected


def _flags(store: Store, series: list[SeriesData], calendar: str) -> list:
    if not series:
        return []
    cal_series = next((s for s in series if s.ticker == calendar), None)
    cal = store.trading_days(calendar)
    if cal_series is not None:
        # the file's rows replace the stored ones in its own range
        idx = cal_series.frame.index
        if cal is not None:
            cal = cal[(cal < idx[0]) | (cal > idx[-1])]
        cal = idx if cal is None else cal.union(idx)
    last_batch = max(s.frame.index[-1] for s in series if len(s.frame))
    first_batch = min(s.frame.index[0] for s in series if len(s.frame))
    name, cal, _ = reference_calendar(calendar, cal, first_batch, last_batch)
    stored = store.last_date()
    latest = last_batch if stored is None else max(pd.Timestamp(stored), last_batch)
    return check_many(series, calendar=cal, calendar_name=name, latest=latest)
