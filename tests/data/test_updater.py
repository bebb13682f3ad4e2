"""``data update``: only missing dates, overlap re-adjustment, failures, exit codes, CLI.

A fake Yahoo (``httpx.MockTransport``) serves the AAPL chart fixture cut to the requested
``period1``/``period2``, as the real endpoint does; the store is a temporary DuckDB file.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.model import SeriesData
from rotascope.data.sources.fred import FredSource
from rotascope.data.sources.stooq import StooqSource
from rotascope.data.sources.yahoo import YahooSource, parse_chart
from rotascope.data.store import Store
from rotascope.data.updater import update_prices, update_tickers
from rotascope.errors import EXIT_DATA, EXIT_NETWORK, EXIT_OK, ParameterError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
AAPL = json.loads((FIX / "yahoo" / "chart_AAPL.json").read_text())
NOT_FOUND = (FIX / "yahoo" / "chart_not_found.json").read_bytes()
FULL = parse_chart(json.dumps(AAPL).encode(), ticker="AAPL", location="fixture",
                   symbol="AAPL").series.frame
SPLIT = pd.Timestamp("2026-07-10")  # the store initially holds AAPL up to this date


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any request that is not served by a MockTransport fails the test."""
    def refuse(self, request):
        raise AssertionError(f"a test tried to reach the network: {request.url}")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)


def chart_between(data: dict, period1: int, period2: int) -> bytes:
    """The chart JSON restricted to period1 <= timestamp < period2 (as Yahoo answers)."""
    out = copy.deepcopy(data)
    res = out["chart"]["result"][0]
    keep = [i for i, t in enumerate(res["timestamp"]) if period1 <= t < period2]
    res["timestamp"] = [res["timestamp"][i] for i in keep]
    quote = res["indicators"]["quote"][0]
    for k in list(quote):
        quote[k] = [quote[k][i] for i in keep]
    adj = res["indicators"]["adjclose"][0]
    adj["adjclose"] = [adj["adjclose"][i] for i in keep]
    return json.dumps(out).encode()


class FakeYahoo:
    """Serves chart fixtures per symbol, cut to the requested period; logs requests."""

    def __init__(self, charts: dict[str, dict] | None = None, *,
                 fail: dict[str, int] | None = None, offline: bool = False) -> None:
        self.charts = charts if charts is not None else {"AAPL": AAPL}
        self.fail = fail or {}
        self.offline = offline
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.offline:
            raise httpx.ConnectError("[Errno 101] Network is unreachable", request=request)
        symbol = request.url.path.rsplit("/", 1)[-1]
        if symbol in self.fail or symbol not in self.charts:
            return httpx.Response(self.fail.get(symbol, 404), content=NOT_FOUND)
        q = parse_qs(request.url.query.decode())
        return httpx.Response(200, content=chart_between(
            self.charts[symbol], int(q["period1"][0]), int(q["period2"][0])))

    def period1s(self) -> list[pd.Timestamp]:
        return [pd.Timestamp(int(parse_qs(r.url.query.decode())["period1"][0]), unit="s")
                for r in self.requests]

    def source(self) -> YahooSource:
        client = httpx.Client(transport=httpx.MockTransport(self))
        return YahooSource(client, sleep=lambda s: None, rng=random.Random(0),
                           clock=lambda: 1_800_000_000)


def seed(store: Store, frame: pd.DataFrame, ticker: str = "AAPL", source: str = "yahoo",
         checksum: str = "seed") -> None:
    store.import_series([SeriesData(ticker=ticker, frame=frame, source=source,
                                    location="seed", checksum=checksum, adjusted=True)])


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "store.duckdb") as s:
        yield s


def stored_close(store: Store, ticker: str = "AAPL") -> pd.Series:
    return store.series(ticker)["close"]


def test_fetches_only_missing_dates_and_appends(store):
    seed(store, FULL.loc[:SPLIT])
    before = stored_close(store)
    yahoo = FakeYahoo()
    result = update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()})
    # one request, from the 5th-last stored date (the overlap), not from the beginning
    assert len(yahoo.requests) == 1
    assert yahoo.period1s() == [before.index[-5]]
    (u,) = result.tickers
    assert (u.status, u.source, u.rows_added, u.rows_changed) == ("updated", "yahoo", 5, 0)
    assert u.start == before.index[-5] and u.stored_last == SPLIT
    assert u.last_date == pd.Timestamp("2026-07-17")
    assert result.exit_code == EXIT_OK and result.run_id is not None
    after = stored_close(store)
    # the store now equals the fixture's full (adjusted) history, old rows untouched
    pd.testing.assert_series_equal(after, FULL["close"], check_names=False,
                                   check_index_type=False, check_freq=False)
    pd.testing.assert_series_equal(after.loc[:SPLIT], before, check_freq=False)
    assert store.series("AAPL").loc["2026-07-17", "unadjusted_close"] == \
        FULL.loc["2026-07-17", "unadjusted_close"]
    prov = store.provenance("AAPL")
    assert prov.iloc[0]["source"] == "yahoo" and prov.iloc[0]["rows"] == 5
    assert "period1=" in prov.iloc[0]["location"]


def test_second_run_finds_nothing_new(store):
    seed(store, FULL)
    yahoo = FakeYahoo()
    result = update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()})
    (u,) = result.tickers
    assert u.status == "unchanged" and u.rows_added == 0
    assert result.run_id is None  # nothing written, no import run
    assert yahoo.period1s() == [FULL.index[-5]]
    assert len(stored_close(store)) == len(FULL)


def test_overlap_uses_stored_rows_for_any_calendar(store):
    # weekly rows: the overlap is 2 stored rows back, whatever the spacing
    weekly = FULL.loc[FULL.index.day_of_week == 0].loc[:SPLIT]
    seed(store, weekly)
    yahoo = FakeYahoo()
    update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()}, overlap=2)
    assert yahoo.period1s() == [weekly.index[-2]]


def test_readjusted_history_is_refetched_in_full_and_replaced(store):
    # The stored closes are from before a dividend: 2 % lower than today's adjusted ones.
    old = FULL.loc[:SPLIT].copy()
    old["close"] = old["close"] * 0.98
    seed(store, old)
    yahoo = FakeYahoo()
    result = update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()})
    (u,) = result.tickers
    assert u.status == "readjusted"
    assert yahoo.period1s() == [old.index[-5], pd.Timestamp("1900-01-01")]
    assert any("overlap differs on 5 of 5 date(s)" in n for n in u.notes)
    assert u.rows_added == 5 and u.rows_changed == len(old)
    pd.testing.assert_series_equal(stored_close(store), FULL["close"], check_names=False,
                                   check_index_type=False, check_freq=False)


def test_differences_below_tolerance_are_not_a_readjustment(store):
    old = FULL.loc[:SPLIT].copy()
    old["close"] = old["close"] * (1 + 5e-7)
    seed(store, old)
    yahoo = FakeYahoo()
    (u,) = update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()}).tickers
    assert u.status == "updated" and len(yahoo.requests) == 1


def test_new_ticker_from_start_date(store):
    yahoo = FakeYahoo()
    result = update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()},
                           start="2026-07-01")
    assert yahoo.period1s() == [pd.Timestamp("2026-07-01")]
    (u,) = result.tickers
    assert u.status == "new" and u.rows_added == len(FULL.loc["2026-07-01":])
    assert store.instruments().loc["AAPL", "name"] == "Apple Inc."


def test_new_ticker_defaults_to_full_history(store):
    yahoo = FakeYahoo()
    update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()})
    assert yahoo.period1s() == [pd.Timestamp("1900-01-01")]


def test_one_failing_ticker_does_not_sink_the_run(store):
    seed(store, FULL.loc[:SPLIT])
    yahoo = FakeYahoo()
    result = update_prices(store, ["ZZZZ", "AAPL"], sources={"yahoo": yahoo.source()})
    bad, good = result.tickers
    assert bad.status == "failed" and not bad.offline
    assert "No data found, symbol may be delisted" in bad.error
    assert good.status == "updated" and good.rows_added == 5
    assert result.exit_code == EXIT_DATA
    assert stored_close(store).index[-1] == pd.Timestamp("2026-07-17")


def test_offline_everything_fails_fast_with_exit_code_5(store):
    seed(store, FULL.loc[:SPLIT])
    yahoo = FakeYahoo(offline=True)
    result = update_prices(store, ["AAPL", "MSFT", "NVDA"], sources={"yahoo": yahoo.source()})
    assert len(yahoo.requests) == 3  # 3 attempts for AAPL, none for the others
    assert [t.status for t in result.tickers] == ["failed"] * 3
    assert all(t.offline for t in result.tickers)
    assert result.tickers[0].error.startswith(
        "cannot reach query2.finance.yahoo.com (offline?): ConnectError")
    assert result.exit_code == EXIT_NETWORK
    assert len(stored_close(store)) == len(FULL.loc[:SPLIT])  # store unchanged


def test_offline_for_some_tickers_only_is_exit_code_3(store):
    seed(store, FULL.loc[:SPLIT])
    yahoo = FakeYahoo(offline=True)

    def fred_ok(request):
        return httpx.Response(200, content=(FIX / "fred" / "fredgraph_DGS10.csv").read_bytes())

    fred = FredSource(httpx.Client(transport=httpx.MockTransport(fred_ok)),
                      sleep=lambda s: None)
    result = update_prices(store, ["AAPL", "DGS10"],
                           sources={"yahoo": yahoo.source(), "fred": fred})
    assert [t.status for t in result.tickers] == ["failed", "new"]
    assert result.exit_code == EXIT_DATA


def test_default_source_per_ticker(store):
    seed(store, FULL.loc[:SPLIT])
    seed(store, FULL.loc[:SPLIT], ticker="MSFT", source="stooq", checksum="seed2")
    calls: dict[str, list] = {"fred": [], "stooq": []}

    def fred(request):
        calls["fred"].append(request)
        return httpx.Response(200, content=(FIX / "fred" / "fredgraph_DGS10.csv").read_bytes())

    def stooq(request):
        calls["stooq"].append(request)
        return httpx.Response(200, content=(FIX / "stooq" / "aapl.us.csv").read_bytes())

    yahoo = FakeYahoo()
    sources = {"yahoo": yahoo.source(),
               "fred": FredSource(httpx.Client(transport=httpx.MockTransport(fred))),
               "stooq": StooqSource(httpx.Client(transport=httpx.MockTransport(stooq)))}
    result = update_prices(store, ["AAPL", "DGS10", "MSFT"], sources=sources)
    assert [t.source for t in result.tickers] == ["yahoo", "fred", "stooq"]
    assert len(yahoo.requests) == 1 and len(calls["fred"]) == 1
    assert parse_qs(calls["stooq"][0].url.query.decode())["s"] == ["msft.us"]
    dgs = result.tickers[1]
    assert dgs.status == "new" and len(dgs.skipped) == 2  # the two "." rows, reported
    assert store.instruments().loc["DGS10", "kind"] == "rate"
    # forcing a source overrides the choice
    forced = update_prices(store, ["DGS10"], source="fred", sources=sources)
    assert forced.tickers[0].source == "fred"


def test_flags_are_recomputed_on_the_whole_history(store):
    seed(store, FULL.loc[:SPLIT])
    update_prices(store, ["AAPL"], sources={"yahoo": FakeYahoo().source()})
    flags = {f.check: f for f in store.quality_flags(["AAPL"])}
    # short_history counts every stored row, not only the 5 appended ones
    assert flags["short_history"].count == len(FULL)


def test_skipped_rows_reported(store):
    yahoo = FakeYahoo()
    (u,) = update_prices(store, ["AAPL"], sources={"yahoo": yahoo.source()}).tickers
    assert [s.date for s in u.skipped] == [pd.Timestamp("2026-06-19")]
    assert u.to_dict()["skipped"][0]["date"] == "2026-06-19"


def test_arguments_are_validated(store):
    with pytest.raises(ParameterError, match="unknown source 'bloomberg'; sources that can "
                                             "update prices: fred, stooq, yahoo"):
        update_prices(store, ["AAPL"], source="bloomberg")
    with pytest.raises(ParameterError, match="no tickers"):
        update_prices(store, [])
    with pytest.raises(ParameterError, match="'overlap'"):
        update_prices(store, ["AAPL"], overlap=0)


def test_update_tickers_defaults(store, tmp_path):
    from rotascope.config import Settings

    settings = Settings(home=tmp_path / "home")
    builtin = update_tickers(store, settings=settings)
    assert {"AAPL", "SPY", "MAGS", "^TNX", "IBIT"} <= set(builtin)
    assert len(builtin) == len(set(builtin))
    assert update_tickers(store, universe="mag7", settings=settings)[:2] == ["AAPL", "MSFT"]
    assert update_tickers(store, tickers=["brk.b", "SPY"]) == ["BRK-B", "SPY"]
    seed(store, FULL.loc[:SPLIT])
    assert update_tickers(store, settings=settings) == ["AAPL"]


# -- CLI -------------------------------------------------------------------------------------

@pytest.fixture()
def fake_sources(monkeypatch):
    """Make the CLI's sources use the fake Yahoo / FRED / Wikipedia transports."""
    yahoo = FakeYahoo()
    fred_csv = (FIX / "fred" / "fredgraph_DGS10.csv").read_bytes()
    page = (FIX / "wikipedia" / "List_of_S&P_500_companies.html").read_bytes()

    import rotascope.data.sources.fred as fred_mod
    import rotascope.data.sources.wikipedia as wiki_mod
    import rotascope.data.updater as updater_mod

    real_fred, real_wiki = fred_mod.FredSource, wiki_mod.WikipediaSp500Source
    seen: dict[str, object] = {}

    def make_fred(*args, api_key=None, **kwargs):
        seen["fred_key"] = api_key
        return real_fred(httpx.Client(transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=fred_csv))), api_key=api_key,
            sleep=lambda s: None)

    def make_wiki(*args, **kwargs):
        return real_wiki(httpx.Client(transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=page))))

    monkeypatch.setattr(fred_mod, "FredSource", make_fred)
    monkeypatch.setattr(wiki_mod, "WikipediaSp500Source", make_wiki)
    monkeypatch.setattr(updater_mod, "get_source",
                        lambda name: yahoo.source() if name == "yahoo" else None)
    return yahoo, seen


def run_cli(home: Path, *args: str):
    from rotascope.outputs.cli.main import cli

    return CliRunner().invoke(cli, ["--home", str(home), "data", "update", *args])


def test_cli_json_update(tmp_path, fake_sources, monkeypatch):
    yahoo, seen = fake_sources
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    home = tmp_path / "home"
    with Store(home / "store.duckdb") as s:
        seed(s, FULL.loc[:SPLIT])
    result = run_cli(home, "--tickers", "AAPL,DGS10", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"universe", "source", "run_id", "exit_code", "summary", "tickers",
                        "members"}
    assert out["exit_code"] == 0 and out["members"] is None
    assert out["summary"] == {"new": 1, "updated": 1, "unchanged": 0, "readjusted": 0,
                              "failed": 0, "rows_added": 5 + len(pd.bdate_range(
                                  "2026-06-01", "2026-07-17")) - 2, "rows_changed": 0}
    aapl, dgs = out["tickers"]
    assert aapl == {**aapl, "ticker": "AAPL", "source": "yahoo", "status": "updated",
                    "start": "2026-07-06", "stored_last": "2026-07-10",
                    "last_date": "2026-07-17", "rows_added": 5, "error": None,
                    "offline": False}
    assert dgs["source"] == "fred" and dgs["start"] is None
    assert [s["date"] for s in dgs["skipped"]] == ["2026-06-19", "2026-07-03"]
    assert seen["fred_key"] is None


def test_cli_offline_exit_code_5_and_message(tmp_path, fake_sources):
    yahoo, _ = fake_sources
    yahoo.offline = True
    result = run_cli(tmp_path / "home", "--tickers", "AAPL,MSFT")
    assert result.exit_code == EXIT_NETWORK
    assert "cannot reach query2.finance.yahoo.com (offline?)" in result.stdout
    assert "could not be reached" in result.stdout


def test_cli_partial_failure_exit_code_3(tmp_path, fake_sources):
    result = run_cli(tmp_path / "home", "--tickers", "AAPL,ZZZZ", "--json")
    assert result.exit_code == EXIT_DATA
    out = json.loads(result.stdout)
    assert [t["status"] for t in out["tickers"]] == ["new", "failed"]


def test_cli_members_only(tmp_path, fake_sources):
    yahoo, _ = fake_sources
    home = tmp_path / "home"
    result = run_cli(home, "--members", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["members"]["universe"] == "sp500" and out["members"]["members"] == 6
    assert out["tickers"] == []
    assert yahoo.requests == []  # members only: no prices fetched
    with Store(home / "store.duckdb", read_only=True) as s:
        assert "BRK-B" in set(s.universe_members("sp500")["ticker"])


def test_cli_fred_key_comes_from_the_environment_and_stays_secret(tmp_path, fake_sources,
                                                                   monkeypatch):
    _, seen = fake_sources
    key = "feedfacefeedfacefeedfacefeedface"
    monkeypatch.setenv("FRED_API_KEY", key)
    result = run_cli(tmp_path / "home", "--tickers", "DGS10", "--source", "fred", "--json")
    assert seen["fred_key"] == key
    assert key not in result.output
    with Store(tmp_path / "home" / "store.duckdb", read_only=True) as s:
        assert key not in s.provenance().to_csv()


def test_cli_rejects_universe_and_tickers_together(tmp_path, fake_sources):
    result = run_cli(tmp_path / "home", "mag7", "--tickers", "AAPL")
    assert result.exit_code == 2
    assert "either UNIVERSE or --tickers" in result.output


def test_cli_does_not_hold_the_write_lock_while_fetching(tmp_path, fake_sources):
    yahoo, _ = fake_sources
    home = tmp_path / "home"
    with Store(home / "store.duckdb") as s:
        seed(s, FULL.loc[:SPLIT])
    seen = []

    def reading_handler(request):
        # a writer in this process would make this read-only open fail
        with Store(home / "store.duckdb", read_only=True, wait=0) as reader:
            seen.append(reader.tickers())
        return yahoo(request)

    yahoo.source = lambda: YahooSource(  # type: ignore[method-assign]
        httpx.Client(transport=httpx.MockTransport(reading_handler)), sleep=lambda s: None)
    result = run_cli(home, "--tickers", "AAPL", "--json")
    assert result.exit_code == 0, result.output
    assert seen == [["AAPL"]]
    assert json.loads(result.stdout)["tickers"][0]["rows_added"] == 5


def test_progress_is_reported_per_ticker(store):
    calls = []
    update_prices(store, ["ZZZZ", "AAPL"], sources={"yahoo": FakeYahoo().source()},
                  progress=lambda t, done, total: calls.append((t, done, total)))
    assert calls == [("ZZZZ", 1, 2), ("AAPL", 2, 2)]
