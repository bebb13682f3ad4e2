"""The Dask engine equals the local engine bit for bit (LocalCluster), from the store and
from a Parquet dataset; a dataset bigger than a worker's memory limit streams through."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.dataset import dataset_dates, read_block, write_dataset
from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.outputs.cli.main import cli
from rotascope.scan import run_scan
from rotascope.scan.dask_engine import local_client

pytest.importorskip("distributed")

AS_OF = pd.Timestamp("2024-06-28")
CONDITION = ("close($) > sma($, 50) and ratio($, SPY).lowest_in_months >= 1 "
             "or rsi($, 14) crosses_above 60 and close(SPY) > sma(SPY, 200)")


@pytest.fixture(scope="module")
def market(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        yield MarketView.open(store, loaded_store, as_of=AS_OF)


@pytest.fixture(scope="module")
def client():
    with local_client(2) as c:
        yield c


@pytest.fixture(scope="module")
def dataset(loaded_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ds") / "prices"
    with Store(loaded_store.store_path, read_only=True) as store:
        meta = write_dataset(store, folder, buckets=8)
    return folder, meta


def test_dask_blocks_equal_the_local_engine(market, client) -> None:
    kw = {"universe": "sp500", "sort": "rsi($, 14)", "start": "2024-05-01"}
    local = run_scan(market, CONDITION, **kw)
    assert local.matches and local.entries
    for block in (37, 200):
        dask = run_scan(market, CONDITION, engine="dask", client=client, block_size=block,
                        **kw)
        assert dask == local  # every value, bit for bit (floats compared exactly)
        assert dask.to_dict() == local.to_dict()


def test_dataset_round_trip_and_dask_from_the_dataset(market, client, dataset,
                                                      loaded_store) -> None:
    folder, meta = dataset
    with Store(loaded_store.store_path, read_only=True) as store:
        assert meta["rows"] == len(store.long_prices()[0])
        want = store.close_matrix(["AAPL", "SPY", "BRK-B"], end=AS_OF)
    got = read_block(folder, ["AAPL", "SPY", "BRK-B"], end=AS_OF)
    pd.testing.assert_frame_equal(got, want, check_names=False, check_freq=False)
    assert dataset_dates(folder, ["AAPL", "SPY"], end=AS_OF).equals(
        pd.DatetimeIndex(want[["AAPL", "SPY"]].dropna(how="all").index))
    local = run_scan(market, CONDITION, universe="sp500", start="2024-05-01")
    dask = run_scan(market, CONDITION, universe="sp500", start="2024-05-01", engine="dask",
                    client=client, dataset=str(folder), block_size=80)
    assert dask == local


def test_duckdb_reads_the_dataset(dataset) -> None:
    import duckdb

    folder, meta = dataset
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', "
                   "hive_partitioning=1)").fetchall()[0][0]
    assert n == meta["rows"]


def test_cli_engine_dask_and_export(loaded_store, tmp_path) -> None:
    runner = CliRunner()
    home = ["--home", str(loaded_store.home)]
    args = ["scan", "close($) > sma($, 50)", "--as-of", "2024-06-28", "--json"]
    local = runner.invoke(cli, [*home, *args])
    dask = runner.invoke(cli, [*home, *args, "--engine", "dask"])
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    assert json.loads(local.stdout) == json.loads(dask.stdout)
    out = tmp_path / "ds"
    r = runner.invoke(cli, [*home, "data", "export", "--format", "parquet-dataset", str(out),
                            "--buckets", "4", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["buckets"] == 4
    ds = runner.invoke(cli, [*home, *args, "--engine", "dask", "--dataset", str(out)])
    assert ds.exit_code == 0, ds.output
    assert json.loads(ds.stdout) == json.loads(local.stdout)


class _FrameStore:
    """The two store methods write_dataset reads, over a wide frame (synthetic data)."""

    def __init__(self, close: pd.DataFrame) -> None:
        self.close = close

    def tickers(self) -> list[str]:
        return list(self.close.columns)

    def long_prices(self, tickers, field="close"):
        block = self.close[list(tickers)]
        values = block.to_numpy().T.ravel()
        codes = np.repeat(np.arange(len(tickers)), len(block))
        days = np.tile(block.index.to_numpy().astype("datetime64[D]").astype(np.int64),
                       len(tickers))
        ok = ~np.isnan(values)
        return codes[ok], list(tickers), days[ok], values[ok]


@pytest.mark.slow
def test_a_dataset_bigger_than_the_worker_memory_streams_through(tmp_path) -> None:
    rng = np.random.default_rng(7)
    days = pd.bdate_range("2016-01-01", periods=1500)
    n = 12_000
    close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (len(days), n)), 0)),
                         index=days, columns=[f"S{i:05d}" for i in range(n)])
    close["SPY"] = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
    folder = tmp_path / "big"
    write_dataset(_FrameStore(close), folder, buckets=64)
    members = [c for c in close.columns if c != "SPY"]
    market = MarketView.from_frame(close, universes={"big": members}, as_of=days[-1])
    condition = "close($) > sma($, 50) and ratio($, SPY).lowest_in_months >= 1"
    # with entries the whole history of every operand is needed (a one-date scan
    # computes the N-month low on its row only and stays far smaller)
    window = {"start": days[-20]}
    import tracemalloc

    tracemalloc.start()
    local = run_scan(market, condition, universe="big", **window)
    _, local_peak = tracemalloc.get_traced_memory()  # numpy allocations included
    tracemalloc.stop()
    limit = 600 * 2**20
    assert local_peak > limit  # the whole-matrix scan would not fit in one worker
    with local_client(1, processes=True, memory_limit=limit) as c:
        dask = run_scan(market, condition, universe="big", engine="dask", client=c,
                        dataset=str(folder), block_size=500, **window)
        peaks = c.run(lambda dask_worker: max(dask_worker.monitor.range_query(0)["memory"]))
    assert dask == local
    assert 0 < max(peaks.values()) < limit  # the worker's process memory (RSS) samples


def test_a_folder_that_is_not_a_dataset_is_a_clear_error(tmp_path, market) -> None:
    from rotascope.data.dataset import dataset_info
    from rotascope.errors import DataError, ParameterError

    with pytest.raises(DataError, match="not a rotascope Parquet dataset"):
        dataset_info(tmp_path)
    with pytest.raises(ParameterError, match="read by the Dask engine"):
        run_scan(market, "close($) > 1", universe="sp500", dataset=str(tmp_path))
    (tmp_path / "x").write_text("1")
    with pytest.raises(ParameterError, match="not empty"):
        write_dataset(None, tmp_path)


def test_scheduler_address_connects_to_an_existing_cluster(market, client) -> None:
    address = client.scheduler.address  # in-process cluster of the module fixture
    kw = {"universe": "sp500"}
    local = run_scan(market, "close($) > sma($, 200) and rsi($, 14) > 55", **kw)
    remote = run_scan(market, "close($) > sma($, 200) and rsi($, 14) > 55", engine="dask",
                      scheduler=address, **kw)
    assert remote == local
    assert client.status == "running"  # the command closed only its own connection


BREADTH_CONDITION = ("close($) > sma($, 50) and breadth(sp500).pct_above_sma.50 > 0.3 "
                     "and breadth(sp500).new_highs >= 0")


def test_breadth_block_counts_add_up_to_the_breadth_history(market) -> None:
    from rotascope.analysis.breadth import (
        breadth_block_counts,
        breadth_from_counts,
        breadth_history,
    )

    tickers = sorted(market.present(market.ever_members("sp500")))[:150]
    close = market.close(tickers)
    mask = market.membership("sp500", close.index, tickers)
    want = breadth_history(close, members=mask)
    values, members = close.to_numpy(dtype=np.float64), mask.to_numpy(dtype=bool)
    parts = [breadth_block_counts(values[:, sl], members[:, sl])
             for sl in (slice(0, 23), slice(23, 100), slice(100, 150))]
    got = breadth_from_counts(parts[0] + parts[1] + parts[2], close.index)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert (want["new_highs"] > 0).any() and (want["members"] < 150).any()
    with pytest.raises(Exception, match="do not match"):
        breadth_from_counts(parts[0][:, :-1], close.index)


def test_dask_breadth_is_a_tree_reduction_equal_to_the_local_history(market, client,
                                                                     dataset) -> None:
    from rotascope.analysis.inputs import universe_breadth
    from rotascope.scan.dask_engine import dask_breadth, tree_sum

    want = universe_breadth(market, "sp500")
    for block in (37, 500):
        got = dask_breadth(client, market, "sp500", block_size=block)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    folder, _ = dataset
    got = dask_breadth(client, market, "sp500", block_size=80, dataset=str(folder))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    parts = [client.submit(np.full, 3, i, pure=False) for i in range(7)]
    assert tree_sum(client, parts).tolist() == [21, 21, 21]


def test_dask_scan_with_breadth_counts_on_the_workers(market, client, dataset,
                                                      monkeypatch) -> None:
    kw = {"universe": "sp500", "start": "2024-06-01"}
    local = run_scan(market, BREADTH_CONDITION, **kw)
    assert local.matches
    # the Dask engine must not compute the breadth history in the client process
    import rotascope.rules.functions as functions

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("breadth computed on the client")

    monkeypatch.setattr(functions, "universe_breadth", refuse)
    with pytest.raises(AssertionError, match="on the client"):
        run_scan(market, BREADTH_CONDITION, **kw)
    dask = run_scan(market, BREADTH_CONDITION, engine="dask", client=client, block_size=120,
                    **kw)
    assert dask == local
    folder, _ = dataset
    dask = run_scan(market, BREADTH_CONDITION, engine="dask", client=client, block_size=150,
                    dataset=str(folder), **kw)
    assert dask == local
