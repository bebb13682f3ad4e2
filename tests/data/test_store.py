"""Store reads (wide matrix vs a pandas oracle) and the Parquet export/restore round trip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from rotascope.data.importer import import_path
from rotascope.data.model import SeriesData
from rotascope.data.sources.parquet import ParquetSource, parse_price_parquet
from rotascope.data.store import Store
from rotascope.errors import NoDataError, ParameterError, UnknownTickerError
from rotascope.outputs.cli.main import cli

TABLES = ("prices", "instruments", "universes", "universe_members", "provenance",
          "quality_flags")


def _contents(path: Path, tables=TABLES) -> dict[str, list]:
    with Store(path, read_only=True) as store:
        return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in tables}


def _differences(a: Path, b: Path, tables=TABLES) -> dict[str, tuple[int, int, int]]:
    """Per table: rows in a, rows in b, 1 if their contents differ (as multisets)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        out = {}
        for t in tables:
            na = con.execute(f"SELECT count(*) FROM a.{t}").fetchall()[0][0]
            nb = con.execute(f"SELECT count(*) FROM b.{t}").fetchall()[0][0]
            # order-independent multiset fingerprint: sum of row hashes (one scan each)
            ha, hb = (con.execute(f"SELECT coalesce(sum(hash(x)::HUGEINT), 0) FROM {db}.{t} x"
                                  ).fetchall()[0][0] for db in ("a", "b"))
            out[t] = (na, nb, int(ha != hb))
        return out
    finally:
        con.close()


def _oracle(store: Store, tickers, start=None, end=None, field="close") -> pd.DataFrame:
    long = store.con.execute(f"SELECT ticker, date, {field} FROM prices").df()
    long["date"] = pd.to_datetime(long["date"])
    if start is not None:
        long = long[long["date"] >= pd.Timestamp(start)]
    if end is not None:
        long = long[long["date"] <= pd.Timestamp(end)]
    long = long[long["ticker"].isin(tickers)]
    wide = long.pivot(index="date", columns="ticker", values=field).sort_index()
    return wide.reindex(columns=tickers).astype(float)


@pytest.mark.parametrize("tickers,start,end", [
    (None, None, None),
    (["SPY", "^TNX", "AAPL", "BRK-B", "HONA"], None, "2024-06-28"),
    (["IBIT", "GBTC"], "2024-01-01", "2024-03-31"),
    (["HONA", "SPY"], "2026-06-01", None),
])
def test_close_matrix_equals_pandas_pivot(loaded_store, tickers, start, end):
    with Store(loaded_store.store_path, read_only=True) as store:
        want = store.tickers() if tickers is None else tickers
        got = store.close_matrix(tickers, start=start, end=end)
        ref = _oracle(store, want, start, end)
    assert list(got.columns) == want
    assert got.index.name == "date" and got.index.is_monotonic_increasing
    np.testing.assert_array_equal(got.index.values, ref.index.values.astype("datetime64[ns]"))
    np.testing.assert_array_equal(got.to_numpy(), ref.to_numpy())
    assert got.dtypes.eq(np.float64).all()


def test_close_matrix_unknown_tickers_and_other_fields(tmp_path, loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        with pytest.raises(UnknownTickerError) as info:
            store.close_matrix(["SPY", "NOPE", "ZZZ"])
        assert info.value.tickers == ["NOPE", "ZZZ"]
        loose = store.close_matrix(["SPY", "NOPE"], end="1993-02-02", strict=False)
        assert loose["NOPE"].isna().all() and loose["SPY"].notna().all()
        empty = store.close_matrix(["SPY"], end="1990-01-01")
        assert empty.shape == (0, 1)
    # OHLC fields, with nulls where a source had no value
    idx = pd.bdate_range("2024-01-01", periods=3, name="date")
    a = pd.DataFrame({"close": [1.0, 2.0, 3.0], "open": [0.5, 1.5, 2.5]}, index=idx)
    b = pd.DataFrame({"close": [7.0, 8.0]}, index=idx[1:])
    with Store(tmp_path / "s.duckdb") as store:
        store.import_series([SeriesData("A", a, "t", "a", "1"), SeriesData("B", b, "t", "b", "2")])
        opens = store.close_matrix(["B", "A"], field="open")
        assert opens["A"].tolist() == [0.5, 1.5, 2.5]
        assert opens["B"].isna().all()
        with pytest.raises(Exception, match="field"):
            store.close_matrix(["A"], field="adj")
    with Store(tmp_path / "missing.duckdb", read_only=True) as store, \
            pytest.raises(NoDataError, match="rotascope data import"):
        store.close_matrix(["SPY"])


def test_long_prices_are_sorted_and_complete(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        codes, names, days, values = store.long_prices(["SPY", "AAPL"])
        spy = store.series("SPY")
    assert names == ["AAPL", "SPY"]
    assert (np.diff(codes) >= 0).all()
    sel = codes == names.index("SPY")
    np.testing.assert_array_equal(values[sel], spy["close"].to_numpy())
    np.testing.assert_array_equal(days[sel], spy.index.values.astype("datetime64[D]").astype(int))


# -- Parquet export / restore ------------------------------------------------------------

def test_export_restore_round_trip_of_the_whole_store(loaded_store, tmp_path):
    runner = CliRunner()
    export = tmp_path / "backup"
    r = runner.invoke(cli, ["--home", str(loaded_store.home), "data", "export", str(export),
                            "--json"])
    assert r.exit_code == 0, r.output
    counts = json.loads(r.stdout)["tables"]
    assert counts["prices"] == 3_012_032 and counts["universes"] == 1
    manifest = json.loads((export / "rotascope-export.json").read_text())
    assert manifest["tables"] == counts
    assert pq.read_table(export / "prices.parquet").num_rows == 3_012_032

    home = tmp_path / "restored"
    r = runner.invoke(cli, ["--home", str(home), "data", "import", str(export), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["summary"]
    assert summary["new"] == 608 and summary["rows_written"] == 3_012_032
    assert summary["flags"] == 243
    diffs = _differences(home / "store.duckdb", loaded_store.store_path)
    assert all(d == 0 and na == nb for na, nb, d in diffs.values()), diffs
    assert diffs["prices"][0] == 3_012_032

    shutil.copy(home / "store.duckdb", tmp_path / "before.duckdb")
    r = runner.invoke(cli, ["--home", str(home), "data", "import", str(export), "--json"])
    assert json.loads(r.stdout)["summary"]["unchanged"] == 608
    diffs = _differences(home / "store.duckdb", tmp_path / "before.duckdb",
                         (*TABLES, "import_runs"))
    assert all(d == 0 and na == nb for na, nb, d in diffs.values()), diffs


def _small_store(path: Path) -> None:
    idx = pd.bdate_range("2024-01-01", periods=5, name="date")
    with Store(path) as store:
        store.import_series([
            SeriesData("A", pd.DataFrame({"close": [1.0, 2, 3, 4, 5]}, index=idx), "t", "a", "1"),
            SeriesData("B", pd.DataFrame({"close": [5.0, 4, 3, 2, 1],
                                          "volume": [1.0, 2, 3, 4, 5]}, index=idx), "t", "b",
                       "2")])


def test_restore_rejects_bad_tickers_and_keeps_the_rest(tmp_path):
    _small_store(tmp_path / "a.duckdb")
    with Store(tmp_path / "a.duckdb", read_only=True) as store:
        store.export_parquet(tmp_path / "exp")
    prices = pq.read_table(tmp_path / "exp" / "prices.parquet").to_pandas()
    prices.loc[prices["ticker"] == "B", "close"] = [5.0, np.nan, 3, 2, 1]
    pq.write_table(pa.Table.from_pandas(prices, preserve_index=False),
                   tmp_path / "exp" / "prices.parquet")
    with Store(tmp_path / "b.duckdb") as store:
        result = import_path(store, tmp_path / "exp")
        assert store.tickers() == ["A"]
    (rej,) = result.rejected
    assert rej.ticker == "B" and rej.check == "bad_close" and "NaN close" in rej.reason
    # a truncated copy is refused as a whole, nothing written
    pq.write_table(pa.Table.from_pandas(prices.iloc[:3], preserve_index=False),
                   tmp_path / "exp" / "prices.parquet")
    with Store(tmp_path / "c.duckdb") as store:
        with pytest.raises(Exception, match="truncated"):
            import_path(store, tmp_path / "exp")
        assert store.is_empty


def test_export_refuses_a_foreign_non_empty_folder(tmp_path):
    _small_store(tmp_path / "a.duckdb")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with Store(tmp_path / "a.duckdb", read_only=True) as store:
        with pytest.raises(ParameterError, match="not empty"):
            store.export_parquet(tmp_path / "busy")
        store.export_parquet(tmp_path / "ok")
        store.export_parquet(tmp_path / "ok")          # re-exporting over an export is fine
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_parquet_source_long_table(tmp_path):
    frame = pd.DataFrame({
        "ticker": ["x", "x", "BRK.B", "x", "BAD", "BAD"],
        "date": pd.to_datetime(["2024-01-03", "2024-01-02", "2024-01-02", "2024-01-04",
                                "2024-01-02", "2024-01-02"]),
        "close": [2.0, 1.0, 10.0, 3.0, 1.0, 1.0]})
    path = tmp_path / "long.parquet"
    frame.to_parquet(path)
    series, rejected = parse_price_parquet(path.read_bytes(), str(path))
    assert [s.ticker for s in series] == ["X", "BRK-B"]
    assert series[0].frame["close"].tolist() == [1.0, 2.0, 3.0]      # sorted by date
    assert [r.check for r in rejected] == ["dup_dates"] and rejected[0].ticker == "BAD"
    src = ParquetSource()
    assert src.build_query(path=tmp_path).params["files"] == [str(path)]
    with Store(tmp_path / "s.duckdb") as store:
        result = import_path(store, path)
        assert store.tickers() == ["BRK-B", "X"]
    assert [r.ticker for r in result.rejected] == ["BAD"]
    shutil.rmtree(tmp_path / "s.duckdb", ignore_errors=True)


def test_store_from_schema_1_is_migrated(tmp_path) -> None:
    """A store written before integer ticker ids (schema 1) reads the same, read-only or
    after the automatic migration on the first read-write open."""
    import numpy as np
    import pandas as pd

    from rotascope.data.model import SeriesData
    from rotascope.data.store import Store

    idx = pd.bdate_range("2024-01-01", periods=30, name="date")
    series = [SeriesData(t, pd.DataFrame({"close": np.arange(30.0) + k}, index=idx),
                         "test", f"mem:{t}", f"sum{t}") for k, t in enumerate(["B", "A", "C"])]
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        store.import_series(series)
        expected = store.close_matrix(["C", "A"])
        # turn it back into a schema-1 store
        store.con.execute("ALTER TABLE prices DROP COLUMN tid")
        store.con.execute("DROP TABLE ticker_ids")
        store.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with Store(path, read_only=True) as store:
        pd.testing.assert_frame_equal(store.close_matrix(["C", "A"]), expected)
    with Store(path) as store:
        ids = dict(store.con.execute("SELECT ticker, tid FROM ticker_ids").fetchall())
        assert sorted(ids) == ["A", "B", "C"] and len(set(ids.values())) == 3
        assert store.con.execute("SELECT count(*) FROM prices WHERE tid IS NULL"
                                 ).fetchall()[0][0] == 0
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                 ).fetchall()[0][0] == "2"
        pd.testing.assert_frame_equal(store.close_matrix(["C", "A"]), expected)
        # a new ticker after the migration gets the next id
        store.import_series([SeriesData("D", pd.DataFrame({"close": np.ones(30)}, index=idx),
                                        "test", "mem:D", "sumD")])
        assert store.con.execute("SELECT tid FROM ticker_ids WHERE ticker = 'D'"
                                 ).fetchall()[0][0] == 3
        assert store.close_matrix(["D"])["D"].eq(1.0).all()
