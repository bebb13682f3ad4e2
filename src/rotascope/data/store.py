"""The embedded DuckDB store: the only module that writes market data to disk.

Tables
------
``prices``            ticker, date, close (adjusted when the source adjusts), open, high,
                      low, volume, unadjusted_close; one row per (ticker, date).
``instruments``       ticker, name, kind, sector, adjusted, source.
``provenance``        one row per series written by an import run: source, file or URL,
                      imported_at, rows, first/last date, sha256 checksum of the raw bytes.
``import_runs``       run_id, started/finished, source, location, counts.
``quality_flags``     flags raised by :mod:`rotascope.data.quality` for imported series
                      (replaced for a ticker each time that ticker is re-imported).
``universes``         name, description, source, location, point_in_time.
``universe_members``  universe, ticker, name, sector, start_date, end_date (membership is
                      ``start_date <= d < end_date``; NULL means open-ended).
``meta``              schema version.

:meth:`Store.export_parquet` writes every table as Parquet (plus a manifest) and
:meth:`Store.restore_parquet` loads such a folder back in one transaction.

Consistency
-----------
Every import run is one DuckDB transaction: a process killed midway leaves the store
as it was before the run (DuckDB replays only committed transactions from its WAL).
Re-importing identical files is detected by checksum and writes nothing. DuckDB allows
one writing process (or several read-only ones); a process that cannot get the lock
waits up to ``wait`` seconds and then raises :class:`StoreBusyError` naming the
holder, so the file is never opened twice for writing.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import NoDataError, StoreBusyError, StoreError, UnknownTickerError
from .model import (
    PRICE_FIELDS,
    ImportResult,
    QualityFlag,
    Rejection,
    SeriesData,
    TickerResult,
)

__all__ = ["Store", "SCHEMA_VERSION"]

SCHEMA_VERSION = 2  # 2: prices.tid, an integer ticker id (fast wide loads)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS prices (
    ticker VARCHAR NOT NULL, date DATE NOT NULL, close DOUBLE NOT NULL,
    open DOUBLE, high DOUBLE, low DOUBLE, volume DOUBLE, unadjusted_close DOUBLE,
    tid INTEGER);
CREATE TABLE IF NOT EXISTS ticker_ids (ticker VARCHAR PRIMARY KEY, tid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS instruments (
    ticker VARCHAR PRIMARY KEY, name VARCHAR, kind VARCHAR, sector VARCHAR,
    adjusted BOOLEAN, source VARCHAR);
CREATE TABLE IF NOT EXISTS provenance (
    run_id VARCHAR NOT NULL, ticker VARCHAR NOT NULL, source VARCHAR NOT NULL,
    location VARCHAR NOT NULL, imported_at TIMESTAMP NOT NULL, rows BIGINT NOT NULL,
    first_date DATE, last_date DATE, checksum VARCHAR NOT NULL, adjusted BOOLEAN,
    rows_added BIGINT, rows_changed BIGINT);
CREATE TABLE IF NOT EXISTS import_runs (
    run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP,
    source VARCHAR, location VARCHAR, tickers BIGINT, rows_written BIGINT, rejected BIGINT);
CREATE TABLE IF NOT EXISTS quality_flags (
    ticker VARCHAR NOT NULL, "check" VARCHAR NOT NULL, count BIGINT, detail VARCHAR,
    first_date DATE, last_date DATE, dates VARCHAR, run_id VARCHAR);
CREATE TABLE IF NOT EXISTS universes (
    name VARCHAR PRIMARY KEY, description VARCHAR, source VARCHAR, location VARCHAR,
    created_at TIMESTAMP, point_in_time BOOLEAN);
CREATE TABLE IF NOT EXISTS universe_members (
    universe VARCHAR NOT NULL, ticker VARCHAR NOT NULL, name VARCHAR, sector VARCHAR,
    start_date DATE, end_date DATE);
"""

_EXPORT_MANIFEST = "rotascope-export.json"
_LOCK_RE = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")
_EPOCH = np.datetime64("1970-01-01", "D")


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A DuckDB file holding prices, instruments, universes and provenance.

    Parameters
    ----------
    path : path of the ``.duckdb`` file (created with its folder on first write).
    read_only : open without the write lock; several readers may share the file.
    wait : seconds to keep retrying while another process holds the lock.

    Use as a context manager so the lock is released promptly::

        with Store(settings.store_path, read_only=True) as store:
            close = store.close_matrix(["SPY", "RSP"], end="2024-06-28")
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, wait: float = 5.0) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._tickers: tuple[str, ...] | None = None
        self._ids: dict[str, int] | None = None
        self._has_tid = False
        if read_only and not self.path.exists():
            self._con: duckdb.DuckDBPyConnection | None = None
            return
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = self._connect(wait)
        if not read_only:
            self._con.execute(_SCHEMA)
            self._migrate()
            self._con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO UPDATE SET "
                "value = excluded.value", [str(SCHEMA_VERSION)])
        self._has_tid = self._column_exists("prices", "tid")

    def _column_exists(self, table: str, column: str) -> bool:
        assert self._con is not None
        rows = self._con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND "
            "column_name = ?", [table, column]).fetchall()
        return bool(rows[0][0])

    def _migrate(self) -> None:
        """Bring a store written by an older rotascope to the current schema, atomically."""
        if self._column_exists("prices", "tid"):
            return
        with self.transaction() as con:
            con.execute("ALTER TABLE prices ADD COLUMN tid INTEGER")
            _assign_ticker_ids(con, "prices")
            con.execute("UPDATE prices SET tid = i.tid FROM ticker_ids i "
                        "WHERE prices.ticker = i.ticker")

    # -- connection -------------------------------------------------------------------
    def _connect(self, wait: float) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + max(wait, 0.0)
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.IOException as exc:
                msg = str(exc)
                if "lock" not in msg.lower():
                    raise StoreError(f"cannot open the store {self.path}: {msg}") from exc
                if time.monotonic() >= deadline:
                    m = _LOCK_RE.search(msg)
                    holder = f" (held by PID {m.group(2)}, {m.group(1)})" if m else ""
                    raise StoreBusyError(
                        f"the store {self.path} is in use by another process{holder}. "
                        "Another rotascope command is probably importing or updating data; "
                        "wait for it to finish and try again.") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise StoreError(f"cannot open the store {self.path}: {exc}") from exc

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (for modules that own extra tables, e.g. alerts)."""
        if self._con is None:
            raise NoDataError(
                f"the store {self.path} does not exist yet. Import data first, e.g. "
                "`rotascope data import ../shared/market-data` or `rotascope data update`.")
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All statements inside commit together or not at all."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")

    def ensure_schema(self, ddl: str) -> None:
        """Create tables owned by another module (idempotent DDL) if writable."""
        if not self.read_only:
            self.con.execute(ddl)

    # -- reads ------------------------------------------------------------------------
    @property
    def exists(self) -> bool:
        """False for a read-only store whose file does not exist yet."""
        return self._con is not None

    @property
    def is_empty(self) -> bool:
        if self._con is None:
            return True
        return self._con.execute("SELECT count(*) FROM (SELECT 1 FROM prices LIMIT 1)"
                                 ).fetchall()[0][0] == 0

    def require_data(self) -> None:
        """Raise :class:`NoDataError` with set-up instructions when the store is empty."""
        if self.is_empty:
            raise NoDataError(
                f"the store {self.path} holds no prices yet. Load some first:\n"
                "  rotascope data import ../shared/market-data     # a folder of CSV files\n"
                "  rotascope data update leadership               # online, from Yahoo\n"
                "or try the synthetic demo: rotascope report --demo")

    def tickers(self) -> list[str]:
        """All tickers with at least one price row, sorted."""
        if self._con is None:
            return []
        if self._tickers is not None:
            return list(self._tickers)
        names = [r[0] for r in self._con.execute(
            "SELECT DISTINCT ticker FROM prices ORDER BY ticker").fetchall()]
        if self.read_only:  # nobody can write while a reader holds the file
            self._tickers = tuple(names)
        return names

    def coverage(self, tickers: Sequence[str] | None = None) -> pd.DataFrame:
        """Per ticker: first_date, last_date, rows (index: ticker)."""
        sql = ("SELECT ticker, min(date) AS first_date, max(date) AS last_date, "
               "count(*) AS rows FROM prices")
        params: list[Any] = []
        if tickers is not None:
            sql += " WHERE ticker IN (SELECT unnest(?))"
            params.append(list(tickers))
        sql += " GROUP BY ticker ORDER BY ticker"
        if self._con is None:
            return pd.DataFrame(columns=["first_date", "last_date", "rows"],
                                index=pd.Index([], name="ticker"))
        df = self._con.execute(sql, params).df().set_index("ticker")
        for col in ("first_date", "last_date"):
            df[col] = pd.to_datetime(df[col])
        return df

    def last_date(self, tickers: Sequence[str] | None = None) -> pd.Timestamp | None:
        """Latest date with a price for any of ``tickers`` (all tickers when None)."""
        if self._con is None:
            return None
        if tickers is None:
            row = self._con.execute("SELECT max(date) FROM prices").fetchall()[0]
        else:
            row = self._con.execute("SELECT max(date) FROM prices WHERE ticker IN "
                                    "(SELECT unnest(?))", [list(tickers)]).fetchall()[0]
        return None if row[0] is None else pd.Timestamp(row[0])

    def check_tickers(self, tickers: Iterable[str], where: str = "the store") -> list[str]:
        """Return ``tickers`` if all have prices, else raise UnknownTickerError listing all."""
        wanted = list(dict.fromkeys(tickers))
        known = set(self.tickers())
        missing = [t for t in wanted if t not in known]
        if missing:
            hint = ("Import them with `rotascope data import PATH` or fetch them with "
                    "`rotascope data update`." if known else None)
            if not known:
                self.require_data()
            raise UnknownTickerError(missing, where, hint)
        return wanted

    def close_matrix(self, tickers: Sequence[str] | None = None, *,
                     start: Any = None, end: Any = None, field: str = "close",
                     strict: bool = True) -> pd.DataFrame:
        """Wide matrix (dates x tickers) of one price field.

        Parameters
        ----------
        tickers : tickers in the order wanted as columns; all tickers when None.
        start, end : inclusive date bounds (``end`` is how an analysis "as of" a date
            guarantees it reads nothing later).
        field : one of ``close`` (adjusted), ``open``, ``high``, ``low``, ``volume``,
            ``unadjusted_close``.
        strict : raise :class:`UnknownTickerError` for tickers without any price row;
            when False they come back as all-NaN columns.

        Returns
        -------
        float64 DataFrame on the union of the tickers' dates (a ``DatetimeIndex`` named
        ``date``); NaN where a ticker has no row on a date. Nothing is filled.
        """
        if field not in PRICE_FIELDS:
            raise StoreError(f"close_matrix(): 'field' must be one of {PRICE_FIELDS}, "
                             f"got {field!r}")
        self.require_data()
        if tickers is None:
            tickers = self.tickers()
        tickers = list(dict.fromkeys(tickers))
        if strict:
            self.check_tickers(tickers)
        # Column positions and day numbers come back as integers (no strings to hash):
        # the join with the wanted list yields each row's column directly.
        where = []
        params: dict[str, Any] = {"tickers": tickers}
        if start is not None:
            where.append("p.date >= $start")
            params["start"] = pd.Timestamp(start).date()
        if end is not None:
            where.append("p.date <= $end")
            params["end"] = pd.Timestamp(end).date()
        sql = ("SELECT w.i::INTEGER - 1 AS col, (p.date - DATE '1970-01-01')::INTEGER AS day, "
               f"p.{field} AS v FROM prices p JOIN (SELECT unnest($tickers) AS ticker, "
               "generate_subscripts($tickers, 1) AS i) w ON p.ticker = w.ticker"
               + (f" WHERE {' AND '.join(where)}" if where else ""))
        if self._has_tid:
            return self._close_matrix_by_id(tickers, field, where, params)
        rows = self.con.sql(sql, params=params).fetchnumpy()
        return _wide(rows["col"], rows["day"], rows["v"], tickers)

    def _ticker_ids(self) -> dict[str, int]:
        if self._ids is None or not self.read_only:
            self._ids = dict(self.con.execute("SELECT ticker, tid FROM ticker_ids").fetchall())
        return self._ids

    def _close_matrix_by_id(self, tickers: list[str], field: str, where: list[str],
                            params: dict[str, Any]) -> pd.DataFrame:
        # Integer ids in the prices table: no string comparison per row, no join.
        ids = self._ticker_ids()
        wanted = [ids[t] for t in tickers if t in ids]
        lookup = np.full(max(ids.values(), default=-1) + 1, -1, dtype=np.int64)
        for col, t in enumerate(tickers):  # one entry per requested ticker
            if t in ids:
                lookup[ids[t]] = col
        conds = [c.replace("p.", "") for c in where]
        params = {k: v for k, v in params.items() if k != "tickers"}
        if len(wanted) < len(ids):
            conds.insert(0, "tid IN (SELECT unnest($ids))")
            params["ids"] = wanted
        sql = (f"SELECT tid, (date - DATE '1970-01-01')::INTEGER AS day, {field} AS v "
               "FROM prices" + (f" WHERE {' AND '.join(conds)}" if conds else ""))
        rows = self.con.sql(sql, params=params or None).fetchnumpy()
        return _wide(rows["tid"], rows["day"], rows["v"], tickers, lookup)

    def series(self, ticker: str, *, end: Any = None) -> pd.DataFrame:
        """All stored fields of one ticker (index: date), up to ``end`` inclusive."""
        self.check_tickers([ticker])
        params: list[Any] = [ticker]
        sql = ("SELECT date, close, open, high, low, volume, unadjusted_close FROM prices "
               "WHERE ticker = ?")
        if end is not None:
            sql += " AND date <= ?"
            params.append(pd.Timestamp(end).date())
        df = self.con.execute(sql + " ORDER BY date", params).df()
        df["date"] = pd.to_datetime(df["date"])
        return df.set_index("date")

    def long_prices(self, tickers: Sequence[str] | None = None, *, field: str = "close",
                    ) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
        """All rows of one field in long form, sorted by ticker then date.

        Returns ``(codes, names, days, values)``: ``codes`` int64 positions into
        ``names`` (ticker per row, contiguous), ``days`` int64 days since 1970-01-01,
        ``values`` float64. ``tickers`` restricts the rows (all tickers when None).
        """
        if field not in PRICE_FIELDS:
            raise StoreError(f"long_prices(): 'field' must be one of {PRICE_FIELDS}, "
                             f"got {field!r}")
        if self._con is None:
            return (np.empty(0, np.int64), [], np.empty(0, np.int64), np.empty(0))
        where, params = "", {}
        if tickers is not None:
            where = "WHERE ticker IN (SELECT unnest($tickers))"
            params["tickers"] = list(tickers)
        res = self._con.execute(
            f"SELECT ticker, (date - DATE '1970-01-01')::BIGINT AS d, {field} AS v "
            f"FROM prices {where} ORDER BY ticker, date", params).fetchnumpy()
        names_all = res["ticker"]
        codes, names = pd.factorize(np.asarray(names_all, dtype=object))
        values = np.asarray(res["v"], dtype=np.float64)
        if hasattr(res["v"], "mask"):
            values = np.ma.filled(res["v"].astype(np.float64), np.nan)
        return (codes.astype(np.int64), [str(n) for n in names],
                np.asarray(res["d"], dtype=np.int64), values)

    def closes_per_date(self, tickers: Sequence[str], *, last: int = 40) -> pd.Series:
        """How many of ``tickers`` have a close on each of the ``last`` latest dates
        (index: date, ascending); the basis of the default as-of date."""
        if self._con is None or not tickers:
            return pd.Series(dtype=np.int64)
        df = self._con.execute(
            "SELECT date, count(*) AS n FROM prices WHERE ticker IN (SELECT unnest(?)) "
            "GROUP BY date ORDER BY date DESC LIMIT ?", [list(tickers), int(last)]).df()
        out = pd.Series(df["n"].to_numpy(np.int64), index=pd.DatetimeIndex(df["date"],
                                                                           name="date"))
        return out.sort_index()

    def trading_days(self, ticker: str) -> pd.DatetimeIndex | None:
        """The dates ``ticker`` has prices for (its calendar), or None when it has none."""
        if self._con is None:
            return None
        res = self._con.execute("SELECT date FROM prices WHERE ticker = ? ORDER BY date",
                                [ticker]).fetchnumpy()["date"]
        if len(res) == 0:
            return None
        return pd.DatetimeIndex(np.asarray(res).astype("datetime64[ns]"), name="date")

    def instruments(self) -> pd.DataFrame:
        """Instrument metadata (index: ticker; columns name, kind, sector, adjusted, source)."""
        if self._con is None:
            return pd.DataFrame(columns=["name", "kind", "sector", "adjusted", "source"])
        return self._con.execute("SELECT * FROM instruments ORDER BY ticker").df().set_index(
            "ticker")

    def provenance(self, ticker: str | None = None) -> pd.DataFrame:
        """Where each stored series came from, newest first."""
        sql = "SELECT * FROM provenance"
        params: list[Any] = []
        if ticker is not None:
            sql += " WHERE ticker = ?"
            params.append(ticker)
        return self.con.execute(sql + " ORDER BY imported_at DESC, ticker", params).df()

    def quality_flags(self, tickers: Sequence[str] | None = None) -> list[QualityFlag]:
        """Flags stored by the last import of each ticker."""
        if self._con is None:
            return []
        sql = ('SELECT ticker, "check", count, detail, first_date, last_date, dates '
               "FROM quality_flags")
        params: list[Any] = []
        if tickers is not None:
            sql += " WHERE ticker IN (SELECT unnest(?))"
            params.append(list(tickers))
        rows = self._con.execute(sql + ' ORDER BY ticker, "check"', params).fetchall()
        out = []
        for t, check, count, detail, fd, ld, dates in rows:
            out.append(QualityFlag(
                ticker=t, check=check, count=int(count), detail=detail or "",
                first_date=None if fd is None else pd.Timestamp(fd),
                last_date=None if ld is None else pd.Timestamp(ld),
                dates=tuple(pd.Timestamp(d) for d in dates.split()) if dates else ()))
        return out

    # -- universes --------------------------------------------------------------------
    def universe_names(self) -> list[str]:
        if self._con is None:
            return []
        return [r[0] for r in self._con.execute(
            "SELECT name FROM universes ORDER BY name").fetchall()]

    def universe_info(self, name: str) -> dict[str, Any] | None:
        if self._con is None:
            return None
        rows = self._con.execute("SELECT name, description, source, location, created_at, "
                                 "point_in_time FROM universes WHERE name = ?", [name]).fetchall()
        if not rows:
            return None
        row = rows[0]
        keys = ("name", "description", "source", "location", "created_at", "point_in_time")
        return dict(zip(keys, row, strict=True))

    def universe_members(self, name: str) -> pd.DataFrame:
        """Membership intervals: ticker, name, sector, start_date, end_date (NaT = open)."""
        df = self.con.execute(
            "SELECT ticker, name, sector, start_date, end_date FROM universe_members "
            "WHERE universe = ? ORDER BY ticker, start_date NULLS FIRST", [name]).df()
        for col in ("start_date", "end_date"):
            df[col] = pd.to_datetime(df[col])
        return df

    def save_universe(self, name: str, members: pd.DataFrame, *, description: str = "",
                      source: str = "file", location: str = "",
                      point_in_time: bool = False) -> None:
        """Replace universe ``name`` atomically.

        ``members`` has columns ticker, name, sector, start_date, end_date (the dates
        may be NaT for "member throughout").
        """
        cols = ["ticker", "name", "sector", "start_date", "end_date"]
        frame = members.reindex(columns=cols).copy()
        frame.insert(0, "universe", name)
        for col in ("start_date", "end_date"):
            frame[col] = pd.to_datetime(frame[col]).dt.date
        with self.transaction() as con:
            con.execute("DELETE FROM universe_members WHERE universe = ?", [name])
            con.execute("DELETE FROM universes WHERE name = ?", [name])
            con.register("_members", frame)
            con.execute("INSERT INTO universe_members SELECT universe, ticker, name, sector, "
                        "start_date, end_date FROM _members")
            con.unregister("_members")
            con.execute("INSERT INTO universes VALUES (?, ?, ?, ?, ?, ?)",
                        [name, description, source, location, _utcnow(), point_in_time])

    # -- writes -----------------------------------------------------------------------
    def import_series(self, series: Sequence[SeriesData], *,
                      flags: Sequence[QualityFlag] = (),
                      rejected: Sequence[Rejection] = (),
                      source: str = "", location: str = "",
                      progress: Any = None) -> ImportResult:
        """Write ``series`` in one transaction and return what changed.

        A series whose checksum equals the checksum of its ticker's latest provenance
        row is skipped as ``unchanged`` (re-importing the same file writes nothing).
        Otherwise the rows are compared with the stored ones: ``replace_range`` series
        replace the stored rows between their first and last dates, ``append`` series
        add only dates after the last stored one. Quality flags of re-imported tickers
        are replaced. ``progress(n)`` is called with ``n=1`` as each series is prepared,
        and once with ``n=0`` when every row is written but not yet committed (a process
        killed at that point leaves the store as it was).
        """
        run_id = uuid.uuid4().hex[:12]
        result = ImportResult(run_id=run_id, rejected=list(rejected), flags=list(flags))
        started = _utcnow()
        latest = self._latest_checksums([s.ticker for s in series])
        to_write: list[SeriesData] = []
        for s in series:
            if latest.get(s.ticker) == s.checksum:
                result.results.append(TickerResult(s.ticker, "unchanged", len(s.frame),
                                                   rows_unchanged=len(s.frame)))
            else:
                to_write.append(s)
            if progress is not None:
                progress(1)
        written = {s.ticker for s in to_write}
        if not to_write:
            return result

        long = _long_table(to_write)
        existing = self._existing_stats(to_write)
        with self.transaction() as con:
            con.register("_new", long)
            counts: dict[str, tuple[int, int]] = {
                s.ticker: (len(s.frame), 0) for s in to_write if s.ticker not in existing}
            if existing:
                # Row-level diff against stored rows, for the report (what changed, not
                # just what was written). Rows of a replaced range that the new series
                # lacks are deleted and counted as changed.
                params = [sorted(existing)]
                diff = con.execute("""
                    WITH r AS (SELECT ticker, min(date) AS lo, max(date) AS hi,
                                      any_value(mode) AS mode
                               FROM _new WHERE ticker IN (SELECT unnest($1)) GROUP BY ticker),
                    d AS (
                        SELECT n.ticker,
                           count(*) FILTER (WHERE p.ticker IS NULL) AS added,
                           count(*) FILTER (WHERE p.ticker IS NOT NULL AND (
                               p.close IS DISTINCT FROM n.close OR p.open IS DISTINCT FROM n.open
                               OR p.high IS DISTINCT FROM n.high OR p.low IS DISTINCT FROM n.low
                               OR p.volume IS DISTINCT FROM n.volume
                               OR p.unadjusted_close IS DISTINCT FROM n.unadjusted_close))
                               AS changed
                        FROM _new n LEFT JOIN prices p ON p.ticker = n.ticker AND p.date = n.date
                        WHERE n.ticker IN (SELECT unnest($1))
                        GROUP BY n.ticker),
                    gone AS (
                        SELECT p.ticker, count(*) AS removed
                        FROM prices p JOIN r ON p.ticker = r.ticker
                             AND p.date BETWEEN r.lo AND r.hi AND r.mode = 'replace_range'
                        ANTI JOIN _new n ON n.ticker = p.ticker AND n.date = p.date
                        GROUP BY p.ticker)
                    SELECT d.ticker, d.added, d.changed + coalesce(g.removed, 0)
                    FROM d LEFT JOIN gone g USING (ticker)""", params).fetchall()
                counts.update({t: (int(a), int(c)) for t, a, c in diff})
                con.execute("""
                    DELETE FROM prices WHERE EXISTS (
                        SELECT 1 FROM (SELECT ticker, min(date) AS lo, max(date) AS hi,
                                              any_value(mode) AS mode
                                       FROM _new WHERE ticker IN (SELECT unnest($1))
                                       GROUP BY ticker) r
                        WHERE prices.ticker = r.ticker AND prices.date BETWEEN r.lo AND r.hi
                          AND r.mode = 'replace_range')""", params)
                _assign_ticker_ids(con, "_new")
                con.execute("""
                    INSERT INTO prices
                    SELECT n.ticker, n.date, n.close, n.open, n.high, n.low, n.volume,
                           n.unadjusted_close, i.tid
                    FROM _new n JOIN ticker_ids i ON i.ticker = n.ticker
                    WHERE n.mode = 'replace_range' OR NOT EXISTS (
                        SELECT 1 FROM prices p WHERE p.ticker = n.ticker AND p.date = n.date)""")
            else:
                _assign_ticker_ids(con, "_new")
                con.execute("""
                    INSERT INTO prices
                    SELECT n.ticker, n.date, n.close, n.open, n.high, n.low, n.volume,
                           n.unadjusted_close, i.tid
                    FROM _new n JOIN ticker_ids i ON i.ticker = n.ticker""")
            con.unregister("_new")
            now = _utcnow()
            prov_rows = []
            for s in to_write:
                added, changed = counts.get(s.ticker, (0, 0))
                changed_written = 0 if s.mode == "append" else changed
                n = len(s.frame)
                status: Literal["new", "updated", "unchanged"] = "new" \
                    if s.ticker not in existing else (
                    "updated" if (added or changed_written) else "unchanged")
                result.results.append(TickerResult(
                    s.ticker, status, n, rows_added=added, rows_changed=changed_written,
                    rows_unchanged=n - added - changed))
                idx = s.frame.index
                prov_rows.append((run_id, s.ticker, s.source, s.location, now, n,
                                  idx[0].date() if n else None, idx[-1].date() if n else None,
                                  s.checksum, s.adjusted, added, changed_written))
            con.executemany("INSERT INTO provenance VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", prov_rows)
            con.executemany(
                "INSERT INTO instruments VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT (ticker) DO "
                "UPDATE SET name = coalesce(excluded.name, instruments.name), "
                "kind = coalesce(excluded.kind, instruments.kind), "
                "adjusted = coalesce(excluded.adjusted, instruments.adjusted), "
                "source = excluded.source",
                [(s.ticker, s.name, s.kind, s.adjusted, s.source) for s in to_write])
            con.execute("DELETE FROM quality_flags WHERE ticker IN (SELECT unnest(?))",
                        [sorted(written)])
            flag_rows = [(f.ticker, f.check, f.count, f.detail,
                          None if f.first_date is None else f.first_date.date(),
                          None if f.last_date is None else f.last_date.date(),
                          " ".join(d.date().isoformat() for d in f.dates), run_id)
                         for f in flags if f.ticker in written]
            if flag_rows:
                con.executemany("INSERT INTO quality_flags VALUES (?,?,?,?,?,?,?,?)", flag_rows)
            con.execute("INSERT INTO import_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, started, _utcnow(), source, location, len(to_write),
                         result.rows_written, len(result.rejected)])
            if progress is not None:
                progress(0)  # everything written, not yet committed
        return result

    def replace_quality_flags(self, tickers: Sequence[str], flags: Sequence[QualityFlag],
                              run_id: str = "check") -> None:
        """Store freshly computed flags for ``tickers`` (used after a re-check)."""
        with self.transaction() as con:
            con.execute("DELETE FROM quality_flags WHERE ticker IN (SELECT unnest(?))",
                        [list(tickers)])
            rows = [(f.ticker, f.check, f.count, f.detail,
                     None if f.first_date is None else f.first_date.date(),
                     None if f.last_date is None else f.last_date.date(),
                     " ".join(d.date().isoformat() for d in f.dates), run_id) for f in flags]
            if rows:
                con.executemany("INSERT INTO quality_flags VALUES (?,?,?,?,?,?,?,?)", rows)

    def set_instrument_info(self, info: pd.DataFrame) -> None:
        """Upsert name/kind/sector for tickers (index: ticker); NULLs keep old values."""
        frame = info.reindex(columns=["name", "kind", "sector"]).reset_index()
        frame.columns = ["ticker", "name", "kind", "sector"]
        with self.transaction() as con:
            con.register("_info", frame)
            con.execute(
                "INSERT INTO instruments SELECT ticker, name, kind, sector, NULL, NULL "
                "FROM _info ON CONFLICT (ticker) DO UPDATE SET "
                "name = coalesce(excluded.name, instruments.name), "
                "kind = coalesce(excluded.kind, instruments.kind), "
                "sector = coalesce(excluded.sector, instruments.sector)")
            con.unregister("_info")

    # -- Parquet export / restore --------------------------------------------------------
    def export_parquet(self, folder: str | Path) -> dict[str, int]:
        """Write the whole store as Parquet files in ``folder``; return rows per table.

        One ``<table>.parquet`` per table of :data:`EXPORT_TABLES` (prices sorted by
        ticker and date) plus ``rotascope-export.json`` (format and schema version,
        exported_at, rows per table), written last so a half-written export is never
        mistaken for a complete one. Existing export files in ``folder`` are replaced;
        a non-empty folder that is not an export is refused.
        """
        import json
        import os

        from ..errors import ParameterError
        from .sources.parquet import EXPORT_FORMAT_VERSION, EXPORT_TABLES

        folder = Path(folder).expanduser()
        manifest_path = folder / _EXPORT_MANIFEST
        if folder.exists() and not folder.is_dir():
            raise ParameterError(f"export_parquet(): {folder} is a file; give a folder")
        if folder.is_dir() and any(folder.iterdir()) and not manifest_path.exists():
            raise ParameterError(f"export_parquet(): {folder} is not empty and holds no "
                                 f"{_EXPORT_MANIFEST}; choose a new or empty folder")
        folder.mkdir(parents=True, exist_ok=True)
        if manifest_path.exists():
            manifest_path.unlink()
        order = {"prices": "ticker, date", "instruments": "ticker", "universes": "name",
                 "universe_members": "universe, ticker, start_date NULLS FIRST",
                 "provenance": "imported_at, ticker", "import_runs": "started_at, run_id",
                 "quality_flags": 'ticker, "check"'}
        counts: dict[str, int] = {}
        for name in EXPORT_TABLES:
            target = folder / f"{name}.parquet"
            tmp = folder / f".{name}.parquet.tmp"
            quoted = str(tmp).replace("'", "''")
            columns = "* EXCLUDE (tid)" if name == "prices" else "*"  # ids are per store
            self.con.execute(f"COPY (SELECT {columns} FROM {name} ORDER BY {order[name]}) TO "
                             f"'{quoted}' (FORMAT parquet)")
            os.replace(tmp, target)
            counts[name] = int(self.con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
        manifest = {"format_version": EXPORT_FORMAT_VERSION, "schema_version": SCHEMA_VERSION,
                    "exported_at": _utcnow().isoformat(timespec="seconds"),
                    "store": str(self.path), "tables": counts}
        tmp = folder / f".{_EXPORT_MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, manifest_path)
        return counts

    def restore_parquet(self, folder: str | Path, *, progress: Any = None) -> ImportResult:
        """Load a folder written by :meth:`export_parquet`, in one transaction.

        Prices: each exported ticker's stored rows are replaced by the exported ones
        (tickers not in the export are untouched; a ticker with a duplicate date or a
        missing close is rejected). Instruments are upserted; universes in the export
        replace those of the same name; provenance and import-run rows not already
        present are added; quality flags of the restored tickers are replaced.
        Restoring the same export twice changes nothing. ``progress(0)`` is called once
        everything is written, before the commit.
        """
        from ..errors import FileFormatError
        from .sources.parquet import read_export

        folder = Path(folder).expanduser()
        manifest, tables = read_export(folder)
        if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
            raise FileFormatError(folder / _EXPORT_MANIFEST,
                                  f"schema_version {manifest['schema_version']} is newer than "
                                  f"this rotascope's ({SCHEMA_VERSION}); upgrade rotascope")
        for name, table in tables.items():
            known = {r[0] for r in self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [name]).fetchall()}
            extra = [c for c in table.column_names if c not in known]
            if extra:
                raise FileFormatError(folder / f"{name}.parquet",
                                      f"unknown column(s) {', '.join(extra)} for table {name}")
        run_id = uuid.uuid4().hex[:12]
        started = _utcnow()
        result = ImportResult(run_id=run_id)
        location = str(folder)
        con = self.con
        con.register("_x_prices", tables["prices"])
        try:
            bad = con.execute("""
                SELECT ticker,
                       count(*) FILTER (WHERE date IS NULL) AS null_dates,
                       count(*) FILTER (WHERE close IS NULL OR isnan(close)) AS bad_close,
                       count(date) - count(DISTINCT date) AS dups,
                       min(date) FILTER (WHERE close IS NULL OR isnan(close)) AS first_bad
                FROM _x_prices GROUP BY ticker
                HAVING null_dates > 0 OR bad_close > 0 OR dups > 0 OR ticker IS NULL
                ORDER BY ticker""").fetchall()
            rejected_tickers = []
            for t, nd, bc, dups, first_bad in bad:
                if nd:
                    check, why = "bad_date", f"{nd} rows with no date"
                elif dups:
                    check, why = "dup_dates", f"{dups} duplicate dates"
                else:
                    check, why = "bad_close", f"{bc} rows with a missing or NaN close " \
                                              f"(first {first_bad})"
                result.rejected.append(Rejection(str(folder / "prices.parquet"),
                                                 f"{t}: {why}", ticker=t, check=check))
                rejected_tickers.append(t)
            with self.transaction() as con:
                for name, table in tables.items():
                    if name != "prices":
                        con.register(f"_x_{name}", table)
                con.execute("CREATE TEMP TABLE _x_ok AS SELECT * FROM _x_prices "
                            "WHERE ticker IS NOT NULL AND ticker NOT IN (SELECT unnest(?))",
                            [rejected_tickers])
                diff = con.execute("""
                    SELECT ticker, count(*), count(*), 0, 0, 0 FROM _x_ok
                    WHERE ticker NOT IN (SELECT DISTINCT ticker FROM prices)
                    GROUP BY ticker""").fetchall()
                diff += con.execute("""
                    WITH o AS (SELECT * FROM prices
                               WHERE ticker IN (SELECT DISTINCT ticker FROM _x_ok)),
                    n AS (SELECT * FROM _x_ok WHERE ticker IN (SELECT DISTINCT ticker FROM o))
                    SELECT coalesce(n.ticker, o.ticker) AS t,
                           count(n.ticker) AS n_rows,
                           count(*) FILTER (WHERE o.ticker IS NULL) AS added,
                           count(*) FILTER (WHERE n.ticker IS NULL) AS removed,
                           count(*) FILTER (WHERE n.ticker IS NOT NULL AND o.ticker IS NOT NULL
                               AND (n.close, n.open, n.high, n.low, n.volume, n.unadjusted_close)
                               IS DISTINCT FROM
                               (o.close, o.open, o.high, o.low, o.volume, o.unadjusted_close))
                               AS changed,
                           count(o.ticker) AS old_rows
                    FROM n FULL OUTER JOIN o ON n.ticker = o.ticker AND n.date = o.date
                    GROUP BY 1""").fetchall()
                diff.sort()
                changed_tickers = []
                for t, n_rows, added, removed, changed, old_rows in diff:
                    touched = int(added) + int(removed) + int(changed)
                    status: Literal["new", "updated", "unchanged"] = (
                        "new" if old_rows == 0 else ("updated" if touched else "unchanged"))
                    if touched:
                        changed_tickers.append(t)
                    result.results.append(TickerResult(
                        t, status, int(n_rows), rows_added=int(added),
                        rows_changed=int(changed) + int(removed),
                        rows_unchanged=int(n_rows) - int(added) - int(changed)))
                if changed_tickers:
                    con.execute("DELETE FROM prices WHERE ticker IN (SELECT unnest(?))",
                                [changed_tickers])
                    _assign_ticker_ids(con, "_x_ok")
                    # Ticker ids belong to each store: assign this store's, never import them.
                    cols = ", ".join(f'x."{c}"' for c in tables["prices"].column_names
                                     if c != "tid")
                    con.execute(f"INSERT INTO prices BY NAME SELECT {cols}, i.tid "
                                "FROM _x_ok x JOIN ticker_ids i ON i.ticker = x.ticker "
                                "WHERE x.ticker IN (SELECT unnest(?)) ORDER BY x.ticker, x.date",
                                [changed_tickers])
                restored = [r.ticker for r in result.results]
                if "instruments" in tables:
                    info_cols = [c for c in tables["instruments"].column_names
                                 if c != "ticker"]
                    sets = ", ".join(f"{c} = excluded.{c}" for c in info_cols)
                    con.execute(f"INSERT INTO instruments BY NAME SELECT * FROM _x_instruments "
                                f"ON CONFLICT (ticker) DO UPDATE SET {sets}")
                if "provenance" in tables:
                    con.execute("INSERT INTO provenance BY NAME SELECT * FROM "
                                "(SELECT * FROM _x_provenance EXCEPT SELECT * FROM provenance)")
                if "import_runs" in tables:
                    con.execute("INSERT INTO import_runs BY NAME SELECT * FROM _x_import_runs "
                                "WHERE run_id NOT IN (SELECT run_id FROM import_runs)")
                if "quality_flags" in tables:
                    con.execute("DELETE FROM quality_flags WHERE ticker IN (SELECT unnest(?))",
                                [restored])
                    con.execute("INSERT INTO quality_flags BY NAME SELECT * FROM "
                                "_x_quality_flags WHERE ticker IN (SELECT unnest(?))",
                                [restored])
                if "universes" in tables:
                    con.execute("DELETE FROM universe_members WHERE universe IN "
                                "(SELECT name FROM _x_universes)")
                    con.execute("DELETE FROM universes WHERE name IN "
                                "(SELECT name FROM _x_universes)")
                    con.execute("INSERT INTO universes BY NAME SELECT * FROM _x_universes")
                    if "universe_members" in tables:
                        con.execute("INSERT INTO universe_members BY NAME SELECT * FROM "
                                    "_x_universe_members")
                if changed_tickers:
                    con.execute("INSERT INTO import_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [run_id, started, _utcnow(), "parquet", location,
                                 len(changed_tickers), result.rows_written,
                                 len(result.rejected)])
                con.execute("DROP TABLE _x_ok")
                if progress is not None:
                    progress(0)
        finally:
            for name in tables:
                with suppress(duckdb.Error):
                    con.unregister(f"_x_{name}")
        result.flags = self.quality_flags([r.ticker for r in result.results])
        return result

    # -- helpers ----------------------------------------------------------------------
    def _latest_checksums(self, tickers: list[str]) -> dict[str, str]:
        if not tickers:
            return {}
        rows = self.con.execute(
            "SELECT ticker, arg_max(checksum, imported_at) FROM provenance "
            "WHERE ticker IN (SELECT unnest(?)) GROUP BY ticker", [tickers]).fetchall()
        return dict(rows)

    def _existing_stats(self, series: Sequence[SeriesData]) -> set[str]:
        rows = self.con.execute(
            "SELECT DISTINCT ticker FROM prices WHERE ticker IN (SELECT unnest(?))",
            [[s.ticker for s in series]]).fetchall()
        return {r[0] for r in rows}


def _long_table(series: Sequence[SeriesData]) -> pa.Table:
    """Concatenate series into one Arrow table (ticker, date, fields..., mode).

    Tickers and modes are dictionary-encoded (one string per series, not per row); a
    field no series carries is an all-null column.
    """
    sizes = np.array([len(s.frame) for s in series], dtype=np.int64)
    codes = pa.array(np.repeat(np.arange(len(series), dtype=np.int32), sizes))
    tickers = pa.DictionaryArray.from_arrays(codes, pa.array([s.ticker for s in series],
                                                             pa.string()))
    modes = pa.DictionaryArray.from_arrays(codes, pa.array([s.mode for s in series],
                                                           pa.string()))
    n_total = int(sizes.sum())
    dates = np.concatenate([s.frame.index.values.astype("datetime64[D]") for s in series]
                           ) if series else np.empty(0, "datetime64[D]")
    arrays: dict[str, pa.Array] = {"ticker": tickers, "date": pa.array(dates, pa.date32())}
    for f in PRICE_FIELDS:
        if not any(f in s.frame.columns for s in series):
            arrays[f] = pa.nulls(n_total, pa.float64())
            continue
        v = np.concatenate([s.frame[f].to_numpy(dtype=np.float64) if f in s.frame.columns
                            else np.full(len(s.frame), np.nan) for s in series])
        arrays[f] = pa.array(v, pa.float64(), mask=np.isnan(v) if f != "close" else None)
    arrays["mode"] = modes
    return pa.table(arrays)


def _wide(keys: np.ndarray, days: np.ndarray, values: np.ndarray, tickers: list[str],
          lookup: np.ndarray | None = None) -> pd.DataFrame:
    """Long (key, day number, value) -> wide float64 DataFrame (compiled scatter).

    ``keys`` are column positions, or ticker ids mapped to positions by ``lookup``.
    """
    from ._scatter import scatter_wide

    if np.ma.isMaskedArray(values):  # NULL fields (e.g. no open) are NaN, not dropped
        values = values.filled(np.nan)
    if lookup is None:
        lookup = np.arange(len(tickers), dtype=np.int64)
    # No dtype conversion: the kernel is compiled for the integer widths it receives.
    matrix, dates = scatter_wide(np.ascontiguousarray(keys), lookup,
                                 np.ascontiguousarray(days),
                                 np.ascontiguousarray(values, dtype=np.float64), len(tickers))
    index = pd.DatetimeIndex(dates.astype("datetime64[D]").astype("datetime64[ns]"), name="date")
    return pd.DataFrame(matrix, index=index, columns=pd.Index(tickers, name="ticker"),
                        copy=False)


def _assign_ticker_ids(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Give every ticker of ``source`` (a table with a ticker column) an integer id."""
    con.execute(f"""
        INSERT INTO ticker_ids
        SELECT s.ticker, (SELECT coalesce(max(tid), -1) FROM ticker_ids)
                         + row_number() OVER (ORDER BY s.ticker)
        FROM (SELECT DISTINCT ticker FROM {source}) s
        WHERE s.ticker NOT IN (SELECT ticker FROM ticker_ids)""")


def _pivot(table: pa.Table, tickers: list[str]) -> pd.DataFrame:
    """Long Arrow table (col, day, v) -> wide DataFrame (as :meth:`Store.close_matrix`)."""
    return _wide(table.column("col").to_numpy(), table.column("day").to_numpy(),
                 table.column("v").to_numpy(zero_copy_only=False), tickers)
